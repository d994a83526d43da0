/* Docker's container archive API over a root directory fd: path rules, resolution with
 * openat2(RESOLVE_IN_ROOT), stat (HEAD) and tar (GET) through the layer packer's writer. */
#include "path-archive.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "layer/layer-internal.h"

#define MAX_SYMLINKS 255

/* ---- Go's path rules, which Docker applies before touching the filesystem (filepath.Clean()
 * is layer_path_clean()) ---- */

/* filepath.Base(): the last element, trailing slashes ignored; "/" for the root. */
static char *go_base(const char *path) {
        size_t len = strlen(path);
        const char *start;

        if (len == 0)
                return xstrdup(".");
        while (len > 1 && path[len - 1] == '/')
                len--;
        if (len == 1 && path[0] == '/')
                return xstrdup("/");
        start = memrchr(path, '/', len);
        start = start ? start + 1 : path;
        return xstrndup(start, len - (size_t) (start - path));
}

static bool names_current_dir(const char *path) {
        _cleanup_free_ char *base = go_base(path);
        return strcmp(base, ".") == 0;
}

/* The path as Docker sees it in the container: cleaned from "/", with a trailing "/" or
 * "/." kept, since those ask for what a symlink points to, or for a directory's contents. */
char *cp_abs_path(const char *path) {
        _cleanup_free_ char *joined = xasprintf("/%s", path);
        char *abs = layer_path_clean(joined);
        size_t len = strlen(path);

        if (names_current_dir(path) && !names_current_dir(abs)) {
                char *with = xasprintf("%s%s.", abs, strcmp(abs, "/") == 0 ? "" : "/");
                free(abs);
                abs = with;
        }
        if (len > 0 && path[len - 1] == '/' && abs[strlen(abs) - 1] != '/') {
                char *with = xasprintf("%s/", abs);
                free(abs);
                abs = with;
        }
        return abs;
}

/* ---- resolution in the root ---- */

int cp_open_in_root(int root_fd, const char *path, uint64_t flags, uint64_t resolve) {
        struct open_how how = { .flags = flags | O_CLOEXEC, .resolve = resolve | RESOLVE_NO_MAGICLINKS };

        /* RESOLVE_IN_ROOT fails with EAGAIN when a rename races the walk: try again. */
        for (int i = 0; i < 16; i++) {
                long fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
                if (fd >= 0)
                        return (int) fd;
                if (errno != EAGAIN)
                        return -errno;
        }
        return -EAGAIN;
}

typedef struct cp_target {
        char *abs;              /* cp_abs_path() of the request */
        int dir_fd;             /* O_PATH: the parent directory, or the target when base is NULL */
        const char *base;       /* the target's name in dir_fd, not followed; NULL: dir_fd itself */
        struct stat st;
} cp_target;

static void cp_target_done(cp_target *t) {
        free(t->abs);
        t->dir_fd = safe_close(t->dir_fd);
}

int cp_not_found(berth_error *err, const char *path) {
        return berth_err(err, -ENOENT, "Could not find the file %s in container", path);
}

/* The parent is followed in the root, the last component is not (unless the path ends in
 * "/" or "/.", where the parent is the target itself), as Docker's ResolvePath does. */
static int cp_target_open(int root_fd, const char *path, cp_target *t, berth_error *err) {
        _cleanup_free_ char *dir = NULL;
        const char *slash;
        int fd, r;

        t->abs = cp_abs_path(path);
        slash = strrchr(t->abs, '/');
        dir = xstrndup(t->abs, (size_t) (slash - t->abs) + 1);
        t->base = slash[1] && strcmp(slash + 1, ".") != 0 ? slash + 1 : NULL;
        fd = cp_open_in_root(root_fd, dir, O_PATH | O_DIRECTORY, RESOLVE_IN_ROOT);
        if (fd < 0 && fd != -ENOENT)
                return berth_err_errno(err, fd, "cannot resolve %s in container", path);
        if (fd < 0)
                return cp_not_found(err, path);
        t->dir_fd = fd;
        r = t->base ? fstatat(fd, t->base, &t->st, AT_SYMLINK_NOFOLLOW) : fstat(fd, &t->st);
        if (r < 0 && errno == ENOENT)
                return cp_not_found(err, path);
        if (r < 0)
                return berth_err_errno(err, -errno, "cannot stat %s in container", path);
        return 0;
}

/* Where `abs` leads in the root, following every symlink and tolerating missing parts
 * (Docker's FollowSymlinkInScope): the link_target of a stat. */
