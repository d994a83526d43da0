/* A pull in progress: shared between the pull's steps and its layer workers. Internal. */
#pragma once

#include <pthread.h>

#include "berth/image.h"
#include "berth/reference.h"
#include "manifest.h"
#include "registry.h"

struct pull;

struct layer_job {
        struct pull *pull;
        size_t index;
        const struct manifest_layer *blob;
        const char *diff_id;
        char short_id[16];
        bool fetched;          /* unpacked by this pull (not already present) */
        bool claimed;          /* this pull holds the layer's in-progress claim */
        uint64_t size;         /* unpacked bytes */
        int rc;
        berth_error err;
};

struct pull {
        berth_engine *engine;
        berth_reference *ref;
        registry *registry;
        struct image_manifest manifest;
        char manifest_digest[BERTH_DIGEST_MAX];
        bool from_index;                   /* chosen from a manifest list for the platform */
        char *config;
        size_t config_size;
        struct image_config_info info;
        struct layer_job *jobs;

        berth_progress_fn progress;
        void *progress_cls;
        pthread_mutex_t progress_lock;
};

void pull_report(struct pull *p, const char *id, const char *status, uint64_t current, uint64_t total);

/* Fetches every layer that is not yet stored, several at a time. */
int pull_layers(struct pull *p, berth_error *err);
/* Releases claims and removes layers this pull unpacked but never committed. */
void pull_layers_release(struct pull *p, bool committed);

/* Registry options for a domain: insecure per o->tls_verify, else per config or
 * loopback; certs.d, credentials. */
void pull_registry_options(berth_engine *e, const char *domain, const berth_pull_options *o,
                           struct registry_options *ret);

/* localhost, 127.0.0.0/8 and the configured insecure registries. */
bool registry_is_insecure(berth_engine *e, const char *domain);
