/* berth's output helpers: podman-style YAML, aligned blocks, JSON format names, times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

/* Renders with `render` into memory and compares with the expected text. */
static void expect_yaml(const char *json, const char *want) {
        json_error_t jerr;
        json_t *v = json_loads(json, JSON_DECODE_ANY, &jerr);
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        assert_non_null(v);
        f = open_memstream(&buf, &size);
        assert_non_null(f);
        output_yaml(f, v);
        fclose(f);
        assert_string_equal(buf, want);
        free(buf);
        json_decref(v);
}

static void test_yaml_nesting(void **state) {
        (void) state;
        expect_yaml("{\"store\":{\"graphOptions\":{},\"containerStore\":{\"number\":0}},"
                    "\"host\":{\"cgroupControllers\":[\"cpu\",\"memory\"],\"idMappings\":{\"gidmap\":null},"
                    "\"cpus\":2,\"rootless\":false,\"list\":[]}}",
                    "host:\n"
                    "  cgroupControllers:\n"
                    "  - cpu\n"
                    "  - memory\n"
                    "  cpus: 2\n"
                    "  idMappings:\n"
                    "    gidmap: null\n"
                    "  list: []\n"
                    "  rootless: false\n"
                    "store:\n"
                    "  containerStore:\n"
                    "    number: 0\n"
                    "  graphOptions: {}\n");
}

static void test_yaml_sequences_of_collections(void **state) {
        (void) state;
        expect_yaml("{\"a\":[{\"name\":\"x\",\"path\":\"/p\"},[1,2],{}]}",
                    "a:\n"
                    "- name: x\n"
                    "  path: /p\n"
                    "- - 1\n"
                    "  - 2\n"
                    "- {}\n");
        expect_yaml("[\"one\", true]", "- one\n- true\n");
        expect_yaml("{}", "{}\n");
        expect_yaml("3.5", "3.5\n");
        expect_yaml("{\"r\":97.76,\"big\":1e+21,\"third\":0.1}", "big: 1e+21\nr: 97.76\nthird: 0.1\n");
}

/* Go's yaml.v2 order: non-letters first, then letters by code point (uppercase first),
 * digit runs as numbers. */
static void test_yaml_key_order(void **state) {
        (void) state;
        expect_yaml("{\"b\":1,\"a\":1,\"B\":1,\"a10\":1,\"a2\":1,\"_x\":1,\"Using metacopy\":1}",
                    "_x: 1\n"
                    "B: 1\n"
                    "Using metacopy: 1\n"
                    "a: 1\n"
                    "a2: 1\n"
                    "a10: 1\n"
                    "b: 1\n");
}

static void test_yaml_quoting(void **state) {
        (void) state;
        expect_yaml("{\"a\":\"\",\"b\":\"12\",\"c\":\"true\",\"d\":\"no\",\"e\":\"null\",\"f\":\"1.5e3\","
                    "\"g\":\"0x1F\",\"h\":\"2026-12-07T20:15:49Z\",\"i\":\"1:20\",\"j\":\"~\",\"k\":\"12a\"}",
                    "a: \"\"\n"
                    "b: \"12\"\n"
                    "c: \"true\"\n"
                    "d: \"no\"\n"
                    "e: \"null\"\n"
                    "f: \"1.5e3\"\n"
                    "g: \"0x1F\"\n"
                    "h: \"2026-12-07T20:15:49Z\"\n"
                    "i: \"1:20\"\n"
                    "j: \"~\"\n"
                    "k: 12a\n");
        expect_yaml("{\"a\":\"conmon version 2.1.6, commit: unknown\",\"b\":\"- x\",\"c\":\"it's\",\"d\":\"#x\","
                    "\"e\":\" lead\",\"f\":\"a #b\",\"g\":\"tab\\there\",\"h\":\"ends:\",\"i\":\"0h 19m 37.00s\","
                    "\"j\":\"unix:///run/berth.sock\",\"k\":\"'q'\"}",
                    "a: 'conmon version 2.1.6, commit: unknown'\n"
                    "b: '- x'\n"
                    "c: it's\n"
                    "d: '#x'\n"
                    "e: ' lead'\n"
                    "f: 'a #b'\n"
                    "g: \"tab\\there\"\n"
                    "h: 'ends:'\n"
                    "i: 0h 19m 37.00s\n"
                    "j: unix:///run/berth.sock\n"
                    "k: '''q'''\n");
        expect_yaml("{\"Supports d_type\":\"true\",\"a: b\":1}", "Supports d_type: \"true\"\n'a: b': 1\n");
}

