/* berth_image_push: local image -> each layer packed, compressed and uploaded -> the
 * config -> a schema 2 manifest under the tag -> its digest recorded on the image. */
#include "push.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/log.h"
#include "berth/events.h"
#include "engine-internal.h"
#include "image-record.h"
#include "image-store.h"
#include "manifest.h"
#include "pull.h"

void push_report(struct push *p, const char *id, const char *status, uint64_t current, uint64_t total) {
        if (!p->progress)
                return;
        berth_progress ev = { .id = id, .status = status, .current = current, .total = total };
        pthread_mutex_lock(&p->progress_lock);
        p->progress(p->progress_cls, &ev);
        pthread_mutex_unlock(&p->progress_lock);
}

static void make_layers(struct push *p) {
        p->n_layers = strv_length(p->image->diff_ids);
        p->layers = xnew0(struct push_layer, p->n_layers + 1);
        for (size_t i = 0; i < p->n_layers; i++) {
                const char *id = p->image->diff_ids[i], *hex = strchr(id, ':');
                p->layers[i].stored_diff_id = id;
                snprintf(p->layers[i].short_id, sizeof(p->layers[i].short_id), "%.12s", hex ? hex + 1 : id);
        }
}

/* The stored config when every layer packed to its stored tar; else the tars pushed
 * are new ones (the layer's original bytes are not kept), and the config must name
 * them, so the pushed image gets another ID. */
static int make_config(struct push *p, char **ret, berth_error *err) {
        _cleanup_free_ char **ids = xnew0(char *, p->n_layers + 1);
        bool same = true;

        for (size_t i = 0; i < p->n_layers; i++) {
                ids[i] = p->layers[i].diff_id;
                same = same && strcmp(p->layers[i].diff_id, p->layers[i].stored_diff_id) == 0;
        }
        if (same) {
                *ret = xstrdup(p->image->config);
                return 0;
        }
        log_info("image %s: its layers pack to other tars than the stored ones; pushing a config with their "
                 "diff IDs", p->image->id);
        return config_set_diff_ids(p->image->config, ids, ret, err);
}

static int put_manifest(struct push *p, char ret_digest[BERTH_DIGEST_MAX], size_t *ret_size, berth_error *err) {
        _cleanup_free_ struct manifest_blob *blobs = xnew0(struct manifest_blob, p->n_layers + 1);
        _cleanup_free_ char *config = NULL, *manifest = NULL;
        char config_digest[BERTH_DIGEST_MAX];
        int rc = make_config(p, &config, err);

        if (rc >= 0)
                rc = berth_digest_buffer("sha256", config, strlen(config), config_digest, err);
        if (rc >= 0)
                rc = push_blob_buffer(p, config_digest, config, strlen(config), err);
        if (rc < 0)
                return rc;
        for (size_t i = 0; i < p->n_layers; i++)
                blobs[i] = (struct manifest_blob) { p->layers[i].digest, p->layers[i].size };
        manifest = manifest_build(&(struct manifest_blob) { config_digest, strlen(config) }, blobs, p->n_layers);
        rc = registry_put_manifest(p->registry, p->ref->path, p->ref->tag, MEDIA_DOCKER_MANIFEST, manifest,
                                   strlen(manifest), err);
        if (rc >= 0)
                rc = berth_digest_buffer("sha256", manifest, strlen(manifest), ret_digest, err);
        if (rc >= 0)
                *ret_size = strlen(manifest);
        return rc;
}

/* As after a pull: the image lists "repo@digest" among its RepoDigests. */
static int record_digest(struct push *p, const char *digest, berth_error *err) {
        _cleanup_(store_txn_abortp) store_txn *t = NULL;
        _cleanup_free_ char *key = xasprintf("%s/%s@%s", p->ref->domain, p->ref->path, digest);
        struct image_record rec;
        int rc = store_txn_begin(engine_store(p->engine), true, &t, err);

        if (rc >= 0)
                rc = image_record_get(t, p->image->id, &rec, err);
        if (rc < 0)
                return rc;
        rc = name_assign(t, key, rec.image.id, true, err);
        if (rc >= 0) {
                strv_add(&rec.image.digests, key);
                rc = image_record_put(t, &rec, err);
        }
        image_record_done(&rec);
        if (rc >= 0)
                rc = image_commit(p->engine, &t, err);
        return rc;
}

