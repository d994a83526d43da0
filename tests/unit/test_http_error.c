/* The errno -> HTTP status mapping and the error body shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>

#include "http-error.h"

static void test_status(void **state) {
        (void) state;
        assert_int_equal(http_status_for_errno(-ENOENT), 404);
        assert_int_equal(http_status_for_errno(-EEXIST), 409);
        assert_int_equal(http_status_for_errno(-EBUSY), 409);
        assert_int_equal(http_status_for_errno(-EINVAL), 400);
        assert_int_equal(http_status_for_errno(-EMSGSIZE), 413);
        assert_int_equal(http_status_for_errno(-EALREADY), 304);
        assert_int_equal(http_status_for_errno(-ENOTCONN), 409);
        assert_int_equal(http_status_for_errno(-EKEYREJECTED), 401);   /* a registry refused a login */
        assert_int_equal(http_status_for_errno(-EACCES), 403);
        assert_int_equal(http_status_for_errno(-EIO), 500);
        assert_int_equal(http_status_for_errno(-ENOMEM), 500);
}

static void test_body(void **state) {
        (void) state;
        json_t *body = http_error_body(404, "no such container: x", http_cause_for_errno(-ENOENT));
        assert_string_equal(json_string_value(json_object_get(body, "message")), "no such container: x");
        assert_string_equal(json_string_value(json_object_get(body, "cause")), "not found");
        assert_int_equal(json_integer_value(json_object_get(body, "response")), 404);
        json_decref(body);
        assert_string_equal(http_cause_for_errno(-EIO), "Input/output error");
}

int main(void) {
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_status), cmocka_unit_test(test_body) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
