/* docker diff: the changes an overlay upper directory makes over its lower layers,
 * computed as Docker's overlay driver does, and a container's changes without the
 * mount points the runtime adds. */
#include "berth/container-fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/strv.h"
#include "container-internal.h"
#include "image-store.h"
#include "layer/layer-internal.h"

struct walk {
        char *const *lowers;   /* top first */
        size_t n_lowers;
        berth_changes out;
        size_t alloc;
};

void berth_changes_done(berth_changes *c) {
        if (!c)
                return;
        for (size_t i = 0; i < c->n; i++)
                free(c->items[i].path);
        free(c->items);
        *c = (berth_changes) { 0 };
}

static void add_change(struct walk *w, const char *path, berth_change_kind kind) {
        if (w->out.n == w->alloc) {
                w->alloc = w->alloc ? w->alloc * 2 : 16;
                w->out.items = xrealloc(w->out.items, w->alloc * sizeof(*w->out.items));
        }
        w->out.items[w->out.n++] = (berth_change) { .path = xstrdup(path), .kind = kind };
}

static bool is_whiteout(const struct stat *st) {
        return S_ISCHR(st->st_mode) && major(st->st_rdev) == 0 && minor(st->st_rdev) == 0;
}

static bool is_opaque(int dir_fd, const char *name) {
        _cleanup_free_ char *proc = NULL;
        char v[2];
        _cleanup_close_ int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return false;
        proc = xasprintf("/proc/self/fd/%d", fd);
        return getxattr(proc, "trusted.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y';
}

/* The entry `path` in the lower layers, top first: a whiteout there hides the rest. */
static bool lower_stat(struct walk *w, const char *path, struct stat *ret) {
        for (size_t i = 0; i < w->n_lowers; i++) {
                _cleanup_free_ char *p = xasprintf("%s%s", w->lowers[i], path);
                if (lstat(p, ret) < 0)
                        continue;
                return !is_whiteout(ret);
        }
        return false;
}

static bool same_dir(const struct stat *a, const struct stat *b) {
        return S_ISDIR(a->st_mode) && S_ISDIR(b->st_mode) && a->st_size == b->st_size && a->st_mode == b->st_mode &&
               a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
               (a->st_mtim.tv_nsec == b->st_mtim.tv_nsec || a->st_mtim.tv_nsec == 0 || b->st_mtim.tv_nsec == 0);
}

/* `dir_path` is "" for the root; *parent_seen says whether it is in the list already. */
static int walk_dir(struct walk *w, int dir_fd, const char *dir_path, bool parent_seen, berth_error *err);

static int walk_entry(struct walk *w, int dir_fd, const char *dir_path, const char *name, bool *parent_seen,
                      berth_error *err) {
        _cleanup_free_ char *path = xasprintf("%s/%s", dir_path, name);
        struct stat st, lower;
        berth_change_kind kind = BERTH_CHANGE_ADDED;
        bool listed = true;

        if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return berth_err_errno(err, -errno, "cannot stat %s in the container's changes", path);
        bool exists_below = lower_stat(w, path, &lower);
        if (is_whiteout(&st) || (S_ISDIR(st.st_mode) && exists_below && is_opaque(dir_fd, name)))
                kind = BERTH_CHANGE_DELETED;
        else if (exists_below) {
                kind = BERTH_CHANGE_MODIFIED;
                /* A directory only copied up for what is below it is no change itself. */
                listed = !same_dir(&st, &lower);
        }
        if (listed && kind != BERTH_CHANGE_MODIFIED && !*parent_seen && *dir_path) {
                add_change(w, dir_path, BERTH_CHANGE_MODIFIED);
                *parent_seen = true;
        }
        if (listed)
                add_change(w, path, kind);
        if (!S_ISDIR(st.st_mode))
                return 0;
        _cleanup_close_ int sub = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0)
                return berth_err_errno(err, -errno, "cannot open %s in the container's changes", path);
        return walk_dir(w, sub, path, listed, err);
}

