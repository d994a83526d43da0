/* berth pull's progress bars: docker's line layout and the escapes that redraw a layer's
 * line in place, fed with the Docker API's pull stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "progress-bars.h"

static void expect_line(const char *id, const char *status, long long current, long long total, int width,
                        const char *want) {
        struct bars_line l = { .id = (char *) id, .status = (char *) status, .current = current, .total = total };
        char buf[256];

        bars_format_line(&l, width, buf, sizeof(buf));
        assert_string_equal(buf, want);
}

static void test_format_line(void **state) {
        (void) state;
        expect_line("a3ed95caeb02", "Pulling fs layer", 0, 0, 120, "a3ed95caeb02: Pulling fs layer ");
        /* 12.3 of 56.7 MB: 21% is 10 of the 50 cells, then '>'. */
        expect_line("a3ed95caeb02", "Downloading", 12300000, 56700000, 120,
                    "a3ed95caeb02: Downloading [==========>                                        ]   12.3MB/56.7MB");
        expect_line("a3ed95caeb02", "Downloading", 56700000, 56700000, 120,
                    "a3ed95caeb02: Downloading [==================================================>]   56.7MB/56.7MB");
        /* No bar at 110 columns or fewer, as docker. */
        expect_line("a3ed95caeb02", "Downloading", 1234, 5000, 80, "a3ed95caeb02: Downloading   1.23kB/5kB");
        /* A count past the total shows alone; an unknown total shows the count. */
        expect_line("a3ed95caeb02", "Downloading", 6000, 5000, 80, "a3ed95caeb02: Downloading      6kB");
        expect_line("a3ed95caeb02", "Downloading", 999, 0, 80, "a3ed95caeb02: Downloading     999B");
        /* Never wider than the terminal minus one column. */
        expect_line("a3ed95caeb02", "Downloading", 1234, 5000, 20, "a3ed95caeb02: Downl");
}

static json_t *msg(const char *text) {
        json_t *v = json_loads(text, 0, NULL);
        assert_non_null(v);
        return v;
}

static void expect_apply(struct bars *b, const char *text, const char *want) {
        json_t *v = msg(text);
        char *out = bars_apply(b, v, 80);

        assert_string_equal(out, want);
        free(out);
        json_decref(v);
}

static void test_apply(void **state) {
        struct bars b = { 0 };

        (void) state;
        expect_apply(&b, "{\"status\":\"Pulling from library/alpine\",\"id\":\"latest\",\"progressDetail\":{}}",
                     "\033[2K\rlatest: Pulling from library/alpine \n");
        expect_apply(&b, "{\"status\":\"Pulling fs layer\",\"id\":\"aaaaaaaaaaaa\",\"progressDetail\":{}}",
                     "\033[2K\raaaaaaaaaaaa: Pulling fs layer \n");
        expect_apply(&b, "{\"status\":\"Pulling fs layer\",\"id\":\"bbbbbbbbbbbb\",\"progressDetail\":{}}",
                     "\033[2K\rbbbbbbbbbbbb: Pulling fs layer \n");
        assert_int_equal(b.n_lines, 3);
        /* The first layer is two lines up from the cursor; the cursor comes back. */
        expect_apply(&b,
                     "{\"status\":\"Downloading\",\"id\":\"aaaaaaaaaaaa\","
                     "\"progressDetail\":{\"current\":1000,\"total\":2000}}",
                     "\033[2A\033[2K\raaaaaaaaaaaa: Downloading      1kB/2kB\033[2B\r");
        expect_apply(&b, "{\"status\":\"Pull complete\",\"id\":\"bbbbbbbbbbbb\",\"progressDetail\":{}}",
                     "\033[1A\033[2K\rbbbbbbbbbbbb: Pull complete \033[1B\r");
        assert_int_equal(b.n_lines, 3);
        assert_string_equal(b.lines[1].status, "Downloading");
        assert_int_equal(b.lines[1].total, 2000);
        /* A status without an id is a line below the block, which is then left alone. */
        expect_apply(&b, "{\"status\":\"Digest: sha256:0123\"}", "Digest: sha256:0123\n");
        assert_int_equal(b.n_lines, 0);
        expect_apply(&b, "{\"status\":\"Pull complete\",\"id\":\"bbbbbbbbbbbb\",\"progressDetail\":{}}",
                     "\033[2K\rbbbbbbbbbbbb: Pull complete \n");
        /* The first error is kept, nothing is drawn for it. */
        expect_apply(&b, "{\"errorDetail\":{\"message\":\"no such layer\"},\"error\":\"no such layer\"}", "");
        expect_apply(&b, "{\"error\":\"later\"}", "");
        assert_string_equal(b.error, "no such layer");
        bars_done(&b);
        assert_null(b.error);
        assert_int_equal(b.n_lines, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_format_line),
                cmocka_unit_test(test_apply),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
