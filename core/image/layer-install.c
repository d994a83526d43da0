/* Installing a layer from a stream: decompress, record the tar-split, unpack, verify,
 * move into the store under a claim, and undo that after a failed commit. */
#include "layer-install.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/log.h"
#include "berth/path.h"
#include "engine-internal.h"
#include "image-record.h"
#include "image-store.h"
#include "layer-claim.h"
#include "tar-split.h"

static void feed_recorder(void *cls, const void *data, size_t size) {
        tar_split_feed(cls, data, size);
}

static char *split_tmp_path(const char *dest_dir) {
        return xasprintf("%s.tar-split", dest_dir);
}

int layer_unpack_recorded(berth_read_fn read, void *cls, const char *blob_algorithm, const char *dest_dir,
                          berth_layer_digests *ret, berth_error *err) {
        _cleanup_(tar_split_recorder_freep) tar_split_recorder *rec = NULL;
        _cleanup_free_ char *split = split_tmp_path(dest_dir);
        berth_error rec_err;
        int rc;

        if (tar_split_recorder_new(split, &rec, &rec_err) < 0)
                log_warn("%s; the layer will be unpacked without it", rec_err.message);
        /* The recorder taps the unpacker's own decompressed stream: one pass, one hash. */
        rc = berth_layer_unpack_tapped(read, cls, blob_algorithm, dest_dir, rec ? feed_recorder : NULL, rec, ret,
                                       err);
        if (rc < 0)
                return rc;
        if (rec && tar_split_recorder_finish(rec, &rec_err) < 0)
                log_debug("layer %s: no tar-split kept (%s): save will pack the directory again", ret->diff_id,
                          rec_err.message);
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
        _cleanup_free_ char *tmp = NULL, *dest = NULL;
        struct layer_install l = { 0 };
        int rc = layer_tmp_mkdtemp(e, "layer", &tmp, err);

        if (rc < 0)
                return rc;
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
