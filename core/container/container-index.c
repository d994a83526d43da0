/* The in-memory index of containers: lookups by ID, prefix and name, snapshots for
 * callers, and the write-through to the store. */
#include "container-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/log.h"
#include "engine-internal.h"

void engine_containers_init(struct engine_containers *ec) {
        pthread_mutex_init(&ec->lock, NULL);
        pthread_cond_init(&ec->changed, NULL);
        ec->inotify_fd = ec->stop_fd = -1;
}

static void ctr_free(struct ctr *c) {
        container_fields_done(&c->c);
        pthread_mutex_destroy(&c->op);
        free(c);
}

void ctr_changed(berth_engine *e) {
        struct engine_containers *ec = engine_containers(e);
        atomic_fetch_add(&ec->generation, 1);
        pthread_cond_broadcast(&ec->changed);
}

uint64_t berth_container_generation(berth_engine *e) {
        return atomic_load(&engine_containers(e)->generation);
}

static void fill_paths(berth_engine *e, berth_container *c) {
        char *dir = container_dir(e, c->id);
        c->bundle = xasprintf("%s/userdata", dir);
        c->rootfs = xasprintf("%s/merged", dir);
        c->upper = xasprintf("%s/diff", dir);
        c->log_path = xasprintf("%s/userdata/ctr.log", dir);
        free(dir);
}

struct ctr *ctr_index_add(berth_engine *e, berth_container *bc) {
        struct engine_containers *ec = engine_containers(e);
        pthread_mutex_lock(&ec->lock);
        struct ctr *c = ctr_index_add_locked(e, bc);
        pthread_mutex_unlock(&ec->lock);
        return c;
}

struct ctr *ctr_index_add_locked(berth_engine *e, berth_container *bc) {
        struct engine_containers *ec = engine_containers(e);
        struct ctr *c = xnew0(struct ctr, 1);

        if (!bc->bundle)
                fill_paths(e, bc);
        c->c = *bc;
        free(bc);
        pthread_mutex_init(&c->op, NULL);
        c->refs = 1;
        if (ec->n == ec->alloc) {
                ec->alloc = ec->alloc ? ec->alloc * 2 : 64;
                ec->items = xrealloc(ec->items, ec->alloc * sizeof(*ec->items));
        }
        /* Newest first: records load in key order, so insert by creation time. */
        size_t at = 0;
        while (at < ec->n && ec->items[at]->c.created > c->c.created)
                at++;
        memmove(ec->items + at + 1, ec->items + at, (ec->n - at) * sizeof(*ec->items));
        ec->items[at] = c;
        ec->n++;
        ctr_changed(e);
        return c;
}

static void remember_removed_locked(struct engine_containers *ec, const struct ctr *c) {
        struct removed_exit *r = &ec->removed[ec->removed_next++ % REMOVED_KEPT];
        free(r->name);
        snprintf(r->id, sizeof(r->id), "%s", c->c.id);
        r->name = xstrdup(c->c.name);
        r->exit_code = c->c.state.exit_code;
        r->removed_at = container_now_ns();
}

int berth_container_removed_exit_code(berth_engine *e, const char *name, int *ret_code) {
        struct engine_containers *ec = engine_containers(e);
        int64_t now = container_now_ns();
        size_t len = strlen(name);
        int r = -ENOENT;

        pthread_mutex_lock(&ec->lock);
        for (unsigned i = 0; i < REMOVED_KEPT && r < 0; i++) {
                const struct removed_exit *x = &ec->removed[i];
                if (!x->name || now - x->removed_at > REMOVED_KEPT_NS)
                        continue;
                if (strcmp(x->name, name) == 0 || (len >= 3 && strncmp(x->id, name, len) == 0)) {
                        *ret_code = x->exit_code;
                        r = 0;
                }
        }
        pthread_mutex_unlock(&ec->lock);
        return r;
}

