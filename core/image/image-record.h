/* The stored form of an image and a layer (JSON in LMDB), and its conversions. */
#pragma once

#include "berth/image.h"
#include "berth/strv.h"
#include "tables.h"

/* Extra per-layer facts kept with an image: what the registry called the blob. */
struct image_layer_ref {
        char *diff_id;
        char *digest;        /* compressed blob digest, or the diff_id when none */
        char *media_type;
        int64_t size;        /* blob size */
};

struct image_record {
        berth_image image;
        struct image_layer_ref *layers;   /* one per image.diff_ids entry */
        size_t n_layers;
};

void image_record_done(struct image_record *rec);
char *image_record_encode(const struct image_record *rec);
int image_record_decode(const char *data, size_t size, struct image_record *ret, berth_error *err);

/* Reads the record of an image ID within t. -ENOENT when absent. */
int image_record_get(store_txn *t, const char *id, struct image_record *ret, berth_error *err);
int image_record_put(store_txn *t, const struct image_record *rec, berth_error *err);

/* Layer reference counts: one per image using the layer. */
int layer_ref(store_txn *t, const char *diff_id, uint64_t size, berth_error *err);
/* Drops a reference; *ret_unused is set when none remain (the record is gone). */
int layer_unref(store_txn *t, const char *diff_id, bool *ret_unused, berth_error *err);
bool layer_exists(store_txn *t, const char *diff_id);

/* A deep copy of an image, for callers outside the transaction. */
berth_image *image_copy(const berth_image *img);


/* Now, in nanoseconds since the epoch: when an image enters the store. */
int64_t image_now_ns(void);
