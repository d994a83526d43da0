/* The layers of a push: each layer directory packed as a tar, gzip-compressed into an
 * unlinked temporary file while its digest is computed, then uploaded from that file;
 * PARALLEL_UPLOADS layers at a time. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "archive-api.h"
#include "berth/alloc.h"
#include "berth/layer.h"
#include "berth/path.h"
#include "image-store.h"
#include "parallel.h"
#include "push.h"
#include "tar-split.h"

#define BLOCK_SIZE (64 * 1024)
#define PARALLEL_UPLOADS 4       /* as pulls; Docker uploads up to 5 at a time, Podman 6 */

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive_entry *, archive_entry_free);

/* The compressed blob as it is written: to the file, through the hasher. */
struct gzip_sink {
        struct archive *gz;
        int fd;
        berth_hasher *hash;
        uint64_t size;
        int write_error;
};

static la_ssize_t gz_out(struct archive *a, void *cls, const void *buf, size_t size) {
        struct gzip_sink *s = cls;
        const char *p = buf;

        for (size_t left = size; left > 0;) {
                ssize_t n = write(s->fd, p, left);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        s->write_error = -errno;
                        archive_set_error(a, errno, "cannot write the compressed layer");
                        return ARCHIVE_FATAL;
                }
                p += n;
                left -= (size_t) n;
        }
        berth_hasher_update(s->hash, buf, size);
        s->size += size;
        return (la_ssize_t) size;
}

/* berth_layer_pack's consumer: the tar bytes go into the compressor. */
static int tar_in(void *cls, const void *buf, size_t size) {
        struct gzip_sink *s = cls;
        const char *p = buf;

        while (size > 0) {
                la_ssize_t n = archive_write_data(s->gz, p, size);
                if (n <= 0)
                        return s->write_error ? s->write_error : -EIO;
                p += n;
                size -= (size_t) n;
        }
        return 0;
}

static int gzip_error(struct gzip_sink *s, berth_error *err) {
        if (s->write_error)
                return berth_err_errno(err, s->write_error, "cannot write the compressed layer");
        return berth_err(err, -EIO, "cannot compress the layer: %s",
                         archive_error_string(s->gz) ?: "unknown error");
}

/* gzip over a single raw member: no name or timestamp in the header and no padding
 * after the trailer, so the same tar always compresses to the same blob. */
