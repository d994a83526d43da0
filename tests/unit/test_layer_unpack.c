/* berth_layer_unpack(): members, compressions, whiteouts, digests and error paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "berth/layer.h"
#include "test_layer_support.h"

/* A v2 security.capability value granting cap_net_raw (bit 13), effective. */
static const char CAP_NET_RAW[] = "\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00";

static const tl_member BASIC[] = {
        { .name = "./", .type = AE_IFDIR, .perm = 0751 },
        { .name = "etc/", .type = AE_IFDIR, .perm = 0750, .mtime = 1000 },
        { .name = "etc/hello", .perm = 0640, .uid = 1000, .gid = 1001, .data = "hello\n", .mtime = 1234567890,
          .xattrs = { "user.note", "hi" } },
        { .name = "etc/link", .type = AE_IFLNK, .perm = 0777, .uid = 1000, .symlink = "hello" },
        { .name = "etc/hard", .hardlink = "etc/hello" },
        { .name = "bin/ping", .perm = 04755, .data = "#!/bin/true\n", .bin_xattr = "security.capability",
          .bin_value = CAP_NET_RAW, .bin_size = 20 },
        { .name = "dev/null", .type = AE_IFCHR, .perm = 0666, .rmajor = 1, .rminor = 3 },
        { .name = "dev/loop0", .type = AE_IFBLK, .perm = 0660, .gid = 6, .rmajor = 7, .rminor = 0 },
        { .name = "run/fifo", .type = AE_IFIFO, .perm = 0600 },
        { .name = "deep/a/b/file", .data = "x" },
        { .name = "caf\xc3\xa9/na\xc3\xafve.txt", .data = "utf-8\n" },
        { .name = "not-utf8-\xff", .data = "binary\n" },
};

typedef struct fixture {
        char *dest;
        tl_buf tar;
} fixture;

static int setup(void **state) {
        fixture *f = calloc(1, sizeof(*f));
        f->dest = tl_mkdtemp();
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;
        tl_rm_rf(f->dest);
        free(f->dest);
        tl_buf_free(&f->tar);
        free(f);
        return 0;
}

/* An empty destination again, for the next unpack in the same test. */
static void reset_dest(fixture *f) {
        tl_rm_rf(f->dest);
        assert_int_equal(mkdir(f->dest, 0700), 0);
}

static void expect_error(fixture *f, const tl_buf *blob, int code, const char *needle) {
        berth_layer_digests d = { .size = 4242 };
        berth_error err = { 0 };
        int r = tl_unpack(blob, 0, "sha256", f->dest, &d, &err);
        if (r != code || !strstr(err.message, needle))
                fail_msg("got %d \"%s\", want %d with \"%s\"", r, err.message, code, needle);
        assert_int_equal(err.code, code);
        assert_int_equal(d.size, 4242);         /* written only on success */
}

static void unpack_ok(fixture *f, const tl_buf *blob, size_t chunk, const char *algorithm, berth_layer_digests *d) {
        berth_error err = { 0 };
        if (tl_unpack(blob, chunk, algorithm, f->dest, d, &err) < 0)
                fail_msg("unpack: %s", err.message);
}

