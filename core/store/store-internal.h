/* What the store's own files share; nothing outside core/store includes this. */
#pragma once

#include "berth/error.h"

/* Turns an LMDB return code into a negative errno with a message naming `what`. */
int store_lmdb_error(berth_error *err, int rc, const char *what);

#include <lmdb.h>

struct berth_store;
MDB_env *store_env(const struct berth_store *s);
MDB_dbi store_dbi(const struct berth_store *s, int table);
