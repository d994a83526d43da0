/* Removing containers (one, or every stopped one) and renaming them. */
#include "container-internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/exec.h"
#include "berth/log.h"
#include "berth/path.h"
#include "berth/strv.h"
#include "container-create.h"
#include "engine-internal.h"
#include "oci.h"
#include "rootfs.h"

static bool running(const berth_container *c) {
        return c->state.status == BERTH_CONTAINER_RUNNING || c->state.status == BERTH_CONTAINER_PAUSED;
}

static int forget(berth_engine *e, const char *id, berth_error *err) {
        _cleanup_(store_txn_abortp) store_txn *t = NULL;
        int r = store_txn_begin(engine_store(e), true, &t, err);
        if (r < 0)
                return r;
        r = store_del(t, STORE_CONTAINERS, id, err);
        if (r < 0 && r != -ENOENT)
                return r;
        return store_txn_commit(TAKE_PTR(t), err);
}

/* Anonymous volumes are named after the container (spec_anonymous_volume). */
static void remove_anonymous_volumes(berth_engine *e, const char *id) {
        _cleanup_free_ char *dir = xasprintf("%s/volumes", berth_engine_config(e)->root);
        DIR *d = opendir(dir);
        struct dirent *de;
        if (!d)
                return;
        while ((de = readdir(d)))
                if (strncmp(de->d_name, id, 12) == 0 && de->d_name[12] == '_') {
                        _cleanup_free_ char *path = xasprintf("%s/%s", dir, de->d_name);
                        berth_error err;
                        if (berth_rm_rf(path, &err) < 0)
                                log_warn("%s", err.message);
                }
        closedir(d);
}

int ctr_remove_volumes(berth_engine *e, struct ctr *c, bool force, bool volumes, berth_error *err) {
        _cleanup_free_ char *id = xstrdup(c->c.id);
        int r = ctr_remove(e, c, force, err);
        if (r >= 0 && volumes)
                remove_anonymous_volumes(e, id);
        return r;
}

int ctr_remove(berth_engine *e, struct ctr *c, bool force, berth_error *err) {
        _cleanup_(berth_container_freep) berth_container *snap = NULL;
        _cleanup_free_ char *exits = NULL, *exit_file = NULL;
        int r;

        for (int attempt = 0;; attempt++) {
                r = ctr_op_lock(e, c, err);
                if (r < 0)
                        return r;
                berth_container_free(snap);
                snap = ctr_snapshot(e, c);
                if (!running(snap))
                        break;
                ctr_op_unlock(c);
                if (!force && snap->state.status == BERTH_CONTAINER_PAUSED)
                        return berth_err(err, -EBUSY,
                                         "You cannot remove a paused container %s. Unpause and then stop the "
                                         "container before attempting removal or force remove",
                                         snap->id);
                if (!force)
                        return berth_err(err, -EBUSY,
                                         "You cannot remove a running container %s. Stop the container before "
                                         "attempting removal or force remove",
                                         snap->id);
                if (attempt > 0)
                        return berth_err(err, -EBUSY, "container %s could not be stopped for removal", snap->id);
                r = ctr_stop(e, c, 0, err);
                if (r < 0 && r != -EALREADY)
                        return r;
        }
        /* The record goes first, so waiters for the removal (docker run --rm) are not
         * kept waiting on the runtime's delete and the unmount; what a crash leaves of
         * the rest is swept at the next start (container_sweep_orphans). */
        r = forget(e, snap->id, err);
        if (r < 0) {
                ctr_op_unlock(c);
                return r;
        }
        exits = container_exit_dir(e);
        exit_file = xasprintf("%s/%s", exits, snap->id);
        unlink(exit_file);
        ctr_index_remove(e, c);
        berth_exec_forget_container(e, snap->id);
        ctr_event(e, snap, "destroy", NULL);
        container_remove_files(e, snap);
        ctr_op_unlock(c);
        return 0;
}

