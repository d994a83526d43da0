/* berth_write_file_atomic(): contents, mode, replacement, and failures that leave no temp file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/fileio.h"
#include "berth/path.h"

static int setup(void **state) {
        char tmpl[] = "/tmp/berth-test-fileio-XXXXXX";
        assert_non_null(mkdtemp(tmpl));
        *state = xstrdup(tmpl);
        return 0;
}

static int teardown(void **state) {
        berth_rm_rf(*state, NULL);
        free(*state);
        return 0;
}

static void test_writes_and_replaces(void **state) {
        _cleanup_free_ char *path = xasprintf("%s/f", (char *) *state), *tmp = xasprintf("%s.tmp", path);
        _cleanup_free_ char *data = NULL;
        mode_t old = umask(022);
        struct stat st;

        assert_int_equal(berth_write_file_atomic(path, "one\n", 0600, NULL), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_int_equal(berth_write_file_atomic(path, "two", 0644, NULL), 0);
        assert_int_equal(berth_read_file(path, 100, &data, NULL, NULL), 0);
        assert_string_equal(data, "two");
        assert_int_equal(access(tmp, F_OK), -1);
        umask(old);
}

static void test_missing_dir(void **state) {
        _cleanup_free_ char *path = xasprintf("%s/none/f", (char *) *state);
        berth_error err = { 0 };

        assert_int_equal(berth_write_file_atomic(path, "x", 0644, &err), -ENOENT);
        assert_int_equal(err.code, -ENOENT);
        assert_non_null(strstr(err.message, "cannot write "));
        assert_non_null(strstr(err.message, "/none/f: No such file or directory"));
}

static void test_rename_fails_removes_temp(void **state) {
        _cleanup_free_ char *path = xasprintf("%s/d", (char *) *state), *tmp = xasprintf("%s.tmp", path);
        _cleanup_free_ char *inside = xasprintf("%s/x", path);
        berth_error err = { 0 };

        /* A non-empty directory cannot be renamed over. */
        assert_int_equal(mkdir(path, 0755), 0);
        assert_int_equal(berth_write_file_atomic(inside, "x", 0644, NULL), 0);
        assert_true(berth_write_file_atomic(path, "x", 0644, &err) < 0);
        assert_int_equal(err.code, -EISDIR);
        assert_non_null(strstr(err.message, "cannot write "));
        assert_int_equal(access(tmp, F_OK), -1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_writes_and_replaces, setup, teardown),
                cmocka_unit_test_setup_teardown(test_missing_dir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rename_fails_removes_temp, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