static void test_members(void **state) {
        fixture *f = *state;
        berth_layer_digests d;
        char want[BERTH_DIGEST_MAX];
        struct stat st, hello;

        tl_tar(BASIC, ELEMENTSOF(BASIC), &f->tar);
        assert_true(f->tar.size % 10240 == 0);  /* padded: the drain must hash the padding */
        unpack_ok(f, &f->tar, 333, "sha256", &d);

        tl_sha("sha256", &f->tar, want);
        assert_string_equal(d.digest, want);
        assert_string_equal(d.diff_id, want);
        assert_int_equal(d.size, f->tar.size);
        assert_int_equal(d.uncompressed_size, f->tar.size);

        assert_int_equal(tl_lstat(f->dest, ".").st_mode & 07777, 0751);
        st = tl_lstat(f->dest, "etc");
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0750);
        assert_int_equal(st.st_mtime, 1000);
        hello = tl_lstat(f->dest, "etc/hello");
        assert_int_equal(hello.st_mode & 07777, 0640);
        assert_int_equal(hello.st_uid, 1000);
        assert_int_equal(hello.st_gid, 1001);
        assert_int_equal(hello.st_mtime, 1234567890);
        assert_int_equal(hello.st_nlink, 2);
        tl_assert_file(f->dest, "etc/hello", "hello\n");
        tl_assert_xattr(f->dest, "etc/hello", "user.note", "hi");
        st = tl_lstat(f->dest, "etc/hard");
        assert_int_equal(st.st_ino, hello.st_ino);
        st = tl_lstat(f->dest, "etc/link");
        assert_true(S_ISLNK(st.st_mode));
        assert_int_equal(st.st_uid, 1000);
        tl_assert_link(f->dest, "etc/link", "hello");
        assert_int_equal(tl_lstat(f->dest, "bin/ping").st_mode & 07777, 04755);
        {
                char *p = tl_path(f->dest, "bin/ping"), cap[64];
                assert_int_equal(lgetxattr(p, "security.capability", cap, sizeof(cap)), 20);
                assert_memory_equal(cap, CAP_NET_RAW, 20);
                free(p);
        }
        st = tl_lstat(f->dest, "dev/null");
        assert_true(S_ISCHR(st.st_mode));
        assert_int_equal(major(st.st_rdev), 1);
        assert_int_equal(minor(st.st_rdev), 3);
        st = tl_lstat(f->dest, "dev/loop0");
        assert_true(S_ISBLK(st.st_mode));
        assert_int_equal(major(st.st_rdev), 7);
        assert_int_equal(st.st_gid, 6);
        assert_true(S_ISFIFO(tl_lstat(f->dest, "run/fifo").st_mode));
        /* Parents the tar does not list are 0755 whatever the umask. */
        assert_int_equal(tl_lstat(f->dest, "deep/a").st_mode & 07777, 0755);
        tl_assert_file(f->dest, "deep/a/b/file", "x");
        tl_assert_file(f->dest, "caf\xc3\xa9/na\xc3\xafve.txt", "utf-8\n");
        tl_assert_file(f->dest, "not-utf8-\xff", "binary\n");
}

static void unpack_compressed(fixture *f, int filter, const char *algorithm, size_t chunk) {
        tl_buf blob;
        berth_layer_digests d;
        char want[BERTH_DIGEST_MAX];

        tl_compress(&f->tar, filter, &blob);
        assert_true(blob.size < f->tar.size);
        unpack_ok(f, &blob, chunk, algorithm, &d);
        tl_sha(algorithm, &blob, want);
        assert_string_equal(d.digest, want);
        tl_sha("sha256", &f->tar, want);
        assert_string_equal(d.diff_id, want);
        assert_int_equal(d.size, blob.size);
        assert_int_equal(d.uncompressed_size, f->tar.size);
        tl_assert_file(f->dest, "etc/hello", "hello\n");
        tl_buf_free(&blob);
        reset_dest(f);
}

static void test_compressed(void **state) {
        fixture *f = *state;
        tl_tar(BASIC, ELEMENTSOF(BASIC), &f->tar);
        unpack_compressed(f, ARCHIVE_FILTER_GZIP, "sha256", 0);
        unpack_compressed(f, ARCHIVE_FILTER_ZSTD, "sha256", 0);
        unpack_compressed(f, ARCHIVE_FILTER_BZIP2, "sha256", 4096);
        unpack_compressed(f, ARCHIVE_FILTER_XZ, "sha512", 0);
        unpack_compressed(f, ARCHIVE_FILTER_GZIP, "sha512", 1);       /* one byte per read */
}

