/* Helpers the image modules share (lookup, names, layer paths). Internal. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "berth/engine.h"
#include "berth/reference.h"
#include "tables.h"

/* ROOT/layers/<hex>: the unpacked tree of a layer, an overlay lower directory. */
char *layer_dir(berth_engine *e, const char *diff_id);
/* ROOT/tmp: where layers are unpacked before they are complete. */
char *layer_tmp_dir(berth_engine *e);
/* A new directory ROOT/tmp/<prefix>-XXXXXX (ROOT/tmp created if needed). */
int layer_tmp_mkdtemp(berth_engine *e, const char *prefix, char **ret_path, berth_error *err);
/* An unlinked file in ROOT/tmp: nothing to remove after a failure or a crash. */
int layer_tmp_file(berth_engine *e, const char *prefix, int *ret_fd, berth_error *err);
/* ROOT/tar-split/<hex>: what rebuilds the layer's exact tar from layer_dir() (tar-split.h). */
char *layer_tar_split_path(berth_engine *e, const char *diff_id);

/* Bumps the generation after a committed change. */
void image_changed(berth_engine *e);
/* Commits *t (consumed) and bumps the generation. */
int image_commit(berth_engine *e, store_txn **t, berth_error *err);

char *reference_key(const berth_reference *ref);
int image_resolve(store_txn *t, const char *name, char **ret_id, berth_error *err);
int name_assign(store_txn *t, const char *key, const char *id, bool is_digest, berth_error *err);

struct image_record;
/* Records an image that arrived whole (load, import): `rec` with references on its
 * layers (layer_sizes: unpacked bytes of each) unless an image with its ID is stored,
 * then points each of `tags` (name keys) at it. In image-add.c. */
int image_add(store_txn *t, struct image_record *rec, const uint64_t *layer_sizes, char *const *tags,
              berth_error *err);

/* Removes what a crash left: ROOT/tmp, and layer directories no record refers to. */
int image_store_recover(berth_engine *e, berth_error *err);
