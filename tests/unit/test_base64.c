/* berth_base64_*(): RFC 4648 vectors, the URL-safe alphabet, optional padding, and
 * strings that are not base64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "berth/base64.h"
#include "berth/cleanup.h"
#include "berth/digest.h"

static const char *const vectors[][2] = {
        { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
        { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
};

static void test_rfc4648_vectors(void **state) {
        (void) state;
        for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
                _cleanup_free_ char *enc = berth_base64_encode(vectors[i][0], strlen(vectors[i][0]));
                _cleanup_free_ char *dec = NULL;
                size_t n;

                assert_string_equal(enc, vectors[i][1]);
                assert_int_equal(berth_base64_decode(vectors[i][1], &dec, &n), 0);
                assert_int_equal(n, strlen(vectors[i][0]));
                assert_string_equal(dec, vectors[i][0]);
        }
}

static void test_url_safe_and_unpadded(void **state) {
        const unsigned char bin[] = { 0xfb, 0xff, 0xbf, 0x00, 0x41 };
        _cleanup_free_ char *enc = berth_base64_encode(bin, sizeof(bin));
        _cleanup_free_ char *a = NULL, *b = NULL;
        size_t n;

        (void) state;
        assert_string_equal(enc, "+/+/AEE=");
        assert_int_equal(berth_base64_decode("-_-_AEE", &a, &n), 0);      /* URL-safe, no '=' */
        assert_int_equal(n, sizeof(bin));
        assert_memory_equal(a, bin, sizeof(bin));
        assert_int_equal(berth_base64_decode("Zm9vYg", &b, &n), 0);
        assert_int_equal(n, 4);
        assert_string_equal(b, "foob");
        free(b);
        assert_int_equal(berth_base64_decode("Zm9vYg==\n", &b, &n), 0);   /* a trailing line end */
        assert_string_equal(b, "foob");
}

static void test_not_base64(void **state) {
        static const char *const bad[] = { "Z", "Zm9vY", "Zm9v!A==", "Zm=v", "Zg===", "Zm9v\nZg==" };
        (void) state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char *out = NULL;
                size_t n;
                assert_int_equal(berth_base64_decode(bad[i], &out, &n), -EINVAL);
                assert_null(out);
        }
}

/* The other user of the lazily loaded libcrypto: SHA-256 of "abc" (FIPS 180-2). */
static void test_digest_loads_libcrypto(void **state) {
        char out[BERTH_DIGEST_MAX];
        (void) state;
        assert_int_equal(berth_digest_buffer("sha256", "abc", 3, out, NULL), 0);
        assert_string_equal(out, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rfc4648_vectors),
                cmocka_unit_test(test_url_safe_and_unpadded),
                cmocka_unit_test(test_not_base64),
                cmocka_unit_test(test_digest_loads_libcrypto),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
