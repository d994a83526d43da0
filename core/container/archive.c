/* docker cp: a container's root mounted (when it does not run) under its op lock, and
 * the path-archive functions run inside it; plus the root helper export shares. */
#include "berth/container-fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "container-internal.h"
#include "container-root.h"
#include "layer/layer-internal.h"
#include "path-archive.h"
#include "rootfs.h"
#include "user.h"

#define NOT_FOUND_PREFIX "Could not find the file "

void berth_path_stat_done(berth_path_stat *st) {
        if (!st)
                return;
        free(st->name);
        free(st->link_target);
        free(st->resolved);
        *st = (berth_path_stat) { 0 };
}

static bool ctr_runs(const berth_container *c) {
        return c->state.status == BERTH_CONTAINER_RUNNING || c->state.status == BERTH_CONTAINER_PAUSED;
}

static int with_root_locked(berth_engine *e, const berth_container *c, ctr_root_fn fn, void *cls,
                            berth_error *err) {
        bool mount_here = !ctr_runs(c);
        _cleanup_close_ int root_fd = -1;
        berth_error ignored;
        int r = 0;

        if (mount_here)
                r = rootfs_mount(e, c, err);
        if (r < 0)
                return r;
        root_fd = open(c->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                r = berth_err_errno(err, -errno, "cannot open the root of container %s", c->id);
        else
                r = fn(e, c, root_fd, cls, err);
        root_fd = safe_close(root_fd);
        if (mount_here && rootfs_unmount(c, &ignored) < 0 && r >= 0)
                r = berth_err(err, ignored.code, "%s", ignored.message);
        return r;
}

int ctr_with_root(berth_engine *e, const char *name, ctr_root_fn fn, void *cls, berth_error *err) {
        _cleanup_(berth_container_freep) berth_container *snap = NULL;
        struct ctr *c;
        int r = ctr_find_op_locked(e, name, &c, err);

        if (r < 0)
                return r;
        /* Under the op lock the state cannot change: an exit waits for it. */
        snap = ctr_snapshot(e, c);
        r = with_root_locked(e, snap, fn, cls, err);
        ctr_op_release(e, c);
        return r;
}

/* Docker names the container as the user did. */
static int name_in_error(int r, const char *name, berth_error *err) {
        if (r == -ENOENT && err && strncmp(err->message, NOT_FOUND_PREFIX, strlen(NOT_FOUND_PREFIX)) == 0) {
                size_t len = strlen(err->message);
                snprintf(err->message + len, sizeof(err->message) - len, " %s", name);
        }
        return r;
}

static int check_path(const char *path, berth_error *err) {
        return path && *path ? 0 : berth_err(err, -EINVAL, "path is required");
}

static char *fd_path(int fd) {
        _cleanup_free_ char *proc = xasprintf("/proc/self/fd/%d", fd);
        char buf[PATH_MAX];
        ssize_t n = readlink(proc, buf, sizeof(buf) - 1);
        return n < 0 ? NULL : xstrndup(buf, (size_t) n);
}

/* Where `path` leads in the root, as an absolute path in the container. */
static char *resolved_path(int root_fd, const char *path) {
        _cleanup_free_ char *clean = layer_path_clean(path), *root = fd_path(root_fd), *target = NULL;
        _cleanup_close_ int fd = cp_open_in_root(root_fd, clean, O_PATH | O_NOFOLLOW, RESOLVE_IN_ROOT);
        size_t len = root ? strlen(root) : 0;

        if (fd < 0 || !root || !(target = fd_path(fd)) || strncmp(target, root, len) != 0)
                return NULL;
        return xstrdup(target[len] ? target + len : "/");
}

static void stat_from(berth_path_stat *ret, struct container_path_stat *st) {
        *ret = (berth_path_stat) { .name = TAKE_PTR(st->name), .size = st->size, .mode = st->mode,
                                   .mtime_ns = st->mtime_ns, .link_target = TAKE_PTR(st->link_target) };
}

struct archive_job {
        const char *path;
        berth_path_stat *stat;
        berth_write_fn write;
        berth_read_fn read;
        void *cls;
        const berth_archive_put_options *put;
};

static int do_stat(berth_engine *e, const berth_container *c, int root_fd, void *cls, berth_error *err) {
        struct archive_job *j = cls;
        struct container_path_stat st = { 0 };
        int r = container_path_stat(root_fd, j->path, &st, err);

        (void) e, (void) c;
        if (r >= 0) {
                stat_from(j->stat, &st);
                j->stat->resolved = resolved_path(root_fd, j->path);
        }
        container_path_stat_done(&st);
        return r;
}

int berth_container_archive_stat(berth_engine *e, const char *name, const char *path, berth_path_stat *ret,
                                 berth_error *err) {
        berth_path_stat st = { 0 };
        struct archive_job j = { .path = path, .stat = &st };
        int r = check_path(path, err);

        if (r >= 0)
                r = name_in_error(ctr_with_root(e, name, do_stat, &j, err), name, err);
        if (r < 0) {
                berth_path_stat_done(&st);
                return r;
        }
        *ret = st;
        return 0;
}

static int do_get(berth_engine *e, const berth_container *c, int root_fd, void *cls, berth_error *err) {
        struct archive_job *j = cls;
        int r = do_stat(e, c, root_fd, cls, err);
        return r < 0 ? r : container_path_get(root_fd, j->path, j->write, j->cls, NULL, err);
}

int berth_container_archive_get(berth_engine *e, const char *name, const char *path, berth_path_stat *ret_stat,
                                berth_write_fn write, void *cls, berth_error *err) {
        struct archive_job j = { .path = path, .stat = ret_stat, .write = write, .cls = cls };
        int r = check_path(path, err);

        *ret_stat = (berth_path_stat) { 0 };
        return r < 0 ? r : name_in_error(ctr_with_root(e, name, do_get, &j, err), name, err);
}

/* Docker's copyUIDGID: the owner is the container's user, resolved in its own files. */
static int container_owner(const berth_container *c, int root_fd, int64_t *uid, int64_t *gid, berth_error *err) {
        json_t *cfg = container_json_parse(c->config);
        struct container_user u = { 0 };
        int r = container_user_resolve(root_fd, json_string_at(cfg, "User"), NULL, &u, err);

        json_decref(cfg);
        if (r >= 0) {
                *uid = u.uid;
                *gid = u.gid;
        }
        container_user_done(&u);
        return r;
}

static int do_put(berth_engine *e, const berth_container *c, int root_fd, void *cls, berth_error *err) {
        struct archive_job *j = cls;
        int64_t uid = -1, gid = -1;
        int r = 0;

        (void) e;
        if (j->put && j->put->copy_uid_gid)
                r = container_owner(c, root_fd, &uid, &gid, err);
        if (r >= 0)
                r = container_path_put_owned(root_fd, j->path, j->read, j->cls,
                                             j->put && j->put->no_overwrite_dir_non_dir, uid, gid, err);
        /* Docker answers a bad extraction point as a bad parameter (400). */
        if (r == -ENOTDIR && err && strstr(err->message, "extraction point is not a directory"))
                r = err->code = -EINVAL;
        return r;
}

int berth_container_archive_put(berth_engine *e, const char *name, const char *path, berth_read_fn read, void *cls,
                                const berth_archive_put_options *o, berth_error *err) {
        struct archive_job j = { .path = path, .read = read, .cls = cls, .put = o };
        int r = check_path(path, err);
        return r < 0 ? r : name_in_error(ctr_with_root(e, name, do_put, &j, err), name, err);
}
