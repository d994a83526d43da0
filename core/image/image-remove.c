/* Image removal: untag, delete, release layers (directories go after the commit). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/container.h"
#include "berth/log.h"
#include "berth/path.h"
#include "berth/events.h"
#include "image-record.h"
#include "engine-internal.h"
#include "image-store.h"

void berth_image_removal_done(berth_image_removal *r) {
        strv_freep(&r->untagged);
        strv_freep(&r->deleted);
}

struct removal {
        struct image_record rec;
        berth_image_removal out;
        char **unused_layers;
};

static int untag(store_txn *t, struct removal *m, const char *name, bool is_digest, berth_error *err) {
        _cleanup_free_ char *key = xstrdup(name);   /* `name` may be the entry removed below */
        int rc = store_del(t, STORE_NAMES, key, err);
        if (rc < 0 && rc != -ENOENT)
                return rc;
        strv_remove(is_digest ? &m->rec.image.digests : &m->rec.image.tags, key);
        strv_add(&m->out.untagged, key);
        return 0;
}

static int delete_image(store_txn *t, struct removal *m, berth_error *err) {
        int rc;
        while (m->rec.image.tags && m->rec.image.tags[0])
                if ((rc = untag(t, m, m->rec.image.tags[0], false, err)) < 0)
                        return rc;
        while (m->rec.image.digests && m->rec.image.digests[0])
                if ((rc = untag(t, m, m->rec.image.digests[0], true, err)) < 0)
                        return rc;
        for (size_t i = 0; i < m->rec.n_layers; i++) {
                bool unused = false;
                rc = layer_unref(t, m->rec.layers[i].diff_id, &unused, err);
                if (rc < 0)
                        return rc;
                if (unused)
                        strv_add(&m->unused_layers, m->rec.layers[i].diff_id);
        }
        rc = store_del(t, STORE_IMAGES, m->rec.image.id, err);
        if (rc < 0)
                return rc;
        strv_add(&m->out.deleted, m->rec.image.id);
        return 0;
}

/* The name key when `name` is a reference naming the image (not an ID). */
static char *named_key(const char *name, const berth_image *img, bool *is_digest) {
        _cleanup_(berth_reference_freep) berth_reference *ref = NULL;
        if (strncmp(name, "sha256:", 7) == 0 || berth_reference_parse(name, &ref, NULL) < 0)
                return NULL;
        char *key = reference_key(ref);
        *is_digest = ref->digest != NULL;
        for (char **v = *is_digest ? img->digests : img->tags; v && *v; v++)
                if (strcmp(*v, key) == 0)
                        return key;
        free(key);
        return NULL;
}

/* Containers stand on the image's layers: deleting it needs force, and even then only
 * its names go (the image stays, dangling, until no container uses it). */
static int delete_or_keep(berth_engine *e, store_txn *t, const char *name, bool force, struct removal *m,
                          berth_error *err) {
        unsigned users = berth_container_count_using_image(e, m->rec.image.id);
        if (users == 0)
                return delete_image(t, m, err);
        if (!force)
                return berth_err(err, -EBUSY,
                                 "conflict: unable to remove repository reference \"%s\" (must force) - %u "
                                 "container(s) use image %.19s",
                                 name, users, m->rec.image.id + 7);
        while (m->rec.image.tags && m->rec.image.tags[0]) {
                int rc = untag(t, m, m->rec.image.tags[0], false, err);
                if (rc < 0)
                        return rc;
        }
        return image_record_put(t, &m->rec, err);
}

static int plan(berth_engine *e, store_txn *t, const char *name, bool force, struct removal *m, berth_error *err) {
        _cleanup_free_ char *id = NULL, *key = NULL;
        bool is_digest = false;
        int rc = image_resolve(t, name, &id, err);

        if (rc >= 0)
                rc = image_record_get(t, id, &m->rec, err);
        if (rc < 0)
                return rc;
        key = named_key(name, &m->rec.image, &is_digest);
        unsigned users = berth_container_count_using_image(e, m->rec.image.id);
        if (key && users > 0 && !force && strv_length(m->rec.image.tags) + strv_length(m->rec.image.digests) <= 1)
                return berth_err(err, -EBUSY,
                                 "conflict: unable to remove repository reference \"%s\" (must force) - %u "
                                 "container(s) use image %.19s",
                                 name, users, m->rec.image.id + 7);
        if (key) {
                rc = untag(t, m, key, is_digest, err);
                if (rc < 0 || (m->rec.image.tags && m->rec.image.tags[0]))
                        return rc < 0 ? rc : image_record_put(t, &m->rec, err);
                if (users > 0)
                        return image_record_put(t, &m->rec, err);   /* untagged; containers keep it */
                return delete_image(t, m, err);
        }
        if (strv_length(m->rec.image.tags) > 1 && !force)
                return berth_err(err, -EBUSY,
                                 "unable to delete %.19s (must be forced) - image is referenced in multiple repositories",
                                 id + 7);
        return delete_or_keep(e, t, name, force, m, err);
}

