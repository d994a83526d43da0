/* Manifests, indexes and image configs: the JSON documents a pull reads and a push
 * writes. Internal. */
#pragma once

#include <stdint.h>
#include <stddef.h>

#include "berth/error.h"

#define MEDIA_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MEDIA_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MEDIA_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MEDIA_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define MEDIA_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MEDIA_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MEDIA_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MEDIA_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MEDIA_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"

enum manifest_kind {
        MANIFEST_IMAGE,
        MANIFEST_INDEX,
};

struct manifest_layer {
        char *digest;
        char *media_type;
        int64_t size;
};

struct image_manifest {
        char *media_type;
        char *config_digest;
        int64_t config_size;
        struct manifest_layer *layers;
        size_t n_layers;
};

/* What the document is, from the registry's Content-Type and the body's own mediaType.
 * Schema 1 and unknown types are -EOPNOTSUPP naming the type. */
int manifest_classify(const char *content_type, const char *data, size_t size, enum manifest_kind *ret,
                      berth_error *err);

int manifest_parse(const char *data, size_t size, struct image_manifest *ret, berth_error *err);
void manifest_done(struct image_manifest *m);

/* Picks the entry for os/arch[/variant] from a manifest list or OCI index. -ENOENT
 * names the platform and lists the ones offered. */
int index_choose(const char *data, size_t size, const char *os, const char *arch, const char *variant,
                 char **ret_digest, berth_error *err);

struct image_config_info {
        char **diff_ids;     /* NULL-terminated */
        size_t n_diff_ids;
        char *os, *architecture;
};
int config_parse(const char *data, size_t size, struct image_config_info *ret, berth_error *err);
void config_info_done(struct image_config_info *c);

/* manifest-write.c: what a push sends. */
struct manifest_blob {
        const char *digest;
        uint64_t size;
};

/* A Docker schema 2 manifest (config and gzip layers), formatted as Docker does. */
char *manifest_build(const struct manifest_blob *config, const struct manifest_blob *layers, size_t n_layers);

/* The config with rootfs.diff_ids replaced, for layers that no longer pack to the
 * stored tars; -EBADMSG when `config` is not an image config. */
int config_set_diff_ids(const char *config, char *const *diff_ids, char **ret, berth_error *err);
