/* The pure helpers behind berth's image verbs: go-units' sizes and durations, repo/tag
 * splitting, ID columns, podman's table layout, stream line splitting, --creds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image-name.h"
#include "line-split.h"
#include "output.h"
#include "registry-creds.h"
#include "units.h"

static void expect_size(double size, const char *sep, const char *want) {
        char buf[32];

        units_human_size(size, sep, buf, sizeof(buf));
        assert_string_equal(buf, want);
}

static void test_human_size(void **state) {
        (void) state;
        expect_size(0, "", "0B");
        expect_size(999, "", "999B");
        expect_size(1000, "", "1kB");
        expect_size(1234, "", "1.23kB");
        expect_size(4860000, " ", "4.86 MB");
        expect_size(2017280, " ", "2.02 MB");
        expect_size(100e6, "", "100MB");
        expect_size(1.5e9, " ", "1.5 GB");
        /* %.3g rounds 999.9 up to the exponent form, as Go does. */
        expect_size(999900, "", "1e+03kB");
        expect_size(2.5e24, "", "2.5YB");
}

static void expect_duration(long long seconds, const char *want) {
        char buf[64];

        units_human_duration(seconds, buf, sizeof(buf));
        assert_string_equal(buf, want);
}

/* go-units' own test table (duration_test.go), in seconds. */
static void test_human_duration(void **state) {
        const long long minute = 60, hour = 3600, day = 24 * hour, week = 7 * day, month = 30 * day,
                        year = 365 * day;
        (void) state;
        expect_duration(-5, "Less than a second");
        expect_duration(0, "Less than a second");
        expect_duration(1, "1 second");
        expect_duration(45, "45 seconds");
        expect_duration(59, "59 seconds");
        expect_duration(60, "About a minute");
        expect_duration(119, "About a minute");
        expect_duration(3 * minute, "3 minutes");
        expect_duration(35 * minute + 40, "35 minutes");
        expect_duration(59 * minute, "59 minutes");
        expect_duration(hour, "About an hour");
        expect_duration(hour + 29 * minute, "About an hour");
        expect_duration(hour + 31 * minute, "2 hours");
        expect_duration(3 * hour + 29 * minute, "3 hours");
        expect_duration(3 * hour + 31 * minute, "4 hours");
        expect_duration(day, "24 hours");
        expect_duration(day + 12 * hour, "36 hours");
        expect_duration(2 * day, "2 days");
        expect_duration(13 * day + 5 * hour, "13 days");
        expect_duration(2 * week, "2 weeks");
        expect_duration(2 * week + 4 * day, "2 weeks");
        expect_duration(month, "4 weeks");
        expect_duration(month + 2 * week, "6 weeks");
        expect_duration(2 * month, "2 months");
        expect_duration(13 * month, "13 months");
        expect_duration(24 * month, "24 months");
        expect_duration(24 * month + 2 * week, "2 years");
        expect_duration(3 * year + 2 * month, "3 years");
}

static void test_ago(void **state) {
        char buf[64];
        (void) state;

        units_ago(1000, 1000 + 7200, buf, sizeof(buf));
        assert_string_equal(buf, "2 hours ago");
        units_ago(1000, 1030, buf, sizeof(buf));
        assert_string_equal(buf, "30 seconds ago");
}

static void expect_split(const char *name, const char *repo, const char *tag) {
        char *r = NULL, *t = NULL;

        assert_int_equal(image_name_split(name, &r, &t), 0);
        assert_string_equal(r, repo);
        if (tag)
                assert_string_equal(t, tag);
        else
                assert_null(t);
        free(r);
        free(t);
}

