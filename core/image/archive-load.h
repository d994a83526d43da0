/* What an image archive holds, read from its spooled members: the images to load, each
 * with its config, layer members and names. Internal. */
#pragma once

#include <stdint.h>

#include "archive-spool.h"
#include "berth/digest.h"
#include "manifest.h"

struct load_layer {
        char *member;        /* where the blob is in the archive */
        char *digest;        /* the blob's digest to check (oci-archive), else NULL */
        char *media_type;
        int64_t size;        /* the blob's size as the manifest says, 0 if unknown */
};

struct load_image {
        char id[BERTH_DIGEST_MAX];
        char *config;
        size_t config_size;
        struct image_config_info info;
        struct load_layer *layers;
        size_t n_layers;
        char **tags;         /* name keys ("docker.io/library/busybox:latest") */
};

struct load_plan {
        struct load_image *images;
        size_t n_images;
};

void load_plan_done(struct load_plan *p);

/* Reads the config member (checked against expect_digest when given; the image ID is
 * its digest) and returns the plan's image with that ID, added if new. */
int load_plan_image(struct load_plan *p, const struct archive_spool *s, const char *member,
                    const char *expect_digest, struct load_image **ret, berth_error *err);
/* Adds a name (a reference; digest references are skipped) to an image. */
int load_image_name(struct load_image *img, const char *name, berth_error *err);
void load_image_layer(struct load_image *img, const char *member, const char *digest, const char *media_type,
                      int64_t size);

/* manifest.json (docker save) */
int load_plan_docker(struct load_plan *p, const struct archive_spool *s, berth_error *err);
/* index.json (OCI image layout), in archive-load-oci.c */
int load_plan_oci(struct load_plan *p, const struct archive_spool *s, berth_error *err);
