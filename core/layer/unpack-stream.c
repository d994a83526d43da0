/* The read side of unpacking: the caller's bytes are hashed as they arrive (digest), a
 * first libarchive reader undoes the compression, and its output is hashed again (diff_id)
 * as a second reader parses it as tar. One thread pulls everything, nothing is buffered
 * beyond libarchive's own blocks. */
#include "archive-api.h"
#include "layer-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/log.h"

#define SOURCE_BUF_SIZE (128 * 1024)

/* Stage 1's input: the blob as the caller supplies it. */
static la_ssize_t blob_read(struct archive *a, void *cls, const void **ret_buf) {
        layer_stream *s = cls;
        ssize_t n;

        if (s->source_eof)
                return 0;
        n = s->read(s->cls, s->buf, SOURCE_BUF_SIZE);
        if (n < 0 || n > SOURCE_BUF_SIZE) {
                s->source_error = n < 0 ? (int) n : -EIO;
                archive_set_error(a, -s->source_error, "reading the layer blob failed");
                return ARCHIVE_FATAL;
        }
        s->source_eof = n == 0;
        berth_hasher_update(s->blob_hash, s->buf, (size_t) n);
        s->blob_size += (uint64_t) n;
        *ret_buf = s->buf;
        return n;
}

/* Stage 2's input: stage 1's output, passed on without a copy (the block stays valid
 * until stage 2 asks again, which is all libarchive needs). */
static la_ssize_t tar_read(struct archive *a, void *cls, const void **ret_buf) {
        layer_stream *s = cls;
        la_int64_t offset;
        size_t size = 0;
        int r = archive_read_data_block(s->blob, ret_buf, &size, &offset);

        if (r == ARCHIVE_EOF)
                return 0;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
                s->blob_failed = true;
                archive_set_error(a, EIO, "decompressing the layer failed");
                return ARCHIVE_FATAL;
        }
        berth_hasher_update(s->tar_hash, *ret_buf, size);
        if (s->tap)
                s->tap(s->tap_cls, *ret_buf, size);
        s->tar_size += size;
        return (la_ssize_t) size;
}

/* Only the compressions the header promises, all in-process: filter_all would also run
 * external programs (lrzip, grzip...) on hostile input from a threaded daemon. */
static struct archive *blob_reader_new(void) {
        struct archive *a = archive_read_new();
        if (!a)
                abort();
        archive_read_support_filter_gzip(a);
        archive_read_support_filter_zstd(a);
        archive_read_support_filter_bzip2(a);
        archive_read_support_filter_xz(a);
        archive_read_support_format_raw(a);
        return a;
}

static struct archive *tar_reader_new(void) {
        struct archive *a = archive_read_new();
        if (!a)
                abort();
        archive_read_support_format_tar(a);     /* ustar, pax and GNU */
        return a;
}

int layer_stream_error(layer_stream *s, berth_error *err) {
        if (s->source_error)
                return berth_err_errno(err, s->source_error, "cannot read the layer blob");
        if (s->blob_size == 0)
                return berth_err(err, -EBADMSG, "the layer blob is empty");
        if (s->blob_failed || !s->tar)
                return berth_err(err, -EBADMSG, "cannot decompress the layer: %s",
                                 archive_error_string(s->blob) ?: "unknown error");
        return berth_err(err, -EBADMSG, "the layer is not a valid tar stream: %s",
                         archive_error_string(s->tar) ?: "unknown error");
}

int layer_stream_open(layer_stream *s, berth_read_fn read, void *cls, const char *digest_algorithm,
                      berth_tap_fn tap, void *tap_cls, berth_error *err) {
        struct archive_entry *raw;
        int r;

        *s = (layer_stream) { .read = read, .cls = cls, .tap = tap, .tap_cls = tap_cls };
        r = berth_hasher_new(digest_algorithm, &s->blob_hash, err);
        if (r < 0)
                return r;
        r = berth_hasher_new("sha256", &s->tar_hash, err);
        if (r < 0)
                return r;
        s->buf = xmalloc(SOURCE_BUF_SIZE);
        s->blob = blob_reader_new();
        if (archive_read_open(s->blob, s, NULL, blob_read, NULL) != ARCHIVE_OK ||
            archive_read_next_header(s->blob, &raw) != ARCHIVE_OK)
                return layer_stream_error(s, err);
        s->tar = tar_reader_new();
        if (archive_read_open(s->tar, s, NULL, tar_read, NULL) != ARCHIVE_OK)
                return layer_stream_error(s, err);
        return 0;
}

int layer_stream_next(layer_stream *s, struct archive_entry **ret_entry, berth_error *err) {
        int r = archive_read_next_header(s->tar, ret_entry);

        if (r == ARCHIVE_EOF)
                return 0;
        if (r == ARCHIVE_WARN)
                log_debug("layer member %s: %s", archive_entry_pathname(*ret_entry) ?: "(unnamed)",
                          archive_error_string(s->tar));
        else if (r != ARCHIVE_OK)
                return layer_stream_error(s, err);
        return 1;
}

int layer_stream_finish(layer_stream *s, berth_layer_digests *ret, berth_error *err) {
        const void *buf;
        ssize_t n;

        /* The tar's end blocks and padding, which the tar reader need not have read. */
        while ((n = tar_read(s->tar, s, &buf)) > 0)
                ;
        if (n < 0)
                return layer_stream_error(s, err);
        /* Bytes after the compressed stream still belong to the blob and its digest. */
        while ((n = blob_read(s->blob, s, &buf)) > 0)
                ;
        if (n < 0)
                return layer_stream_error(s, err);
        berth_hasher_final(s->blob_hash, ret->digest);
        berth_hasher_final(s->tar_hash, ret->diff_id);
        ret->size = s->blob_size;
        ret->uncompressed_size = s->tar_size;
        return 0;
}

void layer_stream_done(layer_stream *s) {
        archive_read_free(s->tar);
        archive_read_free(s->blob);
        s->tar = s->blob = NULL;
        s->blob_hash = berth_hasher_free(s->blob_hash);
        s->tar_hash = berth_hasher_free(s->tar_hash);
        free(s->buf);
        s->buf = NULL;
}