static void test_name_split(void **state) {
        char *r = NULL, *t = NULL;
        (void) state;

        expect_split("busybox", "busybox", "latest");
        expect_split("busybox:1.36", "busybox", "1.36");
        expect_split("docker.io/library/busybox:latest", "docker.io/library/busybox", "latest");
        /* A registry port is not a tag. */
        expect_split("localhost:5000/busybox", "localhost:5000/busybox", "latest");
        expect_split("localhost:5000/team/app:v2", "localhost:5000/team/app", "v2");
        expect_split("localhost:5000", "localhost", "5000");
        /* Digests stay whole: berthd judges them. */
        expect_split("busybox@sha256:abcd", "busybox@sha256:abcd", NULL);
        expect_split("localhost:5000/b:v1@sha256:abcd", "localhost:5000/b:v1@sha256:abcd", NULL);
        assert_int_equal(image_name_split("", &r, &t), -EINVAL);
        assert_int_equal(image_name_split(":v1", &r, &t), -EINVAL);
        assert_int_equal(image_name_split("busybox:", &r, &t), -EINVAL);
        assert_int_equal(image_name_split("@sha256:abcd", &r, &t), -EINVAL);
        assert_null(r);
        assert_null(t);
}

static void test_id_columns(void **state) {
        const char *hex = "9fefd897ce44a312c77aa4079f84865b62e69fc8c0f08656db1bcedbdbf75606";
        char buf[80], prefixed[80];
        (void) state;

        snprintf(prefixed, sizeof(prefixed), "sha256:%s", hex);
        assert_string_equal(image_id_hex(prefixed), hex);
        assert_string_equal(image_id_hex(hex), hex);
        assert_string_equal(image_id_hex("<missing>"), "<missing>");
        image_id_column(hex, false, buf, sizeof(buf));
        assert_string_equal(buf, "9fefd897ce44");
        image_id_column(prefixed, false, buf, sizeof(buf));
        assert_string_equal(buf, "9fefd897ce44");
        image_id_column(hex, true, buf, sizeof(buf));
        assert_string_equal(buf, prefixed);
        image_id_column(prefixed, true, buf, sizeof(buf));
        assert_string_equal(buf, prefixed);
}

static char *render_table(const struct output_table *t) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        assert_non_null(f);
        output_table_print(f, t);
        fclose(f);
        return buf;
}

static void test_table(void **state) {
        struct output_table t;
        char *out;
        (void) state;

        output_table_init(&t, 5);
        output_table_add(&t, (const char *[]) { "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE" });
        output_table_add(&t, (const char *[]) { "docker.io/library/busybox", "latest", "9fefd897ce44", "2 years ago",
                                                "2.02 MB" });
        output_table_add(&t, (const char *[]) { "<none>", "<none>", "0123456789ab", "About a minute ago", NULL });
        out = render_table(&t);
        /* Columns at least 12 wide, 2 spaces after the widest cell, the last one unpadded. */
        assert_string_equal(out, "REPOSITORY                 TAG         IMAGE ID      CREATED             SIZE\n"
                                 "docker.io/library/busybox  latest      9fefd897ce44  2 years ago         2.02 MB\n"
                                 "<none>                     <none>      0123456789ab  About a minute ago  \n");
        free(out);
        output_table_done(&t);

        /* Characters, not bytes, set the width; an empty last column still pads the one before. */
        output_table_init(&t, 3);
        output_table_add(&t, (const char *[]) { "ID", "SIZE", "COMMENT" });
        output_table_add(&t, (const char *[]) { "\xc3\xa9t\xc3\xa9-0123456789", "0B", "" });
        out = render_table(&t);
        assert_string_equal(out, "ID              SIZE        COMMENT\n"
                                 "\xc3\xa9t\xc3\xa9-0123456789  0B          \n");
        free(out);
        output_table_done(&t);

        output_table_init(&t, 2);
        out = render_table(&t);
        assert_string_equal(out, "");
        free(out);
        output_table_done(&t);
}

struct seen {
        char lines[8][32];
        int n, fail_at;
};