void ctr_index_remove(berth_engine *e, struct ctr *c) {
        struct engine_containers *ec = engine_containers(e);

        pthread_mutex_lock(&ec->lock);
        for (size_t i = 0; i < ec->n; i++)
                if (ec->items[i] == c) {
                        memmove(ec->items + i, ec->items + i + 1, (ec->n - i - 1) * sizeof(*ec->items));
                        ec->n--;
                        c->removed = true;
                        remember_removed_locked(ec, c);
                        ctr_waiters_removed_locked(c);
                        ctr_changed(e);
                        pthread_mutex_unlock(&ec->lock);
                        ctr_unref(e, c);   /* the index's own reference */
                        return;
                }
        pthread_mutex_unlock(&ec->lock);
}

struct ctr *ctr_index_by_name_locked(struct engine_containers *ec, const char *name) {
        for (size_t i = 0; i < ec->n; i++)
                if (strcmp(ec->items[i]->c.name, name) == 0)
                        return ec->items[i];
        return NULL;
}

void ctr_unref(berth_engine *e, struct ctr *c) {
        struct engine_containers *ec = engine_containers(e);
        bool last;

        if (!c)
                return;
        pthread_mutex_lock(&ec->lock);
        last = --c->refs == 0;
        pthread_mutex_unlock(&ec->lock);
        if (last)
                ctr_free(c);
}

static struct ctr *find_locked(struct engine_containers *ec, const char *name, bool *ret_ambiguous) {
        size_t len = strlen(name);
        struct ctr *found = NULL;

        *ret_ambiguous = false;
        if (*name == '/')
                name++, len--;
        for (size_t i = 0; i < ec->n; i++)
                if (strcmp(ec->items[i]->c.id, name) == 0 || strcmp(ec->items[i]->c.name, name) == 0)
                        return ec->items[i];
        if (len == 0 || len > 64 || strspn(name, "0123456789abcdef") != len)
                return NULL;
        for (size_t i = 0; i < ec->n; i++)
                if (strncmp(ec->items[i]->c.id, name, len) == 0) {
                        if (found) {
                                *ret_ambiguous = true;
                                return NULL;
                        }
                        found = ec->items[i];
                }
        return found;
}

int ctr_find(berth_engine *e, const char *name, struct ctr **ret, berth_error *err) {
        struct engine_containers *ec = engine_containers(e);
        bool ambiguous;
        struct ctr *c;

        pthread_mutex_lock(&ec->lock);
        c = find_locked(ec, name, &ambiguous);
        if (c)
                c->refs++;
        pthread_mutex_unlock(&ec->lock);
        if (ambiguous)
                return berth_err(err, -EINVAL, "multiple containers match the ID prefix %s", name);
        if (!c)
                return berth_err(err, -ENOENT, "No such container: %s", name);
        *ret = c;
        return 0;
}

struct ctr *ctr_find_id(berth_engine *e, const char *id) {
        struct engine_containers *ec = engine_containers(e);
        struct ctr *c = NULL;

        pthread_mutex_lock(&ec->lock);
        for (size_t i = 0; i < ec->n && !c; i++)
                if (strcmp(ec->items[i]->c.id, id) == 0)
                        c = ec->items[i];
        if (c)
                c->refs++;
        pthread_mutex_unlock(&ec->lock);
        return c;
}

berth_container *ctr_snapshot(berth_engine *e, struct ctr *c) {
        struct engine_containers *ec = engine_containers(e);
        pthread_mutex_lock(&ec->lock);
        berth_container *copy = container_copy(&c->c);
        pthread_mutex_unlock(&ec->lock);
        return copy;
}

int berth_container_lookup(berth_engine *e, const char *name, berth_container **ret, berth_error *err) {
        struct ctr *c;
        int r = ctr_find(e, name, &c, err);
        if (r < 0)
                return r;
        *ret = ctr_snapshot(e, c);
        ctr_unref(e, c);
        return 0;
}

