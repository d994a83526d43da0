/* tar-split.c (and layer_unpack_recorded, which feeds it): unpacking records what
 * rebuilds the exact tar from the directory, whatever wrote the tar (pax, GNU long
 * names, trailing zeros and garbage, compression); what cannot be followed leaves no
 * record; a directory that changed or grew symlinks is refused, never read through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/layer.h"
#include "layer-install.h"
#include "tar-split.h"
#include "test_layer_support.h"

#define LONG_NAME "dir-with-a-long-name-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx/" \
                  "and-a-long-file-name-yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"

typedef struct fixture {
        char *dir;      /* the unpacked layer */
        char *split;    /* its tar-split */
        tl_buf out;
} fixture;

static int setup(void **state) {
        fixture *f = xnew0(fixture, 1);
        char *base = tl_mkdtemp();
        f->dir = tl_path(base, "layer");
        f->split = tl_path(base, "layer.tar-split");
        free(base);
        if (mkdir(f->dir, 0755) < 0)
                fail_msg("mkdir %s: %s", f->dir, strerror(errno));
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;
        char *base = xstrndup(f->dir, strlen(f->dir) - strlen("/layer"));
        tl_rm_rf(base);
        free(base);
        free(f->dir);
        free(f->split);
        tl_buf_free(&f->out);
        free(f);
        return 0;
}

static const tl_member members[] = {
        { .name = "bin", .type = AE_IFDIR, .perm = 0755 },
        { .name = "bin/tool", .perm = 0755, .data = "#!/bin/sh\necho tool\n" },
        { .name = "bin/link", .type = AE_IFLNK, .symlink = "tool" },
        { .name = "bin/hard", .hardlink = "bin/tool" },
        { .name = "etc/empty", .data = "" },
        { .name = "etc/xattr", .data = "x", .xattrs = { "user.test", "value" } },
        { .name = "etc/.wh.gone", .data = "" },
        { .name = LONG_NAME, .data = "long" },
        { .name = "ünïcödé", .data = "names in pax records" },
};

/* Unpacks `blob` recording its tar-split, then rebuilds the tar and checks it is `tar`. */
static void round_trip(fixture *f, const tl_buf *blob, const tl_buf *tar, size_t chunk) {
        tl_reader r = { .data = blob->data, .size = blob->size, .chunk = chunk };
        berth_layer_digests d;
        berth_error err = { 0 };
        char want[BERTH_DIGEST_MAX], rebuilt[BERTH_DIGEST_MAX];
        uint64_t size = 0;

        if (layer_unpack_recorded(tl_read, &r, "sha256", f->dir, &d, &err) < 0)
                fail_msg("unpack: %s", err.message);
        tl_sha("sha256", tar, want);
        assert_string_equal(d.diff_id, want);
        assert_int_equal(d.uncompressed_size, tar->size);
        tl_sha("sha256", blob, want);
        assert_string_equal(d.digest, want);
        assert_int_equal(d.size, blob->size);
        if (tar_split_size(f->split, &size, &err) < 0)
                fail_msg("size: %s", err.message);
        assert_int_equal(size, tar->size);
        if (tar_split_assemble(f->split, f->dir, tl_write, &f->out, rebuilt, &err) < 0)
                fail_msg("assemble: %s", err.message);
        assert_string_equal(rebuilt, d.diff_id);
        assert_int_equal(f->out.size, tar->size);
        assert_memory_equal(f->out.data, tar->data, tar->size);
}

static void test_pax_round_trip(void **state) {
        tl_buf tar;
        tl_tar(members, ELEMENTSOF(members), &tar);
        round_trip(*state, &tar, &tar, 0);
        tl_buf_free(&tar);
}

static void test_round_trip_one_byte_reads(void **state) {
        tl_buf tar;
        tl_tar(members, 3, &tar);
        round_trip(*state, &tar, &tar, 1);
        tl_buf_free(&tar);
}

static void test_compressed_round_trips(void **state) {
        static const int filters[] = { ARCHIVE_FILTER_GZIP, ARCHIVE_FILTER_ZSTD, ARCHIVE_FILTER_XZ,
                                       ARCHIVE_FILTER_BZIP2 };
        fixture *f = *state;
        tl_buf tar;
        tl_tar(members, ELEMENTSOF(members), &tar);
        for (size_t i = 0; i < ELEMENTSOF(filters); i++) {
                tl_buf blob;
                tl_compress(&tar, filters[i], &blob);
                tl_rm_rf(f->dir);
                assert_int_equal(mkdir(f->dir, 0755), 0);
                tl_buf_free(&f->out);
                round_trip(f, &blob, &tar, 4096);
                tl_buf_free(&blob);
        }
        tl_buf_free(&tar);
}

/* GNU tar's format: long names in 'L' members, numbers as GNU writes them. */
static void test_gnu_long_names_and_trailing_bytes(void **state) {
        struct archive *a = archive_write_new();
        struct archive_entry *e = archive_entry_new();
        tl_buf tar = { 0 };
        size_t size = 0, used;
        static const char garbage[] = "bytes after the end of the archive";

        archive_write_set_format_gnutar(a);
        archive_write_set_bytes_per_block(a, 0);
        tar.cap = 1 << 20;
        tar.data = xmalloc(tar.cap);
        if (archive_write_open_memory(a, tar.data, tar.cap, &used) != ARCHIVE_OK)
                fail();
        archive_entry_set_pathname(e, LONG_NAME);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0600);
        archive_entry_set_size(e, 3000);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        char *data = xmalloc(3000);
        memset(data, 'g', 3000);
        assert_int_equal(archive_write_data(a, data, 3000), 3000);
        archive_write_close(a);
        archive_write_free(a);
        archive_entry_free(e);
        free(data);
        size = used;
        memcpy(tar.data + size, garbage, sizeof(garbage));
        tar.size = size + sizeof(garbage);
        round_trip(*state, &tar, &tar, 0);
        tl_buf_free(&tar);
}