static int collect(void *userdata, const char *line, size_t len, berth_error *err) {
        struct seen *s = userdata;

        assert_int_equal(strlen(line), len);
        if (s->n == s->fail_at)
                return berth_err(err, -EBADMSG, "refused line %d", s->n);
        assert_true(s->n < 8);
        snprintf(s->lines[s->n++], sizeof(s->lines[0]), "%s", line);
        return 0;
}

static int feed(struct line_split *ls, const char *s, struct seen *seen, berth_error *err) {
        return line_split_feed(ls, s, strlen(s), collect, seen, err);
}

static void test_line_split(void **state) {
        struct line_split ls = { .max = 16 };
        struct seen s = { .fail_at = -1 };
        berth_error err = { 0 };
        (void) state;

        /* Lines cut anywhere by the transport come out whole, as soon as they end. */
        assert_int_equal(feed(&ls, "{\"a\":", &s, &err), 0);
        assert_int_equal(s.n, 0);
        assert_int_equal(feed(&ls, "1}\n\n{\"b\"", &s, &err), 0);
        assert_int_equal(s.n, 2);
        assert_string_equal(s.lines[0], "{\"a\":1}");
        assert_string_equal(s.lines[1], "");
        assert_int_equal(feed(&ls, ":2}\nlast", &s, &err), 0);
        assert_int_equal(s.n, 3);
        assert_string_equal(s.lines[2], "{\"b\":2}");
        /* The end of the body ends the last line. */
        assert_int_equal(line_split_finish(&ls, collect, &s, &err), 0);
        assert_int_equal(s.n, 4);
        assert_string_equal(s.lines[3], "last");
        assert_int_equal(line_split_finish(&ls, collect, &s, &err), 0);
        assert_int_equal(s.n, 4);

        /* A line past the limit, and a callback's refusal, stop the splitting. */
        assert_int_equal(feed(&ls, "0123456789abcdefg\n", &s, &err), -E2BIG);
        assert_string_equal(err.message, "berthd sent a line longer than 16 bytes");
        line_split_done(&ls);
        s = (struct seen) { .fail_at = 1 };
        assert_int_equal(feed(&ls, "a\nb\nc\n", &s, &err), -EBADMSG);
        assert_string_equal(err.message, "refused line 1");
        assert_int_equal(s.n, 1);
        line_split_done(&ls);
}

static void test_creds(void **state) {
        char *user = NULL, *password = NULL, *header;
        berth_error err = { 0 };
        (void) state;

        assert_int_equal(registry_creds_parse("berth:se:cret", &user, &password, &err), 0);
        assert_string_equal(user, "berth");
        assert_string_equal(password, "se:cret");
        free(user);
        free(password);
        user = password = NULL;
        for (const char *bad = "berth\0:secret\0berth:\0"; *bad; bad += strlen(bad) + 1) {
                assert_int_equal(registry_creds_parse(bad, &user, &password, &err), -EINVAL);
                /* The message never repeats the value: it may be a password. */
                assert_string_equal(err.message, "invalid --creds: expected USERNAME:PASSWORD, both not empty");
        }
        assert_null(user);
        /* base64url of {"username":"berth","password":"secret"}; "?>" shows the URL alphabet. */
        header = registry_creds_header("berth", "secret");
        assert_string_equal(header, "X-Registry-Auth: eyJ1c2VybmFtZSI6ImJlcnRoIiwicGFzc3dvcmQiOiJzZWNyZXQifQ==");
        free(header);
        header = registry_creds_header("u", "?>?");
        assert_string_equal(header, "X-Registry-Auth: eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6Ij8-PyJ9");
        free(header);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_human_size),  cmocka_unit_test(test_human_duration),
                cmocka_unit_test(test_ago),         cmocka_unit_test(test_name_split),
                cmocka_unit_test(test_id_columns),  cmocka_unit_test(test_table),
                cmocka_unit_test(test_line_split),  cmocka_unit_test(test_creds),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
