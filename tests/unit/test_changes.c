/* berth_changes_compute(): what an overlay upper directory changes over its lower layers
 * (whiteouts, opaque directories, copied-up directories, parents of additions), in
 * Docker's walk order, and its errors. Needs root (whiteout devices, trusted xattrs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/container-fs.h"
#include "berth/path.h"

typedef struct fixture {
        char *top;
        char *lower0, *lower1, *upper;
} fixture;

static char *at(const char *dir, const char *rel) {
        return xasprintf("%s/%s", dir, rel);
}

static void mkdir_in(const char *dir, const char *rel) {
        _cleanup_free_ char *p = at(dir, rel);
        assert_int_equal(mkdir(p, 0755), 0);
}

static void file_in(const char *dir, const char *rel, const char *data) {
        _cleanup_free_ char *p = at(dir, rel);
        FILE *f = fopen(p, "we");
        assert_non_null(f);
        fputs(data, f);
        fclose(f);
}

static void whiteout_in(const char *dir, const char *rel) {
        _cleanup_free_ char *p = at(dir, rel);
        assert_int_equal(mknod(p, S_IFCHR | 0, makedev(0, 0)), 0);
}

static void opaque_in(const char *dir, const char *rel) {
        _cleanup_free_ char *p = at(dir, rel);
        assert_int_equal(setxattr(p, "trusted.overlay.opaque", "y", 1, 0), 0);
}

/* Gives a directory a fixed mtime, so an upper copy can match its lower one. */
static void set_time(const char *dir, const char *rel, time_t when) {
        _cleanup_free_ char *p = at(dir, rel);
        struct timespec ts[2] = { { .tv_sec = when }, { .tv_sec = when } };
        assert_int_equal(utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW), 0);
}

