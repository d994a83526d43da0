/* -u/--user and --group-add resolution inside a temp rootfs, symlink escapes included. */
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
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/path.h"
#include "user.h"

#define PASSWD                                                        \
        "# comment line\n"                                            \
        "root:x:0:0:root:/root:/bin/sh\n"                             \
        "\n"                                                          \
        "   daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin   \r\n"   \
        "short:x\n"                                                   \
        "bad:x:abc:0:bad:/bad:/bin/sh\n"                              \
        "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"               \
        "alice:x:1001:1001:second alice:/nope:/bin/sh\n"              \
        "nohome:x:1002:1002\n"                                        \
        "emptyhome:x:1003:1003:::/bin/sh\n"                           \
        "42:x:4200:4200::/home/fortytwo:/bin/sh\n"                    \
        "last:x:1005:1005::/home/last:/bin/sh" /* no trailing newline */

#define GROUP                                 \
        "root:x:0:root\n"                     \
        "# wheel:x:9:alice\n"                 \
        "wheel:x:10:root,alice\n"             \
        "alice:x:1000:\n"                     \
        "audio:x:29:bob,alice\n"              \
        "video:x:44:bob,alicex,xalice\n"      \
        "nogid:x::alice\n"                    \
        "audio:x:30:alice\n"                  \
        "staff:x:50:alice:extra\n"            \
        "huge:x:3000000000:\n"                \
        "last:x:1005:last"

static char tmp[64];
static char rootfs[128];

static void write_at(const char *root, const char *rel, const char *content) {
        _cleanup_free_ char *path = xasprintf("%s/%s", root, rel);
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
}

static int make_rootfs(const char *passwd, const char *group) {
        berth_error err = { 0 };
        char etc[256];
        snprintf(etc, sizeof(etc), "%s/etc", rootfs);
        assert_int_equal(berth_rm_rf(rootfs, &err), 0);
        assert_int_equal(berth_mkdir_p(etc, 0755, &err), 0);
        if (passwd)
                write_at(rootfs, "etc/passwd", passwd);
        if (group)
                write_at(rootfs, "etc/group", group);
        int fd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        return fd;
}

static int setup(void **state) {
        (void) state;
        snprintf(tmp, sizeof(tmp), "/tmp/berth-test-user-XXXXXX");
        assert_non_null(mkdtemp(tmp));
        snprintf(rootfs, sizeof(rootfs), "%s/rootfs", tmp);
        return 0;
}

static int teardown(void **state) {
        berth_error err = { 0 };
        (void) state;
        return berth_rm_rf(tmp, &err);
}

static void expect_user(int fd, const char *spec, char *const *add, uint32_t uid, uint32_t gid, const char *home,
                        size_t n, const uint32_t *gids) {
        struct container_user u = { 0 };
        berth_error err = { 0 };
        if (container_user_resolve(fd, spec, add, &u, &err) < 0)
                fail_msg("'%s': %s", spec ? spec : "(null)", err.message);
        assert_int_equal(u.uid, uid);
        assert_int_equal(u.gid, gid);
        assert_string_equal(u.home, home);
        if (u.n_additional_gids != n) {
                for (size_t i = 0; i < u.n_additional_gids; i++)
                        print_message("gid[%zu] = %u\n", i, u.additional_gids[i]);
                fail_msg("'%s': %zu additional gids, want %zu", spec ? spec : "(null)", u.n_additional_gids, n);
        }
        for (size_t i = 0; i < n; i++)
                assert_int_equal(u.additional_gids[i], gids[i]);
        container_user_done(&u);
        assert_null(u.home);
        container_user_done(&u);
}
#define GIDS(...) (sizeof((uint32_t[]) { __VA_ARGS__ }) / sizeof(uint32_t)), ((uint32_t[]) { __VA_ARGS__ })

static void expect_fail(int fd, const char *spec, char *const *add, int code, const char *message) {
        struct container_user u = { .uid = 77 };
        berth_error err = { 0 };
        assert_int_equal(container_user_resolve(fd, spec, add, &u, &err), code);
        assert_int_equal(err.code, code);
        assert_string_equal(err.message, message);
        assert_int_equal(u.uid, 77); /* untouched */
}

