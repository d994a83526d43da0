/* Start-up recovery of the layer store: what a killed daemon left half-done goes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/log.h"
#include "berth/path.h"
#include "engine-internal.h"
#include "image-record.h"
#include "image-store.h"

char *layer_tmp_dir(berth_engine *e) {
        return xasprintf("%s/tmp", berth_engine_config(e)->root);
}

int layer_tmp_mkdtemp(berth_engine *e, const char *prefix, char **ret_path, berth_error *err) {
        _cleanup_free_ char *base = layer_tmp_dir(e);
        _cleanup_free_ char *path = xasprintf("%s/%s-XXXXXX", base, prefix);
        int rc = berth_mkdir_p(base, 0700, err);

        if (rc < 0)
                return rc;
        if (!mkdtemp(path))
                return berth_err_errno(err, -errno, "cannot create %s", path);
        *ret_path = TAKE_PTR(path);
        return 0;
}

int layer_tmp_file(berth_engine *e, const char *prefix, int *ret_fd, berth_error *err) {
        _cleanup_free_ char *base = layer_tmp_dir(e);
        _cleanup_free_ char *path = xasprintf("%s/%s-XXXXXX", base, prefix);
        int rc = berth_mkdir_p(base, 0700, err), fd;

        if (rc < 0)
                return rc;
        fd = mkostemp(path, O_CLOEXEC);
        if (fd < 0)
                return berth_err_errno(err, -errno, "cannot create a temporary file in %s", base);
        unlink(path);
        *ret_fd = fd;
        return 0;
}

/* A layer directory is complete once renamed into place, and kept once an image
 * referring to it is committed; one without a record is from an interrupted pull. */
static int remove_orphans(berth_engine *e, store_txn *t, berth_error *err) {
        _cleanup_free_ char *dir = xasprintf("%s/layers", berth_engine_config(e)->root);
        DIR *d = opendir(dir);
        struct dirent *de;

        if (!d)
                return errno == ENOENT ? 0 : berth_err_errno(err, -errno, "cannot open %s", dir);
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *diff_id = xasprintf("sha256:%s", de->d_name);
                const char *data;
                size_t size;
                if (store_get(t, STORE_LAYERS, diff_id, &data, &size, NULL) >= 0)
                        continue;
                _cleanup_free_ char *path = xasprintf("%s/%s", dir, de->d_name);
                log_info("removing layer %s left by an interrupted pull", de->d_name);
                berth_rm_rf(path, NULL);
        }
        closedir(d);
        return 0;
}

/* Tar-splits of layers no record refers to (removed while the daemon was down). */
static void remove_orphan_tar_splits(berth_engine *e, store_txn *t) {
        _cleanup_free_ char *dir = xasprintf("%s/tar-split", berth_engine_config(e)->root);
        DIR *d = opendir(dir);
        struct dirent *de;

        while (d && (de = readdir(d))) {
                _cleanup_free_ char *diff_id = xasprintf("sha256:%s", de->d_name);
                if (de->d_name[0] == '.' || layer_exists(t, diff_id))
                        continue;
                _cleanup_free_ char *path = xasprintf("%s/%s", dir, de->d_name);
                unlink(path);
        }
        if (d)
                closedir(d);
}

int image_store_recover(berth_engine *e, berth_error *err) {
        _cleanup_(store_txn_abortp) store_txn *t = NULL;
        _cleanup_free_ char *tmp = layer_tmp_dir(e);
        _cleanup_free_ char *layers = xasprintf("%s/layers", berth_engine_config(e)->root);
        int rc = berth_rm_rf(tmp, err);

        if (rc >= 0)
                rc = berth_mkdir_p(layers, 0700, err);
        if (rc >= 0)
                rc = store_txn_begin(engine_store(e), false, &t, err);
        if (rc >= 0)
                rc = remove_orphans(e, t, err);
        if (rc >= 0)
                remove_orphan_tar_splits(e, t);
        return rc;
}