int berth_container_list(berth_engine *e, berth_container ***ret, berth_error *err) {
        struct engine_containers *ec = engine_containers(e);
        (void) err;

        pthread_mutex_lock(&ec->lock);
        berth_container **list = xnew0(berth_container *, ec->n + 1);
        for (size_t i = 0; i < ec->n; i++)
                list[i] = container_copy(&ec->items[i]->c);
        pthread_mutex_unlock(&ec->lock);
        *ret = list;
        return 0;
}

unsigned berth_container_count_using_image(berth_engine *e, const char *image_id) {
        struct engine_containers *ec = engine_containers(e);
        unsigned n = 0;

        pthread_mutex_lock(&ec->lock);
        for (size_t i = 0; i < ec->n; i++)
                n += strcmp(ec->items[i]->c.image_id, image_id) == 0;
        pthread_mutex_unlock(&ec->lock);
        return n;
}

int ctr_op_lock(berth_engine *e, struct ctr *c, berth_error *err) {
        struct engine_containers *ec = engine_containers(e);
        bool removed;

        pthread_mutex_lock(&c->op);
        pthread_mutex_lock(&ec->lock);
        removed = c->removed;
        pthread_mutex_unlock(&ec->lock);
        if (removed) {
                pthread_mutex_unlock(&c->op);
                return berth_err(err, -ENOENT, "No such container: %s", c->c.id);
        }
        return 0;
}

void ctr_op_unlock(struct ctr *c) {
        pthread_mutex_unlock(&c->op);
}

int ctr_find_op_locked(berth_engine *e, const char *name, struct ctr **ret, berth_error *err) {
        struct ctr *c;
        int r = ctr_find(e, name, &c, err);

        if (r < 0)
                return r;
        r = ctr_op_lock(e, c, err);
        if (r < 0) {
                ctr_unref(e, c);
                return r;
        }
        *ret = c;
        return 0;
}

void ctr_op_release(berth_engine *e, struct ctr *c) {
        ctr_op_unlock(c);
        ctr_unref(e, c);
}

int ctr_save(berth_engine *e, struct ctr *c, berth_error *err) {
        struct engine_containers *ec = engine_containers(e);
        _cleanup_(store_txn_abortp) store_txn *t = NULL;
        _cleanup_free_ char *text = NULL;
        int r;

        pthread_mutex_lock(&ec->lock);
        text = container_record_encode(&c->c);
        pthread_mutex_unlock(&ec->lock);
        r = store_txn_begin(engine_store(e), true, &t, err);
        if (r < 0)
                return r;
        r = store_put(t, STORE_CONTAINERS, c->c.id, text, strlen(text), err);
        if (r < 0)
                return r;
        return store_txn_commit(TAKE_PTR(t), err);
}

static int load_one(void *cls, const char *key, size_t key_size, const char *data, size_t size) {
        berth_engine *e = cls;
        berth_container *c = xnew0(berth_container, 1);
        berth_error err;

        if (container_record_decode(data, size, c, &err) < 0) {
                log_error("skipping container %.*s: %s", (int) key_size, key, err.message);
                free(c);
                return 0;
        }
        ctr_index_add(e, c);
        return 0;
}

int ctr_index_load(berth_engine *e, berth_error *err) {
        _cleanup_(store_txn_abortp) store_txn *t = NULL;
        int r = store_txn_begin(engine_store(e), false, &t, err);
        if (r < 0)
                return r;
        return store_foreach(t, STORE_CONTAINERS, NULL, load_one, e, err);
}

void engine_containers_done(struct engine_containers *ec) {
        for (size_t i = 0; i < ec->n; i++)
                ctr_free(ec->items[i]);
        free(ec->items);
        for (unsigned i = 0; i < REMOVED_KEPT; i++)
                free(ec->removed[i].name);
        pthread_mutex_destroy(&ec->lock);
        pthread_cond_destroy(&ec->changed);
}
