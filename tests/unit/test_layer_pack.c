/* berth_layer_pack(): member order and types, overlay whiteouts back to OCI ones,
 * xattr filtering, determinism, and pack(unpack(x)) round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/layer.h"
#include "test_layer_support.h"

static const char CAP_NET_RAW[] = "\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00";
#define LONG_NAME "long-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

typedef struct fixture {
        char *dir;
        tl_buf out;
} fixture;

static int setup(void **state) {
        fixture *f = calloc(1, sizeof(*f));
        f->dir = tl_mkdtemp();
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;
        tl_rm_rf(f->dir);
        free(f->dir);
        tl_buf_free(&f->out);
        free(f);
        return 0;
}

static char *in(fixture *f, const char *rel) {
        return tl_path(f->dir, rel);
}

#define CHECK(call)                                                                \
        do {                                                                       \
                if ((call) < 0)                                                    \
                        fail_msg("%s: %s", #call, strerror(errno));                \
        } while (0)

static void make(fixture *f, const char *rel, mode_t mode, dev_t dev) {
        char *p = in(f, rel);
        if (S_ISDIR(mode))
                CHECK(mkdir(p, mode & 07777));
        else if (S_ISREG(mode))
                tl_write_file(p, rel);
        else
                CHECK(mknod(p, mode, dev));
        CHECK(chmod(p, mode & 07777));
        free(p);
}

static void set_xattr(fixture *f, const char *rel, const char *name, const void *value, size_t size) {
        char *p = in(f, rel);
        CHECK(lsetxattr(p, name, value, size, 0));
        free(p);
}

/* A tree with every kind of file berth's layers hold, overlay whiteouts included. */
static void make_tree(fixture *f) {
        char *a, *b;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int s;

        make(f, "etc", S_IFDIR | 0750, 0);
        make(f, "etc/hard", S_IFREG | 0640, 0);
        set_xattr(f, "etc/hard", "user.a", "1", 1);
        set_xattr(f, "etc/hard", "trusted.overlay.origin", "zz", 2);
        a = in(f, "etc/hard"), b = in(f, "etc/hello");
        CHECK(link(a, b));
        CHECK(chown(a, 1000, 1001));
        free(a), free(b);
        b = in(f, "etc/link");
        CHECK(symlink("hard", b));
        free(b);
        make(f, "bin", S_IFDIR | 0755, 0);
        make(f, "bin/ping", S_IFREG | 04755, 0);
        set_xattr(f, "bin/ping", "security.capability", CAP_NET_RAW, 20);
        make(f, "dev", S_IFDIR | 0755, 0);
        make(f, "dev/null", S_IFCHR | 0666, makedev(1, 3));
        make(f, "gone", S_IFCHR, makedev(0, 0));
        a = in(f, "gone");
        CHECK(lchown(a, 1000, 1000));
        free(a);
        make(f, "opq", S_IFDIR | 0711, 0);
        set_xattr(f, "opq", "trusted.overlay.opaque", "y", 1);
        make(f, "opq/inner", S_IFREG | 0644, 0);
        make(f, "run", S_IFDIR | 0755, 0);
        make(f, "run/fifo", S_IFIFO | 0600, 0);
        /* overlayfs shares one inode between whiteouts: no hardlinks between them in tars. */
        make(f, "w1", S_IFCHR, makedev(0, 0));
        a = in(f, "w1"), b = in(f, "w2");
        CHECK(link(a, b));
        free(a), free(b);
        make(f, LONG_NAME, S_IFREG | 0644, 0);
        make(f, "bad\xff", S_IFREG | 0644, 0);
        a = in(f, "run/sock");
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", a);
        s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        CHECK(bind(s, (struct sockaddr *) &sa, sizeof(sa)));
        close(s);
        free(a);
}

static void pack_ok(const char *dir, tl_buf *out, berth_layer_digests *d) {
        berth_error err = { 0 };
        *out = (tl_buf) { 0 };
        if (berth_layer_pack(dir, tl_write, out, d, &err) < 0)
                fail_msg("pack: %s", err.message);
}