static int walk_dir(struct walk *w, int dir_fd, const char *dir_path, bool parent_seen, berth_error *err) {
        _cleanup_strv_free_ char **names = NULL;
        int r = layer_list_dir(dir_fd, &names, NULL);

        if (r < 0)
                return berth_err_errno(err, r, "cannot list %s in the container's changes", *dir_path ? dir_path : "/");
        for (char **n = names; *n; n++) {
                r = walk_entry(w, dir_fd, dir_path, *n, &parent_seen, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int berth_changes_compute(const char *upper, char *const *lowers, berth_changes *ret, berth_error *err) {
        size_t n = strv_length((char **) lowers);
        _cleanup_free_ char **top_first = xnew0(char *, n + 1);
        _cleanup_close_ int fd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct walk w = { .lowers = top_first, .n_lowers = n };
        int r;

        if (fd < 0)
                return berth_err_errno(err, -errno, "cannot open the upper directory %s", upper);
        for (size_t i = 0; i < n; i++)
                top_first[i] = lowers[n - 1 - i];
        r = walk_dir(&w, fd, "", true, err);
        if (r < 0) {
                berth_changes_done(&w.out);
                return r;
        }
        *ret = w.out;
        return 0;
}

/* Mount points the runtime creates in the upper directory when the image lacks them;
 * Docker keeps them in an init layer, Podman leaves them out of its diff. */
static const char *const runtime_paths[] = { "/dev", "/proc", "/sys", "/etc/hostname", "/etc/hosts",
                                             "/etc/resolv.conf", "/etc/mtab", NULL };

static bool is_runtime_path(const char *path) {
        for (const char *const *p = runtime_paths; *p; p++)
                if (strcmp(*p, path) == 0)
                        return true;
        return false;
}

/* "/etc" listed as modified only because the runtime created /etc/hosts in it. */
static bool only_runtime_children(const berth_changes *c, size_t i) {
        size_t len = strlen(c->items[i].path);
        bool runtime_child = false;

        if (c->items[i].kind != BERTH_CHANGE_MODIFIED)
                return false;
        for (size_t j = 0; j < c->n; j++) {
                const char *p = c->items[j].path;
                if (j == i || strncmp(p, c->items[i].path, len) != 0 || p[len] != '/')
                        continue;
                if (!is_runtime_path(p))
                        return false;
                runtime_child = true;
        }
        return runtime_child;
}

static void drop_runtime_paths(berth_changes *c) {
        size_t kept = 0;
        bool *drop = xnew0(bool, c->n + 1);

        for (size_t i = 0; i < c->n; i++)
                drop[i] = is_runtime_path(c->items[i].path) || only_runtime_children(c, i);
        for (size_t i = 0; i < c->n; i++) {
                if (drop[i])
                        free(c->items[i].path);
                else
                        c->items[kept++] = c->items[i];
        }
        c->n = kept;
        free(drop);
}

int berth_container_changes(berth_engine *e, const char *name, berth_changes *ret, berth_error *err) {
        _cleanup_(berth_container_freep) berth_container *snap = NULL;
        _cleanup_strv_free_ char **lowers = NULL;
        berth_changes out = { 0 };
        struct ctr *c;
        int r = ctr_find_op_locked(e, name, &c, err);

        if (r < 0)
                return r;
        snap = ctr_snapshot(e, c);
        lowers = xnew0(char *, strv_length(snap->diff_ids) + 1);
        for (size_t i = 0; snap->diff_ids && snap->diff_ids[i]; i++)
                lowers[i] = layer_dir(e, snap->diff_ids[i]);
        /* A container that never started has no upper directory yet. */
        if (access(snap->upper, F_OK) == 0)
                r = berth_changes_compute(snap->upper, lowers, &out, err);
        ctr_op_release(e, c);
        if (r < 0)
                return r;
        drop_runtime_paths(&out);
        *ret = out;
        return 0;
}
