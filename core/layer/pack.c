/* berth_layer_pack(): a directory tree as an uncompressed tar stream, walked through
 * directory fds and sorted by name, so the same tree always gives the same bytes. */
#include "berth/layer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "layer-internal.h"

#define BLOCK_SIZE (64 * 1024)

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

static la_ssize_t tar_write(struct archive *a, void *cls, const void *buf, size_t size) {
        layer_pack *p = cls;
        int r;

        if (p->aborted)
                return ARCHIVE_FATAL;
        r = p->write_error ? p->write_error : p->write(p->cls, buf, size);
        if (r < 0) {
                p->write_error = r;
                archive_set_error(a, -r, "the layer consumer failed");
                return ARCHIVE_FATAL;
        }
        berth_hasher_update(p->hash, buf, size);
        p->size += size;
        return (la_ssize_t) size;
}

static int cmp_strp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The names in a directory, sorted bytewise: readdir's order is the filesystem's. */
static int list_dir(int dir_fd, char ***ret_names, size_t *ret_n) {
        _cleanup_(closedirp) DIR *d = NULL;
        _cleanup_strv_free_ char **names = xnew0(char *, 1);
        int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        size_t n = 0;
        struct dirent *de;

        if (fd < 0 || !(d = fdopendir(fd))) {
                safe_close(fd);
                return -errno;
        }
        for (;;) {
                errno = 0;      /* readdir() tells the end from an error only by errno */
                if (!(de = readdir(d)))
                        break;
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                names = xrealloc(names, (n + 2) * sizeof(*names));
                names[n++] = xstrdup(de->d_name);
                names[n] = NULL;
        }
        if (errno != 0)
                return -errno;
        qsort(names, n, sizeof(*names), cmp_strp);
        *ret_names = TAKE_PTR(names);
        *ret_n = n;
        return 0;
}

static int walk(layer_pack *p, int dir_fd, const char *prefix, berth_error *err) {
        _cleanup_strv_free_ char **names = NULL;
        size_t n = 0;
        int r = list_dir(dir_fd, &names, &n);

        if (r < 0)
                return berth_err_errno(err, r, "cannot list %s in the layer directory", *prefix ? prefix : "/");
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *path = *prefix ? xasprintf("%s/%s", prefix, names[i]) : xstrdup(names[i]);
                _cleanup_close_ int sub = -1;
                struct stat st;

                if (fstatat(dir_fd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return berth_err_errno(err, -errno, "cannot stat %s in the layer directory", path);
                r = layer_pack_entry(p, dir_fd, names[i], path, &st, err);
                if (r < 0)
                        return r;
                if (!S_ISDIR(st.st_mode))
                        continue;
                sub = openat(dir_fd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub < 0)
                        return berth_err_errno(err, -errno, "cannot open %s in the layer directory", path);
                r = walk(p, sub, path, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void layer_pack_done(layer_pack *p) {
        archive_write_free(p->tar);
        archive_entry_linkresolver_free(p->links);
        berth_hasher_free(p->hash);
        free(p->buf);
}

static int pack_open(layer_pack *p, berth_error *err) {
        int r = berth_hasher_new("sha256", &p->hash, err);

        if (r < 0)
                return r;
        p->buf = xmalloc(LAYER_PACK_BUF_SIZE);
        p->tar = archive_write_new();
        p->links = archive_entry_linkresolver_new();
        if (!p->tar || !p->links)
                abort();
        /* ustar unless a member needs more (long names, xattrs): what Docker writes too. */
        archive_write_set_format_pax_restricted(p->tar);
        /* xattrs as SCHILY.xattr records only, the form Docker and Go read and write. */
        if (archive_write_set_format_option(p->tar, "pax", "xattrheader", "SCHILY") != ARCHIVE_OK)
                return layer_pack_error(p, "the tar header", err);
        archive_entry_linkresolver_set_strategy(p->links, archive_format(p->tar));
        /* No padding of the last block: the tar ends after its two zero blocks. */
        archive_write_set_bytes_per_block(p->tar, BLOCK_SIZE);
        archive_write_set_bytes_in_last_block(p->tar, 1);
        if (archive_write_open2(p->tar, p, NULL, tar_write, NULL, NULL) != ARCHIVE_OK)
                return layer_pack_error(p, "the tar header", err);
        return 0;
}

int berth_layer_pack(const char *dir, berth_write_fn write, void *cls, berth_layer_digests *ret,
                     berth_error *err) {
        _cleanup_(layer_pack_done) layer_pack p = { .write = write, .cls = cls };
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        layer_locale loc;
        int r;

        if (fd < 0)
                return berth_err_errno(err, -errno, "cannot open layer directory %s", dir);
        r = pack_open(&p, err);
        if (r < 0)
                return r;
        layer_locale_enter(&loc);
        r = walk(&p, fd, "", err);
        if (r >= 0 && archive_write_close(p.tar) != ARCHIVE_OK)
                r = layer_pack_error(&p, "the end of the tar", err);
        layer_locale_leave(&loc);
        if (r < 0) {
                /* Closing frees libarchive's buffers (after a failure, freeing alone leaks
                 * them in 3.6); aborted, it passes no more bytes to the consumer. */
                p.aborted = true;
                archive_write_close(p.tar);
                return berth_err_prefix(err, "cannot pack layer directory %s", dir);
        }
        *ret = (berth_layer_digests) { .uncompressed_size = p.size };
        berth_hasher_final(p.hash, ret->diff_id);
        return 0;
}