static int gzip_open(struct gzip_sink *s, berth_error *err) {
        _cleanup_(archive_entry_freep) struct archive_entry *entry = archive_entry_new();
        int rc = berth_hasher_new("sha256", &s->hash, err);

        if (rc < 0)
                return rc;
        s->gz = archive_write_new();
        if (!s->gz || !entry)
                abort();
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_pathname(entry, "layer.tar");
        if (archive_write_add_filter_gzip(s->gz) != ARCHIVE_OK ||
            archive_write_set_filter_option(s->gz, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
            archive_write_set_format_raw(s->gz) != ARCHIVE_OK ||
            archive_write_set_bytes_per_block(s->gz, BLOCK_SIZE) != ARCHIVE_OK ||
            archive_write_set_bytes_in_last_block(s->gz, 1) != ARCHIVE_OK ||
            archive_write_open2(s->gz, s, NULL, gz_out, NULL, NULL) != ARCHIVE_OK ||
            archive_write_header(s->gz, entry) != ARCHIVE_OK)
                return gzip_error(s, err);
        return 0;
}

static void gzip_done(struct gzip_sink *s) {
        archive_write_free(s->gz);
        berth_hasher_free(s->hash);
}

static int compress(struct push *p, struct push_layer *l, int fd, berth_error *err) {
        _cleanup_(gzip_done) struct gzip_sink s = { .fd = fd };
        _cleanup_free_ char *dir = layer_dir(p->engine, l->stored_diff_id);
        berth_layer_digests d;
        int rc = gzip_open(&s, err);

        if (rc < 0)
                return rc;
        /* The recorded tar-split gives back the exact tar (and so the stored diff_id);
         * without one, packing the directory makes a new tar. */
        _cleanup_free_ char *split = layer_tar_split_path(p->engine, l->stored_diff_id);
        if (access(split, F_OK) == 0)
                rc = tar_split_assemble(split, dir, tar_in, &s, d.diff_id, err);
        else
                rc = berth_layer_pack(dir, tar_in, &s, &d, err);
        if (rc < 0) {
                archive_write_fail(s.gz);
                return rc;
        }
        if (archive_write_close(s.gz) != ARCHIVE_OK)
                return gzip_error(&s, err);
        berth_hasher_final(s.hash, l->digest);
        memcpy(l->diff_id, d.diff_id, sizeof(l->diff_id));
        l->size = s.size;
        return 0;
}

/* The upload's source: the temporary file, read from the start again on a retry. */
struct blob_reader {
        struct push *p;
        const char *id;
        int fd;
        const char *data;
        uint64_t offset, size;
        struct timespec last;
};

static ssize_t blob_read(void *cls, void *buf, size_t max) {
        struct blob_reader *b = cls;
        struct timespec now;
        ssize_t n;

        /* Another layer failed: the push fails, so this upload need not go on. */
        if (atomic_load(&b->p->failed))
                return -ECANCELED;
        if (max > b->size - b->offset)
                max = (size_t) (b->size - b->offset);
        if (b->data) {
                memcpy(buf, b->data + b->offset, max);
                n = (ssize_t) max;
        } else {
                do
                        n = pread(b->fd, buf, max, (off_t) b->offset);
                while (n < 0 && errno == EINTR);
                if (n < 0)
                        return -errno;
        }
        b->offset += (uint64_t) n;
        clock_gettime(CLOCK_MONOTONIC, &now);
        /* At most a line every 100 ms, and one at the end. */
        if (b->id && ((now.tv_sec - b->last.tv_sec) * 1000 + (now.tv_nsec - b->last.tv_nsec) / 1000000 >= 100 ||
                      b->offset == b->size)) {
                b->last = now;
                push_report(b->p, b->id, "Pushing", b->offset, b->size);
        }
        return n;
}

static int blob_rewind(void *cls) {
        struct blob_reader *b = cls;
        b->offset = 0;
        return 0;
}

/* Uploads unless the registry has the blob; *ret_existed says which happened. */
static int upload(struct push *p, struct blob_reader *b, const char *digest, bool *ret_existed, berth_error *err) {
        bool exists = false;
        int rc = registry_blob_exists(p->registry, p->ref->path, digest, &exists, err);

        if (rc < 0 || exists) {
                *ret_existed = exists;
                return rc;
        }
        *ret_existed = false;
        clock_gettime(CLOCK_MONOTONIC, &b->last);
        return registry_blob_upload(p->registry, p->ref->path, digest, b->size, blob_read, blob_rewind, b, err);
}

static int push_layer(struct push *p, struct push_layer *l, berth_error *err) {
        _cleanup_close_ int fd = -1;
        bool existed;
        int rc = layer_tmp_file(p->engine, "push", &fd, err);

        if (rc >= 0)
                rc = compress(p, l, fd, err);
        if (rc < 0)
                return rc;
        struct blob_reader b = { .p = p, .id = l->short_id, .fd = fd, .size = l->size };
        rc = upload(p, &b, l->digest, &existed, err);
        if (rc < 0)
                return berth_err_prefix(err, "layer %s", l->stored_diff_id);
        push_report(p, l->short_id, existed ? "Layer already exists" : "Pushed", 0, 0);
        return 0;
}

static void layer_work(void *cls, size_t i) {
        struct push *p = cls;
        struct push_layer *l = &p->layers[i];

        if (atomic_load(&p->failed)) {
                l->rc = -ECANCELED;
                return;
        }
        l->rc = push_layer(p, l, &l->err);
        if (l->rc < 0)
                atomic_store(&p->failed, true);
}

int push_layers(struct push *p, berth_error *err) {
        parallel_for(p->n_layers, PARALLEL_UPLOADS, layer_work, p);
        for (size_t i = 0; i < p->n_layers; i++)
                if (p->layers[i].rc < 0 && p->layers[i].rc != -ECANCELED) {
                        if (err)
                                *err = p->layers[i].err;
                        return p->layers[i].rc;
                }
        return 0;
}

int push_blob_buffer(struct push *p, const char *digest, const char *data, size_t size, berth_error *err) {
        struct blob_reader b = { .p = p, .fd = -1, .data = data, .size = size };
        bool existed;
        return upload(p, &b, digest, &existed, err);
}
