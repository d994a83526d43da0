/* caps.c: Docker's default capability set and its --cap-add/--cap-drop/--privileged rules,
 * names checked against libcap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <sys/capability.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "berth/cleanup.h"

static size_t count(char *const *v) {
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

static bool has(char *const *v, const char *s) {
        for (; v && *v; v++)
                if (strcmp(*v, s) == 0)
                        return true;
        return false;
}

static void assert_sorted_unique(char *const *v) {
        for (size_t i = 1; v[0] && v[i]; i++)
                assert_true(strcmp(v[i - 1], v[i]) < 0);
}

static char **resolved(char *const *add, char *const *drop, bool privileged) {
        char **caps = NULL;
        berth_error err = { 0 };
        if (container_caps_resolve(add, drop, privileged, &caps, &err) < 0)
                fail_msg("%s", err.message);
        assert_non_null(caps);
        assert_sorted_unique(caps);
        return caps;
}

/* How many capabilities this process's bounding set holds (libcap names up to 40). */
static size_t bounding_count(void) {
        size_t n = 0;
        for (cap_value_t v = 0; v <= 40 && v <= (cap_value_t) cap_max_bits() - 1; v++)
                n += cap_get_bound(v) == 1;
        return n;
}

static void test_default(void **state) {
        (void) state;
        _cleanup_strv_free_ char **caps = container_caps_default();
        static const char *const want[] = { "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",     "CAP_FOWNER",
                                            "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",     "CAP_SETUID",
                                            "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE",
                                            "CAP_SYS_CHROOT", "CAP_KILL",      "CAP_AUDIT_WRITE" };
        assert_int_equal(count(caps), 14);
        for (size_t i = 0; i < 14; i++)
                assert_string_equal(caps[i], want[i]);
}

static void test_no_changes_is_default_sorted(void **state) {
        (void) state;
        _cleanup_strv_free_ char **caps = resolved(NULL, NULL, false);
        _cleanup_strv_free_ char **defaults = container_caps_default();
        assert_int_equal(count(caps), 14);
        for (char **c = defaults; *c; c++)
                assert_true(has(caps, *c));
        assert_string_equal(caps[0], "CAP_AUDIT_WRITE");
}

static void test_add_drop_any_case(void **state) {
        (void) state;
        char *add[] = { "sys_admin", "Cap_Net_Admin", "CAP_CHOWN", "net_admin", NULL };
        char *drop[] = { "net_raw", "cap_MKNOD", "CAP_SYS_PTRACE", NULL };
        _cleanup_strv_free_ char **caps = resolved(add, drop, false);
        assert_int_equal(count(caps), 14);
        assert_true(has(caps, "CAP_SYS_ADMIN"));
        assert_true(has(caps, "CAP_NET_ADMIN"));
        assert_true(has(caps, "CAP_CHOWN"));
        assert_false(has(caps, "CAP_NET_RAW"));
        assert_false(has(caps, "CAP_MKNOD"));
        assert_false(has(caps, "CAP_SYS_PTRACE"));
}

static void test_add_wins_over_drop_of_same_cap(void **state) {
        (void) state;
        /* Docker drops from the defaults first, then adds */
        char *add[] = { "KILL", NULL };
        char *drop[] = { "kill", NULL };
        _cleanup_strv_free_ char **caps = resolved(add, drop, false);
        assert_true(has(caps, "CAP_KILL"));
}

static void test_all(void **state) {
        (void) state;
        char *all[] = { "all", NULL };
        char *chown_only[] = { "chown", NULL };
        char *kill_only[] = { "cap_kill", NULL };
        _cleanup_strv_free_ char **every = resolved(all, NULL, false);
        _cleanup_strv_free_ char **all_but_chown = resolved(all, chown_only, false);
        _cleanup_strv_free_ char **only_kill = resolved(kill_only, all, false);
        _cleanup_strv_free_ char **none = resolved(NULL, all, false);

        assert_true(has(every, "CAP_SYS_ADMIN"));
        assert_true(has(every, "CAP_AUDIT_READ"));
        assert_int_equal(count(all_but_chown), count(every) - 1);
        assert_false(has(all_but_chown, "CAP_CHOWN"));
        assert_int_equal(count(only_kill), 1);
        assert_string_equal(only_kill[0], "CAP_KILL");
        assert_int_equal(count(none), 0);
}

static void test_privileged(void **state) {
        (void) state;
        char *bogus[] = { "not_a_cap", NULL };
        char *all[] = { "ALL", NULL };
        _cleanup_strv_free_ char **caps = resolved(bogus, all, true);
        _cleanup_strv_free_ char **every = resolved(all, NULL, false);
        /* every capability of the bounding set that libcap 2.66 names (up to CHECKPOINT_RESTORE) */
        assert_int_equal(count(caps), bounding_count());
        assert_int_equal(count(caps), count(every));
        assert_true(has(caps, "CAP_SYS_MODULE"));
        assert_true(has(caps, "CAP_MAC_ADMIN"));
}

static void test_unknown(void **state) {
        static const struct {
                const char *add, *drop, *message;
        } cases[] = {
                { "foo", NULL, "unknown capability: \"CAP_FOO\"" },
                { NULL, "sys_nothing", "unknown capability: \"CAP_SYS_NOTHING\"" },
                { "cap_all", NULL, "unknown capability: \"CAP_ALL\"" },
                { "chown1", NULL, "unknown capability: \"CAP_CHOWN1\"" },
                { "12", NULL, "unknown capability: \"CAP_12\"" },
                { "", NULL, "unknown capability: \"CAP_\"" },
                { "chown ", NULL, "unknown capability: \"CAP_CHOWN \"" },
        };
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *add[] = { (char *) cases[i].add, NULL };
                char *drop[] = { (char *) cases[i].drop, NULL };
                char **caps = (char **) &caps; /* must stay untouched */
                berth_error err = { 0 };
                assert_int_equal(container_caps_resolve(cases[i].add ? add : NULL, cases[i].drop ? drop : NULL, false,
                                                        &caps, &err),
                                 -EINVAL);
                assert_int_equal(err.code, -EINVAL);
                assert_string_equal(err.message, cases[i].message);
                assert_ptr_equal(caps, (char **) &caps);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default),
                cmocka_unit_test(test_no_changes_is_default_sorted),
                cmocka_unit_test(test_add_drop_any_case),
                cmocka_unit_test(test_add_wins_over_drop_of_same_cap),
                cmocka_unit_test(test_all),
                cmocka_unit_test(test_privileged),
                cmocka_unit_test(test_unknown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