static void test_whiteouts(void **state) {
        fixture *f = *state;
        static const tl_member m[] = {
                { .name = ".wh.gone", .uid = 1000, .gid = 1000 },
                { .name = "d/", .type = AE_IFDIR, .perm = 0711 },
                { .name = "d/.wh..wh..opq" },
                { .name = "d/kept", .data = "k" },
                { .name = "x/.wh.y" },
                { .name = "newdir/.wh..wh..opq" },
                { .name = ".wh..wh.plnk/123", .data = "aufs" },
                { .name = ".wh..wh..opq" },
        };
        berth_layer_digests d;
        struct stat st;

        tl_tar(m, ELEMENTSOF(m), &f->tar);
        unpack_ok(f, &f->tar, 0, "sha256", &d);
        st = tl_lstat(f->dest, "gone");
        assert_true(S_ISCHR(st.st_mode));
        assert_int_equal(st.st_rdev, 0);
        assert_int_equal(st.st_mode & 07777, 0);
        assert_int_equal(st.st_uid, 1000);
        assert_false(tl_exists(f->dest, ".wh.gone"));
        assert_true(S_ISCHR(tl_lstat(f->dest, "x/y").st_mode));
        tl_assert_xattr(f->dest, "d", "trusted.overlay.opaque", "y");
        assert_int_equal(tl_lstat(f->dest, "d").st_mode & 07777, 0711);
        assert_false(tl_exists(f->dest, "d/.wh..wh..opq"));
        tl_assert_file(f->dest, "d/kept", "k");
        assert_true(S_ISDIR(tl_lstat(f->dest, "newdir").st_mode));
        tl_assert_xattr(f->dest, "newdir", "trusted.overlay.opaque", "y");
        assert_false(tl_exists(f->dest, ".wh..wh.plnk"));
        tl_assert_xattr(f->dest, ".", "trusted.overlay.opaque", "y");
        tl_assert_xattr(f->dest, "x", "trusted.overlay.opaque", NULL);
}

static void test_private_xattrs_dropped(void **state) {
        fixture *f = *state;
        static const tl_member m[] = {
                { .name = "d/", .type = AE_IFDIR,
                  .xattrs = { "trusted.overlay.redirect", "/etc", "user.overlay.origin", "x", "user.keep", "1" } },
        };
        berth_layer_digests d;

        tl_tar(m, ELEMENTSOF(m), &f->tar);
        unpack_ok(f, &f->tar, 0, "sha256", &d);
        tl_assert_xattr(f->dest, "d", "trusted.overlay.redirect", NULL);
        tl_assert_xattr(f->dest, "d", "user.overlay.origin", NULL);
        tl_assert_xattr(f->dest, "d", "user.keep", "1");
}

static void test_duplicate_member(void **state) {
        fixture *f = *state;
        static const tl_member m[] = {
                { .name = "f", .data = "first" },
                { .name = "f", .data = "second", .perm = 0600 },
        };
        berth_layer_digests d;

        tl_tar(m, ELEMENTSOF(m), &f->tar);
        unpack_ok(f, &f->tar, 0, "sha256", &d);
        tl_assert_file(f->dest, "f", "second");
        assert_int_equal(tl_lstat(f->dest, "f").st_mode & 07777, 0600);
}

static void expect_members_error(fixture *f, const tl_member *m, size_t n, const char *needle) {
        tl_tar(m, n, &f->tar);
        expect_error(f, &f->tar, -EINVAL, needle);
        tl_buf_free(&f->tar);
        reset_dest(f);
}

