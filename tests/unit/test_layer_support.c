/* Shared by the layer tests: tars built in memory, stream callbacks, temporary trees. */
#include "test_layer_support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/digest.h"

void tl_buf_append(tl_buf *b, const void *data, size_t size) {
        if (b->size + size + 1 > b->cap) {
                b->cap = (b->size + size + 1) * 2;
                b->data = xrealloc(b->data, b->cap);
        }
        memcpy(b->data + b->size, data, size);
        b->size += size;
        b->data[b->size] = 0;
}

void tl_buf_free(tl_buf *b) {
        free(b->data);
        *b = (tl_buf) { 0 };
}

static la_ssize_t buf_write(struct archive *a, void *cls, const void *data, size_t size) {
        (void) a;
        tl_buf_append(cls, data, size);
        return (la_ssize_t) size;
}

static void add_member(struct archive *a, const tl_member *m) {
        struct archive_entry *e = archive_entry_new();
        size_t size = m->data ? strlen(m->data) : 0;

        archive_entry_set_pathname(e, m->name);
        archive_entry_set_filetype(e, m->type ? m->type : AE_IFREG);
        archive_entry_set_perm(e, m->perm ? m->perm : 0644);
        archive_entry_set_uid(e, m->uid);
        archive_entry_set_gid(e, m->gid);
        archive_entry_set_mtime(e, m->mtime ? m->mtime : 1700000000, 0);
        archive_entry_set_size(e, size);
        if (m->symlink)
                archive_entry_set_symlink(e, m->symlink);
        if (m->hardlink)
                archive_entry_set_hardlink(e, m->hardlink);
        if (m->type == AE_IFCHR || m->type == AE_IFBLK)
                archive_entry_set_rdev(e, makedev(m->rmajor, m->rminor));
        for (int i = 0; i < 6 && m->xattrs[i]; i += 2)
                archive_entry_xattr_add_entry(e, m->xattrs[i], m->xattrs[i + 1], strlen(m->xattrs[i + 1]));
        if (m->bin_xattr)
                archive_entry_xattr_add_entry(e, m->bin_xattr, m->bin_value, m->bin_size);
        /* A warning is a name that is not UTF-8, written with hdrcharset=BINARY. */
        if (archive_write_header(a, e) < ARCHIVE_WARN) {
                fprintf(stderr, "test tar: %s: %s\n", m->name, archive_error_string(a));
                abort();
        }
        if (size && archive_write_data(a, m->data, size) != (la_ssize_t) size)
                abort();
        archive_entry_free(e);
}

void tl_tar(const tl_member *m, size_t n, tl_buf *ret) {
        struct archive *a = archive_write_new();
        /* UTF-8 names go into pax records as UTF-8, as Go's archive/tar writes them. */
        locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t) 0), saved = uselocale(utf8);

        *ret = (tl_buf) { 0 };
        archive_write_set_format_pax(a);
        if (archive_write_open2(a, ret, NULL, buf_write, NULL, NULL) != ARCHIVE_OK)
                abort();
        for (size_t i = 0; i < n; i++)
                add_member(a, &m[i]);
        archive_write_close(a);
        archive_write_free(a);
        uselocale(saved);
        freelocale(utf8);
}

void tl_compress(const tl_buf *in, int filter, tl_buf *ret) {
        struct archive *a = archive_write_new();
        struct archive_entry *e = archive_entry_new();

        *ret = (tl_buf) { 0 };
        archive_write_set_format_raw(a);
        if (archive_write_add_filter(a, filter) != ARCHIVE_OK)
                abort();
        archive_write_set_bytes_in_last_block(a, 1);
        if (archive_write_open2(a, ret, NULL, buf_write, NULL, NULL) != ARCHIVE_OK)
                abort();
        archive_entry_set_pathname(e, "data");
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, in->size);
        if (archive_write_header(a, e) != ARCHIVE_OK ||
            archive_write_data(a, in->data, in->size) != (la_ssize_t) in->size)
                abort();
        archive_write_close(a);
        archive_write_free(a);
        archive_entry_free(e);
}

ssize_t tl_read(void *cls, void *buf, size_t max) {
        tl_reader *r = cls;
        size_t n = r->size - r->pos;

        r->calls++;
        if (r->fail_errno && r->pos >= r->fail_after)
                return -r->fail_errno;
        if (n > max)
                n = max;
        if (r->chunk && n > r->chunk)
                n = r->chunk;
        if (n)
                memcpy(buf, r->data + r->pos, n);
        r->pos += n;
        return (ssize_t) n;
}

int tl_write(void *cls, const void *buf, size_t size) {
        tl_buf_append(cls, buf, size);
        return 0;
}

int tl_unpack(const tl_buf *blob, size_t chunk, const char *algorithm, const char *dest,
              berth_layer_digests *ret, berth_error *err) {
        tl_reader r = { .data = blob->data, .size = blob->size, .chunk = chunk };
        return berth_layer_unpack(tl_read, &r, algorithm, dest, ret, err);
}

char *tl_mkdtemp(void) {
        char *d = xstrdup("/tmp/berth-layer-test-XXXXXX");
        if (!mkdtemp(d))
                abort();
        return d;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st, (void) ftw;
        return flag == FTW_DP ? rmdir(path) : unlink(path);
}

