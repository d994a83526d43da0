/* berth_layer_pack(): a directory tree as an uncompressed tar stream, walked through
 * directory fds and sorted by name, so the same tree always gives the same bytes. */
#include "berth/layer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "layer-internal.h"

#define BLOCK_SIZE (64 * 1024)

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
        if (p->hash)
                berth_hasher_update(p->hash, buf, size);
        p->size += size;
        return (la_ssize_t) size;
}

static int walk(layer_pack *p, int dir_fd, const char *prefix, berth_error *err) {
        _cleanup_strv_free_ char **names = NULL;
        size_t n = 0;
        int r = layer_list_dir(dir_fd, &names, &n);

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

void layer_pack_done(layer_pack *p) {
        archive_write_free(p->tar);
        archive_entry_linkresolver_free(p->links);
        berth_hasher_free(p->hash);
        free(p->buf);
}

int layer_pack_open(layer_pack *p, berth_error *err) {
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

int layer_pack_finish(layer_pack *p, int r, berth_error *err) {
        if (r >= 0 && archive_write_close(p->tar) != ARCHIVE_OK)
                r = layer_pack_error(p, "the end of the tar", err);
        if (r < 0) {
                /* Closing frees libarchive's buffers (after a failure, freeing alone leaks
                 * them in 3.6); aborted, it passes no more bytes to the consumer. */
                p->aborted = true;
                archive_write_close(p->tar);
        }
        return r;
}

int berth_layer_pack(const char *dir, berth_write_fn write, void *cls, berth_layer_digests *ret,
                     berth_error *err) {
        _cleanup_(layer_pack_done) layer_pack p = { .write = write, .cls = cls };
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        layer_locale loc;
        int r;

        if (fd < 0)
                return berth_err_errno(err, -errno, "cannot open layer directory %s", dir);
        r = berth_hasher_new("sha256", &p.hash, err);
        if (r >= 0)
                r = layer_pack_open(&p, err);
        if (r < 0)
                return r;
        layer_locale_enter(&loc);
        r = layer_pack_finish(&p, walk(&p, fd, "", err), err);
        layer_locale_leave(&loc);
        if (r < 0)
                return berth_err_prefix(err, "cannot pack layer directory %s", dir);
        *ret = (berth_layer_digests) { .uncompressed_size = p.size };
        berth_hasher_final(p.hash, ret->diff_id);
        return 0;
}
