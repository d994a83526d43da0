/* Member-name rules for hostile layers, and directory walks that never follow a symlink
 * or depend on readdir's order. */
#include "layer-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

char *layer_path_clean(const char *path) {
        bool rooted = path[0] == '/';
        size_t len = 0;
        char *out = xmalloc(strlen(path) + 3);

        for (const char *p = path; *p;) {
                size_t n = strcspn(p, "/");
                if (n == 2 && p[0] == '.' && p[1] == '.') {
                        char *slash;
                        bool up = len > 0 && !(len >= 2 && out[len - 1] == '.' && out[len - 2] == '.' &&
                                                (len == 2 || out[len - 3] == '/'));
                        if (up) {
                                out[len] = '\0';
                                slash = strrchr(out, '/');
                                len = slash ? (size_t) (slash - out) : 0;
                        } else if (!rooted) {
                                if (len > 0)
                                        out[len++] = '/';
                                out[len++] = '.';
                                out[len++] = '.';
                        }
                } else if (n > 0 && !(n == 1 && p[0] == '.')) {
                        if (len > 0)
                                out[len++] = '/';
                        memcpy(out + len, p, n);
                        len += n;
                }
                p += n;
                p += strspn(p, "/");
        }
        out[len] = '\0';
        if (rooted) {
                memmove(out + 1, out, len + 1);
                out[0] = '/';
        } else if (len == 0)
                strcpy(out, ".");
        return out;
}

static bool has_dotdot_component(const char *path) {
        for (const char *p = path; (p = strstr(p, "..")); p++)
                if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
                        return true;
        return false;
}

int layer_path_normalize(const char *name, char **ret_path, const char **ret_reason) {
        char *out;

        if (!name || !*name) {
                *ret_reason = "the name is empty";
                return -EINVAL;
        }
        if (name[0] == '/') {
                *ret_reason = "the path is absolute";
                return -EINVAL;
        }
        if (has_dotdot_component(name)) {
                *ret_reason = "the path has a \"..\" component";
                return -EINVAL;
        }
        /* Without "..", cleaning only drops "", "." and repeated slashes; "." is the root. */
        out = layer_path_clean(name);
        if (strcmp(out, ".") == 0)
                out[0] = '\0';
        *ret_path = out;
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

static int cmp_strp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int layer_list_dir(int dir_fd, char ***ret_names, size_t *ret_n) {
        _cleanup_closedir_ DIR *d = NULL;
        _cleanup_strv_free_ char **names = xnew0(char *, 1);
        int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        size_t n = 0;
        struct dirent *de;

        if (fd < 0 || !(d = fdopendir(fd))) {
                safe_close(fd);
                return -errno;
        }
        for (;;) {
                errno = 0;      /* readdir() tells the end from an error only by errno */
                if (!(de = readdir(d)))
                        break;
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                names = xrealloc(names, (n + 2) * sizeof(*names));
                names[n++] = xstrdup(de->d_name);
                names[n] = NULL;
        }
        if (errno != 0)
                return -errno;
        qsort(names, n, sizeof(*names), cmp_strp);
        *ret_names = TAKE_PTR(names);
        if (ret_n)
                *ret_n = n;
        return 0;
}