static void test_yaml_multiline(void **state) {
        (void) state;
        expect_yaml("{\"o\":{\"version\":\"runc version 1.1.5\\ncommit: x\\n\\nspec: 1.0.2\"}}",
                    "o:\n"
                    "  version: |-\n"
                    "    runc version 1.1.5\n"
                    "    commit: x\n"
                    "\n"
                    "    spec: 1.0.2\n");
        expect_yaml("{\"a\":\"x\\n\",\"b\":\"y\\n\\n\"}", "a: |\n  x\nb: |+\n  y\n\n");
        expect_yaml("[\"l1\\nl2\"]", "- |-\n  l1\n  l2\n");
        /* A trailing space on a line cannot survive a block: double quotes instead. */
        expect_yaml("{\"a\":\"x \\ny\"}", "a: \"x \\ny\"\n");
}

static void expect_kv(const struct output_kv *rows, size_t n, const char *want) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        assert_non_null(f);
        output_kv(f, rows, n);
        fclose(f);
        assert_string_equal(buf, want);
        free(buf);
}

static void test_kv(void **state) {
        const struct output_kv version[] = {
                { "Client:", "berth" }, { "Version:", "0.1.0" }, { "API Version:", "4.3.1" }, { "OS/Arch:", NULL },
        };
        const struct output_kv short_keys[] = { { "A:", "1" }, { "Bb:", "2" } };
        const struct output_kv long_keys[] = { { "A much longer key:", "1" }, { "B:", "2" } };
        (void) state;

        expect_kv(version, 4, "Client:       berth\nVersion:      0.1.0\nAPI Version:  4.3.1\nOS/Arch:      \n");
        expect_kv(short_keys, 2, "A:          1\nBb:         2\n");
        expect_kv(long_keys, 2, "A much longer key:  1\nB:                  2\n");
}

static void test_format_is_json(void **state) {
        (void) state;
        assert_true(output_format_is_json("json"));
        assert_true(output_format_is_json("{{json .}}"));
        assert_true(output_format_is_json("{{ json . }}"));
        assert_false(output_format_is_json("{{.Version}}"));
        assert_false(output_format_is_json("yaml"));
        assert_false(output_format_is_json(""));
        assert_false(output_format_is_json(NULL));
}

static void test_json(void **state) {
        json_t *v = json_pack("{s:s, s:{s:i}}", "b", "x", "a", "n", 1);
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        (void) state;

        assert_int_equal(output_json(f, v), 0);
        fclose(f);
        /* Insertion order, two-space indent, final newline. */
        assert_string_equal(buf, "{\n  \"b\": \"x\",\n  \"a\": {\n    \"n\": 1\n  }\n}\n");
        free(buf);
        json_decref(v);
}

static void test_times(void **state) {
        char buf[64];
        time_t t;
        (void) state;

        assert_int_equal(output_parse_rfc3339("2026-12-07T20:15:49Z", &t), 0);
        assert_int_equal(t, 1796674549);
        assert_int_equal(output_parse_rfc3339("2026-12-07T20:15:49.123456789Z", &t), 0);
        assert_int_equal(t, 1796674549);
        assert_int_equal(output_parse_rfc3339("2026-12-07T21:15:49+01:00", &t), 0);
        assert_int_equal(t, 1796674549);
        assert_int_equal(output_parse_rfc3339("2026-12-07T19:45:49-00:30", &t), 0);
        assert_int_equal(t, 1796674549);
        assert_int_equal(output_parse_rfc3339("2026-12-07", &t), -EINVAL);
        assert_int_equal(output_parse_rfc3339("2026-12-07T20:15:49", &t), -EINVAL);
        assert_int_equal(output_parse_rfc3339("2026-12-07T20:15:49.Z", &t), -EINVAL);
        assert_int_equal(output_parse_rfc3339("2026-12-07T20:15:49+1", &t), -EINVAL);
        assert_int_equal(output_parse_rfc3339("2026-12-07T20:15:49Zjunk", &t), -EINVAL);
        assert_int_equal(output_parse_rfc3339(NULL, &t), -EINVAL);

        setenv("TZ", "UTC", 1);
        tzset();
        output_time_ansic(1796674549, buf, sizeof(buf));
        assert_string_equal(buf, "Mon Dec  7 20:15:49 2026");
        output_time_ansic(0, buf, sizeof(buf));
        assert_string_equal(buf, "Thu Jan  1 00:00:00 1970");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_yaml_nesting),    cmocka_unit_test(test_yaml_sequences_of_collections),
                cmocka_unit_test(test_yaml_key_order),  cmocka_unit_test(test_yaml_quoting),
                cmocka_unit_test(test_yaml_multiline),  cmocka_unit_test(test_kv),
                cmocka_unit_test(test_format_is_json),  cmocka_unit_test(test_json),
                cmocka_unit_test(test_times),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
