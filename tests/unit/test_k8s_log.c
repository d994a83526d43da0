/* conmon k8s-file records: parsing, filters, tail and following from an offset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "k8s-log.h"

#define TS "2026-11-28T07:25:05.498091821+00:00"

static int64_t utc_ns(int y, int mo, int d, int h, int mi, int s, long ns) {
        struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s };
        return (int64_t) timegm(&tm) * 1000000000LL + ns;
}

static void parse_ok(const char *line, struct k8s_log_line *l) {
        if (k8s_log_parse(line, strlen(line), l) < 0)
                fail_msg("rejected: %s", line);
}

static void test_parse(void **state) {
        struct k8s_log_line l;
        (void) state;
        parse_ok(TS " stdout F out-line", &l);
        assert_int_equal(l.time_ns, utc_ns(2026, 11, 28, 7, 25, 5, 498091821));
        assert_false(l.is_stderr);
        assert_false(l.partial);
        assert_int_equal(l.size, 8);
        assert_memory_equal(l.data, "out-line", 8);

        parse_ok(TS " stderr P  two  spaces ", &l);
        assert_true(l.is_stderr);
        assert_true(l.partial);
        assert_int_equal(l.size, 13);
        assert_memory_equal(l.data, " two  spaces ", 13);

        parse_ok(TS " stdout F ", &l); /* an empty line */
        assert_int_equal(l.size, 0);

        /* Offsets convert to UTC: conmon writes the host's local offset. */
        parse_ok("2026-11-28T09:25:05.498091821+02:00 stdout F x", &l);
        assert_int_equal(l.time_ns, utc_ns(2026, 11, 28, 7, 25, 5, 498091821));
        parse_ok("2026-11-28T02:55:05.5-04:30 stdout F x", &l);
        assert_int_equal(l.time_ns, utc_ns(2026, 11, 28, 7, 25, 5, 500000000));
        parse_ok("2026-11-28T07:25:05Z stdout F x", &l);
        assert_int_equal(l.time_ns, utc_ns(2026, 11, 28, 7, 25, 5, 0));
        parse_ok("2024-02-29T00:00:00.000000001Z stdout F x", &l);
        assert_int_equal(l.time_ns, utc_ns(2024, 2, 29, 0, 0, 0, 1));
        parse_ok("1969-12-31T23:59:59Z stdout F x", &l);
        assert_int_equal(l.time_ns, -1000000000LL);
        /* Data may hold anything, NUL included. */
        const char nul[] = TS " stdout F a\0b";
        assert_int_equal(k8s_log_parse(nul, sizeof(nul) - 1, &l), 0);
        assert_int_equal(l.size, 3);
}

static void test_parse_bad(void **state) {
        static const char *const bad[] = {
                "",
                TS,
                TS " stdout",
                TS " stdout F",            /* no separator before the data */
                TS " stdin F x",
                TS " STDOUT F x",
                TS " stdout X x",
                TS " stdout FF x",
                TS "  stdout F x",
                TS " stdout  F x",
                "2026-11-28 07:25:05.498091821+00:00 stdout F x",
                "2026-11-28T07:25:05.498091821 stdout F x",  /* no zone */
                "2026-11-28T07:25:05.498091821+0000 stdout F x",
                "2026-11-28T07:25:05.498091821+2:00 stdout F x",
                "2026-11-28T07:25:05.498091821+24:00 stdout F x",
                "2026-11-28T07:25:05.498091821+02:60 stdout F x",
                "2026-11-28T07:25:05.498091821z stdout F x",
                "2026-11-28T07:25:05.4980918210+00:00 stdout F x", /* 10 digits */
                "2026-11-28T07:25:05.+00:00 stdout F x",
                "2026-13-28T07:25:05Z stdout F x",
                "2026-00-28T07:25:05Z stdout F x",
                "2025-02-29T07:25:05Z stdout F x",
                "2026-04-31T07:25:05Z stdout F x",
                "2026-11-28T24:00:00Z stdout F x",
                "2026-11-28T07:60:00Z stdout F x",
                "2026-11-28T07:25:60Z stdout F x",
                "26-11-28T07:25:05Z stdout F x",
                "2026-1-28T07:25:05Z stdout F x",
                "2300-01-01T00:00:00Z stdout F x",  /* beyond int64 nanoseconds */
                "1600-01-01T00:00:00Z stdout F x",
                "x026-11-28T07:25:05Z stdout F x",
        };
        struct k8s_log_line l = { .size = 77 };
        (void) state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                if (k8s_log_parse(bad[i], strlen(bad[i]), &l) != -EINVAL)
                        fail_msg("accepted: '%s'", bad[i]);
        assert_int_equal(l.size, 77); /* untouched on failure */
        /* The size bounds the parse: a valid line cut short is invalid. */
        const char *ok = TS " stdout F x";
        assert_int_equal(k8s_log_parse(ok, 20, &l), -EINVAL);
}

