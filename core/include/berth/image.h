/* Images: lookup, listing, tags, removal and pulls. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "berth/cleanup.h"
#include "berth/engine.h"
#include "berth/error.h"

typedef struct berth_image {
        char *id;                /* "sha256:<hex>": the digest of the config */
        char **tags;             /* "docker.io/library/busybox:latest", NULL-terminated */
        char **digests;          /* "docker.io/library/busybox@sha256:...", NULL-terminated */
        char *config;            /* the image config JSON, byte for byte */
        char *manifest_digest;   /* NULL for images that were not pulled */
        char **diff_ids;         /* NULL-terminated, lowest layer first */
        uint64_t size;           /* bytes of all layers unpacked */
        int64_t added;           /* when it came into the store, nanoseconds since the epoch */
} berth_image;

berth_image *berth_image_free(berth_image *img);
DEFINE_TRIVIAL_CLEANUP_FUNC(berth_image *, berth_image_free);
void berth_image_list_free(berth_image **images);

/* name: a reference ("busybox", "localhost:5000/x:1", "x@sha256:..."), a full ID, or an
 * unambiguous ID prefix. -ENOENT is "No such image: NAME"; an ambiguous prefix -EINVAL. */
int berth_image_lookup(berth_engine *e, const char *name, berth_image **ret, berth_error *err);

/* Every image, newest first; NULL-terminated. */
int berth_image_list(berth_engine *e, berth_image ***ret, berth_error *err);

/* Bumped by every change to images, names or layers; lets callers cache listings. */
uint64_t berth_image_generation(berth_engine *e);

/* Points `target` (a reference; "latest" if untagged) at the image `name` resolves to. */
int berth_image_tag(berth_engine *e, const char *name, const char *target, berth_error *err);

typedef struct berth_image_removal {
        char **untagged;   /* names removed, NULL-terminated */
        char **deleted;    /* image IDs deleted */
} berth_image_removal;
void berth_image_removal_done(berth_image_removal *r);

/* Docker's rmi: a name that is one of several on the image is only untagged; the last
 * name (or an ID) deletes the image and its unshared layers. An ID with several names
 * needs force. -EBUSY when containers use it (later) unless force. */
int berth_image_remove(berth_engine *e, const char *name, bool force, berth_image_removal *ret,
                       berth_error *err);

typedef struct berth_progress {
        const char *id;        /* short layer digest, or NULL for the whole pull */
        const char *status;    /* "Pulling fs layer", "Downloading", "Pull complete", ... */
        uint64_t current, total;
} berth_progress;
typedef void (*berth_progress_fn)(void *cls, const berth_progress *p);

typedef struct berth_pull_options {
        const char *os, *arch, *variant;     /* NULL: this machine's */
        const char *username, *password;     /* NULL: from the auth files, else anonymous */
} berth_pull_options;

/* Pulls `ref` (normalized as Docker does): every manifest and blob is verified, layers
 * stream from the registry into the store in parallel, and nothing of a failed pull
 * stays behind. Concurrent pulls of the same layers do the work once. */
int berth_image_pull(berth_engine *e, const char *ref, const berth_pull_options *o, berth_progress_fn progress,
                     void *cls, char **ret_id, berth_error *err);

/* Removes `target` (a reference), or every name when NULL, from the image `name`
 * resolves to; the image stays, dangling if it has no name left. */
int berth_image_untag(berth_engine *e, const char *name, const char *target, berth_error *err);