/* One line per member: name type perm uid size link/hardlink xattrs. */
static char *list_members(const tl_buf *tar) {
        struct archive *a = archive_read_new();
        struct archive_entry *e;
        tl_buf out = { 0 };
        int r;

        archive_read_support_format_tar(a);
        assert_int_equal(archive_read_open_memory(a, tar->data, tar->size), ARCHIVE_OK);
        tl_buf_append(&out, "", 0);
        while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
                const char *name, *hard = archive_entry_hardlink(e), *sym = archive_entry_symlink(e);
                const void *value;
                size_t size;
                char *line = xasprintf("%s %o %o %u %lld%s%s%s%s", archive_entry_pathname(e),
                                       archive_entry_filetype(e), archive_entry_perm(e),
                                       (unsigned) archive_entry_uid(e), (long long) archive_entry_size(e),
                                       hard ? " hard=" : "", hard ? hard : "", sym ? " sym=" : "", sym ? sym : "");
                tl_buf_append(&out, line, strlen(line));
                free(line);
                archive_entry_xattr_reset(e);
                while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
                        line = xasprintf(" %s:%zu", name, size);
                        tl_buf_append(&out, line, strlen(line));
                        free(line);
                }
                tl_buf_append(&out, "\n", 1);
        }
        assert_int_equal(r, ARCHIVE_EOF);
        archive_read_free(a);
        return (char *) out.data;
}

static void test_members(void **state) {
        fixture *f = *state;
        berth_layer_digests d;
        char want[BERTH_DIGEST_MAX], *list;
        static const char zeros[1024];
        const char *expected =
                "bad\xff 100000 644 0 4\n"
                "bin/ 40000 755 0 0\n"
                "bin/ping 100000 4755 0 8 security.capability:20\n"
                "dev/ 40000 755 0 0\n"
                "dev/null 20000 666 0 0\n"
                "etc/ 40000 750 0 0\n"
                "etc/hard 100000 640 1000 8 user.a:1\n"
                "etc/hello 0 640 1000 0 hard=etc/hard user.a:1\n"
                "etc/link 120000 777 0 0 sym=hard\n"
                ".wh.gone 100000 600 1000 0\n"
                LONG_NAME " 100000 644 0 111\n"
                "opq/ 40000 711 0 0\n"
                "opq/.wh..wh..opq 100000 711 0 0\n"
                "opq/inner 100000 644 0 9\n"
                "run/ 40000 755 0 0\n"
                "run/fifo 10000 600 0 0\n"
                ".wh.w1 100000 600 0 0\n"
                ".wh.w2 100000 600 0 0\n";

        make_tree(f);
        pack_ok(f->dir, &f->out, &d);
        list = list_members(&f->out);
        if (strcmp(list, expected) != 0)
                fail_msg("members:\n%s\nwant:\n%s", list, expected);
        free(list);
        tl_sha("sha256", &f->out, want);
        assert_string_equal(d.diff_id, want);
        assert_int_equal(d.uncompressed_size, f->out.size);
        assert_string_equal(d.digest, "");
        assert_int_equal(d.size, 0);
        /* Ends with the two zero blocks, not padded to a 10 KiB record. */
        assert_int_equal(f->out.size % 512, 0);
        assert_memory_equal(f->out.data + f->out.size - 1024, zeros, 1024);
}

static void test_deterministic(void **state) {
        fixture *f = *state;
        berth_layer_digests d1, d2;
        tl_buf second;
        char *p = in(f, "etc/hard"), *content;

        make_tree(f);
        pack_ok(f->dir, &f->out, &d1);
        /* Reading (atime) and a same-mode chmod (ctime) change nothing in the tar. */
        content = tl_read_file(p);
        CHECK(chmod(p, 0640));
        pack_ok(f->dir, &second, &d2);
        assert_int_equal(second.size, f->out.size);
        assert_memory_equal(second.data, f->out.data, f->out.size);
        assert_string_equal(d1.diff_id, d2.diff_id);
        tl_buf_free(&second);
        free(content);
        free(p);
}

static const tl_member ROUND[] = {
        { .name = "etc/", .type = AE_IFDIR, .perm = 0750, .mtime = 1000 },
        { .name = "etc/hello", .perm = 0640, .uid = 1000, .gid = 1001, .data = "hello\n",
          .xattrs = { "user.note", "hi", "trusted.overlay.redirect", "/x" } },
        { .name = "etc/link", .type = AE_IFLNK, .perm = 0777, .symlink = "hello" },
        { .name = "etc/hard", .hardlink = "etc/hello" },
        { .name = "bin/", .type = AE_IFDIR, .perm = 0755 },
        { .name = "bin/ping", .perm = 04755, .data = "#!/bin/true\n", .bin_xattr = "security.capability",
          .bin_value = CAP_NET_RAW, .bin_size = 20 },
        { .name = "dev/", .type = AE_IFDIR, .perm = 0755 },
        { .name = "dev/null", .type = AE_IFCHR, .perm = 0666, .rmajor = 1, .rminor = 3 },
        { .name = "dev/sda", .type = AE_IFBLK, .perm = 0660, .rmajor = 8 },
        { .name = "dev/fifo", .type = AE_IFIFO, .perm = 0600 },
        { .name = ".wh.gone", .uid = 7 },
        { .name = "opq/", .type = AE_IFDIR, .perm = 0711 },
        { .name = "opq/.wh..wh..opq" },
        { .name = "opq/kept", .data = "k" },
        { .name = "caf\xc3\xa9/", .type = AE_IFDIR, .perm = 0755 },
        { .name = "caf\xc3\xa9/" LONG_NAME, .data = "long and utf-8" },
        { .name = "bad\xff", .data = "not utf-8" },
};