static int setup(void **state) {
        fixture *f = xnew0(fixture, 1);
        char tmpl[] = "/var/tmp/berth-changes-XXXXXX";

        assert_non_null(mkdtemp(tmpl));
        f->top = xstrdup(tmpl);
        f->lower0 = at(f->top, "l0");
        f->lower1 = at(f->top, "l1");
        f->upper = at(f->top, "upper");
        assert_int_equal(mkdir(f->lower0, 0755), 0);
        assert_int_equal(mkdir(f->lower1, 0755), 0);
        assert_int_equal(mkdir(f->upper, 0755), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;
        berth_rm_rf(f->top, NULL);
        free(f->top);
        free(f->lower0);
        free(f->lower1);
        free(f->upper);
        free(f);
        return 0;
}

static char *render(const berth_changes *c) {
        static const char kinds[] = { 'C', 'A', 'D' };
        char *out = xstrdup("");
        for (size_t i = 0; i < c->n; i++) {
                char *next = xasprintf("%s%c %s\n", out, kinds[c->items[i].kind], c->items[i].path);
                free(out);
                out = next;
        }
        return out;
}

/* Two lower layers, the upper one hiding /bin/sh; an upper with every kind of change. */
static void test_every_kind(void **state) {
        fixture *f = *state;
        char *lowers[] = { f->lower0, f->lower1, NULL };
        berth_changes c = { 0 };
        berth_error err;
        _cleanup_free_ char *text = NULL;

        const char *l0_dirs[] = { "etc", "bin", "opt", "same" };
        for (size_t i = 0; i < ELEMENTSOF(l0_dirs); i++)
                mkdir_in(f->lower0, l0_dirs[i]);
        file_in(f->lower0, "etc/passwd", "root\n");
        file_in(f->lower0, "bin/sh", "sh");
        file_in(f->lower0, "opt/x", "x");
        file_in(f->lower0, "same/f", "old");
        mkdir_in(f->lower1, "bin");
        whiteout_in(f->lower1, "bin/sh");

        file_in(f->upper, "a-b", "sorted before bin");
        mkdir_in(f->upper, "bin");
        file_in(f->upper, "bin/sh", "back again");
        mkdir_in(f->upper, "etc");
        file_in(f->upper, "etc/new", "new");
        whiteout_in(f->upper, "etc/passwd");
        mkdir_in(f->upper, "newdir");
        file_in(f->upper, "newdir/z", "z");
        mkdir_in(f->upper, "opt");
        opaque_in(f->upper, "opt");
        file_in(f->upper, "opt/y", "y");
        mkdir_in(f->upper, "same");
        file_in(f->upper, "same/f", "new");
        /* bin and same were only copied up: same mode and mtime as below. */
        set_time(f->lower1, "bin", 1000);
        set_time(f->upper, "bin", 1000);
        set_time(f->lower0, "same", 2000);
        set_time(f->upper, "same", 2000);
        set_time(f->lower0, "etc", 3000);
        set_time(f->upper, "etc", 3001);

        assert_int_equal(berth_changes_compute(f->upper, lowers, &c, &err), 0);
        text = render(&c);
        assert_string_equal(text, "A /a-b\n"
                                  "C /bin\n"
                                  "A /bin/sh\n"
                                  "C /etc\n"
                                  "A /etc/new\n"
                                  "D /etc/passwd\n"
                                  "A /newdir\n"
                                  "A /newdir/z\n"
                                  "D /opt\n"
                                  "A /opt/y\n"
                                  "C /same/f\n");
        berth_changes_done(&c);
}

/* An opaque directory that no lower layer has is simply new. */
static void test_opaque_without_lower(void **state) {
        fixture *f = *state;
        char *lowers[] = { f->lower0, NULL };
        berth_changes c = { 0 };
        _cleanup_free_ char *text = NULL;

        mkdir_in(f->upper, "fresh");
        opaque_in(f->upper, "fresh");
        file_in(f->upper, "fresh/f", "f");
        assert_int_equal(berth_changes_compute(f->upper, lowers, &c, NULL), 0);
        text = render(&c);
        assert_string_equal(text, "A /fresh\nA /fresh/f\n");
        berth_changes_done(&c);
}

/* No lower layers, nothing changed. */
static void test_empty(void **state) {
        fixture *f = *state;
        char *lowers[] = { NULL };
        berth_changes c = { .n = 99 };

        assert_int_equal(berth_changes_compute(f->upper, lowers, &c, NULL), 0);
        assert_int_equal(c.n, 0);
        berth_changes_done(&c);
        berth_changes_done(NULL);
}

static void test_missing_upper(void **state) {
        fixture *f = *state;
        _cleanup_free_ char *missing = at(f->top, "nope");
        _cleanup_free_ char *expect = xasprintf("cannot open the upper directory %s: No such file or directory", missing);
        char *lowers[] = { f->lower0, NULL };
        berth_changes c = { 0 };
        berth_error err;

        assert_int_equal(berth_changes_compute(missing, lowers, &c, &err), -ENOENT);
        assert_int_equal(err.code, -ENOENT);
        assert_string_equal(err.message, expect);
        assert_int_equal(c.n, 0);
}

/* An upper "directory" that is a file is refused, naming it. */
static void test_upper_not_dir(void **state) {
        fixture *f = *state;
        _cleanup_free_ char *file = at(f->top, "file");
        _cleanup_free_ char *expect = xasprintf("cannot open the upper directory %s: Not a directory", file);
        char *lowers[] = { NULL };
        berth_changes c = { 0 };
        berth_error err;

        file_in(f->top, "file", "x");
        assert_int_equal(berth_changes_compute(file, lowers, &c, &err), -ENOTDIR);
        assert_string_equal(err.message, expect);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_every_kind, setup, teardown),
                cmocka_unit_test_setup_teardown(test_opaque_without_lower, setup, teardown),
                cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
                cmocka_unit_test_setup_teardown(test_missing_upper, setup, teardown),
                cmocka_unit_test_setup_teardown(test_upper_not_dir, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