static int run(struct push *p, const berth_pull_options *creds, char ret_digest[BERTH_DIGEST_MAX], size_t *ret_size,
               berth_error *err) {
        _cleanup_free_ char *repo = berth_reference_repository(p->ref), *status = NULL;
        struct registry_options ro;
        bool exists;
        int rc;

        pull_registry_options(p->engine, p->ref->domain, creds, &ro);
        rc = registry_open(p->ref->domain, &ro, &p->registry, err);
        /* An unreachable registry or refused credentials fail before any progress (an
         * error status, not a line in a stream): the config check asks with them. */
        if (rc >= 0)
                rc = registry_ping(p->registry, err);
        if (rc >= 0)
                rc = registry_blob_exists(p->registry, p->ref->path, p->image->id, &exists, err);
        if (rc < 0)
                return rc;
        status = xasprintf("The push refers to repository [%s]", repo);
        push_report(p, NULL, status, 0, 0);
        for (size_t i = 0; i < p->n_layers; i++)
                push_report(p, p->layers[i].short_id, "Preparing", 0, 0);
        rc = push_layers(p, err);
        if (rc >= 0)
                rc = put_manifest(p, ret_digest, ret_size, err);
        return rc;
}

static int parse_target(struct push *p, const char *name, const char *destination, berth_error *err) {
        const char *target = destination && *destination ? destination : name;
        int rc;

        if (target == name && strncmp(name, "sha256:", 7) == 0)
                return berth_err(err, -EINVAL, "cannot push image ID %s: give a destination to push it as", name);
        rc = berth_reference_parse(target, &p->ref, err);
        if (rc >= 0 && p->ref->digest)
                rc = berth_err(err, -EINVAL, "cannot push to %s: a push goes to a tag, not a digest", target);
        return rc;
}

int berth_image_push(berth_engine *e, const char *name, const char *destination, const berth_pull_options *creds,
                     berth_progress_fn progress, void *cls, char **ret_digest, berth_error *err) {
        struct push p = { .engine = e, .progress = progress, .progress_cls = cls,
                          .progress_lock = PTHREAD_MUTEX_INITIALIZER };
        char digest[BERTH_DIGEST_MAX];
        size_t size = 0;
        int rc = berth_image_lookup(e, name, &p.image, err);

        if (rc >= 0)
                rc = parse_target(&p, name, destination, err);
        if (rc >= 0) {
                make_layers(&p);
                rc = run(&p, creds, digest, &size, err);
                if (rc < 0 && err) {
                        _cleanup_free_ char *repo = berth_reference_repository(p.ref);
                        berth_err_prefix(err, "pushing %s", repo);
                }
        }
        if (rc >= 0) {
                berth_error record_err = { 0 };
                /* The push itself succeeded: a vanished image only loses the record. */
                if (record_digest(&p, digest, &record_err) < 0)
                        log_warn("push of %s: %s", name, record_err.message);
                _cleanup_free_ char *status = xasprintf("%s: digest: %s size: %zu", p.ref->tag, digest, size);
                push_report(&p, NULL, status, size, size);
                if (ret_digest)
                        *ret_digest = xstrdup(digest);
                _cleanup_free_ char *full = berth_reference_string(p.ref);
                _cleanup_free_ char *shown = berth_reference_familiar(full);
                berth_event_emit(e, "image", "push", shown, "name", shown, NULL);
        }
        registry_free(p.registry);
        berth_reference_free(p.ref);
        berth_image_free(p.image);
        free(p.layers);
        return rc;
}
