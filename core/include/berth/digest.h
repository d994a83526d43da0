/* Content digests ("sha256:<hex>", "sha512:<hex>") computed while data streams by. */
#pragma once

#include <stddef.h>

#include "berth/cleanup.h"
#include "berth/error.h"

/* "sha512:" + 128 hex digits + NUL */
#define BERTH_DIGEST_MAX 136

typedef struct berth_hasher berth_hasher;

/* algorithm: "sha256" or "sha512"; anything else is -EINVAL. */
int berth_hasher_new(const char *algorithm, berth_hasher **ret, berth_error *err);
void berth_hasher_update(berth_hasher *h, const void *data, size_t size);
/* Writes "algo:hex" to out; the hasher cannot be updated afterwards. */
void berth_hasher_final(berth_hasher *h, char out[BERTH_DIGEST_MAX]);
berth_hasher *berth_hasher_free(berth_hasher *h);
DEFINE_TRIVIAL_CLEANUP_FUNC(berth_hasher *, berth_hasher_free);

/* The algorithm part of a digest ("sha256" of "sha256:ab..") into buf; -EINVAL if none. */
int berth_digest_algorithm(const char *digest, char *buf, size_t size);

int berth_digest_buffer(const char *algorithm, const void *data, size_t size, char out[BERTH_DIGEST_MAX],
                        berth_error *err);
