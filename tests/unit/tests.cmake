# One line per unit test file.
berth_unit_test(test_router SOURCES ${PROJECT_SOURCE_DIR}/server/router.c LIBS berth_core)
berth_unit_test(test_http_error LIBS berth_server)
berth_unit_test(test_config LIBS berth_server)
berth_unit_test(test_json_system LIBS berth_server)
berth_unit_test(test_reference LIBS berth_core)
