/* Image lookup, listing, tagging and removal over the metadata store. */
#include "image-record.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/log.h"
#include "berth/path.h"
#include "berth/reference.h"
#include "berth/events.h"
#include "engine-internal.h"
#include "image-store.h"

char *layer_dir(berth_engine *e, const char *diff_id) {
        const char *hex = strchr(diff_id, ':');
        return xasprintf("%s/layers/%s", berth_engine_config(e)->root, hex ? hex + 1 : diff_id);
}

char *layer_tar_split_path(berth_engine *e, const char *diff_id) {
        const char *hex = strchr(diff_id, ':');
        return xasprintf("%s/tar-split/%s", berth_engine_config(e)->root, hex ? hex + 1 : diff_id);
}

uint64_t berth_image_generation(berth_engine *e) {
        return atomic_load(&engine_images(e)->generation);
}

void image_changed(berth_engine *e) {
        atomic_fetch_add(&engine_images(e)->generation, 1);
}

int image_commit(berth_engine *e, store_txn **t, berth_error *err) {
        int rc = store_txn_commit(TAKE_PTR(*t), err);
        if (rc >= 0)
                image_changed(e);
        return rc;
}

/* The store key of a reference: "repo@digest" when it has a digest, else "repo:tag". */
char *reference_key(const berth_reference *ref) {
        if (ref->digest)
                return xasprintf("%s/%s@%s", ref->domain, ref->path, ref->digest);
        return xasprintf("%s/%s:%s", ref->domain, ref->path, ref->tag);
}

struct prefix_search {
        char *found;
        int matches;
};

static int match_prefix(void *cls, const char *key, size_t key_size, const char *data, size_t size) {
        struct prefix_search *p = cls;
        (void) data, (void) size;
        if (++p->matches == 1)
                p->found = xstrndup(key, key_size);
        return 0;
}

static bool is_hex(const char *s) {
        return *s && strspn(s, "0123456789abcdef") == strlen(s) && strlen(s) <= 64;
}

int image_resolve(store_txn *t, const char *name, char **ret_id, berth_error *err) {
        _cleanup_(berth_reference_freep) berth_reference *ref = NULL;
        const char *data;
        size_t size;

        if (strncmp(name, "sha256:", 7) == 0 && store_get(t, STORE_IMAGES, name, &data, &size, NULL) >= 0) {
                *ret_id = xstrdup(name);
                return 0;
        }
        if (berth_reference_parse(name, &ref, NULL) >= 0) {
                _cleanup_free_ char *key = reference_key(ref);
                if (store_get(t, STORE_NAMES, key, &data, &size, NULL) >= 0) {
                        *ret_id = xstrndup(data, size);
                        return 0;
                }
        }
        const char *hex = strncmp(name, "sha256:", 7) == 0 ? name + 7 : name;
        if (is_hex(hex)) {
                _cleanup_free_ char *prefix = xasprintf("sha256:%s", hex);
                struct prefix_search p = { 0 };
                int rc = store_foreach(t, STORE_IMAGES, prefix, match_prefix, &p, err);
                if (rc < 0)
                        return rc;
                if (p.matches == 1) {
                        *ret_id = p.found;
                        return 0;
                }
                free(p.found);
                if (p.matches > 1)
                        return berth_err(err, -EINVAL, "image ID prefix %s is ambiguous: it matches %d images", name,
                                         p.matches);
        }
        return berth_err(err, -ENOENT, "No such image: %s", name);
}

int berth_image_lookup(berth_engine *e, const char *name, berth_image **ret, berth_error *err) {
        _cleanup_(store_txn_abortp) store_txn *t = NULL;
        _cleanup_free_ char *id = NULL;
        struct image_record rec;
        int rc = store_txn_begin(engine_store(e), false, &t, err);

        if (rc >= 0)
                rc = image_resolve(t, name, &id, err);
        if (rc >= 0)
                rc = image_record_get(t, id, &rec, err);
        if (rc < 0)
                return rc;
        *ret = image_copy(&rec.image);
        image_record_done(&rec);
        return 0;
}

struct list_state {
        berth_image **images;
        size_t n;
        berth_error *err;
};

static int collect(void *cls, const char *key, size_t key_size, const char *data, size_t size) {
        struct list_state *l = cls;
        struct image_record rec;
        int rc = image_record_decode(data, size, &rec, l->err);
        (void) key, (void) key_size;
        if (rc < 0)
                return rc;
        l->images = xrealloc(l->images, (l->n + 2) * sizeof(berth_image *));
        l->images[l->n++] = image_copy(&rec.image);
        l->images[l->n] = NULL;
        image_record_done(&rec);
        return 0;
}

static int newest_first(const void *a, const void *b) {
        const berth_image *x = *(berth_image *const *) a, *y = *(berth_image *const *) b;
        return x->added < y->added ? 1 : x->added > y->added ? -1 : strcmp(x->id, y->id);
}

int berth_image_list(berth_engine *e, berth_image ***ret, berth_error *err) {
        _cleanup_(store_txn_abortp) store_txn *t = NULL;
        struct list_state l = { .images = xnew0(berth_image *, 1), .err = err };
        int rc = store_txn_begin(engine_store(e), false, &t, err);

        if (rc >= 0)
                rc = store_foreach(t, STORE_IMAGES, NULL, collect, &l, err);
        if (rc < 0) {
                berth_image_list_free(l.images);
                return rc;
        }
        qsort(l.images, l.n, sizeof(berth_image *), newest_first);
        *ret = l.images;
        return 0;
}

/* Points `key` at `id`, taking the name away from the image it named before. */
int name_assign(store_txn *t, const char *key, const char *id, bool is_digest, berth_error *err) {
        const char *data;
        size_t size;
        int rc;

        if (store_get(t, STORE_NAMES, key, &data, &size, NULL) >= 0 &&
            (size != strlen(id) || memcmp(data, id, size) != 0)) {
                _cleanup_free_ char *old = xstrndup(data, size);
                struct image_record prev;
                if (image_record_get(t, old, &prev, NULL) >= 0) {
                        strv_remove(is_digest ? &prev.image.digests : &prev.image.tags, key);
                        rc = image_record_put(t, &prev, err);
                        image_record_done(&prev);
                        if (rc < 0)
                                return rc;
                }
        }
        return store_put(t, STORE_NAMES, key, id, strlen(id), err);
}

int berth_image_tag(berth_engine *e, const char *name, const char *target, berth_error *err) {
        _cleanup_(store_txn_abortp) store_txn *t = NULL;
        _cleanup_(berth_reference_freep) berth_reference *ref = NULL;
        _cleanup_free_ char *id = NULL, *key = NULL;
        struct image_record rec;
        int rc = berth_reference_parse(target, &ref, err);

        if (rc < 0)
                return rc;
        if (ref->digest)
                return berth_err(err, -EINVAL, "refusing to create a tag with a digest reference: %s", target);
        key = reference_key(ref);
        rc = store_txn_begin(engine_store(e), true, &t, err);
        if (rc >= 0)
                rc = image_resolve(t, name, &id, err);
        if (rc >= 0)
                rc = name_assign(t, key, id, false, err);
        if (rc >= 0)
                rc = image_record_get(t, id, &rec, err);
        if (rc < 0)
                return rc;
        strv_add(&rec.image.tags, key);
        rc = image_record_put(t, &rec, err);
        image_record_done(&rec);
        if (rc >= 0)
                rc = image_commit(e, &t, err);
        if (rc >= 0) {
                _cleanup_free_ char *shown = berth_reference_familiar(key);
                berth_event_emit(e, "image", "tag", id, "name", shown, NULL);
        }
        return rc;
}
