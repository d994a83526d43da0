/* Image reference parsing and normalization, as Docker resolves names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "berth/reference.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void expect(const char *text, const char *full) {
        berth_reference *ref = NULL;
        berth_error err = { 0 };
        if (berth_reference_parse(text, &ref, &err) < 0)
                fail_msg("%s: %s", text, err.message);
        char *s = berth_reference_string(ref);
        if (strcmp(s, full) != 0)
                fail_msg("%s -> %s, want %s", text, s, full);
        free(s);
        berth_reference_free(ref);
}

static void expect_bad(const char *text, const char *needle) {
        berth_reference *ref = NULL;
        berth_error err = { 0 };
        assert_int_equal(berth_reference_parse(text, &ref, &err), -EINVAL);
        assert_null(ref);
        if (!strstr(err.message, needle))
                fail_msg("%s: message '%s' lacks '%s'", text, err.message, needle);
}

static void test_normalization(void **state) {
        (void) state;
        expect("busybox", "docker.io/library/busybox:latest");
        expect("busybox:1.36", "docker.io/library/busybox:1.36");
        expect("library/busybox", "docker.io/library/busybox:latest");
        expect("docker.io/busybox", "docker.io/library/busybox:latest");
        expect("index.docker.io/team/app:v1", "docker.io/team/app:v1");
        expect("team/app", "docker.io/team/app:latest");
        expect("localhost/app", "localhost/app:latest");
        expect("localhost:5000/a/b/c:tag_1.0-x", "localhost:5000/a/b/c:tag_1.0-x");
        expect("127.0.0.1:5000/busybox", "127.0.0.1:5000/busybox:latest");
        expect("quay.io/podman/stable", "quay.io/podman/stable:latest");
        expect("Registry.Example/app", "Registry.Example/app:latest");
        expect("busybox@sha256:" D64, "docker.io/library/busybox@sha256:" D64);
        expect("busybox:1@sha256:" D64, "docker.io/library/busybox:1@sha256:" D64);
        expect("a__b/c-d--e/f.g_h", "docker.io/a__b/c-d--e/f.g_h:latest");
        /* Without a slash, host:port reads as name:tag, as in Docker. */
        expect("localhost:5000", "docker.io/library/localhost:5000");
}

static void test_parts(void **state) {
        berth_reference *ref;
        (void) state;
        assert_int_equal(berth_reference_parse("localhost:5000/x/y@sha256:" D64, &ref, NULL), 0);
        assert_string_equal(ref->domain, "localhost:5000");
        assert_string_equal(ref->path, "x/y");
        assert_null(ref->tag);
        assert_string_equal(ref->digest, "sha256:" D64);
        char *repo = berth_reference_repository(ref);
        assert_string_equal(repo, "localhost:5000/x/y");
        free(repo);
        berth_reference_free(ref);
}

static void test_invalid(void **state) {
        (void) state;
        expect_bad("", "empty image reference");
        expect_bad("Busybox", "must be lowercase");
        expect_bad("team/App", "must be lowercase");
        expect_bad("busybox:", "bad tag");
        expect_bad("busybox:-x", "bad tag");
        expect_bad("busy box", "invalid reference format");
        expect_bad("a//b", "invalid reference format");
        expect_bad("-a", "invalid reference format");
        expect_bad("a-", "invalid reference format");
        expect_bad("a._b", "invalid reference format");
        expect_bad("busybox@sha256:abc", "expected 64 lowercase hex digits");
        expect_bad("busybox@md5:" D64, "unsupported digest algorithm");
        expect_bad("busybox@" D64, "expected ALGORITHM:HEX");
        expect_bad("localhost:5x/app", "bad registry host");
        char long_name[300];
        memset(long_name, 'a', sizeof(long_name) - 1);
        long_name[sizeof(long_name) - 1] = '\0';
        expect_bad(long_name, "longer than 255");
}

static void test_digest(void **state) {
        berth_error err;
        (void) state;
        assert_int_equal(berth_digest_validate("sha256:" D64, &err), 0);
        assert_int_equal(berth_digest_validate("sha512:" D64 D64, &err), 0);
        assert_int_equal(berth_digest_validate("sha256:" D64 "00", &err), -EINVAL);
        assert_int_equal(berth_digest_validate("sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
                                               &err),
                         -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_normalization), cmocka_unit_test(test_parts), cmocka_unit_test(test_invalid),
                cmocka_unit_test(test_digest),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
