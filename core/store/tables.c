/* LMDB transactions and the table operations every core module uses. */
#include "tables.h"

#include <errno.h>
#include <lmdb.h>
#include <string.h>

#include "berth/alloc.h"
#include "store-internal.h"

struct store_txn {
        berth_store *store;
        MDB_txn *txn;
};

int store_txn_begin(berth_store *s, bool write, store_txn **ret, berth_error *err) {
        MDB_txn *txn;
        int rc = mdb_txn_begin(store_env(s), NULL, write ? 0 : MDB_RDONLY, &txn);
        if (rc != 0)
                return store_lmdb_error(err, rc, "begin transaction");
        store_txn *t = xnew0(store_txn, 1);
        t->store = s;
        t->txn = txn;
        *ret = t;
        return 0;
}

int store_txn_commit(store_txn *t, berth_error *err) {
        int rc = mdb_txn_commit(t->txn);
        free(t);
        return rc ? store_lmdb_error(err, rc, "commit") : 0;
}

void store_txn_abort(store_txn *t) {
        mdb_txn_abort(t->txn);
        free(t);
}

static MDB_val key_of(const char *key) {
        return (MDB_val) { .mv_size = strlen(key), .mv_data = (void *) key };
}

int store_get(store_txn *t, enum store_table table, const char *key, const char **ret_data, size_t *ret_size,
              berth_error *err) {
        MDB_val k = key_of(key), v;
        int rc = mdb_get(t->txn, store_dbi(t->store, table), &k, &v);
        if (rc == MDB_NOTFOUND)
                return -ENOENT;
        if (rc != 0)
                return store_lmdb_error(err, rc, "read");
        *ret_data = v.mv_data;
        *ret_size = v.mv_size;
        return 0;
}

int store_put(store_txn *t, enum store_table table, const char *key, const char *data, size_t size,
              berth_error *err) {
        MDB_val k = key_of(key), v = { .mv_size = size, .mv_data = (void *) data };
        int rc = mdb_put(t->txn, store_dbi(t->store, table), &k, &v, 0);
        return rc ? store_lmdb_error(err, rc, "write") : 0;
}

int store_del(store_txn *t, enum store_table table, const char *key, berth_error *err) {
        MDB_val k = key_of(key);
        int rc = mdb_del(t->txn, store_dbi(t->store, table), &k, NULL);
        if (rc == MDB_NOTFOUND)
                return -ENOENT;
        return rc ? store_lmdb_error(err, rc, "delete") : 0;
}

int store_foreach(store_txn *t, enum store_table table, const char *prefix, store_each_fn fn, void *cls,
                  berth_error *err) {
        size_t plen = prefix ? strlen(prefix) : 0;
        MDB_cursor *cur;
        MDB_val k = { .mv_size = plen, .mv_data = (void *) prefix }, v;
        int rc = mdb_cursor_open(t->txn, store_dbi(t->store, table), &cur), r = 0;

        if (rc != 0)
                return store_lmdb_error(err, rc, "cursor");
        rc = mdb_cursor_get(cur, &k, &v, plen ? MDB_SET_RANGE : MDB_FIRST);
        while (rc == 0) {
                if (plen && (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0))
                        break;
                r = fn(cls, k.mv_data, k.mv_size, v.mv_data, v.mv_size);
                if (r < 0)
                        break;
                rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
        }
        mdb_cursor_close(cur);
        if (r < 0)
                return r;
        return rc == 0 || rc == MDB_NOTFOUND ? 0 : store_lmdb_error(err, rc, "walk");
}
