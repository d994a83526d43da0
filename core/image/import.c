/* berth_image_import: a root filesystem tarball becomes a single-layer image with a
 * minimal config for this machine (docker import, podman import). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "berth/alloc.h"
#include "berth/host.h"
#include "berth/reference.h"
#include "berth/events.h"
#include "engine-internal.h"
#include "image-record.h"
#include "image-store.h"
#include "import-changes.h"
#include "layer-install.h"

#define MEDIA_DOCKER_LAYER_TAR "application/vnd.docker.image.rootfs.diff.tar"

/* The config's bytes are the image ID: keys in a fixed order, compact. */
static char *build_config(json_t *container_config, const char *diff_id, const char *message) {
        char created[64];
        struct timespec now;
        struct tm tm;
        struct utsname u;
        json_t *history, *j;
        char *text;

        clock_gettime(CLOCK_REALTIME, &now);
        gmtime_r(&now.tv_sec, &tm);
        strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(created + strlen(created), sizeof(created) - strlen(created), ".%09ldZ", now.tv_nsec);
        uname(&u);
        history = json_pack("{s:s, s:s}", "created", created, "created_by", "berth import");
        j = json_pack("{s:s, s:s, s:s}", "architecture", berth_arch_from_machine(u.machine), "os", "linux",
                      "created", created);
        if (message && *message) {
                json_object_set_new(j, "comment", json_string(message));
                json_object_set_new(history, "comment", json_string(message));
        }
        json_object_set(j, "config", container_config);
        json_object_set_new(j, "rootfs", json_pack("{s:s, s:[s]}", "type", "layers", "diff_ids", diff_id));
        json_object_set_new(j, "history", json_pack("[o]", history));
        text = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        if (!text)
                abort();
        return text;
}

static int commit(berth_engine *e, const char *id, const char *config, const struct layer_install *layer,
                  char *tag, berth_error *err) {
        _cleanup_(store_txn_abortp) store_txn *t = NULL;
        const char *diff_id = layer->digests.diff_id;
        uint64_t size = layer->digests.uncompressed_size;
        char *tags[] = { tag, NULL };
        struct image_record rec = { 0 };
        int rc;

        rec.image.id = xstrdup(id);
        rec.image.config = xstrdup(config);
        rec.image.added = time(NULL);
        rec.image.diff_ids = xnew0(char *, 2);
        rec.image.diff_ids[0] = xstrdup(diff_id);
        rec.layers = xnew0(struct image_layer_ref, 1);
        rec.layers[0] = (struct image_layer_ref) { .diff_id = xstrdup(diff_id), .digest = xstrdup(diff_id),
                                                   .media_type = xstrdup(MEDIA_DOCKER_LAYER_TAR),
                                                   .size = (int64_t) size };
        rec.n_layers = 1;
        rc = store_txn_begin(engine_store(e), true, &t, err);
        if (rc >= 0)
                rc = image_add(t, &rec, &size, tag ? tags : NULL, err);
        image_record_done(&rec);
        if (rc >= 0)
                rc = image_commit(e, &t, err);
        return rc;
}

int berth_image_import(berth_engine *e, berth_read_fn read, void *cls, const berth_import_options *o,
                       char **ret_id, berth_error *err) {
        _cleanup_(berth_reference_freep) berth_reference *ref = NULL;
        _cleanup_free_ char *key = NULL, *config = NULL;
        json_t *container_config = json_object();
        struct layer_install layer;
        char id[BERTH_DIGEST_MAX];
        int rc = 0;

        /* Everything that can be refused is, before the upload is read. */
        if (o && o->reference && *o->reference) {
                rc = berth_reference_parse(o->reference, &ref, err);
                if (rc >= 0 && ref->digest)
                        rc = berth_err(err, -EINVAL, "cannot import to a digest reference: %s", o->reference);
                if (rc >= 0)
                        key = reference_key(ref);
        }
        if (rc >= 0)
                rc = import_changes_apply(container_config, o ? o->changes : NULL, err);
        if (rc >= 0) {
                rc = layer_install(e, read, cls, "sha256", NULL, &layer, err);
                if (rc < 0)
                        berth_err_prefix(err, "importing the root filesystem tarball");
        }
        if (rc >= 0) {
                config = build_config(container_config, layer.digests.diff_id, o ? o->message : NULL);
                rc = berth_digest_buffer("sha256", config, strlen(config), id, err);
                if (rc >= 0)
                        rc = commit(e, id, config, &layer, key, err);
                if (rc < 0)
                        layer_install_rollback(e, &layer);
        }
        json_decref(container_config);
        if (rc >= 0)
                berth_event_emit(e, "image", "import", id, "name", id, NULL);
        if (rc >= 0 && ret_id)
                *ret_id = xstrdup(id);
        return rc;
}
