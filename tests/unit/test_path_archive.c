/* container_path_stat/get/put(): Docker's archive semantics inside a root, symlinks that
 * point out of it, escape attempts in tars, and the error messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "path-archive.h"
#include "test_layer_support.h"

typedef struct fixture {
        char *top;      /* holds the root, so escapes have somewhere to land */
        char *root;
        int root_fd;
} fixture;

static void mkfile(const char *root, const char *rel, const char *data, mode_t mode) {
        char *p = tl_path(root, rel);
        tl_write_file(p, data);
        assert_int_equal(chmod(p, mode), 0);
        free(p);
}

static void mkdir_in(const char *root, const char *rel) {
        char *p = tl_path(root, rel);
        assert_int_equal(mkdir(p, 0755), 0);
        free(p);
}

static void symlink_in(const char *root, const char *rel, const char *target) {
        char *p = tl_path(root, rel);
        assert_int_equal(symlink(target, p), 0);
        free(p);
}

static int setup(void **state) {
        fixture *f = calloc(1, sizeof(*f));
        f->top = tl_mkdtemp();
        f->root = tl_path(f->top, "root");
        assert_int_equal(mkdir(f->root, 0755), 0);
        mkdir_in(f->root, "etc");
        mkdir_in(f->root, "etc/sub");
        mkdir_in(f->root, "tmp");
        mkfile(f->root, "etc/hello", "hello\n", 0640);
        mkfile(f->root, "etc/sub/deep", "deep\n", 0600);
        mkfile(f->root, "plain", "x", 0644);
        symlink_in(f->root, "abs", "/");
        symlink_in(f->root, "up", "../..");
        symlink_in(f->root, "etc/link", "hello");
        symlink_in(f->root, "etcdir", "etc");
        symlink_in(f->root, "dangling", "/nowhere/x");
        symlink_in(f->root, "loop", "loop");
        f->root_fd = open(f->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(f->root_fd >= 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;
        close(f->root_fd);
        tl_rm_rf(f->top);
        free(f->root);
        free(f->top);
        free(f);
        return 0;
}

/* ---- stat ---- */

static void assert_stat(fixture *f, const char *path, const char *name, uint32_t mode, const char *link_target) {
        struct container_path_stat st = { 0 };
        berth_error err = { 0 };
        int r = container_path_stat(f->root_fd, path, &st, &err);

        if (r < 0)
                fail_msg("stat %s: %s", path, err.message);
        assert_string_equal(st.name, name);
        assert_int_equal(st.mode, mode);
        if (link_target)
                assert_string_equal(st.link_target, link_target);
        else
                assert_null(st.link_target);
        container_path_stat_done(&st);
}

static void test_stat_file(void **state) {
        fixture *f = *state;
        struct container_path_stat st = { 0 };
        struct stat real = tl_lstat(f->root, "etc/hello");

        assert_int_equal(container_path_stat(f->root_fd, "/etc/hello", &st, NULL), 0);
        assert_string_equal(st.name, "hello");
        assert_int_equal(st.size, 6);
        assert_int_equal(st.mode, 0640);
        assert_int_equal(st.mtime_ns, (int64_t) real.st_mtim.tv_sec * 1000000000 + real.st_mtim.tv_nsec);
        container_path_stat_done(&st);
        /* Relative paths are taken from "/", and ".." never leaves the root. */
        assert_stat(f, "etc/hello", "hello", 0640, NULL);
        assert_stat(f, "/../../etc/./hello", "hello", 0640, NULL);
}

static void test_stat_dirs(void **state) {
        fixture *f = *state;
        assert_stat(f, "/etc", "etc", GO_MODE_DIR | 0755, NULL);
        assert_stat(f, "/etc/", "etc", GO_MODE_DIR | 0755, NULL);
        assert_stat(f, "/etc/.", ".", GO_MODE_DIR | 0755, NULL);
        assert_stat(f, "/", "/", GO_MODE_DIR | 0755, NULL);
        /* As filepath.Base(""): "." (the API refuses an empty path before this). */
        assert_stat(f, "", ".", GO_MODE_DIR | 0755, NULL);
}

static void test_stat_symlinks(void **state) {
        fixture *f = *state;
        /* The link itself, with its target resolved in the root. */
        assert_stat(f, "/abs", "abs", GO_MODE_SYMLINK | 0777, "/");
        assert_stat(f, "/up", "up", GO_MODE_SYMLINK | 0777, "/");
        assert_stat(f, "/etc/link", "link", GO_MODE_SYMLINK | 0777, "/etc/hello");
        assert_stat(f, "/etcdir", "etcdir", GO_MODE_SYMLINK | 0777, "/etc");
        assert_stat(f, "/dangling", "dangling", GO_MODE_SYMLINK | 0777, "/nowhere/x");
        /* A trailing slash follows the last link; links on the way are always followed. */
        assert_stat(f, "/etcdir/", "etcdir", GO_MODE_DIR | 0755, NULL);
        assert_stat(f, "/up/etc/hello", "hello", 0640, NULL);
        assert_stat(f, "/abs/up/abs/etc/link", "link", GO_MODE_SYMLINK | 0777, "/etc/hello");
        assert_stat(f, "/up/", "up", GO_MODE_DIR | 0755, NULL);
}

static void test_stat_errors(void **state) {
        fixture *f = *state;
        struct container_path_stat st = { 0 };
        berth_error err = { 0 };

        assert_int_equal(container_path_stat(f->root_fd, "/nope", &st, &err), -ENOENT);
        assert_string_equal(err.message, "Could not find the file /nope in container");
        /* ../.. from the root is the root: no host file is found through the link. */
        assert_int_equal(container_path_stat(f->root_fd, "/up/root/plain", &st, &err), -ENOENT);
        assert_int_equal(container_path_stat(f->root_fd, "/dangling/", &st, &err), -ENOENT);
        assert_int_equal(container_path_stat(f->root_fd, "/plain/x", &st, &err), -ENOTDIR);
        assert_string_equal(err.message, "cannot resolve /plain/x in container: Not a directory");
        assert_int_equal(container_path_stat(f->root_fd, "/loop/", &st, &err), -ELOOP);
        assert_null(st.name);
}

/* ---- get ---- */

/* One line per member: name, type letter, perm, size, content or link target. */
static char *describe_tar(const tl_buf *b) {
        struct archive *a = archive_read_new();
        struct archive_entry *e;
        char *out = strdup("");

        archive_read_support_format_tar(a);
        assert_int_equal(archive_read_open_memory(a, b->data, b->size), ARCHIVE_OK);
        while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
                char data[64] = "", type = '?', *line;
                mode_t t = archive_entry_filetype(e);
                if (t == AE_IFREG)
                        type = archive_entry_hardlink(e) ? 'h' : 'f';
                else if (t == AE_IFDIR)
                        type = 'd';
                else if (t == AE_IFLNK)
                        type = 'l';
                if (type == 'f')
                        data[archive_read_data(a, data, sizeof(data) - 1) > 0 ? strcspn(data, "\n") : 0] = '\0';
                else if (type == 'l')
                        snprintf(data, sizeof(data), "%s", archive_entry_symlink(e));
                if (asprintf(&line, "%s%s %c %o %s\n", out, archive_entry_pathname(e), type,
                             (unsigned) archive_entry_perm(e), data) < 0)
                        abort();
                free(out);
                out = line;
        }
        archive_read_free(a);
        return out;
}

static char *get_tar(fixture *f, const char *path) {
        tl_buf b = { 0 };
        struct container_path_stat st = { 0 };
        berth_error err = { 0 };
        char *text;

        if (container_path_get(f->root_fd, path, tl_write, &b, &st, &err) < 0)
                fail_msg("get %s: %s", path, err.message);
        assert_non_null(st.name);
        container_path_stat_done(&st);
        text = describe_tar(&b);
        tl_buf_free(&b);
        return text;
}

static void assert_tar(fixture *f, const char *path, const char *expected) {
        char *got = get_tar(f, path);
        assert_string_equal(got, expected);
        free(got);
}

static void test_get_file(void **state) {
        fixture *f = *state;
        assert_tar(f, "/etc/hello", "hello f 640 hello\n");
        assert_tar(f, "/etc/link", "link l 777 hello\n");
        assert_tar(f, "/up/etc/sub/deep", "deep f 600 deep\n");
}

static void test_get_dir(void **state) {
        fixture *f = *state;
        assert_tar(f, "/etc",
                   "etc/ d 755 \n"
                   "etc/hello f 640 hello\n"
                   "etc/link l 777 hello\n"
                   "etc/sub/ d 755 \n"
                   "etc/sub/deep f 600 deep\n");
        /* "dir/." is the contents. */
        assert_tar(f, "/etc/sub/.",
                   "./ d 755 \n"
                   "./deep f 600 deep\n");
        /* A followed symlink keeps the name it was asked by. */
        assert_tar(f, "/etcdir/sub/",
                   "sub/ d 755 \n"
                   "sub/deep f 600 deep\n");
        assert_tar(f, "/etcdir", "etcdir l 777 etc\n");
}

static void test_get_errors(void **state) {
        fixture *f = *state;
        tl_buf b = { 0 };
        struct container_path_stat st = { 0 };
        berth_error err = { 0 };

        assert_int_equal(container_path_get(f->root_fd, "/etc/nope", tl_write, &b, &st, &err), -ENOENT);
        assert_string_equal(err.message, "Could not find the file /etc/nope in container");
        assert_int_equal(b.size, 0);
        assert_null(st.name);
}

static int failing_write(void *cls, const void *buf, size_t size) {
        (void) cls, (void) buf, (void) size;
        return -EPIPE;
}

static void test_get_consumer_fails(void **state) {
        fixture *f = *state;
        berth_error err = { 0 };

        assert_int_equal(container_path_get(f->root_fd, "/etc", failing_write, NULL, NULL, &err), -EPIPE);
        assert_string_equal(err.message, "cannot archive /etc in container: cannot write the layer tar: Broken pipe");
}

/* ---- put ---- */

static int put_members(fixture *f, const char *path, const tl_member *m, size_t n, bool no_overwrite,
                       berth_error *err) {
        tl_buf tar;
        tl_reader rd;
        int r;

        tl_tar(m, n, &tar);
        rd = (tl_reader) { .data = tar.data, .size = tar.size, .chunk = 4096 };
        r = container_path_put(f->root_fd, path, tl_read, &rd, no_overwrite, err);
        tl_buf_free(&tar);
        return r;
}

static void test_put_files(void **state) {
        fixture *f = *state;
        static const tl_member m[] = {
                { .name = "./", .type = AE_IFDIR, .perm = 0700 },
                { .name = "new/", .type = AE_IFDIR, .perm = 0750, .uid = 7, .gid = 8 },
                { .name = "new/a.txt", .data = "a\n", .perm = 0604, .uid = 1234, .gid = 5678 },
                { .name = "/absolute.txt", .data = "abs\n" },
                { .name = "new/.wh.gone", .data = "" },
                { .name = "new/hard", .hardlink = "new/a.txt" },
                { .name = "new/rel", .type = AE_IFLNK, .symlink = "a.txt" },
                { .name = "missing/parent/f", .data = "p\n" },
        };
        berth_error err = { 0 };
        struct stat a, hard, wh;

        if (put_members(f, "/tmp", m, ELEMENTSOF(m), true, &err) < 0)
                fail_msg("put: %s", err.message);
        tl_assert_file(f->root, "tmp/new/a.txt", "a\n");
        tl_assert_file(f->root, "tmp/absolute.txt", "abs\n");
        tl_assert_link(f->root, "tmp/new/rel", "a.txt");
        tl_assert_file(f->root, "tmp/missing/parent/f", "p\n");
        a = tl_lstat(f->root, "tmp/new/a.txt");
        hard = tl_lstat(f->root, "tmp/new/hard");
        assert_int_equal(a.st_ino, hard.st_ino);
        assert_int_equal(a.st_mode & 07777, 0604);
        assert_int_equal(a.st_uid, 1234);
        assert_int_equal(a.st_gid, 5678);
        assert_int_equal(tl_lstat(f->root, "tmp/new").st_mode & 07777, 0750);
        assert_int_equal(tl_lstat(f->root, "tmp/missing").st_mode & 07777, 0755);
        /* The destination keeps its mode; whiteout names are plain files here. */
        assert_int_equal(tl_lstat(f->root, "tmp").st_mode & 07777, 0755);
        wh = tl_lstat(f->root, "tmp/new/.wh.gone");
        assert_true(S_ISREG(wh.st_mode));
}

static void test_put_owned_and_compressed(void **state) {
        fixture *f = *state;
        static const tl_member m[] = { { .name = "owned.txt", .data = "o\n", .uid = 1, .gid = 2 } };
        berth_error err = { 0 };
        tl_buf tar, gz;
        tl_reader rd;
        struct stat st;

        tl_tar(m, 1, &tar);
        tl_compress(&tar, ARCHIVE_FILTER_GZIP, &gz);
        rd = (tl_reader) { .data = gz.data, .size = gz.size, .chunk = 100 };
        if (container_path_put_owned(f->root_fd, "/etcdir/", tl_read, &rd, true, 42, 43, &err) < 0)
                fail_msg("put: %s", err.message);
        tl_buf_free(&tar);
        tl_buf_free(&gz);
        tl_assert_file(f->root, "etc/owned.txt", "o\n");
        st = tl_lstat(f->root, "etc/owned.txt");
        assert_int_equal(st.st_uid, 42);
        assert_int_equal(st.st_gid, 43);
}

/* Symlinks in the tar or in the root lead back into the root, never out of it. */
static void test_put_stays_inside(void **state) {
        fixture *f = *state;
        char *name = xasprintf("pwned-%d", (int) getpid());
        char *via_tar = tl_path("evil/tmp", name), *via_root = tl_path("up", name), *via_abs = tl_path("abs/tmp", name);
        tl_member m[] = {
                { .name = "evil", .type = AE_IFLNK, .symlink = "/" },
                { .name = via_tar, .data = "1\n" },
                { .name = via_root, .data = "2\n" },
                { .name = via_abs, .data = "3\n" },
        };
        char *in_tmp = tl_path("tmp", name), *host_tmp = tl_path("/tmp", name);
        berth_error err = { 0 };

        if (put_members(f, "/", m, ELEMENTSOF(m), true, &err) < 0)
                fail_msg("put: %s", err.message);
        tl_assert_file(f->root, in_tmp, "3\n");
        tl_assert_file(f->root, name, "2\n");
        assert_false(tl_exists("/tmp", name));
        assert_false(tl_exists(f->top, name));
        assert_false(tl_exists("/", name));
        free(name), free(via_tar), free(via_root), free(via_abs), free(in_tmp), free(host_tmp);
}

static void assert_put_fails(fixture *f, const tl_member *m, size_t n, int code, const char *message) {
        berth_error err = { 0 };
        assert_int_equal(put_members(f, "/tmp", m, n, true, &err), code);
        assert_string_equal(err.message, message);
}

static void test_put_escapes_refused(void **state) {
        fixture *f = *state;
        static const tl_member dotdot[] = { { .name = "../escape.txt", .data = "x" } };
        static const tl_member hard[] = { { .name = "hl", .hardlink = "../../etc/hello" } };
        static const tl_member sym[] = { { .name = "d/s", .type = AE_IFLNK, .symlink = "../../x" } };

        assert_put_fails(f, dotdot, 1, -EINVAL, "\"../escape.txt\" is outside of \"/tmp\"");
        assert_put_fails(f, hard, 1, -EINVAL, "invalid hardlink \"hl\" -> \"../../etc/hello\"");
        assert_put_fails(f, sym, 1, -EINVAL, "invalid symlink \"d/s\" -> \"../../x\"");
        assert_false(tl_exists(f->top, "escape.txt"));
        assert_false(tl_exists(f->root, "escape.txt"));
        assert_false(tl_exists(f->root, "tmp/hl"));
}

static void test_put_no_overwrite(void **state) {
        fixture *f = *state;
        static const tl_member file_on_dir[] = { { .name = "etc/sub", .data = "x" } };
        static const tl_member dir_on_file[] = { { .name = "etc/hello/", .type = AE_IFDIR, .perm = 0755 } };
        berth_error err = { 0 };
        tl_buf tar;
        tl_reader rd;

        tl_tar(file_on_dir, 1, &tar);
        rd = (tl_reader) { .data = tar.data, .size = tar.size, .chunk = 4096 };
        assert_int_equal(container_path_put(f->root_fd, "/", tl_read, &rd, true, &err), -EISDIR);
        assert_string_equal(err.message, "cannot overwrite directory \"/etc/sub\" with non-directory \"etc/sub\"");
        tl_buf_free(&tar);
        tl_tar(dir_on_file, 1, &tar);
        rd = (tl_reader) { .data = tar.data, .size = tar.size, .chunk = 4096 };
        assert_int_equal(container_path_put(f->root_fd, "/", tl_read, &rd, true, &err), -ENOTDIR);
        assert_string_equal(err.message, "cannot overwrite non-directory \"/etc/hello\" with directory \"etc/hello/\"");
        tl_buf_free(&tar);
        tl_assert_file(f->root, "etc/sub/deep", "deep\n");
        /* Allowed, the directory is replaced as Docker's RemoveAll does. */
        tl_tar(file_on_dir, 1, &tar);
        rd = (tl_reader) { .data = tar.data, .size = tar.size, .chunk = 4096 };
        if (container_path_put(f->root_fd, "/", tl_read, &rd, false, &err) < 0)
                fail_msg("put: %s", err.message);
        tl_buf_free(&tar);
        tl_assert_file(f->root, "etc/sub", "x");
}

static void test_put_destination_errors(void **state) {
        fixture *f = *state;
        static const tl_member m[] = { { .name = "a", .data = "a" } };
        berth_error err = { 0 };

        assert_int_equal(put_members(f, "/missing/dir", m, 1, true, &err), -ENOENT);
        assert_string_equal(err.message, "Could not find the file /missing/dir in container");
        assert_int_equal(put_members(f, "/etc/hello", m, 1, true, &err), -ENOTDIR);
        assert_string_equal(err.message, "extraction point is not a directory");
        assert_int_equal(put_members(f, "/dangling", m, 1, true, &err), -ENOENT);
        assert_false(tl_exists(f->root, "a"));
}

static void test_put_bad_stream(void **state) {
        fixture *f = *state;
        static const char junk[] = "this is not a tar stream at all, not even close to one";
        tl_reader rd = { .data = (const unsigned char *) junk, .size = sizeof(junk), .chunk = 8 };
        tl_reader failing = { .data = (const unsigned char *) junk, .size = sizeof(junk), .chunk = 8,
                              .fail_after = 8, .fail_errno = ECONNRESET };
        berth_error err = { 0 };

        assert_int_equal(container_path_put(f->root_fd, "/tmp", tl_read, &rd, true, &err), -EBADMSG);
        assert_non_null(strstr(err.message, "the archive for /tmp is not a valid tar stream"));
        assert_int_equal(container_path_put(f->root_fd, "/tmp", tl_read, &failing, true, &err), -ECONNRESET);
        assert_string_equal(err.message, "cannot read the archive for /tmp: Connection reset by peer");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_stat_file, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stat_dirs, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stat_symlinks, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stat_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_get_file, setup, teardown),
                cmocka_unit_test_setup_teardown(test_get_dir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_get_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_get_consumer_fails, setup, teardown),
                cmocka_unit_test_setup_teardown(test_put_files, setup, teardown),
                cmocka_unit_test_setup_teardown(test_put_owned_and_compressed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_put_stays_inside, setup, teardown),
                cmocka_unit_test_setup_teardown(test_put_escapes_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_put_no_overwrite, setup, teardown),
                cmocka_unit_test_setup_teardown(test_put_destination_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_put_bad_stream, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
