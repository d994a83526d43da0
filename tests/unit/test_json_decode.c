/* Typed JSON readers: values, absent fields, and messages for the wrong shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "berth/cleanup.h"
#include "json/decode.h"

static json_t *doc;

static int setup(void **state) {
        (void) state;
        doc = json_loads("{\"s\":\"x\",\"b\":true,\"i\":42,\"r\":1.5,\"n\":null,\"a\":[\"p\",\"q\"],"
                         "\"mixed\":[\"p\",3],\"m\":{\"k\":\"v\"},\"badm\":{\"k\":1},\"o\":{}}",
                         0, NULL);
        return doc ? 0 : -1;
}

static int teardown(void **state) {
        (void) state;
        json_decref(doc);
        return 0;
}

static void expect_message(int r, const berth_error *err, const char *want) {
        assert_int_equal(r, -EINVAL);
        assert_string_equal(err->message, want);
}

static void test_values(void **state) {
        const char *s = NULL;
        bool b = false;
        int64_t i = 0;
        _cleanup_strv_free_ char **a = NULL, **m = NULL;
        const json_t *o = NULL;
        (void) state;

        assert_int_equal(json_read_string(doc, "s", &s, NULL), 0);
        assert_string_equal(s, "x");
        assert_int_equal(json_read_bool(doc, "b", &b, NULL), 0);
        assert_true(b);
        assert_int_equal(json_read_int(doc, "i", &i, NULL), 0);
        assert_int_equal(i, 42);
        assert_int_equal(json_read_strv(doc, "a", &a, NULL), 0);
        assert_string_equal(a[0], "p");
        assert_string_equal(a[1], "q");
        assert_null(a[2]);
        assert_int_equal(json_read_string_map(doc, "m", &m, NULL), 0);
        assert_string_equal(m[0], "k");
        assert_string_equal(m[1], "v");
        assert_null(m[2]);
        assert_int_equal(json_read_object(doc, "o", &o, NULL), 0);
        assert_non_null(o);
}

static void test_absent_and_null_keep_defaults(void **state) {
        const char *s = "default";
        int64_t i = 7;
        _cleanup_strv_free_ char **a = NULL;
        (void) state;
        assert_int_equal(json_read_string(doc, "missing", &s, NULL), 0);
        assert_int_equal(json_read_string(doc, "n", &s, NULL), 0);
        assert_string_equal(s, "default");
        assert_int_equal(json_read_int(doc, "n", &i, NULL), 0);
        assert_int_equal(i, 7);
        assert_int_equal(json_read_strv(doc, "missing", &a, NULL), 0);
        assert_null(a);
}

static void test_wrong_shapes(void **state) {
        berth_error err;
        const char *s;
        bool b;
        int64_t i;
        _cleanup_strv_free_ char **v = NULL;
        const json_t *o;
        (void) state;

        expect_message(json_read_string(doc, "a", &s, &err), &err, "a: expected a string, got an array");
        expect_message(json_read_bool(doc, "s", &b, &err), &err, "s: expected a boolean, got a string");
        expect_message(json_read_int(doc, "r", &i, &err), &err, "r: expected an integer, got a number");
        expect_message(json_read_int(doc, "b", &i, &err), &err, "b: expected an integer, got a boolean");
        expect_message(json_read_strv(doc, "s", &v, &err), &err, "s: expected an array of strings, got a string");
        expect_message(json_read_strv(doc, "mixed", &v, &err), &err, "mixed[1]: expected a string, got an integer");
        assert_null(v);
        expect_message(json_read_string_map(doc, "badm", &v, &err), &err, "badm.k: expected a string, got an integer");
        expect_message(json_read_object(doc, "a", &o, &err), &err, "a: expected an object, got an array");
        json_t *arr = json_array();
        expect_message(json_expect_object(arr, "request body", &err), &err,
                       "request body: expected a JSON object, got an array");
        json_decref(arr);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_values), cmocka_unit_test(test_absent_and_null_keep_defaults),
                cmocka_unit_test(test_wrong_shapes),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