static void test_bad_members(void **state) {
        fixture *f = *state;
        static const tl_member dotdot[] = { { .name = "a/../b" } };
        static const tl_member root_file[] = { { .name = "." } };
        static const tl_member wh_dotdot[] = { { .name = "d/.wh.." } };
        static const tl_member wh_dir[] = { { .name = ".wh.x/y" } };
        static const tl_member missing[] = { { .name = "h", .hardlink = "nothere" } };
        static const tl_member to_dir[] = { { .name = "d/", .type = AE_IFDIR }, { .name = "h", .hardlink = "d" } };
        static const tl_member via_link[] = {
                { .name = "real/", .type = AE_IFDIR }, { .name = "real/f", .data = "f" },
                { .name = "s", .type = AE_IFLNK, .symlink = "real" }, { .name = "h", .hardlink = "s/f" },
        };
        static const tl_member opq_via_link[] = {
                { .name = "real/", .type = AE_IFDIR }, { .name = "s", .type = AE_IFLNK, .symlink = "real" },
                { .name = "s/.wh..wh..opq" },
        };

        expect_members_error(f, dotdot, 1, "layer entry \"a/../b\": the path has a \"..\" component");
        expect_members_error(f, root_file, 1, "layer entry \".\": the layer root can only be a directory");
        expect_members_error(f, wh_dotdot, 1, "layer entry \"d/.wh..\": the whiteout hides no valid name");
        expect_members_error(f, wh_dir, 1, "layer entry \".wh.x/y\": a whiteout name is used as a directory");
        expect_members_error(f, missing, 1, "layer entry \"h\": hardlink target \"nothere\" is not in the layer");
        expect_members_error(f, to_dir, 2, "layer entry \"h\": hardlink target \"d\" is a directory");
        expect_members_error(f, via_link, 4, "hardlink target \"s/f\" is reached through a symlink");
        expect_members_error(f, opq_via_link, 3, "its directory is reached through a symlink");
}

static void test_symlinked_parent_refused(void **state) {
        fixture *f = *state;
        static const tl_member m[] = {
                { .name = "real/", .type = AE_IFDIR },
                { .name = "s", .type = AE_IFLNK, .symlink = "real" },
                { .name = "s/f", .data = "through" },
        };

        /* Even a link that stays inside: libarchive's SECURE_SYMLINKS refuses them all. */
        tl_tar(m, ELEMENTSOF(m), &f->tar);
        expect_error(f, &f->tar, -EINVAL, "layer entry \"s/f\": Cannot extract through symlink");
        assert_false(tl_exists(f->dest, "real/f"));
}

static void test_long_path(void **state) {
        fixture *f = *state;
        char name[4200];
        tl_member m[1] = { { .name = name, .data = "x" } };

        for (size_t i = 0; i + 100 < sizeof(name); i += 100) {
                memset(name + i, 'n', 99);
                name[i + 99] = '/';
        }
        strcpy(name + 4100, "file");
        tl_tar(m, 1, &f->tar);
        expect_error(f, &f->tar, -ENAMETOOLONG, "the path is too long");
}

static void test_destination(void **state) {
        fixture *f = *state;
        static const tl_member m[] = { { .name = "f", .data = "x" } };
        char *missing = tl_path(f->dest, "missing"), *other = tl_path(f->dest, "other");
        berth_layer_digests d;
        berth_error err = { 0 };

        tl_tar(m, 1, &f->tar);
        assert_int_equal(tl_unpack(&f->tar, 0, "sha256", missing, &d, &err), -ENOENT);
        assert_non_null(strstr(err.message, "cannot resolve layer destination"));
        tl_write_file(other, "");
        assert_int_equal(tl_unpack(&f->tar, 0, "sha256", f->dest, &d, &err), -ENOTEMPTY);
        assert_non_null(strstr(err.message, "is not empty"));
        assert_int_equal(tl_unpack(&f->tar, 0, "md5", missing, &d, &err), -ENOENT);
        unlink(other);
        assert_int_equal(tl_unpack(&f->tar, 0, "md5", f->dest, &d, &err), -EINVAL);
        assert_non_null(strstr(err.message, "unsupported digest algorithm \"md5\""));
        free(missing);
        free(other);
}