static void unpack_into(const tl_buf *tar, const char *dir) {
        berth_layer_digests d;
        berth_error err = { 0 };
        if (tl_unpack(tar, 0, "sha256", dir, &d, &err) < 0)
                fail_msg("unpack: %s", err.message);
}

static int cmp_strp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Sorted member names without the trailing slash of directories. */
static char *names(const tl_buf *tar) {
        char *list = list_members(tar), *save = NULL;
        char **v = NULL;
        size_t n = 0;
        tl_buf out = { 0 };

        for (char *line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *sp = strchr(line, ' ');
                if (sp > line && sp[-1] == '/')
                        sp--;
                v = xrealloc(v, (n + 1) * sizeof(*v));
                v[n++] = xstrndup(line, (size_t) (sp - line));
        }
        qsort(v, n, sizeof(*v), cmp_strp);
        tl_buf_append(&out, "", 0);
        for (size_t i = 0; i < n; i++) {
                tl_buf_append(&out, v[i], strlen(v[i]));
                tl_buf_append(&out, "\n", 1);
                free(v[i]);
        }
        free(v);
        free(list);
        return (char *) out.data;
}

static void test_round_trip(void **state) {
        fixture *f = *state;
        tl_buf original, again;
        berth_layer_digests d1, d2;
        char *second = tl_mkdtemp(), *tree1, *tree2, *names1, *names2;

        tl_tar(ROUND, ELEMENTSOF(ROUND), &original);
        unpack_into(&original, f->dir);
        pack_ok(f->dir, &f->out, &d1);
        unpack_into(&f->out, second);
        tree1 = tl_describe_tree(f->dir);
        tree2 = tl_describe_tree(second);
        assert_string_equal(tree1, tree2);
        assert_non_null(strstr(tree1, "opq mode=40711"));
        assert_non_null(strstr(tree1, "trusted.overlay.opaque=1:y"));
        assert_null(strstr(tree1, "trusted.overlay.redirect"));
        names1 = names(&original);
        names2 = names(&f->out);
        assert_string_equal(names1, names2);
        /* And packing the copy gives the same bytes. */
        pack_ok(second, &again, &d2);
        assert_int_equal(again.size, f->out.size);
        assert_memory_equal(again.data, f->out.data, f->out.size);
        assert_string_equal(d1.diff_id, d2.diff_id);
        tl_buf_free(&again);
        tl_buf_free(&original);
        free(names1), free(names2), free(tree1), free(tree2);
        tl_rm_rf(second);
        free(second);
}

typedef struct failing_writer {
        unsigned calls;
} failing_writer;

static int fail_second(void *cls, const void *buf, size_t size) {
        failing_writer *w = cls;
        (void) buf, (void) size;
        return ++w->calls >= 2 ? -ENOSPC : 0;
}

static void test_write_error(void **state) {
        fixture *f = *state;
        failing_writer w = { 0 };
        berth_layer_digests d = { .size = 77 };
        berth_error err = { 0 };
        char *p = in(f, "big"), *want;
        char *data = xmalloc(300 * 1024);
        FILE *file = fopen(p, "we");

        memset(data, 'b', 300 * 1024);
        assert_int_equal(fwrite(data, 1, 300 * 1024, file), 300 * 1024);
        fclose(file);
        assert_int_equal(berth_layer_pack(f->dir, fail_second, &w, &d, &err), -ENOSPC);
        want = xasprintf("cannot pack layer directory %s: cannot write the layer tar: No space left on device", f->dir);
        assert_string_equal(err.message, want);
        assert_int_equal(w.calls, 2);   /* never called again after failing */
        assert_int_equal(d.size, 77);
        free(want);
        free(data);
        free(p);
}

static void test_missing_dir(void **state) {
        fixture *f = *state;
        char *p = in(f, "nope");
        berth_layer_digests d;
        berth_error err = { 0 };

        assert_int_equal(berth_layer_pack(p, tl_write, &f->out, &d, &err), -ENOENT);
        assert_non_null(strstr(err.message, "cannot open layer directory"));
        assert_int_equal(f->out.size, 0);
        free(p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_members, setup, teardown),
                cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
                cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_error, setup, teardown),
                cmocka_unit_test_setup_teardown(test_missing_dir, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