void container_remove_files(berth_engine *e, const berth_container *c) {
        _cleanup_free_ char *rtroot = NULL, *dir = container_dir(e, c->id);
        struct oci_runtime rt;
        berth_error err;

        ctr_runtime(e, c, &rt, &rtroot);
        if (oci_delete(&rt, c->id, true, &err) < 0)
                log_warn("container %s: %s", c->id, err.message);
        if (rootfs_unmount(c, &err) < 0 || berth_rm_rf(dir, &err) < 0)
                log_warn("removing the files of container %s: %s", c->id, err.message);
}

/* Directories under ROOT/containers without a record: a removal the daemon's death cut
 * short. Called at start, before serving. */
void container_sweep_orphans(berth_engine *e) {
        _cleanup_free_ char *root = xasprintf("%s/containers", berth_engine_config(e)->root);
        DIR *d = opendir(root);
        struct dirent *de;

        if (!d)
                return;
        while ((de = readdir(d))) {
                struct ctr *c;
                if (strlen(de->d_name) != 64 || strspn(de->d_name, "0123456789abcdef") != 64)
                        continue;
                c = ctr_find_id(e, de->d_name);
                if (c) {
                        ctr_unref(e, c);
                        continue;
                }
                berth_container orphan = { .id = de->d_name, .runtime = NULL };
                _cleanup_free_ char *dir = xasprintf("%s/%s", root, de->d_name);
                _cleanup_free_ char *merged = xasprintf("%s/merged", dir);
                orphan.rootfs = merged;
                log_info("removing what is left of container %s", de->d_name);
                container_remove_files(e, &orphan);
        }
        closedir(d);
}

int berth_container_remove(berth_engine *e, const char *name, bool force, bool volumes, berth_error *err) {
        struct ctr *c;
        int r = ctr_find(e, name, &c, err);

        if (r < 0)
                return r;
        r = ctr_remove_volumes(e, c, force, volumes, err);
        ctr_unref(e, c);
        return r;
}

int berth_container_prune(berth_engine *e, char ***ret_ids, berth_error *err) {
        berth_container **list = NULL;
        char **ids = xnew0(char *, 1);
        int r = berth_container_list(e, &list, err);

        if (r < 0) {
                free(ids);
                return r;
        }
        for (size_t i = 0; list[i]; i++) {
                berth_error one;
                if (list[i]->state.status != BERTH_CONTAINER_EXITED && list[i]->state.status != BERTH_CONTAINER_CREATED &&
                    list[i]->state.status != BERTH_CONTAINER_DEAD)
                        continue;
                if (berth_container_remove(e, list[i]->id, false, false, &one) < 0) {
                        log_warn("prune: %s", one.message);
                        continue;
                }
                strv_push(&ids, list[i]->id);
        }
        berth_container_list_free(list);
        *ret_ids = ids;
        return 0;
}

int berth_container_rename(berth_engine *e, const char *name, const char *new_name, berth_error *err) {
        struct engine_containers *ec = engine_containers(e);
        const char *want;
        struct ctr *c, *holder;
        char *old;
        int r;

        if (!new_name || !*new_name)
                return berth_err(err, -EINVAL, "Neither old nor new names may be empty");
        if (container_name_check(new_name, err) < 0)
                return -EINVAL;
        want = new_name[0] == '/' ? new_name + 1 : new_name;
        r = ctr_find(e, name, &c, err);
        if (r < 0)
                return r;
        pthread_mutex_lock(&ec->lock);
        holder = ctr_index_by_name_locked(ec, want);
        if (holder && holder != c) {
                r = berth_err(err, -EEXIST, "Error when allocating new name: Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to remove (or rename) that container to be able to reuse that name.",
                              want, holder->c.id);
                pthread_mutex_unlock(&ec->lock);
                ctr_unref(e, c);
                return r;
        }
        old = c->c.name;
        c->c.name = xstrdup(want);
        ctr_changed(e);
        pthread_mutex_unlock(&ec->lock);
        r = ctr_save(e, c, err);
        if (r < 0) {
                pthread_mutex_lock(&ec->lock);
                free(c->c.name);
                c->c.name = old;
                pthread_mutex_unlock(&ec->lock);
        } else {
                ctr_event_of(e, c, "rename", "oldName", old);
                free(old);
        }
        ctr_unref(e, c);
        return r;
}