/* Collected records, data copied. */
struct rec {
        int64_t t;
        bool err, partial;
        char data[64];
};
struct got {
        struct rec r[4096];
        size_t n;
        size_t stop_at; /* > 0: fail on that record */
};

static int collect(void *cls, const struct k8s_log_line *l) {
        struct got *g = cls;
        assert_true(g->n < 4096);
        struct rec *r = &g->r[g->n++];
        r->t = l->time_ns;
        r->err = l->is_stderr;
        r->partial = l->partial;
        size_t n = l->size < sizeof(r->data) - 1 ? l->size : sizeof(r->data) - 1;
        memcpy(r->data, l->data, n);
        r->data[n] = '\0';
        if (g->stop_at && g->n == g->stop_at)
                return -ECANCELED;
        return 0;
}

static int memfd(void) {
        int fd = memfd_create("k8s-log", MFD_CLOEXEC);
        assert_true(fd >= 0);
        return fd;
}

static void put(int fd, const char *s) {
        assert_int_equal(write(fd, s, strlen(s)), (ssize_t) strlen(s));
}

/* Record at second `sec` of a fixed minute. */
static void rec_line(int fd, int sec, const char *stream, const char *tag, const char *data) {
        char *buf;
        assert_true(asprintf(&buf, "2026-11-28T07:25:%02d.000000000+00:00 %s %s %s\n", sec, stream, tag, data) > 0);
        put(fd, buf);
        free(buf);
}

static int64_t T(int sec) {
        return utc_ns(2026, 11, 28, 7, 25, sec, 0);
}

static void expect_data(const struct got *g, const char *const *want, size_t n) {
        if (g->n != n) {
                for (size_t i = 0; i < g->n; i++)
                        print_message("got[%zu] = %s\n", i, g->r[i].data);
                fail_msg("got %zu records, want %zu", g->n, n);
        }
        for (size_t i = 0; i < n; i++)
                assert_string_equal(g->r[i].data, want[i]);
}
#define EXPECT(g, ...)                                                          \
        do {                                                                    \
                static const char *const w_[] = { __VA_ARGS__ };                \
                expect_data((g), w_, sizeof(w_) / sizeof(w_[0]));               \
        } while (0)

/* A log: 10 out1 F, 11 err1 F, 12 "par" P + 13 "tial" F, junk, 14 err2 F, 15 out3 F,
 * and an incomplete last line. */
static int sample(off_t *ret_complete) {
        int fd = memfd();
        rec_line(fd, 10, "stdout", "F", "out1");
        rec_line(fd, 11, "stderr", "F", "err1");
        rec_line(fd, 12, "stdout", "P", "par");
        rec_line(fd, 13, "stdout", "F", "tial");
        put(fd, "this is not a record\n");
        put(fd, TS " stdin F nope\n");
        rec_line(fd, 14, "stderr", "F", "err2");
        rec_line(fd, 15, "stdout", "F", "out3");
        *ret_complete = lseek(fd, 0, SEEK_CUR);
        put(fd, "2026-11-28T07:25:16.000000000+00:00 stdout F incompl");
        return fd;
}

