/* A push in progress: shared by the push's steps (push.c) and its layer uploads. Internal. */
#pragma once

#include <pthread.h>
#include <stdatomic.h>

#include "berth/image.h"
#include "berth/reference.h"
#include "registry.h"

struct push_layer {
        const char *stored_diff_id;        /* the image's, which names the layer directory */
        char short_id[16];                 /* for progress: as Docker shows a push */
        char digest[BERTH_DIGEST_MAX];     /* of the gzip blob */
        char diff_id[BERTH_DIGEST_MAX];    /* of the tar as packed now */
        uint64_t size;                     /* of the gzip blob */
        int rc;                            /* the upload's result, and why it failed */
        berth_error err;
};

struct push {
        berth_engine *engine;
        berth_image *image;
        berth_reference *ref;
        registry *registry;
        struct push_layer *layers;
        size_t n_layers;

        atomic_bool failed;                /* a layer failed: the rest are not started */

        pthread_mutex_t progress_lock;     /* layers upload in parallel; reports one at a time */
        berth_progress_fn progress;
        void *progress_cls;
};

void push_report(struct push *p, const char *id, const char *status, uint64_t current, uint64_t total);

/* Packs each layer, compresses it into a temporary file (gone whatever happens), and
 * uploads it unless the registry has the blob; several layers at a time, as Docker and
 * Podman push. The first failed layer's error is returned. */
int push_layers(struct push *p, berth_error *err);

/* Uploads a blob held in memory (the config) unless the registry has it. */
int push_blob_buffer(struct push *p, const char *digest, const char *data, size_t size, berth_error *err);
