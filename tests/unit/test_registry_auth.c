/* WWW-Authenticate challenge parsing for registry auth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>

#include "registry.h"

static void test_bearer(void **state) {
        struct registry_challenge c;
        (void) state;
        assert_int_equal(registry_challenge_parse("Bearer realm=\"https://auth.docker.io/token\","
                                                  "service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\"",
                                                  &c),
                         0);
        assert_string_equal(c.scheme, "Bearer");
        assert_string_equal(c.realm, "https://auth.docker.io/token");
        assert_string_equal(c.service, "registry.docker.io");
        assert_string_equal(c.scope, "repository:library/busybox:pull");
        registry_challenge_done(&c);

        /* Unquoted values, spaces after commas, other order, unknown keys. */
        assert_int_equal(registry_challenge_parse("Bearer service=reg, error=\"invalid_token\", realm=http://t/tok", &c), 0);
        assert_string_equal(c.realm, "http://t/tok");
        assert_string_equal(c.service, "reg");
        assert_null(c.scope);
        registry_challenge_done(&c);
}

static void test_basic_and_bad(void **state) {
        struct registry_challenge c;
        (void) state;
        assert_int_equal(registry_challenge_parse("Basic realm=\"berth-test\"", &c), 0);
        assert_string_equal(c.scheme, "Basic");
        assert_string_equal(c.realm, "berth-test");
        registry_challenge_done(&c);
        assert_int_equal(registry_challenge_parse("Bearer service=\"x\"", &c), -EINVAL);   /* no realm */
        assert_int_equal(registry_challenge_parse("", &c), -EINVAL);
        assert_int_equal(registry_challenge_parse("Bearer", &c), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_bearer), cmocka_unit_test(test_basic_and_bad) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