static void test_read_all(void **state) {
        off_t complete, end = -1;
        struct got g = { 0 };
        berth_error err = { 0 };
        (void) state;
        int fd = sample(&complete);
        assert_int_equal(k8s_log_read(fd, NULL, collect, &g, &end, &err), 0);
        EXPECT(&g, "out1", "err1", "par", "tial", "err2", "out3");
        assert_int_equal(end, complete);
        assert_true(g.r[1].err);
        assert_true(g.r[2].partial);
        assert_false(g.r[3].partial);
        assert_int_equal(g.r[0].t, T(10));
        assert_int_equal(lseek(fd, 0, SEEK_CUR), complete + 52); /* fd offset untouched */
        close(fd);
}

static void test_follow(void **state) {
        off_t complete, end = -1, end2 = -1;
        struct got g = { 0 };
        berth_error err = { 0 };
        struct k8s_log_options o = { .out = true, .err = true, .tail = 2 };
        (void) state;
        int fd = sample(&complete);
        assert_int_equal(k8s_log_read(fd, &o, collect, &g, &end, &err), 0);
        EXPECT(&g, "err2", "out3");
        assert_int_equal(end, complete);

        /* Nothing new: nothing delivered, the offset stays. */
        g.n = 0;
        o.tail = -1;
        assert_int_equal(k8s_log_read_from(fd, end, &o, collect, &g, &end2, &err), 0);
        assert_int_equal(g.n, 0);
        assert_int_equal(end2, end);

        /* conmon finishes the line and writes more. */
        put(fd, "ete\n");
        rec_line(fd, 17, "stderr", "F", "err3");
        rec_line(fd, 18, "stdout", "P", "half");
        off_t now = lseek(fd, 0, SEEK_CUR);
        assert_int_equal(k8s_log_read_from(fd, end, &o, collect, &g, &end2, &err), 0);
        EXPECT(&g, "incomplete", "err3", "half");
        assert_int_equal(end2, now);

        /* A start past the end (the log was replaced): nothing, offset kept. */
        g.n = 0;
        assert_int_equal(k8s_log_read_from(fd, now + 100, &o, collect, &g, &end2, &err), 0);
        assert_int_equal(g.n, 0);
        assert_int_equal(end2, now + 100);
        assert_int_equal(k8s_log_read_from(fd, -1, &o, collect, &g, &end2, &err), -EINVAL);
        assert_string_equal(err.message, "invalid container log offset -1");
        close(fd);
}

static void test_streams(void **state) {
        off_t complete, end;
        struct got g = { 0 };
        berth_error err = { 0 };
        struct k8s_log_options o = { .out = true, .tail = -1 };
        (void) state;
        int fd = sample(&complete);
        assert_int_equal(k8s_log_read(fd, &o, collect, &g, &end, &err), 0);
        EXPECT(&g, "out1", "par", "tial", "out3");
        g.n = 0;
        o = (struct k8s_log_options) { .err = true, .tail = -1 };
        assert_int_equal(k8s_log_read(fd, &o, collect, &g, &end, &err), 0);
        EXPECT(&g, "err1", "err2");
        assert_int_equal(end, complete);
        g.n = 0;
        o = (struct k8s_log_options) { .tail = -1 };
        assert_int_equal(k8s_log_read(fd, &o, collect, &g, &end, &err), 0);
        assert_int_equal(g.n, 0);
        /* Tail counts lines of both streams before the stream filter, as Docker. */
        o = (struct k8s_log_options) { .out = true, .tail = 1 };
        assert_int_equal(k8s_log_read(fd, &o, collect, &g, &end, &err), 0);
        EXPECT(&g, "out3");
        g.n = 0;
        o = (struct k8s_log_options) { .err = true, .tail = 1 };
        assert_int_equal(k8s_log_read(fd, &o, collect, &g, &end, &err), 0);
        assert_int_equal(g.n, 0);
        close(fd);
}