/* Docker names the image by its ID in both events, and drops the digest references
 * that go with the last tag without an event of their own. */
static void emit_removal(berth_engine *e, const char *id, const berth_image_removal *r) {
        for (char **n = r->untagged; n && *n; n++)
                if (!strchr(*n, '@'))
                        berth_event_emit(e, "image", "untag", id, "name", id, NULL);
        for (char **d = r->deleted; d && *d; d++)
                berth_event_emit(e, "image", "delete", *d, "name", *d, NULL);
}

int berth_image_remove(berth_engine *e, const char *name, bool force, berth_image_removal *ret, berth_error *err) {
        _cleanup_(store_txn_abortp) store_txn *t = NULL;
        struct removal m = { 0 };
        int rc = store_txn_begin(engine_store(e), true, &t, err);

        if (rc >= 0)
                rc = plan(e, t, name, force, &m, err);
        if (rc >= 0)
                rc = image_commit(e, &t, err);
        if (rc >= 0) {
                /* After the commit: a crash before this leaves orphans that recovery removes. */
                for (char **l = m.unused_layers; l && *l; l++) {
                        _cleanup_free_ char *dir = layer_dir(e, *l);
                        _cleanup_free_ char *split = layer_tar_split_path(e, *l);
                        berth_error rm_err;
                        if (berth_rm_rf(dir, &rm_err) < 0)
                                log_warn("%s", rm_err.message);
                        unlink(split);
                }
                emit_removal(e, m.rec.image.id, &m.out);
                *ret = m.out;
                m.out = (berth_image_removal) { 0 };
        }
        image_record_done(&m.rec);
        berth_image_removal_done(&m.out);
        strv_freep(&m.unused_layers);
        return rc;
}

static int untag_names(store_txn *t, struct removal *m, const char *target, berth_error *err) {
        _cleanup_(berth_reference_freep) berth_reference *ref = NULL;
        _cleanup_free_ char *key = NULL;
        int rc;

        if (!target) {
                while (m->rec.image.tags && m->rec.image.tags[0])
                        if ((rc = untag(t, m, m->rec.image.tags[0], false, err)) < 0)
                                return rc;
                return image_record_put(t, &m->rec, err);
        }
        rc = berth_reference_parse(target, &ref, err);
        if (rc < 0)
                return rc;
        key = reference_key(ref);
        bool is_digest = ref->digest != NULL;
        bool found = false;
        for (char **v = is_digest ? m->rec.image.digests : m->rec.image.tags; v && *v && !found; v++)
                found = strcmp(*v, key) == 0;
        if (!found)
                return berth_err(err, -ENOENT, "%s: tag not known", target);
        rc = untag(t, m, key, is_digest, err);
        return rc < 0 ? rc : image_record_put(t, &m->rec, err);
}

int berth_image_untag(berth_engine *e, const char *name, const char *target, berth_error *err) {
        _cleanup_(store_txn_abortp) store_txn *t = NULL;
        _cleanup_free_ char *id = NULL;
        struct removal m = { 0 };
        int rc = store_txn_begin(engine_store(e), true, &t, err);

        if (rc >= 0)
                rc = image_resolve(t, name, &id, err);
        if (rc >= 0)
                rc = image_record_get(t, id, &m.rec, err);
        if (rc >= 0)
                rc = untag_names(t, &m, target, err);
        if (rc >= 0)
                rc = image_commit(e, &t, err);
        if (rc >= 0)
                emit_removal(e, id, &m.out);
        image_record_done(&m.rec);
        berth_image_removal_done(&m.out);
        return rc;
}
