/* docker commit: a container's upper directory packed as a new top layer over its
 * image's, with a config made of the request's Config merged over the container's (as
 * Docker's daemon/commit.go merge does) and a history entry, stored in one transaction. */
#include "berth/container-fs.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/reference.h"
#include "container-internal.h"
#include "engine-internal.h"
#include "image-record.h"
#include "image-store.h"
#include "import-changes.h"
#include "layer-install.h"

#define MEDIA_DOCKER_LAYER_TAR "application/vnd.docker.image.rootfs.diff.tar"
/* sha256 of 1024 zero bytes: a tar with nothing in it. */
#define EMPTY_TAR_DIFF_ID "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"

struct commit_layer {
        berth_layer_digests digests;
        struct layer_install install;
        bool empty, installed;
};

static int fd_write(void *cls, const void *buf, size_t size) {
        int fd = *(int *) cls;
        for (const char *p = buf; size > 0;) {
                ssize_t n = write(fd, p, size);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                p += n;
                size -= (size_t) n;
        }
        return 0;
}

static ssize_t fd_read(void *cls, void *buf, size_t max) {
        ssize_t n;
        while ((n = read(*(int *) cls, buf, max)) < 0 && errno == EINTR)
                ;
        return n < 0 ? -errno : n;
}

/* ---- the config (Docker's merge: the request's fields win, the container's fill in) ---- */

static void merge_keyed_list(json_t *user, json_t *base, const char *key) {
        json_t *mine = json_object_get(user, key), *theirs = json_object_get(base, key), *v;
        size_t i;

        if (!json_is_array(theirs))
                return;
        if (json_array_size(mine) == 0) {
                json_object_set(user, key, theirs);
                return;
        }
        json_array_foreach (theirs, i, v) {
                const char *s = json_string_value(v), *eq = s ? strchr(s, '=') : NULL;
                size_t klen = eq ? (size_t) (eq - s) : (s ? strlen(s) : 0), j;
                json_t *m;
                bool found = false;
                json_array_foreach (mine, j, m) {
                        const char *t = json_string_value(m);
                        found = found || (t && strncmp(t, s, klen) == 0 && (t[klen] == '=' || t[klen] == '\0'));
                }
                if (s && !found)
                        json_array_append(mine, v);
        }
}

static void merge_object(json_t *user, json_t *base, const char *key) {
        json_t *mine = json_object_get(user, key), *theirs = json_object_get(base, key);
        if (!json_is_object(theirs))
                return;
        if (!json_is_object(mine))
                json_object_set_new(user, key, mine = json_object());
        json_object_update_missing(mine, theirs);
}

static bool empty_value(json_t *v) {
        return !v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)) ||
               (json_is_array(v) && json_array_size(v) == 0);
}

static void merge_scalar(json_t *user, json_t *base, const char *key) {
        json_t *theirs = json_object_get(base, key);
        if (empty_value(json_object_get(user, key)) && theirs)
                json_object_set(user, key, theirs);
}

static void merge_config(json_t *user, json_t *base) {
        static const char *const scalars[] = { "User", "WorkingDir", "StopSignal", "Healthcheck", "OnBuild" };

        for (size_t i = 0; i < ELEMENTSOF(scalars); i++)
                merge_scalar(user, base, scalars[i]);
        merge_keyed_list(user, base, "Env");
        merge_object(user, base, "Labels");
        merge_object(user, base, "ExposedPorts");
        merge_object(user, base, "Volumes");
        if (empty_value(json_object_get(user, "Entrypoint"))) {
                merge_scalar(user, base, "Cmd");
                if (!json_object_get(user, "Entrypoint") || json_is_null(json_object_get(user, "Entrypoint")))
                        merge_scalar(user, base, "Entrypoint");
        }
}

/* The request's Config with the changes applied, before anything is read. */
static int user_config(const berth_commit_options *o, json_t **ret, berth_error *err) {
        json_error_t jerr;
        json_t *j = NULL;
        int r;

        if (o && o->config && *o->config) {
                j = json_loads(o->config, JSON_DECODE_ANY, &jerr);
                if (!j)
                        return berth_err(err, -EINVAL, "malformed Config for the commit: %s", jerr.text);
                if (json_is_null(j)) {
                        json_decref(j);
                        j = NULL;
                } else if (!json_is_object(j)) {
                        json_decref(j);
                        return berth_err(err, -EINVAL, "the Config for the commit must be a JSON object");
                }
        }
        if (!j)
                j = json_object();
        r = import_changes_apply(j, o ? o->changes : NULL, err);
        if (r < 0) {
                json_decref(j);
                return r;
        }
        *ret = j;
        return 0;
}

static void now_rfc3339(char *buf, size_t size) {
        struct timespec now;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &now);
        gmtime_r(&now.tv_sec, &tm);
        strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + strlen(buf), size - strlen(buf), ".%09ldZ", now.tv_nsec);
}

