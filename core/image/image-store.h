/* Helpers the image modules share (lookup, names, layer paths). Internal. */
#pragma once

#include <stdbool.h>

#include "berth/engine.h"
#include "berth/reference.h"
#include "tables.h"

/* ROOT/layers/<hex>: the unpacked tree of a layer, an overlay lower directory. */
char *layer_dir(berth_engine *e, const char *diff_id);
/* ROOT/tmp: where layers are unpacked before they are complete. */
char *layer_tmp_dir(berth_engine *e);

/* Bumps the generation after a committed change. */
void image_changed(berth_engine *e);

char *reference_key(const berth_reference *ref);
int image_resolve(store_txn *t, const char *name, char **ret_id, berth_error *err);
int name_assign(store_txn *t, const char *key, const char *id, bool is_digest, berth_error *err);

/* Removes what a crash left: ROOT/tmp, and layer directories no record refers to. */
int image_store_recover(berth_engine *e, berth_error *err);