static void record(fixture *f, const tl_member *m, size_t n, tl_buf *tar) {
        tl_reader r;
        berth_layer_digests d;
        berth_error err = { 0 };
        tl_tar(m, n, tar);
        r = (tl_reader) { .data = tar->data, .size = tar->size };
        if (layer_unpack_recorded(tl_read, &r, "sha256", f->dir, &d, &err) < 0)
                fail_msg("unpack: %s", err.message);
}

static void test_changed_directory_is_refused(void **state) {
        fixture *f = *state;
        static const tl_member m[] = { { .name = "a/file", .data = "12345" } };
        berth_error err = { 0 };
        char got[BERTH_DIGEST_MAX], want[BERTH_DIGEST_MAX];
        tl_buf tar;
        char *path = tl_path(f->dir, "a/file");

        record(f, m, 1, &tar);
        tl_sha("sha256", &tar, want);
        /* The same size, other bytes: rebuilt, but to another diff_id the caller refuses. */
        tl_write_file(path, "54321");
        assert_int_equal(tar_split_assemble(f->split, f->dir, tl_write, &f->out, got, &err), 0);
        assert_string_not_equal(got, want);
        /* Another size: refused naming the file. */
        tl_write_file(path, "1234");
        assert_int_equal(tar_split_assemble(f->split, f->dir, tl_write, &f->out, got, &err), -EBADMSG);
        assert_non_null(strstr(err.message, "a/file"));
        unlink(path);
        assert_int_equal(tar_split_assemble(f->split, f->dir, tl_write, &f->out, got, &err), -ENOENT);
        free(path);
        tl_buf_free(&tar);
}

/* A parent replaced by a symlink to a look-alike outside: never followed. */
static void test_symlinked_parent_is_not_followed(void **state) {
        fixture *f = *state;
        static const tl_member m[] = { { .name = "a/file", .data = "12345" } };
        berth_error err = { 0 };
        char got[BERTH_DIGEST_MAX];
        char *a = tl_path(f->dir, "a"), *outside = tl_path(f->dir, "../outside"), *file = tl_path(outside, "file");
        tl_buf tar;

        record(f, m, 1, &tar);
        tl_rm_rf(a);
        assert_int_equal(mkdir(outside, 0755), 0);
        tl_write_file(file, "12345");
        assert_int_equal(symlink(outside, a), 0);
        assert_int_equal(tar_split_assemble(f->split, f->dir, tl_write, &f->out, got, &err), -ELOOP);
        assert_non_null(strstr(err.message, "a/file"));
        /* What came before the file is out; the caller cuts the archive short. */
        assert_true(f->out.size < tar.size);
        free(a), free(outside), free(file);
        tl_buf_free(&tar);
}

/* Fed directly: what the recorder cannot follow makes no record, and says why. */
static void test_unfollowable_tars_leave_no_record(void **state) {
        fixture *f = *state;
        struct {
                char type;
                const char *size;
                const char *why;
        } cases[] = {
                { '5', "00000000012", "other than a plain file" },   /* a directory with data */
                { '0', "0000000001x", "size field" },
                { 'x', "77777777777", "too large" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                tar_split_recorder *r = NULL;
                berth_error err = { 0 };
                unsigned char block[512] = { 0 };
                strcpy((char *) block, "member");
                memcpy(block + 124, cases[i].size, 11);
                block[156] = (unsigned char) cases[i].type;
                assert_int_equal(tar_split_recorder_new(f->split, &r, &err), 0);
                tar_split_feed(r, block, sizeof(block));
                assert_int_equal(tar_split_recorder_finish(r, &err), -EBADMSG);
                assert_non_null(strstr(err.message, cases[i].why));
                tar_split_recorder_free(r);
                assert_int_equal(access(f->split, F_OK), -1);
        }
        /* A tar cut inside a member. */
        tar_split_recorder *r = NULL;
        berth_error err = { 0 };
        tl_buf tar;
        static const tl_member m[] = { { .name = "file", .data = "12345" } };
        tl_tar(m, 1, &tar);
        assert_int_equal(tar_split_recorder_new(f->split, &r, &err), 0);
        tar_split_feed(r, tar.data, 512 + 3);
        assert_int_equal(tar_split_recorder_finish(r, &err), -EBADMSG);
        tar_split_recorder_free(r);
        assert_int_equal(access(f->split, F_OK), -1);
        tl_buf_free(&tar);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_pax_round_trip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_round_trip_one_byte_reads, setup, teardown),
                cmocka_unit_test_setup_teardown(test_compressed_round_trips, setup, teardown),
                cmocka_unit_test_setup_teardown(test_gnu_long_names_and_trailing_bytes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_changed_directory_is_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_symlinked_parent_is_not_followed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unfollowable_tars_leave_no_record, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
