/* Images: lookup, listing, tags, removal, pulls and pushes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "berth/cleanup.h"
#include "berth/engine.h"
#include "berth/error.h"
#include "berth/layer.h"

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

/* TLS for one pull or push (podman's tlsVerify); the default follows the daemon. */
typedef enum berth_tls_verify {
        BERTH_TLS_DEFAULT = 0,   /* plain HTTP for loopback and the insecure registries */
        BERTH_TLS_VERIFY,        /* HTTPS with verified certificates only, loopback too */
        BERTH_TLS_SKIP,          /* as an insecure registry: plain HTTP, unverified TLS */
} berth_tls_verify;

typedef struct berth_pull_options {
        const char *os, *arch, *variant;     /* NULL: this machine's */
        const char *username, *password;     /* NULL: from the auth files, else anonymous */
        const char *registry_token;          /* a bearer token used as is (Docker's registrytoken) */
        berth_tls_verify tls_verify;
        /* Docker's rule: an image that is no manifest list must be of the os/arch asked
         * for (Podman pulls it anyway). */
        bool platform_must_match;
} berth_pull_options;

/* Pulls `ref` (normalized as Docker does): every manifest and blob is verified, layers
 * stream from the registry into the store in parallel, and nothing of a failed pull
 * stays behind. Concurrent pulls of the same layers do the work once. */
int berth_image_pull(berth_engine *e, const char *ref, const berth_pull_options *o, berth_progress_fn progress,
                     void *cls, char **ret_id, berth_error *err);

/* Pulls every tag of the repository `ref` names (a tag or digest in it is ignored, as
 * podman does), one tag after another as berth_image_pull() does, and stops at the
 * first failure. ret_ids: each tag's image ID in the registry's order of tags (an ID
 * repeats for tags of one image), NULL-terminated. A repository without tags is -ENOENT. */
int berth_image_pull_all_tags(berth_engine *e, const char *ref, const berth_pull_options *o,
                              berth_progress_fn progress, void *cls, char ***ret_ids, berth_error *err);

/* Pushes the image `name` resolves to as `destination` (a reference with a tag; NULL
 * for `name` itself) in Docker schema 2 form: each layer is packed, gzip-compressed
 * into a temporary file and uploaded unless the registry has it already. A layer that
 * no longer packs to its stored tar gets its new diff ID in the pushed config, so the
 * pushed image's ID differs from the local one. The manifest digest is recorded as a
 * repo digest of the local image and returned. The last progress event of a push is
 * "TAG: digest: DIGEST size: SIZE" with `total` the manifest's size. Credentials
 * and registry settings as for pulls. */
int berth_image_push(berth_engine *e, const char *name, const char *destination, const berth_pull_options *creds,
                     berth_progress_fn progress, void *cls, char **ret_digest, berth_error *err);

/* Removes `target` (a reference), or every name when NULL, from the image `name`
 * resolves to; the image stays, dangling if it has no name left. */
int berth_image_untag(berth_engine *e, const char *name, const char *target, berth_error *err);

typedef enum berth_archive_format {
        BERTH_ARCHIVE_DOCKER,   /* docker save: manifest.json, <hex>.json, <diff hex>/layer.tar */
        BERTH_ARCHIVE_OCI,      /* an OCI image layout: oci-layout, index.json, blobs/sha256/ */
} berth_archive_format;

/* docker save: writes the images `names` (NULL-terminated; references or IDs) as one
 * uncompressed tar. Names that are references become the images' RepoTags; a name
 * without a tag stands for every tag of its repository. Layers are written exactly as
 * their diff_ids say: rebuilt from the tar-split kept when they were loaded or
 * imported, else packed again, which is refused (-EIO) when it does not reproduce them.
 * Unknown names fail before anything is written. */
int berth_image_save(berth_engine *e, char *const *names, berth_archive_format format, berth_write_fn write,
                     void *cls, berth_error *err);

/* docker load: reads a docker-archive or an oci-archive (plain or compressed tar) and
 * stores its images, each layer verified against its config's diff_ids, all in one
 * transaction: on failure nothing of the archive stays. ret_loaded_names: the names
 * loaded ("docker.io/library/busybox:latest"), or the ID of an image without any. */
int berth_image_load(berth_engine *e, berth_read_fn read, void *cls, char ***ret_loaded_names, berth_error *err);

typedef struct berth_import_options {
        const char *reference;   /* the name to give the image; NULL: none */
        const char *message;     /* the history entry's comment */
        char *const *changes;    /* Dockerfile instructions for the config: CMD ["sh"], ENV A=b,
                                  * WORKDIR /x (podman's CMD=sh too); NULL-terminated */
} berth_import_options;

/* docker import: a root filesystem tarball (any compression) becomes a single-layer
 * image with a minimal config for this machine's architecture. */
int berth_image_import(berth_engine *e, berth_read_fn read, void *cls, const berth_import_options *o,
                       char **ret_id, berth_error *err);

/* docker import URL, podman import URL: the tarball downloads from an http or https
 * `url` (another scheme is -EINVAL) straight into berth_image_import(). Progress: one
 * "Downloading from <url>" once the answer looks like a tarball, then "Importing"
 * with the bytes read so far (current, total; total 0 when the length is unknown). */
int berth_image_import_url(berth_engine *e, const char *url, const berth_import_options *o,
                           berth_progress_fn progress, void *cls, char **ret_id, berth_error *err);
