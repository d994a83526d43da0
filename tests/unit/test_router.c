/* Route matching: version prefixes, parameters, methods, and Docker version limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "router.h"

static int dummy(struct request *req) {
        (void) req;
        return 0;
}

static const struct route compat[] = {
        { "GET", "/_ping", dummy, 0 },
        { "HEAD", "/_ping", dummy, 0 },
        { "GET", "/containers/{id}/json", dummy, 0 },
        { "GET", "/images/{name*}/json", dummy, 0 },
        { "POST", "/images/{name*}/tag", dummy, 0 },
        { "GET", "/info", dummy, 0 },
};
static const struct route libpod[] = {
        { "GET", "/info", dummy, 0 },
        { "GET", "/containers/{id}/json", dummy, 0 },
};
const struct route_table compat_routes = { compat, sizeof(compat) / sizeof(compat[0]) };
const struct route_table libpod_routes = { libpod, sizeof(libpod) / sizeof(libpod[0]) };

static void expect_found(const char *method, const char *path, const struct route *want, api_kind api) {
        struct route_match m;
        assert_int_equal(route_find(method, path, &m), ROUTE_FOUND);
        assert_ptr_equal(m.route, want);
        assert_int_equal(m.api, api);
        route_match_done(&m);
}

static void test_prefixes(void **state) {
        (void) state;
        expect_found("GET", "/_ping", &compat[0], API_COMPAT);
        expect_found("GET", "/v1.41/_ping", &compat[0], API_COMPAT);
        expect_found("GET", "/v1.24/info", &compat[5], API_COMPAT);
        expect_found("GET", "/libpod/info", &libpod[0], API_LIBPOD);
        expect_found("GET", "/v4.3.1/libpod/info", &libpod[0], API_LIBPOD);
        expect_found("GET", "/v4/libpod/info", &libpod[0], API_LIBPOD);
}

static void test_params(void **state) {
        struct route_match m;
        (void) state;
        assert_int_equal(route_find("GET", "/v1.41/containers/abc123/json", &m), ROUTE_FOUND);
        assert_string_equal(route_param(&m, "id"), "abc123");
        assert_null(route_param(&m, "name"));
        route_match_done(&m);

        /* Image names contain slashes and ports. */
        assert_int_equal(route_find("GET", "/images/localhost:5000/a/b/busybox:1.36/json", &m), ROUTE_FOUND);
        assert_string_equal(route_param(&m, "name"), "localhost:5000/a/b/busybox:1.36");
        route_match_done(&m);

        assert_int_equal(route_find("POST", "/images/busybox/tag", &m), ROUTE_FOUND);
        assert_string_equal(route_param(&m, "name"), "busybox");
        route_match_done(&m);

        /* A greedy parameter still needs one segment. */
        assert_int_equal(route_find("GET", "/images/json", &m), ROUTE_NOT_FOUND);
        assert_int_equal(route_find("GET", "/containers//json", &m), ROUTE_NOT_FOUND);
}

static void test_methods(void **state) {
        struct route_match m;
        (void) state;
        assert_int_equal(route_find("POST", "/_ping", &m), ROUTE_BAD_METHOD);
        assert_int_equal(route_find("DELETE", "/v1.41/info", &m), ROUTE_BAD_METHOD);
        assert_int_equal(route_find("GET", "/nosuch", &m), ROUTE_NOT_FOUND);
        assert_int_equal(route_find("GET", "/info/", &m), ROUTE_NOT_FOUND);
        assert_int_equal(route_find("GET", "/v1.41", &m), ROUTE_NOT_FOUND);
        /* HEAD falls back to GET. */
        expect_found("HEAD", "/info", &compat[5], API_COMPAT);
        expect_found("HEAD", "/_ping", &compat[1], API_COMPAT);
}

static void test_versions(void **state) {
        struct route_match m;
        (void) state;
        assert_int_equal(route_find("GET", "/v1.42/info", &m), ROUTE_VERSION_TOO_NEW);
        assert_string_equal(m.api_version, "1.42");
        assert_int_equal(route_find("GET", "/v2.0/info", &m), ROUTE_VERSION_TOO_NEW);
        assert_int_equal(route_find("GET", "/v1.23/info", &m), ROUTE_VERSION_TOO_OLD);
        assert_int_equal(route_find("GET", "/v1/info", &m), ROUTE_BAD_VERSION);
        assert_int_equal(route_find("GET", "/v1.4.1/info", &m), ROUTE_BAD_VERSION);
        /* libpod paths are not held to Docker's version range. */
        expect_found("GET", "/v9.9.9/libpod/info", &libpod[0], API_LIBPOD);
}

static void test_version_compare(void **state) {
        (void) state;
        assert_int_equal(docker_version_compare("1.41", "1.41"), 0);
        assert_int_equal(docker_version_compare("1.9", "1.41"), -1);
        assert_int_equal(docker_version_compare("1.100", "1.41"), 1);
        assert_int_equal(docker_version_compare("2.0", "1.41"), 1);
        assert_int_equal(docker_version_compare("x", "1.41"), -2);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_prefixes), cmocka_unit_test(test_params), cmocka_unit_test(test_methods),
                cmocka_unit_test(test_versions), cmocka_unit_test(test_version_compare),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