static void set_or_drop(json_t *obj, const char *key, const char *value) {
        if (value && *value)
                json_object_set_new(obj, key, json_string(value));
        else
                json_object_del(obj, key);
}

static char *created_by(json_t *ctr_config) {
        json_t *cmd = json_object_get(ctr_config, "Cmd"), *v;
        char *s = xstrdup("");
        size_t i;
        json_array_foreach (cmd, i, v) {
                char *joined = xasprintf("%s%s%s", s, i ? " " : "", json_string_value(v) ? json_string_value(v) : "");
                free(s);
                s = joined;
        }
        return s;
}

/* The base image's config with the new config, layer and history entry. */
static char *build_config(const char *base_text, const berth_container *c, json_t *config,
                          const berth_commit_options *o, const struct commit_layer *l) {
        _cleanup_free_ char *by = NULL;
        json_t *j = json_loads(base_text, 0, NULL), *ctr_config = container_json_parse(c->config);
        json_t *history, *rootfs, *entry;
        char created[64];
        char *text;

        if (!json_is_object(j)) {
                json_decref(j);
                j = json_object();
        }
        now_rfc3339(created, sizeof(created));
        by = created_by(ctr_config);
        json_object_set_new(j, "created", json_string(created));
        json_object_set_new(j, "container", json_string(c->id));
        json_object_set(j, "container_config", ctr_config);
        json_object_set(j, "config", config);
        set_or_drop(j, "author", o ? o->author : NULL);
        set_or_drop(j, "comment", o ? o->comment : NULL);
        rootfs = json_object_get(j, "rootfs");
        if (!json_is_object(rootfs))
                json_object_set_new(j, "rootfs", rootfs = json_pack("{s:s, s:[]}", "type", "layers", "diff_ids"));
        if (!json_is_array(json_object_get(rootfs, "diff_ids")))
                json_object_set_new(rootfs, "diff_ids", json_array());
        if (!l->empty)
                json_array_append_new(json_object_get(rootfs, "diff_ids"), json_string(l->digests.diff_id));
        history = json_object_get(j, "history");
        if (!json_is_array(history))
                json_object_set_new(j, "history", history = json_array());
        entry = json_pack("{s:s, s:s}", "created", created, "created_by", by);
        set_or_drop(entry, "author", o ? o->author : NULL);
        set_or_drop(entry, "comment", o ? o->comment : NULL);
        if (l->empty)
                json_object_set_new(entry, "empty_layer", json_true());
        json_array_append_new(history, entry);
        text = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        json_decref(ctr_config);
        if (!text)
                abort();
        return text;
}

/* ---- the layer ---- */

/* Packs the upper directory into an unlinked file; the op lock keeps start and remove out. */
static int pack_upper(berth_engine *e, struct ctr *c, int fd, struct commit_layer *l, berth_error *err) {
        _cleanup_(berth_container_freep) berth_container *snap = NULL;
        int r = ctr_op_lock(e, c, err);

        if (r < 0)
                return r;
        snap = ctr_snapshot(e, c);
        if (access(snap->upper, F_OK) < 0) {
                /* Never started: nothing changed. */
                snprintf(l->digests.diff_id, sizeof(l->digests.diff_id), "%s", EMPTY_TAR_DIFF_ID);
        } else {
                r = berth_layer_pack(snap->upper, fd_write, &fd, &l->digests, err);
                if (r < 0)
                        berth_err_prefix(err, "committing container %s", snap->id);
        }
        ctr_op_unlock(c);
        return r;
}

static bool runs_unpaused(berth_engine *e, struct ctr *c) {
        _cleanup_(berth_container_freep) berth_container *snap = ctr_snapshot(e, c);
        return snap->state.status == BERTH_CONTAINER_RUNNING;
}

static int make_layer(berth_engine *e, const char *name, const berth_commit_options *o, struct commit_layer *l,
                      berth_container **ret_snap, berth_error *err) {
        _cleanup_close_ int fd = -1;
        struct ctr *c;
        bool paused = false;
        berth_error ignored;
        int r = ctr_find(e, name, &c, err);

        if (r < 0)
                return r;
        r = layer_tmp_file(e, "commit", &fd, err);
        if (r >= 0 && o && o->pause && runs_unpaused(e, c)) {
                r = berth_container_pause(e, c->c.id, err);
                paused = r >= 0;
        }
        if (r >= 0)
                r = pack_upper(e, c, fd, l, err);
        if (paused && berth_container_unpause(e, c->c.id, &ignored) < 0 && r >= 0)
                r = berth_err(err, ignored.code, "%s", ignored.message);
        if (r >= 0)
                *ret_snap = ctr_snapshot(e, c);
        ctr_unref(e, c);
        if (r < 0)
                return r;
        l->empty = strcmp(l->digests.diff_id, EMPTY_TAR_DIFF_ID) == 0;
        if (l->empty)
                return 0;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return berth_err_errno(err, -errno, "cannot rewind the committed layer");
        /* Unpacked from the tar as a load would, keeping its tar-split for save. */
        r = layer_install(e, fd_read, &fd, "sha256", l->digests.diff_id, &l->install, err);
        if (r < 0)
                return berth_err_prefix(err, "storing the layer of container %s", (*ret_snap)->id);
        l->installed = true;
        return 0;
}

