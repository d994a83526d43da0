/* Docker stdcopy framing: header encoding and the incremental decoder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "mux.h"

/* What the decoder yielded: per-stream concatenation plus the number of pieces. */
struct sink {
        char out[4][256];
        size_t len[4];
        int pieces;
        int fail_after; /* > 0: return -EPIPE on that piece */
};

static int collect(void *cls, enum mux_stream s, const void *data, size_t size) {
        struct sink *k = cls;
        assert_true(size > 0);
        assert_true(k->len[s] + size <= sizeof(k->out[s]));
        memcpy(k->out[s] + k->len[s], data, size);
        k->len[s] += size;
        k->pieces++;
        if (k->fail_after && k->pieces == k->fail_after)
                return -EPIPE;
        return 0;
}

static size_t frame(uint8_t *buf, enum mux_stream s, const char *text) {
        size_t n = strlen(text);
        mux_header(buf, s, (uint32_t) n);
        memcpy(buf + MUX_HEADER_SIZE, text, n);
        return MUX_HEADER_SIZE + n;
}

static void test_header(void **state) {
        uint8_t h[8];
        (void) state;
        mux_header(h, MUX_STDERR, 0x01020304);
        const uint8_t want[8] = { 2, 0, 0, 0, 1, 2, 3, 4 };
        assert_memory_equal(h, want, 8);
        mux_header(h, MUX_STDOUT, 5);
        const uint8_t want2[8] = { 1, 0, 0, 0, 0, 0, 0, 5 };
        assert_memory_equal(h, want2, 8);
        mux_header(h, MUX_SYSTEM, UINT32_MAX);
        const uint8_t want3[8] = { 3, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };
        assert_memory_equal(h, want3, 8);
}

static size_t sample(uint8_t *buf) {
        size_t n = 0;
        n += frame(buf + n, MUX_STDOUT, "hello\n");
        n += frame(buf + n, MUX_STDERR, "oops\n");
        n += frame(buf + n, MUX_STDOUT, "");
        n += frame(buf + n, MUX_STDOUT, "world\n");
        n += frame(buf + n, MUX_SYSTEM, "boom");
        return n;
}

static void check_sample(const struct sink *k) {
        assert_int_equal(k->len[MUX_STDOUT], 12);
        assert_memory_equal(k->out[MUX_STDOUT], "hello\nworld\n", 12);
        assert_int_equal(k->len[MUX_STDERR], 5);
        assert_memory_equal(k->out[MUX_STDERR], "oops\n", 5);
        assert_int_equal(k->len[MUX_SYSTEM], 4);
        assert_memory_equal(k->out[MUX_SYSTEM], "boom", 4);
        assert_int_equal(k->len[MUX_STDIN], 0);
}

static void test_whole(void **state) {
        uint8_t buf[256];
        struct sink k = { 0 };
        struct mux_decoder d = { 0 };
        (void) state;
        size_t n = sample(buf);
        assert_int_equal(mux_decode(&d, buf, n, collect, &k), 0);
        check_sample(&k);
        assert_int_equal(k.pieces, 4); /* the empty frame yields nothing */
        assert_true(mux_decoder_at_boundary(&d));
}

/* Every split of the input into chunks of size 1..n gives the same bytes. */
static void test_split(void **state) {
        uint8_t buf[256];
        (void) state;
        size_t n = sample(buf);
        for (size_t step = 1; step <= n; step++) {
                struct sink k = { 0 };
                struct mux_decoder d = { 0 };
                for (size_t off = 0; off < n; off += step) {
                        size_t c = n - off < step ? n - off : step;
                        assert_int_equal(mux_decode(&d, buf + off, c, collect, &k), 0);
                        if (off + c < n && step == 3 && off == 0)
                                assert_false(mux_decoder_at_boundary(&d)); /* inside a header */
                }
                check_sample(&k);
                assert_true(mux_decoder_at_boundary(&d));
        }
}

static void test_truncated(void **state) {
        uint8_t buf[64];
        struct sink k = { 0 };
        struct mux_decoder d = { 0 };
        (void) state;
        size_t n = frame(buf, MUX_STDOUT, "abcdef");
        assert_int_equal(mux_decode(&d, buf, n - 2, collect, &k), 0);
        assert_false(mux_decoder_at_boundary(&d));
        assert_int_equal(k.len[MUX_STDOUT], 4);
        assert_int_equal(mux_decode(&d, buf + n - 2, 2, collect, &k), 0);
        assert_true(mux_decoder_at_boundary(&d));
        assert_memory_equal(k.out[MUX_STDOUT], "abcdef", 6);
        assert_int_equal(mux_decode(&d, buf, 0, collect, &k), 0);
}

static void test_bad_stream(void **state) {
        uint8_t buf[64];
        struct sink k = { 0 };
        struct mux_decoder d = { 0 };
        (void) state;
        size_t n = frame(buf, MUX_STDOUT, "ok");
        buf[n] = 4; /* a header split before the bad byte is seen */
        assert_int_equal(mux_decode(&d, buf, n, collect, &k), 0);
        assert_int_equal(mux_decode(&d, buf + n, 1, collect, &k), 0);
        const uint8_t rest[7] = { 0, 0, 0, 0, 0, 0, 1 };
        assert_int_equal(mux_decode(&d, rest, sizeof(rest), collect, &k), -EPROTO);
        assert_int_equal(k.len[MUX_STDOUT], 2);

        struct mux_decoder d2 = { 0 };
        const uint8_t bad[9] = { 0xff, 0, 0, 0, 0, 0, 0, 1, 'x' };
        assert_int_equal(mux_decode(&d2, bad, sizeof(bad), collect, &k), -EPROTO);
}

static void test_callback_stops(void **state) {
        uint8_t buf[256];
        struct sink k = { .fail_after = 2 };
        struct mux_decoder d = { 0 };
        (void) state;
        size_t n = sample(buf);
        assert_int_equal(mux_decode(&d, buf, n, collect, &k), -EPIPE);
        assert_int_equal(k.pieces, 2);
        assert_int_equal(k.len[MUX_STDERR], 5);
        assert_int_equal(k.len[MUX_SYSTEM], 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_header),
                cmocka_unit_test(test_whole),
                cmocka_unit_test(test_split),
                cmocka_unit_test(test_truncated),
                cmocka_unit_test(test_bad_stream),
                cmocka_unit_test(test_callback_stops),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
