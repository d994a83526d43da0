/* Layers that arrive as streams outside a pull (load, import): unpacked while their
 * tar-split is recorded, verified, and moved into the store. Internal. */
#pragma once

#include <stdbool.h>

#include "berth/engine.h"
#include "berth/layer.h"

/* berth_layer_unpack() that also records the layer's tar-split beside dest_dir (as
 * "<dest_dir>.tar-split"), so save can rebuild the exact tar; ret->digest is of the blob
 * as read, hashed with blob_algorithm. A tar the recorder cannot follow is unpacked all
 * the same. */
int layer_unpack_recorded(berth_read_fn read, void *cls, const char *blob_algorithm, const char *dest_dir,
                          berth_layer_digests *ret, berth_error *err);
/* After verification: moves the tar-split recorded for dest_dir into the store as the
 * layer's (a missing one is fine). */
void layer_tar_split_keep(berth_engine *e, const char *dest_dir, const char *diff_id);
/* After a failure: removes the tar-split recorded for dest_dir, if any. */
void layer_tar_split_drop(const char *dest_dir);

struct layer_install {
        berth_layer_digests digests;
        bool fresh;     /* moved into the store by this install */
};

/* Unpacks into ROOT/tmp, checks the diff_id against expect_diff_id when given, and
 * moves the layer to layer_dir() unless it is there already. Nothing stays in ROOT/tmp. */
int layer_install(berth_engine *e, berth_read_fn read, void *cls, const char *blob_algorithm,
                  const char *expect_diff_id, struct layer_install *ret, berth_error *err);
/* After a failed commit: removes a fresh layer that no stored image refers to. */
void layer_install_rollback(berth_engine *e, const struct layer_install *l);
