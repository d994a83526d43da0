/* The on-disk state under --root: a lock that admits one daemon, and the LMDB metadata. */
#pragma once

#include "berth/error.h"

typedef struct berth_store berth_store;

/* Creates `root` if needed, takes its lock (a second daemon on the same root gets
 * -EBUSY naming the holder's pid), and opens the metadata database. */
int berth_store_open(const char *root, berth_store **ret, berth_error *err);
berth_store *berth_store_free(berth_store *store);

/* The engine's stable identity, created with the store (Docker's info "ID"). */
const char *berth_store_engine_id(const berth_store *store);
