/* Login addresses as docker login sends them, normalized to the registry host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "berth/auth.h"

static void expect_domain(const char *server, const char *domain) {
        char *d = berth_registry_domain(server);
        assert_string_equal(d, domain);
        free(d);
}

static void test_domains(void **state) {
        (void) state;
        expect_domain("127.0.0.1:5000", "127.0.0.1:5000");
        expect_domain("https://127.0.0.1:5000", "127.0.0.1:5000");
        expect_domain("http://registry.example.com:8443/v2/", "registry.example.com:8443");
        expect_domain("Quay.IO", "quay.io");
        expect_domain("localhost:5000/", "localhost:5000");
}

static void test_docker_hub(void **state) {
        (void) state;
        expect_domain("https://index.docker.io/v1/", "docker.io");
        expect_domain("index.docker.io", "docker.io");
        expect_domain("registry-1.docker.io", "docker.io");
        expect_domain("docker.io", "docker.io");
        expect_domain("", "docker.io");
        expect_domain(NULL, "docker.io");
}

int main(void) {
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_domains), cmocka_unit_test(test_docker_hub) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