static void test_since_until(void **state) {
        off_t complete, end;
        struct got g = { 0 };
        berth_error err = { 0 };
        struct k8s_log_options o = { .out = true, .err = true, .since_ns = T(12), .tail = -1 };
        (void) state;
        int fd = sample(&complete);
        /* since is inclusive */
        assert_int_equal(k8s_log_read(fd, &o, collect, &g, &end, &err), 0);
        EXPECT(&g, "par", "tial", "err2", "out3");
        assert_int_equal(end, complete);

        /* until is inclusive; the first later record ends the read there. */
        g.n = 0;
        o = (struct k8s_log_options) { .out = true, .err = true, .until_ns = T(13), .tail = -1 };
        assert_int_equal(k8s_log_read(fd, &o, collect, &g, &end, &err), K8S_LOG_UNTIL);
        EXPECT(&g, "out1", "err1", "par", "tial");
        /* end is the start of the err2 record, after the junk lines. */
        char buf[64];
        assert_int_equal(pread(fd, buf, 20, end), 20);
        assert_memory_equal(buf, "2026-11-28T07:25:14.", 20);

        g.n = 0;
        o = (struct k8s_log_options) { .out = true, .err = true, .since_ns = T(11), .until_ns = T(11) + 1,
                                       .tail = -1 };
        assert_int_equal(k8s_log_read(fd, &o, collect, &g, &end, &err), K8S_LOG_UNTIL);
        EXPECT(&g, "err1");

        /* A bound past everything: the end of the file, not K8S_LOG_UNTIL. */
        g.n = 0;
        o = (struct k8s_log_options) { .out = true, .err = true, .until_ns = T(59), .tail = 3 };
        assert_int_equal(k8s_log_read(fd, &o, collect, &g, &end, &err), 0);
        EXPECT(&g, "par", "tial", "err2", "out3");
        assert_int_equal(end, complete);
        close(fd);
}

static void test_tail(void **state) {
        off_t complete, end;
        struct got g = { 0 };
        berth_error err = { 0 };
        struct k8s_log_options o = { .out = true, .err = true };
        (void) state;
        int fd = sample(&complete);
        o.tail = 0;
        assert_int_equal(k8s_log_read(fd, &o, collect, &g, &end, &err), 0);
        assert_int_equal(g.n, 0);
        assert_int_equal(end, complete);
        o.tail = 3; /* P+F is one line; junk lines do not count */
        assert_int_equal(k8s_log_read(fd, &o, collect, &g, &end, &err), 0);
        EXPECT(&g, "par", "tial", "err2", "out3");
        g.n = 0;
        o.tail = 5;
        assert_int_equal(k8s_log_read(fd, &o, collect, &g, &end, &err), 0);
        EXPECT(&g, "out1", "err1", "par", "tial", "err2", "out3");
        g.n = 0;
        o.tail = 1000;
        assert_int_equal(k8s_log_read(fd, &o, collect, &g, &end, &err), 0);
        assert_int_equal(g.n, 6);

        /* Trailing P records without their F yet count as one line. */
        put(fd, "ete\n");
        rec_line(fd, 20, "stdout", "P", "p1");
        rec_line(fd, 21, "stdout", "P", "p2");
        g.n = 0;
        o.tail = 1;
        assert_int_equal(k8s_log_read(fd, &o, collect, &g, &end, &err), 0);
        EXPECT(&g, "p1", "p2");
        g.n = 0;
        o.tail = 2;
        assert_int_equal(k8s_log_read(fd, &o, collect, &g, &end, &err), 0);
        EXPECT(&g, "incomplete", "p1", "p2");

        /* Tail within [start, end): never before start. */
        g.n = 0;
        o.tail = 100;
        assert_int_equal(k8s_log_read_from(fd, complete, &o, collect, &g, &end, &err), 0);
        EXPECT(&g, "incomplete", "p1", "p2");
        close(fd);
}

static void test_callback_error(void **state) {
        off_t complete, end = 42;
        struct got g = { .stop_at = 2 };
        berth_error err = { 0 };
        (void) state;
        int fd = sample(&complete);
        assert_int_equal(k8s_log_read(fd, NULL, collect, &g, &end, &err), -ECANCELED);
        assert_int_equal(g.n, 2);
        assert_int_equal(end, 42);
        close(fd);
}

static void test_io_error(void **state) {
        off_t end;
        struct got g = { 0 };
        berth_error err = { 0 };
        (void) state;
        assert_int_equal(k8s_log_read(-1, NULL, collect, &g, &end, &err), -EBADF);
        assert_string_equal(err.message, "cannot stat the container log: Bad file descriptor");
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        assert_int_equal(k8s_log_read(fds[0], NULL, collect, &g, &end, &err), -ESPIPE);
        assert_string_equal(err.message, "cannot read the container log: Illegal seek");
        close(fds[0]);
        close(fds[1]);
}

