/* Installing a layer from a stream: decompress, record the tar-split, unpack, verify,
 * move into the store under a claim, and undo that after a failed commit. */
#include "layer-install.h"


#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive-api.h"
#include "berth/alloc.h"
#include "berth/log.h"
#include "berth/path.h"
#include "engine-internal.h"
#include "image-record.h"
#include "image-store.h"
#include "layer-claim.h"
#include "tar-split.h"

#define IN_BUF (64 * 1024)

/* The blob as the caller's reader gives it, decompressed by libarchive on the way to
 * the unpacker (which then sees a plain tar), and teed into the tar-split recorder. */
struct source {
        berth_read_fn read;
        void *cls;
        berth_hasher *blob_hash;
        uint64_t blob_size;
        struct archive *a;
        unsigned char *in;
        bool opened, done;
        int source_error;
        tar_split_recorder *rec;
        int rc;
        berth_error err;
};

static la_ssize_t source_cb(struct archive *a, void *cls, const void **buf) {
        struct source *s = cls;
        ssize_t n = s->read(s->cls, s->in, IN_BUF);
        if (n < 0) {
                s->source_error = (int) n;
                archive_set_error(a, (int) -n, "reading the layer failed");
                return ARCHIVE_FATAL;
        }
        berth_hasher_update(s->blob_hash, s->in, (size_t) n);
        s->blob_size += (uint64_t) n;
        *buf = s->in;
        return n;
}

static ssize_t fail(struct source *s) {
        if (s->source_error)
                s->rc = berth_err_errno(&s->err, s->source_error, "reading the layer failed");
        else if (s->blob_size == 0)
                s->rc = berth_err(&s->err, -EBADMSG, "the layer is empty: not even a tar's end blocks");
        else
                s->rc = berth_err(&s->err, -EBADMSG, "cannot decompress the layer: %s",
                                  archive_error_string(s->a) ? archive_error_string(s->a) : "unknown error");
        return s->rc;
}

/* Bytes after the compressed stream still belong to the blob and its digest. */
static void drain(struct source *s) {
        ssize_t n;
        while ((n = s->read(s->cls, s->in, IN_BUF)) > 0) {
                berth_hasher_update(s->blob_hash, s->in, (size_t) n);
                s->blob_size += (uint64_t) n;
        }
        if (n < 0)
                s->source_error = (int) n;
}

static ssize_t decompressed_read(void *cls, void *buf, size_t max) {
        struct source *s = cls;
        struct archive_entry *entry;
        la_ssize_t n;

        if (s->done)
                return 0;
        if (!s->opened) {
                s->opened = true;
                int r = archive_read_open2(s->a, s, NULL, source_cb, NULL, NULL);
                if (r == ARCHIVE_OK)
                        r = archive_read_next_header(s->a, &entry);
                if (r == ARCHIVE_EOF) {
                        s->done = true;
                        return 0;
                }
                if (r != ARCHIVE_OK)
                        return fail(s);
        }
        n = archive_read_data(s->a, buf, max);
        if (n < 0)
                return fail(s);
        if (n == 0) {
                drain(s);
                s->done = true;
                return s->source_error ? fail(s) : 0;
        }
        if (s->rec)
                tar_split_feed(s->rec, buf, (size_t) n);
        return n;
}

static void source_done(struct source *s) {
        if (s->a)
                archive_read_free(s->a);
        berth_hasher_free(s->blob_hash);
        tar_split_recorder_free(s->rec);
        free(s->in);
}

static char *split_tmp_path(const char *dest_dir) {
        return xasprintf("%s.tar-split", dest_dir);
}