void tl_rm_rf(const char *path) {
        nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

char *tl_path(const char *dir, const char *rel) {
        return xasprintf("%s/%s", dir, rel);
}

char *tl_read_file(const char *path) {
        tl_buf b = { 0 };
        char chunk[4096];
        ssize_t n;
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

        if (fd < 0)
                return NULL;
        tl_buf_append(&b, "", 0);
        while ((n = read(fd, chunk, sizeof(chunk))) > 0)
                tl_buf_append(&b, chunk, (size_t) n);
        close(fd);
        return (char *) b.data;
}

void tl_write_file(const char *path, const char *data) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, data, strlen(data)) != (ssize_t) strlen(data))
                abort();
        close(fd);
}

char *tl_xattr(const char *path, const char *name) {
        char value[4096];
        ssize_t n = lgetxattr(path, name, value, sizeof(value) - 1);
        if (n < 0)
                return NULL;
        return xstrndup(value, (size_t) n);
}

void tl_sha(const char *algorithm, const tl_buf *b, char out[BERTH_DIGEST_MAX]) {
        if (berth_digest_buffer(algorithm, b->data, b->size, out, NULL) < 0)
                abort();
}

static char *describe_xattrs(const char *path) {
        char list[4096];
        ssize_t n = llistxattr(path, list, sizeof(list));
        tl_buf out = { 0 };

        tl_buf_append(&out, "", 0);
        /* llistxattr's order is stable for one file on one filesystem: good enough here. */
        for (ssize_t i = 0; i > -1 && i < n; i += (ssize_t) strlen(list + i) + 1) {
                char *v = tl_xattr(path, list + i);
                char *item = xasprintf(" %s=%zu:%s", list + i, v ? strlen(v) : 0, v ? v : "");
                tl_buf_append(&out, item, strlen(item));
                free(item);
                free(v);
        }
        return (char *) out.data;
}

static char *describe_one(const char *root, const char *rel) {
        char *path = tl_path(root, rel), *xattrs = describe_xattrs(path), *content = NULL, *line;
        char link[4096] = "", digest[BERTH_DIGEST_MAX] = "";
        struct stat st;

        if (lstat(path, &st) < 0)
                abort();
        if (S_ISLNK(st.st_mode) && readlink(path, link, sizeof(link) - 1) < 0)
                abort();
        if (S_ISREG(st.st_mode) && (content = tl_read_file(path)))
                berth_digest_buffer("sha256", content, (size_t) st.st_size, digest, NULL);
        line = xasprintf("%s mode=%o uid=%u gid=%u size=%lld mtime=%lld link=%s rdev=%u:%u nlink=%lu %s%s", rel,
                         st.st_mode, st.st_uid, st.st_gid, S_ISDIR(st.st_mode) ? 0LL : (long long) st.st_size,
                         (long long) st.st_mtime, link, major(st.st_rdev), minor(st.st_rdev),
                         S_ISDIR(st.st_mode) ? 0UL : (unsigned long) st.st_nlink, digest, xattrs);
        free(content);
        free(xattrs);
        free(path);
        return line;
}

static void collect(const char *root, const char *rel, char ***lines, size_t *n) {
        char *dir = *rel ? tl_path(root, rel) : xstrdup(root);
        DIR *d = opendir(dir);
        struct dirent *de;

        if (!d)
                abort();
        while ((de = readdir(d))) {
                char *child;
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                child = *rel ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
                *lines = xrealloc(*lines, (*n + 1) * sizeof(**lines));
                (*lines)[(*n)++] = describe_one(root, child);
                if (de->d_type == DT_DIR)
                        collect(root, child, lines, n);
                free(child);
        }
        closedir(d);
        free(dir);
}

static int cmp_strp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

char *tl_describe_tree(const char *dir) {
        char **lines = NULL;
        size_t n = 0;
        tl_buf out = { 0 };

        collect(dir, "", &lines, &n);
        qsort(lines, n, sizeof(*lines), cmp_strp);
        tl_buf_append(&out, "", 0);
        for (size_t i = 0; i < n; i++) {
                tl_buf_append(&out, lines[i], strlen(lines[i]));
                tl_buf_append(&out, "\n", 1);
                free(lines[i]);
        }
        free(lines);
        return (char *) out.data;
}

struct stat tl_lstat(const char *dir, const char *rel) {
        char *p = tl_path(dir, rel);
        struct stat st;
        if (lstat(p, &st) < 0)
                fail_msg("%s: %s", p, strerror(errno));
        free(p);
        return st;
}

bool tl_exists(const char *dir, const char *rel) {
        char *p = tl_path(dir, rel);
        struct stat st;
        bool r = lstat(p, &st) == 0;
        free(p);
        return r;
}

void tl_assert_file(const char *dir, const char *rel, const char *content) {
        char *p = tl_path(dir, rel), *data = tl_read_file(p);
        if (!data || strcmp(data, content) != 0)
                fail_msg("%s: got \"%s\", want \"%s\"", p, data ? data : "(unreadable)", content);
        free(data);
        free(p);
}

void tl_assert_link(const char *dir, const char *rel, const char *target) {
        char *p = tl_path(dir, rel), got[4096] = "";
        if (readlink(p, got, sizeof(got) - 1) < 0 || strcmp(got, target) != 0)
                fail_msg("%s: links to \"%s\", want \"%s\"", p, got, target);
        free(p);
}

void tl_assert_xattr(const char *dir, const char *rel, const char *name, const char *value) {
        char *p = tl_path(dir, rel), *v = tl_xattr(p, name);
        if (value && (!v || strcmp(v, value) != 0))
                fail_msg("%s: xattr %s is \"%s\", want \"%s\"", p, name, v ? v : "(none)", value);
        if (!value && v)
                fail_msg("%s: xattr %s should be absent, is \"%s\"", p, name, v);
        free(v);
        free(p);
}