/* A line longer than the reader keeps is skipped; its neighbours are not. */
static void test_long_line(void **state) {
        off_t end;
        struct got g = { 0 };
        berth_error err = { 0 };
        (void) state;
        int fd = memfd();
        rec_line(fd, 1, "stdout", "F", "before");
        size_t n = 3 * 1024 * 1024;
        char *big = malloc(n + 1);
        memset(big, 'x', n);
        big[n] = '\0';
        rec_line(fd, 2, "stdout", "F", big);
        rec_line(fd, 3, "stdout", "F", "after");
        free(big);
        assert_int_equal(k8s_log_read(fd, NULL, collect, &g, &end, &err), 0);
        EXPECT(&g, "before", "after");
        assert_int_equal(end, lseek(fd, 0, SEEK_CUR));
        /* Long but kept lines are delivered whole. */
        g.n = 0;
        size_t m = 200 * 1024;
        char *mid = malloc(m + 1);
        memset(mid, 'y', m);
        mid[m] = '\0';
        rec_line(fd, 4, "stderr", "F", mid);
        free(mid);
        struct k8s_log_options o = { .out = true, .err = true, .tail = 2 };
        assert_int_equal(k8s_log_read(fd, &o, collect, &g, &end, &err), 0);
        assert_int_equal(g.n, 2);
        assert_string_equal(g.r[0].data, "after");
        assert_true(g.r[1].err);
        close(fd);
}

/* Tail over a log of many blocks with records of all sizes, some crossing block
 * boundaries, checked against the record list. */
static void test_tail_big(void **state) {
        enum { N = 3000 };
        static bool partial[N];
        off_t end;
        berth_error err = { 0 };
        struct got *g = calloc(1, sizeof(*g));
        char *data = malloc(40000);
        (void) state;
        int fd = memfd();
        unsigned seed = 7;
        for (int i = 0; i < N; i++) {
                seed = seed * 1103515245 + 12345;
                size_t len = (seed >> 8) % 97 == 0 ? 30000 + (seed >> 4) % 9000 : (seed >> 8) % 120;
                partial[i] = (seed >> 16) % 5 == 0 && i != N - 1;
                int w = snprintf(data, 40000, "%d|", i);
                memset(data + w, 'a' + i % 26, len);
                data[w + len] = '\0';
                if ((seed >> 20) % 50 == 0)
                        put(fd, "junk line\n");
                rec_line(fd, i % 60, (seed >> 12) % 3 ? "stdout" : "stderr", partial[i] ? "P" : "F", data);
        }
        static const long tails[] = { 0, 1, 2, 3, 17, 250, 1000, 2999, 5000 };
        for (size_t t = 0; t < sizeof(tails) / sizeof(tails[0]); t++) {
                /* Expected first record: walk back over `tail` lines. */
                long lines = 0;
                int first = N;
                for (int i = N - 1; i >= 0; i--) {
                        if (!partial[i]) {
                                if (lines == tails[t])
                                        break;
                                lines++;
                        }
                        first = i;
                }
                g->n = 0;
                struct k8s_log_options o = { .out = true, .err = true, .tail = tails[t] };
                assert_int_equal(k8s_log_read(fd, &o, collect, g, &end, &err), 0);
                assert_int_equal(g->n, (size_t) (N - first));
                for (size_t k = 0; k < g->n; k++) {
                        char want[16];
                        int w = snprintf(want, sizeof(want), "%zu|", first + k);
                        assert_memory_equal(g->r[k].data, want, (size_t) w);
                }
        }
        assert_int_equal(end, lseek(fd, 0, SEEK_CUR));
        free(data);
        free(g);
        close(fd);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_parse_bad),
                cmocka_unit_test(test_read_all),
                cmocka_unit_test(test_follow),
                cmocka_unit_test(test_streams),
                cmocka_unit_test(test_since_until),
                cmocka_unit_test(test_tail),
                cmocka_unit_test(test_callback_error),
                cmocka_unit_test(test_io_error),
                cmocka_unit_test(test_long_line),
                cmocka_unit_test(test_tail_big),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