/* ---- the record ---- */

static int base_image(berth_engine *e, const berth_container *c, struct image_record *ret, berth_error *err) {
        _cleanup_(store_txn_abortp) store_txn *t = NULL;
        int r = store_txn_begin(engine_store(e), false, &t, err);
        if (r < 0)
                return r;
        r = image_record_get(t, c->image_id, ret, NULL);
        if (r < 0)
                return berth_err(err, -ENOENT, "the image of container %s (%s) is no longer stored", c->name,
                                 c->image_id);
        return 0;
}

static int store_image(berth_engine *e, struct image_record *base, const char *id, const char *config,
                       const struct commit_layer *l, char *tag, berth_error *err) {
        _cleanup_(store_txn_abortp) store_txn *t = NULL;
        _cleanup_free_ uint64_t *sizes = xnew0(uint64_t, base->n_layers + 1);
        char *tags[] = { tag, NULL };
        struct image_record rec = { 0 };
        size_t n = base->n_layers + (l->empty ? 0 : 1);
        int r;

        rec.image.id = xstrdup(id);
        rec.image.config = xstrdup(config);
        rec.image.added = time(NULL);
        /* The base layers are stored with their sizes already: only the new one adds. */
        rec.image.size = base->image.size;
        rec.image.diff_ids = xnew0(char *, n + 1);
        rec.layers = xnew0(struct image_layer_ref, n);
        for (size_t i = 0; i < base->n_layers; i++) {
                const struct image_layer_ref *b = &base->layers[i];
                rec.layers[i] = (struct image_layer_ref) { .diff_id = xstrdup(b->diff_id), .digest = xstrdup(b->digest),
                                                           .media_type = xstrdup(b->media_type), .size = b->size };
        }
        if (!l->empty) {
                rec.layers[n - 1] = (struct image_layer_ref) {
                        .diff_id = xstrdup(l->digests.diff_id), .digest = xstrdup(l->digests.diff_id),
                        .media_type = xstrdup(MEDIA_DOCKER_LAYER_TAR), .size = (int64_t) l->digests.uncompressed_size
                };
                sizes[n - 1] = l->digests.uncompressed_size;
        }
        for (size_t i = 0; i < n; i++)
                rec.image.diff_ids[i] = xstrdup(rec.layers[i].diff_id);
        rec.n_layers = n;
        r = store_txn_begin(engine_store(e), true, &t, err);
        if (r >= 0)
                r = image_add(t, &rec, sizes, tag ? tags : NULL, err);
        image_record_done(&rec);
        if (r >= 0)
                r = image_commit(e, &t, err);
        return r;
}

static int reference_of(const berth_commit_options *o, char **ret_key, berth_error *err) {
        _cleanup_(berth_reference_freep) berth_reference *ref = NULL;
        int r;

        *ret_key = NULL;
        if (!o || !o->reference || !*o->reference)
                return 0;
        r = berth_reference_parse(o->reference, &ref, err);
        if (r >= 0 && ref->digest)
                r = berth_err(err, -EINVAL, "cannot commit to a digest reference: %s", o->reference);
        if (r >= 0)
                *ret_key = reference_key(ref);
        return r;
}

int berth_container_commit(berth_engine *e, const char *name, const berth_commit_options *o, char **ret_id,
                           berth_error *err) {
        _cleanup_(berth_container_freep) berth_container *snap = NULL;
        _cleanup_free_ char *key = NULL, *config = NULL;
        struct image_record base = { 0 };
        struct commit_layer l = { 0 };
        json_t *user = NULL, *ctr_config = NULL;
        char id[BERTH_DIGEST_MAX];
        int r;

        /* Everything that can be refused is, before the files are read. */
        r = reference_of(o, &key, err);
        if (r >= 0)
                r = user_config(o, &user, err);
        if (r >= 0)
                r = make_layer(e, name, o, &l, &snap, err);
        if (r >= 0)
                r = base_image(e, snap, &base, err);
        if (r >= 0) {
                ctr_config = container_json_parse(snap->config);
                merge_config(user, ctr_config);
                config = build_config(base.image.config, snap, user, o, &l);
                r = berth_digest_buffer("sha256", config, strlen(config), id, err);
        }
        if (r >= 0)
                r = store_image(e, &base, id, config, &l, key, err);
        if (r < 0 && l.installed)
                layer_install_rollback(e, &l.install);
        image_record_done(&base);
        json_decref(user);
        json_decref(ctr_config);
        if (r >= 0 && ret_id)
                *ret_id = xstrdup(id);
        return r;
}
