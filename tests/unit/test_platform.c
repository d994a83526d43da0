/* Platform strings: pull --platform, Docker's platform=, libpod's os/arch/variant. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "berth/platform.h"

static void expect_fields(const berth_platform *p, const char *os, const char *arch, const char *variant) {
        const char *got[] = { p->os, p->arch, p->variant }, *want[] = { os, arch, variant };

        for (size_t i = 0; i < 3; i++) {
                if (!want[i] && got[i])
                        fail_msg("field %zu: got \"%s\", want none", i, got[i]);
                if (want[i] && (!got[i] || strcmp(got[i], want[i]) != 0))
                        fail_msg("field %zu: got \"%s\", want \"%s\"", i, got[i] ? got[i] : "(none)", want[i]);
        }
}

static void expect(const char *text, bool arch_optional, const char *os, const char *arch, const char *variant) {
        berth_platform p = { 0 };
        berth_error err = { 0 };

        if (berth_platform_parse(text, arch_optional, &p, &err) < 0)
                fail_msg("%s: %s", text, err.message);
        expect_fields(&p, os, arch, variant);
        berth_platform_done(&p);
}

static void expect_bad(const char *text, bool arch_optional, const char *message) {
        berth_platform p = { 0 };
        berth_error err = { 0 };

        assert_int_equal(berth_platform_parse(text, arch_optional, &p, &err), -EINVAL);
        assert_string_equal(err.message, message);
        expect_fields(&p, NULL, NULL, NULL);
}

static void test_parse(void **state) {
        (void) state;
        expect("linux/amd64", false, "linux", "amd64", NULL);
        expect("linux/arm64/v8", false, "linux", "arm64", NULL);
        expect("linux/arm/v6", false, "linux", "arm", "v6");
        expect("windows/amd64", false, "windows", "amd64", NULL);
        expect("linux", true, "linux", NULL, NULL);
        expect("linux/riscv64", true, "linux", "riscv64", NULL);

        expect_bad("linux", false, "invalid platform \"linux\": expected OS/ARCH[/VARIANT]");
        expect_bad("a/b/c/d", false, "invalid platform \"a/b/c/d\": expected OS/ARCH[/VARIANT]");
        expect_bad("a/b/c/d", true, "invalid platform \"a/b/c/d\": expected OS or OS/ARCH[/VARIANT]");
        expect_bad("", true,
                   "invalid platform \"\": expected OS or OS/ARCH[/VARIANT], each part of letters, digits, '_' and '-'");
        expect_bad("linux/", false,
                   "invalid platform \"linux/\": expected OS/ARCH[/VARIANT], each part of letters, digits, '_' and '-'");
        expect_bad("/amd64", false,
                   "invalid platform \"/amd64\": expected OS/ARCH[/VARIANT], each part of letters, digits, '_' and '-'");
        expect_bad("linux//v7", false,
                   "invalid platform \"linux//v7\": expected OS/ARCH[/VARIANT], each part of letters, digits, '_' and '-'");
        expect_bad("linux/am d64", false,
                   "invalid platform \"linux/am d64\": expected OS/ARCH[/VARIANT], each part of letters, digits, '_' and "
                   "'-'");
        expect_bad("linux/amd64.x", false,
                   "invalid platform \"linux/amd64.x\": expected OS/ARCH[/VARIANT], each part of letters, digits, '_' "
                   "and '-'");
}

/* containerd's names, which podman uses to choose from a manifest list. */
static void test_normalize(void **state) {
        (void) state;
        expect("Linux/X86_64", false, "linux", "amd64", NULL);
        expect("linux/x86-64", false, "linux", "amd64", NULL);
        expect("linux/amd64/v1", false, "linux", "amd64", NULL);
        expect("linux/amd64/v3", false, "linux", "amd64", "v3");
        expect("linux/aarch64", false, "linux", "arm64", NULL);
        expect("linux/arm64/8", false, "linux", "arm64", NULL);
        expect("linux/armhf", false, "linux", "arm", "v7");
        expect("linux/armel", false, "linux", "arm", "v6");
        expect("linux/arm", false, "linux", "arm", "v7");
        expect("linux/arm/7", false, "linux", "arm", "v7");
        expect("linux/arm/6", false, "linux", "arm", "v6");
        expect("linux/i386", false, "linux", "386", NULL);
        expect("macos/arm64", false, "darwin", "arm64", NULL);
        expect("linux/s390x", false, "linux", "s390x", NULL);
}

static void expect_parts(const char *os, const char *arch, const char *variant, const char *want_os,
                         const char *want_arch, const char *want_variant) {
        berth_platform p = { 0 };
        berth_error err = { 0 };

        if (berth_platform_from_parts(os, arch, variant, &p, &err) < 0)
                fail_msg("%s %s %s: %s", os, arch, variant, err.message);
        expect_fields(&p, want_os, want_arch, want_variant);
        berth_platform_done(&p);
}

static void expect_parts_bad(const char *os, const char *arch, const char *variant, const char *message) {
        berth_platform p = { 0 };
        berth_error err = { 0 };

        assert_int_equal(berth_platform_from_parts(os, arch, variant, &p, &err), -EINVAL);
        assert_string_equal(err.message, message);
        expect_fields(&p, NULL, NULL, NULL);
}

static void test_from_parts(void **state) {
        (void) state;
        expect_parts(NULL, NULL, NULL, NULL, NULL, NULL);
        expect_parts("", "", "", NULL, NULL, NULL);
        expect_parts("linux", "arm", "v6", "linux", "arm", "v6");
        expect_parts(NULL, "aarch64", NULL, NULL, "arm64", NULL);
        /* podman --remote's --platform linux/arm/v6: the variant in arch. */
        expect_parts("linux", "arm/v6", "", "linux", "arm", "v6");
        expect_parts("linux", "arm64/v8", NULL, "linux", "arm64", NULL);

        expect_parts_bad("linux", "arm/v6", "v7", "invalid architecture \"arm/v6\": the variant \"v7\" is given too");
        expect_parts_bad("linux", "arm/", NULL, "invalid architecture \"arm/\": expected ARCH[/VARIANT]");
        expect_parts_bad("linux", "a/b/c", NULL, "invalid architecture \"a/b/c\": expected ARCH[/VARIANT]");
        expect_parts_bad("li nux", NULL, NULL, "invalid OS \"li nux\": expected letters, digits, '_' and '-'");
        expect_parts_bad(NULL, "amd64", "v/1", "invalid variant \"v/1\": expected letters, digits, '_' and '-'");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_normalize),
                cmocka_unit_test(test_from_parts),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