static void test_names_and_ids(void **state) {
        (void) state;
        int fd = make_rootfs(PASSWD, GROUP);
        expect_user(fd, NULL, NULL, 0, 0, "/root", GIDS(0, 10));
        expect_user(fd, "", NULL, 0, 0, "/root", GIDS(0, 10));
        expect_user(fd, "root", NULL, 0, 0, "/root", GIDS(0, 10));
        expect_user(fd, "daemon", NULL, 1, 1, "/usr/sbin", GIDS(1));
        /* First entry wins; groups listing the user (and only exactly it) are added. */
        expect_user(fd, "alice", NULL, 1000, 1000, "/home/alice", GIDS(1000, 10, 29, 30, 50));
        expect_user(fd, "1000", NULL, 1000, 1000, "/home/alice", GIDS(1000, 10, 29, 30, 50));
        expect_user(fd, "1001", NULL, 1001, 1001, "/nope", GIDS(1001, 10, 29, 30, 50));
        /* An explicit group replaces the primary gid and drops the supplementary ones. */
        expect_user(fd, "alice:audio", NULL, 1000, 29, "/home/alice", GIDS(29));
        expect_user(fd, "alice:44", NULL, 1000, 44, "/home/alice", GIDS(44));
        expect_user(fd, "alice:500", NULL, 1000, 500, "/home/alice", GIDS(500));
        expect_user(fd, "alice:", NULL, 1000, 1000, "/home/alice", GIDS(1000, 10, 29, 30, 50));
        expect_user(fd, "1000:wheel", NULL, 1000, 10, "/home/alice", GIDS(10));
        /* Numeric ids absent from the files are fine. */
        expect_user(fd, "1234", NULL, 1234, 0, "/", GIDS(0));
        expect_user(fd, "1234:5678", NULL, 1234, 5678, "/", GIDS(5678));
        expect_user(fd, "1234:staff", NULL, 1234, 50, "/", GIDS(50));
        expect_user(fd, "2147483647:2147483647", NULL, 2147483647, 2147483647, "/", GIDS(2147483647));
        /* A numeric spec is an id, never a name. */
        expect_user(fd, "42", NULL, 42, 0, "/", GIDS(0));
        expect_user(fd, "nohome", NULL, 1002, 1002, "/", GIDS(1002));
        expect_user(fd, "emptyhome", NULL, 1003, 1003, "/", GIDS(1003));
        expect_user(fd, "last", NULL, 1005, 1005, "/home/last", GIDS(1005));
        close(fd);
}

static void test_group_add(void **state) {
        (void) state;
        int fd = make_rootfs(PASSWD, GROUP);
        char *add[] = { "audio", "4242", "wheel", "44", "1000", NULL };
        expect_user(fd, "alice", add, 1000, 1000, "/home/alice", GIDS(1000, 10, 29, 30, 50, 4242, 44));
        char *add2[] = { "video", NULL };
        expect_user(fd, "1234:7", add2, 1234, 7, "/", GIDS(7, 44));
        char *none[] = { NULL };
        expect_user(fd, "root", none, 0, 0, "/root", GIDS(0, 10));

        char *bad[] = { "audio", "nosuch", NULL };
        expect_fail(fd, "alice", bad, -EINVAL, "unable to find group nosuch: no matching entries in group file");
        char *range[] = { "2147483648", NULL };
        expect_fail(fd, "alice", range, -EINVAL, "uids and gids must be in range 0-2147483647");
        char *huge[] = { "huge", NULL };
        expect_fail(fd, "alice", huge, -EINVAL, "uids and gids must be in range 0-2147483647");
        char *empty[] = { "", NULL };
        expect_fail(fd, "alice", empty, -EINVAL, "unable to find group : no matching entries in group file");
        close(fd);
}

static void test_errors(void **state) {
        (void) state;
        int fd = make_rootfs(PASSWD, GROUP);
        expect_fail(fd, "bob", NULL, -EINVAL, "unable to find user bob: no matching entries in passwd file");
        expect_fail(fd, "bad", NULL, -EINVAL, "unable to find user bad: no matching entries in passwd file");
        expect_fail(fd, "short", NULL, -EINVAL, "unable to find user short: no matching entries in passwd file");
        expect_fail(fd, "# comment line", NULL, -EINVAL,
                    "unable to find user # comment line: no matching entries in passwd file");
        expect_fail(fd, "alice:nogroup", NULL, -EINVAL,
                    "unable to find group nogroup: no matching entries in group file");
        expect_fail(fd, "1234:nogid", NULL, -EINVAL, "unable to find group nogid: no matching entries in group file");
        expect_fail(fd, "2147483648", NULL, -EINVAL, "uids and gids must be in range 0-2147483647");
        expect_fail(fd, "-1", NULL, -EINVAL, "uids and gids must be in range 0-2147483647");
        expect_fail(fd, "0:-5", NULL, -EINVAL, "uids and gids must be in range 0-2147483647");
        expect_fail(fd, "99999999999999999999999", NULL, -EINVAL, "uids and gids must be in range 0-2147483647");
        expect_fail(fd, "alice:4294967296", NULL, -EINVAL, "uids and gids must be in range 0-2147483647");
        close(fd);
}

static void test_missing_files(void **state) {
        (void) state;
        int fd = make_rootfs(NULL, NULL);
        expect_user(fd, "", NULL, 0, 0, "/", GIDS(0));
        expect_user(fd, "1000:1000", NULL, 1000, 1000, "/", GIDS(1000));
        char *add[] = { "12", NULL };
        expect_user(fd, "5", add, 5, 0, "/", GIDS(0, 12));
        expect_fail(fd, "alice", NULL, -EINVAL, "unable to find user alice: no matching entries in passwd file");
        expect_fail(fd, "0:wheel", NULL, -EINVAL, "unable to find group wheel: no matching entries in group file");
        char *names[] = { "wheel", NULL };
        expect_fail(fd, "0", names, -EINVAL, "unable to find group wheel: no matching entries in group file");
        close(fd);
        /* No /etc at all. */
        berth_error err = { 0 };
        char etc[256];
        snprintf(etc, sizeof(etc), "%s/etc", rootfs);
        assert_int_equal(berth_rm_rf(etc, &err), 0);
        fd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        expect_user(fd, NULL, NULL, 0, 0, "/", GIDS(0));
        close(fd);
}