static int follow_in_root(int root_fd, const char *abs, char **ret) {
        _cleanup_free_ char *res = xstrdup("/"), *rest = xstrdup(abs);
        unsigned links = 0;

        for (size_t pos = 0; rest[pos];) {
                size_t n = strcspn(rest + pos, "/");
                _cleanup_free_ char *c = xstrndup(rest + pos, n), *cand = NULL;
                _cleanup_close_ int dfd = -1;
                char target[PATH_MAX], *next;
                ssize_t len;

                pos += n;
                pos += strspn(rest + pos, "/");
                if (n == 0 || strcmp(c, ".") == 0)
                        continue;
                if (strcmp(c, "..") == 0) {
                        char *slash = strrchr(res, '/');
                        slash[slash == res ? 1 : 0] = '\0';
                        continue;
                }
                cand = xasprintf("%s%s%s", res, strcmp(res, "/") == 0 ? "" : "/", c);
                dfd = cp_open_in_root(root_fd, res, O_PATH | O_DIRECTORY, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
                len = dfd >= 0 ? readlinkat(dfd, c, target, sizeof(target) - 1) : -1;
                if (len < 0) {
                        free(res);
                        res = TAKE_PTR(cand);
                        continue;
                }
                if (++links > MAX_SYMLINKS)
                        return -ELOOP;
                target[len] = '\0';
                if (target[0] == '/') {
                        free(res);
                        res = xstrdup("/");
                }
                /* The link's target takes its place in what is left to walk. */
                next = xasprintf("%s/%s", target, rest + pos);
                free(rest);
                rest = next;
                pos = 0;
        }
        *ret = TAKE_PTR(res);
        return 0;
}

static uint32_t go_file_mode(mode_t m) {
        uint32_t mode = m & 0777;

        switch (m & S_IFMT) {
        case S_IFDIR: mode |= GO_MODE_DIR; break;
        case S_IFLNK: mode |= GO_MODE_SYMLINK; break;
        case S_IFBLK: mode |= GO_MODE_DEVICE; break;
        case S_IFCHR: mode |= GO_MODE_DEVICE | GO_MODE_CHAR_DEVICE; break;
        case S_IFIFO: mode |= GO_MODE_NAMED_PIPE; break;
        case S_IFSOCK: mode |= GO_MODE_SOCKET; break;
        }
        if (m & S_ISUID)
                mode |= GO_MODE_SETUID;
        if (m & S_ISGID)
                mode |= GO_MODE_SETGID;
        if (m & S_ISVTX)
                mode |= GO_MODE_STICKY;
        return mode;
}

void container_path_stat_done(struct container_path_stat *st) {
        if (!st)
                return;
        free(st->name);
        free(st->link_target);
        *st = (struct container_path_stat) { 0 };
}

static int fill_stat(int root_fd, const char *path, const cp_target *t, struct container_path_stat *ret,
                     berth_error *err) {
        _cleanup_free_ char *link_target = NULL;

        if (S_ISLNK(t->st.st_mode)) {
                int r = follow_in_root(root_fd, t->abs, &link_target);
                if (r < 0)
                        return berth_err_errno(err, r, "cannot resolve symlink %s in container", path);
        }
        *ret = (struct container_path_stat) {
                .name = go_base(t->abs),
                .size = t->st.st_size,
                .mode = go_file_mode(t->st.st_mode),
                .mtime_ns = (int64_t) t->st.st_mtim.tv_sec * 1000000000 + t->st.st_mtim.tv_nsec,
                .link_target = TAKE_PTR(link_target),
        };
        return 0;
}

int container_path_stat(int root_fd, const char *path, struct container_path_stat *ret, berth_error *err) {
        _cleanup_(cp_target_done) cp_target t = { .dir_fd = -1 };
        int r = cp_target_open(root_fd, path, &t, err);

        return r < 0 ? r : fill_stat(root_fd, path, &t, ret, err);
}

/* ---- GET: the path as a tar ---- */

char *cp_member_name(const char *prefix, const char *name) {
        return xasprintf("%s%s%s", prefix, prefix[strlen(prefix) - 1] == '/' ? "" : "/", name);
}

/* `name` below dir_fd as member `path`, and everything below it when a directory. */
static int get_tree(layer_pack *p, int dir_fd, const char *name, const char *path, const struct stat *st,
                    berth_error *err) {
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_close_ int fd = -1;
        size_t n = 0;
        int r = layer_pack_entry(p, dir_fd, name, path, st, err);

        if (r < 0 || !S_ISDIR(st->st_mode))
                return r;
        fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return berth_err_errno(err, -errno, "cannot open %s", path);
        r = layer_list_dir(fd, &names, &n);
        if (r < 0)
                return berth_err_errno(err, r, "cannot list %s", path);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *sub = cp_member_name(path, names[i]);
                struct stat sub_st;
                if (fstatat(fd, names[i], &sub_st, AT_SYMLINK_NOFOLLOW) < 0)
                        return berth_err_errno(err, -errno, "cannot stat %s", sub);
                r = get_tree(p, fd, names[i], sub, &sub_st, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int container_path_get(int root_fd, const char *path, berth_write_fn write, void *cls,
                       struct container_path_stat *ret_stat, berth_error *err) {
        _cleanup_(cp_target_done) cp_target t = { .dir_fd = -1 };
        _cleanup_(container_path_stat_done) struct container_path_stat st = { 0 };
        _cleanup_(layer_pack_done) layer_pack p = { .write = write, .cls = cls };
        layer_locale loc;
        int r = cp_target_open(root_fd, path, &t, err);

        if (r < 0 || (r = fill_stat(root_fd, path, &t, &st, err)) < 0)
                return r;
        r = layer_pack_open(&p, err);
        if (r < 0)
                return r;
        layer_locale_enter(&loc);
        /* Members are named after the path as asked: "dir/." gives "./...", a followed
         * symlink "link/" the link's name, as Docker's rebasing does. */
        r = layer_pack_finish(&p, get_tree(&p, t.dir_fd, t.base ?: ".", st.name, &t.st, err), err);
        layer_locale_leave(&loc);
        if (r < 0)
                return berth_err_prefix(err, "cannot archive %s in container", path);
        if (ret_stat) {
                *ret_stat = st;
                st = (struct container_path_stat) { 0 };
        }
        return 0;
}
