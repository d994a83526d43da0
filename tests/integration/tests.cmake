# The integration suite: each file is one ctest running pytest against build/bin.
set(BERTH_PYTHON /usr/bin/python3 CACHE FILEPATH "Python with pytest and docker-py (Debian's)")
file(GLOB _integration_tests RELATIVE ${CMAKE_CURRENT_SOURCE_DIR}/integration
     ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_*.py)
foreach(_t ${_integration_tests})
  string(REGEX REPLACE "\\.py$" "" _name ${_t})
  add_test(NAME integration/${_name}
           COMMAND ${BERTH_PYTHON} -m pytest -q -p no:cacheprovider ${_t}
           WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/integration)
  set_tests_properties(integration/${_name} PROPERTIES
    ENVIRONMENT "BERTH_BIN_DIR=${CMAKE_BINARY_DIR}/bin"
    TIMEOUT 600
    RUN_SERIAL TRUE)
endforeach()