static void test_stream_errors(void **state) {
        fixture *f = *state;
        tl_buf gz, text = { 0 }, empty = { 0 };
        tl_reader r;
        berth_layer_digests d;
        berth_error err = { 0 };

        tl_tar(BASIC, ELEMENTSOF(BASIC), &f->tar);
        tl_compress(&f->tar, ARCHIVE_FILTER_GZIP, &gz);
        r = (tl_reader) { .data = gz.data, .size = gz.size, .chunk = 100, .fail_after = 300, .fail_errno = EIO };
        assert_int_equal(berth_layer_unpack(tl_read, &r, "sha256", f->dest, &d, &err), -EIO);
        assert_string_equal(err.message, "cannot read the layer blob: Input/output error");
        reset_dest(f);

        /* Truncated in the middle of the tar. */
        f->tar.size = 1536 + 100;
        expect_error(f, &f->tar, -EBADMSG, "the layer is not a valid tar stream: ");
        reset_dest(f);

        /* A damaged deflate stream. */
        memset(gz.data + gz.size / 3, 0xff, 64);
        expect_error(f, &gz, -EBADMSG, "cannot decompress the layer: ");
        reset_dest(f);

        for (int i = 0; i < 32; i++)
                tl_buf_append(&text, "this is not a tar archive, just text that goes on and on\n", 57);
        expect_error(f, &text, -EBADMSG, "the layer is not a valid tar stream: ");
        expect_error(f, &empty, -EBADMSG, "the layer blob is empty");
        tl_buf_free(&gz);
        tl_buf_free(&text);
}

static void test_trailing_bytes(void **state) {
        fixture *f = *state;
        static const tl_member m[] = { { .name = "f", .data = "x" } };
        tl_buf blob;
        berth_layer_digests d;
        char want[BERTH_DIGEST_MAX];
        static const char zeros[1000];

        /* Bytes after the gzip stream (which libarchive ignores) still belong to the blob
         * and its digest. */
        tl_tar(m, 1, &f->tar);
        tl_compress(&f->tar, ARCHIVE_FILTER_GZIP, &blob);
        tl_buf_append(&blob, zeros, sizeof(zeros));
        unpack_ok(f, &blob, 0, "sha256", &d);
        tl_sha("sha256", &blob, want);
        assert_string_equal(d.digest, want);
        assert_int_equal(d.size, blob.size);
        assert_int_equal(d.uncompressed_size, f->tar.size);
        tl_buf_free(&blob);
}

static tl_reader umask_reader;

static ssize_t umask_changing_read(void *cls, void *buf, size_t max) {
        umask(0);       /* as libarchive does, on the unpacker's thread */
        return tl_read(cls, buf, max);
}

static void test_umask_is_private(void **state) {
        fixture *f = *state;
        static const tl_member m[] = { { .name = "p/q/file", .data = "x" } };
        berth_layer_digests d;
        berth_error err = { 0 };
        mode_t old = umask(077);

        /* Parents the tar does not list are 0755 whatever berthd's umask. */
        tl_tar(m, 1, &f->tar);
        unpack_ok(f, &f->tar, 0, "sha256", &d);
        assert_int_equal(tl_lstat(f->dest, "p").st_mode & 07777, 0755);
        reset_dest(f);

        /* The read callback runs on the unpacker's thread, whose umask is its own. */
        umask_reader = (tl_reader) { .data = f->tar.data, .size = f->tar.size };
        assert_int_equal(berth_layer_unpack(umask_changing_read, &umask_reader, "sha256", f->dest, &d, &err), 0);
        assert_int_equal(umask(old), 077);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_members, setup, teardown),
                cmocka_unit_test_setup_teardown(test_compressed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_whiteouts, setup, teardown),
                cmocka_unit_test_setup_teardown(test_private_xattrs_dropped, setup, teardown),
                cmocka_unit_test_setup_teardown(test_duplicate_member, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_members, setup, teardown),
                cmocka_unit_test_setup_teardown(test_symlinked_parent_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_long_path, setup, teardown),
                cmocka_unit_test_setup_teardown(test_destination, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stream_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_trailing_bytes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_umask_is_private, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