static void test_long_lines(void **state) {
        (void) state;
        size_t n = 200000;
        char *pw = malloc(n + 256);
        int w = snprintf(pw, 256, "big:x:7:7:");
        memset(pw + w, 'g', n);
        snprintf(pw + w + n, 256, ":/home/big:/bin/sh\nafter:x:8:8::/home/after:/bin/sh\n");
        char *gr = malloc(n * 8 + 256);
        size_t off = (size_t) snprintf(gr, 256, "many:x:77:");
        for (size_t i = 0; i < n; i++)
                off += (size_t) sprintf(gr + off, "u%zu,", i);
        sprintf(gr + off, "after\n");
        int fd = make_rootfs(pw, gr);
        expect_user(fd, "after", NULL, 8, 8, "/home/after", GIDS(8, 77));
        expect_user(fd, "big", NULL, 7, 7, "/home/big", GIDS(7));
        free(pw);
        free(gr);
        close(fd);
}

static void test_symlink_escape(void **state) {
        berth_error err = { 0 };
        char path[512], hostdir[256];
        (void) state;
        int fd = make_rootfs(NULL, GROUP);
        /* A host file the links would reach if they were followed from the real root. */
        snprintf(hostdir, sizeof(hostdir), "%s/host", tmp);
        assert_int_equal(berth_mkdir_p(hostdir, 0755, &err), 0);
        write_at(hostdir, "passwd", "hostonly:x:999:999::/host:/bin/sh\n");
        snprintf(path, sizeof(path), "%s/host", rootfs);
        assert_int_equal(berth_mkdir_p(path, 0755, &err), 0);
        write_at(path, "passwd", "inside:x:77:77::/in:/bin/sh\n");

        /* Relative: etc/../../host resolves to the rootfs's own /host. */
        snprintf(path, sizeof(path), "%s/etc/passwd", rootfs);
        assert_int_equal(symlink("../../host/passwd", path), 0);
        expect_user(fd, "inside", NULL, 77, 77, "/in", GIDS(77));
        expect_fail(fd, "hostonly", NULL, -EINVAL, "unable to find user hostonly: no matching entries in passwd file");

        /* Absolute with "..": the host's full path, looked up inside the rootfs. */
        char target[512];
        snprintf(target, sizeof(target), "/../../../..%s/passwd", hostdir);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(symlink(target, path), 0);
        expect_fail(fd, "hostonly", NULL, -EINVAL, "unable to find user hostonly: no matching entries in passwd file");
        expect_user(fd, "999", NULL, 999, 0, "/", GIDS(0));

        /* /../../../etc/passwd from etc/passwd is itself inside the rootfs: a loop, never
         * the host's /etc/passwd (which has root with home /root). */
        assert_int_equal(unlink(path), 0);
        assert_int_equal(symlink("/../../../etc/passwd", path), 0);
        expect_fail(fd, "root", NULL, -ELOOP,
                    "cannot open /etc/passwd in the container: Too many levels of symbolic links");

        /* A symlinked /etc directory. */
        char etc[256], moved[256];
        snprintf(etc, sizeof(etc), "%s/etc", rootfs);
        snprintf(moved, sizeof(moved), "%s/real-etc", rootfs);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(rename(etc, moved), 0);
        write_at(moved, "passwd", "viadir:x:55:55::/d:/bin/sh\n");
        assert_int_equal(symlink("/../../real-etc", etc), 0);
        expect_user(fd, "viadir", NULL, 55, 55, "/d", GIDS(55));
        close(fd);
}

static void test_bad_files(void **state) {
        char path[512];
        (void) state;
        int fd = make_rootfs(NULL, GROUP);
        snprintf(path, sizeof(path), "%s/etc/passwd", rootfs);
        assert_int_equal(mkdir(path, 0755), 0);
        expect_fail(fd, "1", NULL, -EINVAL, "/etc/passwd in the container is not a regular file");
        assert_int_equal(rmdir(path), 0);
        assert_int_equal(mkfifo(path, 0644), 0); /* must not block */
        expect_fail(fd, "1", NULL, -EINVAL, "/etc/passwd in the container is not a regular file");
        assert_int_equal(unlink(path), 0);
        int big = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        assert_true(big >= 0);
        assert_int_equal(ftruncate(big, 16 * 1024 * 1024 + 1), 0);
        close(big);
        expect_fail(fd, "1", NULL, -EFBIG, "/etc/passwd in the container is larger than 16 MiB");
        close(fd);
        expect_fail(-1, "1", NULL, -EBADF, "cannot open /etc/passwd in the container: Bad file descriptor");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names_and_ids),
                cmocka_unit_test(test_group_add),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_missing_files),
                cmocka_unit_test(test_long_lines),
                cmocka_unit_test(test_symlink_escape),
                cmocka_unit_test(test_bad_files),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
