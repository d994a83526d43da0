/* Transactions and tables of the metadata store, for core's own modules. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "berth/cleanup.h"
#include "berth/error.h"
#include "berth/store.h"

enum store_table {
        STORE_META,
        STORE_IMAGES,     /* image id -> image record (JSON) */
        STORE_NAMES,      /* "domain/path:tag" or "domain/path@digest" -> image id */
        STORE_LAYERS,     /* diff id -> layer record (JSON) */
        STORE_CONTAINERS, /* container id -> container record */
        STORE_TABLE_MAX,
};

typedef struct store_txn store_txn;

/* Write transactions are serialized by LMDB; readers never block. */
int store_txn_begin(berth_store *s, bool write, store_txn **ret, berth_error *err);
/* Commits and frees; on failure nothing of the transaction is kept. */
int store_txn_commit(store_txn *t, berth_error *err);
void store_txn_abort(store_txn *t);
static inline void store_txn_abortp(store_txn **t) {
        if (*t)
                store_txn_abort(*t);
}

/* Values point into the map and live until the transaction ends. -ENOENT when absent. */
int store_get(store_txn *t, enum store_table table, const char *key, const char **ret_data, size_t *ret_size,
              berth_error *err);
int store_put(store_txn *t, enum store_table table, const char *key, const char *data, size_t size,
              berth_error *err);
/* -ENOENT when absent. */
int store_del(store_txn *t, enum store_table table, const char *key, berth_error *err);

/* Calls fn for each key starting with prefix (all with NULL), in key order; a negative
 * return from fn stops the walk and is returned. */
typedef int (*store_each_fn)(void *cls, const char *key, size_t key_size, const char *data, size_t size);
int store_foreach(store_txn *t, enum store_table table, const char *prefix, store_each_fn fn, void *cls,
                  berth_error *err);

/* The directory holding the store (--root). */
const char *store_root(const berth_store *s);
