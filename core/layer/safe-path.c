/* Member-name rules for hostile layers, and directory walks that never follow a symlink. */
#include "layer-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

int layer_path_normalize(const char *name, char **ret_path, const char **ret_reason) {
        _cleanup_free_ char *out = NULL;
        size_t len = 0;

        if (!name || !*name) {
                *ret_reason = "the name is empty";
                return -EINVAL;
        }
        if (name[0] == '/') {
                *ret_reason = "the path is absolute";
                return -EINVAL;
        }
        out = xmalloc(strlen(name) + 1);
        for (const char *p = name; *p;) {
                size_t n = strcspn(p, "/");
                if (n == 2 && p[0] == '.' && p[1] == '.') {
                        *ret_reason = "the path has a \"..\" component";
                        return -EINVAL;
                }
                /* "", "." and repeated slashes name nothing on their own. */
                if (n > 0 && !(n == 1 && p[0] == '.')) {
                        if (len > 0)
                                out[len++] = '/';
                        memcpy(out + len, p, n);
                        len += n;
                }
                p += n;
                p += strspn(p, "/");
        }
        out[len] = '\0';
        *ret_path = TAKE_PTR(out);
        return 0;
}

int layer_path_join(const char *dest, const char *rel, char **ret_path) {
        char *path = *rel ? xasprintf("%s/%s", dest, rel) : xstrdup(dest);
        if (strlen(path) >= PATH_MAX) {
                free(path);
                return -ENAMETOOLONG;
        }
        *ret_path = path;
        return 0;
}

/* openat() of one component that must be a real directory. */
static int open_component(int dir_fd, const char *name, bool create) {
        int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0 || errno != ENOENT || !create)
                return fd >= 0 ? fd : -errno;
        if (mkdirat(dir_fd, name, 0755) < 0 && errno != EEXIST)
                return -errno;
        fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd >= 0 ? fd : -errno;
}

int layer_open_dir_at(int root_fd, const char *rel, bool create, int *ret_fd) {
        _cleanup_free_ char *copy = xstrdup(rel);
        _cleanup_close_ int fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
        char *save = NULL;

        if (fd < 0)
                return -errno;
        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                int next = open_component(fd, c, create);
                if (next < 0)
                        return next;
                safe_close(fd);
                fd = next;
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int layer_lstat_at(int root_fd, const char *rel, struct stat *ret_st) {
        _cleanup_free_ char *parent = xstrdup(rel);
        _cleanup_close_ int fd = -1;
        char *slash = strrchr(parent, '/');
        const char *base = slash ? slash + 1 : rel;
        int r;

        if (slash)
                *slash = '\0';
        r = layer_open_dir_at(root_fd, slash ? parent : "", false, &fd);
        if (r < 0)
                return r;
        if (fstatat(fd, base, ret_st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        return 0;
}