int layer_unpack_recorded(berth_read_fn read, void *cls, const char *blob_algorithm, const char *dest_dir,
                          berth_layer_digests *ret, berth_error *err) {
        _cleanup_(source_done) struct source s = { .read = read, .cls = cls };
        _cleanup_free_ char *split = split_tmp_path(dest_dir);
        berth_layer_digests inner;
        berth_error rec_err;
        int rc = berth_hasher_new(blob_algorithm, &s.blob_hash, err);

        if (rc < 0)
                return rc;
        if (tar_split_recorder_new(split, &s.rec, &rec_err) < 0)
                log_warn("%s; the layer will be unpacked without it", rec_err.message);
        s.in = xmalloc(IN_BUF);
        s.a = archive_read_new();
        if (!s.a)
                abort();
        archive_read_support_filter_gzip(s.a);
        archive_read_support_filter_bzip2(s.a);
        archive_read_support_filter_xz(s.a);
        archive_read_support_filter_zstd(s.a);
        archive_read_support_format_raw(s.a);
        rc = berth_layer_unpack(decompressed_read, &s, "sha256", dest_dir, &inner, err);
        if (rc < 0 && s.rc < 0) {
                /* The source's or decompressor's failure says more than the unpacker's. */
                if (err)
                        *err = s.err;
                return s.rc;
        }
        if (rc < 0)
                return rc;
        if (s.rec && tar_split_recorder_finish(s.rec, &rec_err) < 0)
                log_debug("layer %s: no tar-split kept (%s): save will pack the directory again", inner.diff_id,
                          rec_err.message);
        *ret = (berth_layer_digests) { .size = s.blob_size, .uncompressed_size = inner.uncompressed_size };
        berth_hasher_final(s.blob_hash, ret->digest);
        memcpy(ret->diff_id, inner.diff_id, sizeof(ret->diff_id));
        return 0;
}

void layer_tar_split_keep(berth_engine *e, const char *dest_dir, const char *diff_id) {
        _cleanup_free_ char *split = split_tmp_path(dest_dir);
        _cleanup_free_ char *target = layer_tar_split_path(e, diff_id);
        _cleanup_free_ char *dir = xasprintf("%s/tar-split", berth_engine_config(e)->root);

        if (access(split, F_OK) < 0)
                return;
        if (berth_mkdir_p(dir, 0700, NULL) < 0 || rename(split, target) < 0) {
                log_warn("cannot keep the tar-split of layer %s in %s: %m", diff_id, target);
                unlink(split);
        }
}

void layer_tar_split_drop(const char *dest_dir) {
        _cleanup_free_ char *split = split_tmp_path(dest_dir);
        unlink(split);
}

int layer_install(berth_engine *e, berth_read_fn read, void *cls, const char *blob_algorithm,
                  const char *expect_diff_id, struct layer_install *ret, berth_error *err) {
        _cleanup_free_ char *base = layer_tmp_dir(e);
        _cleanup_free_ char *tmp = xasprintf("%s/layer-XXXXXX", base);
        _cleanup_free_ char *dest = NULL;
        struct layer_install l = { 0 };
        int rc = berth_mkdir_p(base, 0700, err);

        if (rc < 0)
                return rc;
        if (!mkdtemp(tmp))
                return berth_err_errno(err, -errno, "cannot create %s", tmp);
        rc = layer_unpack_recorded(read, cls, blob_algorithm, tmp, &l.digests, err);
        if (rc >= 0 && expect_diff_id && strcmp(l.digests.diff_id, expect_diff_id) != 0)
                rc = berth_err(err, -EBADMSG, "it unpacks to %s, but the image config says %s", l.digests.diff_id,
                               expect_diff_id);
        if (rc >= 0) {
                dest = layer_dir(e, l.digests.diff_id);
                layer_claim(e, l.digests.diff_id);
                if (access(dest, F_OK) < 0) {
                        if (rename(tmp, dest) < 0)
                                rc = berth_err_errno(err, -errno, "cannot move layer into %s", dest);
                        else
                                l.fresh = true;
                }
                /* Also for a layer already stored: a pulled one may have none yet. */
                if (rc >= 0)
                        layer_tar_split_keep(e, tmp, l.digests.diff_id);
                layer_unclaim(e, l.digests.diff_id);
        }
        berth_rm_rf(tmp, NULL);
        layer_tar_split_drop(tmp);
        if (rc >= 0)
                *ret = l;
        return rc;
}

static bool layer_recorded(berth_engine *e, const char *diff_id) {
        _cleanup_(store_txn_abortp) store_txn *t = NULL;
        /* When the store cannot say, keep the layer: recovery removes true orphans. */
        return store_txn_begin(engine_store(e), false, &t, NULL) < 0 || layer_exists(t, diff_id);
}

void layer_install_rollback(berth_engine *e, const struct layer_install *l) {
        if (!l->fresh)
                return;
        layer_claim(e, l->digests.diff_id);
        if (!layer_recorded(e, l->digests.diff_id)) {
                _cleanup_free_ char *dir = layer_dir(e, l->digests.diff_id);
                _cleanup_free_ char *split = layer_tar_split_path(e, l->digests.diff_id);
                berth_rm_rf(dir, NULL);
                unlink(split);
        }
        layer_unclaim(e, l->digests.diff_id);
}
