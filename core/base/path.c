/* Directory creation and program lookup. */
#include "berth/path.h"

#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

int berth_mkdir_p(const char *path, mode_t mode, berth_error *err) {
        _cleanup_free_ char *copy = xstrdup(path);
        struct stat st;

        for (char *p = copy + 1; ; p++) {
                char saved = *p;
                if (saved != '/' && saved != '\0')
                        continue;
                *p = '\0';
                if (mkdir(copy, mode) < 0 && errno != EEXIST)
                        return berth_err_errno(err, -errno, "cannot create directory %s", copy);
                *p = saved;
                if (saved == '\0')
                        break;
        }
        if (stat(path, &st) < 0)
                return berth_err_errno(err, -errno, "cannot stat %s", path);
        if (!S_ISDIR(st.st_mode))
                return berth_err(err, -ENOTDIR, "%s exists and is not a directory", path);
        return 0;
}

static int is_executable(const char *path) {
        struct stat st;
        return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int berth_find_program(const char *name, char **ret_path, berth_error *err) {
        static const char extra[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        const char *env = getenv("PATH");
        _cleanup_free_ char *search = NULL;

        if (!name || !*name)
                return berth_err(err, -EINVAL, "empty program name");
        if (strchr(name, '/')) {
                if (!is_executable(name))
                        return berth_err(err, -ENOENT, "%s is not an executable file", name);
                *ret_path = xstrdup(name);
                return 0;
        }
        search = xasprintf("%s:%s", env ? env : "", extra);
        for (char *dir = search, *next; dir; dir = next) {
                next = strchr(dir, ':');
                if (next)
                        *next++ = '\0';
                if (*dir != '/')
                        continue;
                _cleanup_free_ char *candidate = xasprintf("%s/%s", dir, name);
                if (is_executable(candidate)) {
                        *ret_path = TAKE_PTR(candidate);
                        return 0;
                }
        }
        return berth_err(err, -ENOENT, "%s not found in $PATH or the sbin directories", name);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st, (void) ftw;
        if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

int berth_rm_rf(const char *path, berth_error *err) {
        int r = nftw(path, remove_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
        if (r < 0 && errno == ENOENT)
                return 0;
        if (r != 0)
                return berth_err_errno(err, r < 0 ? -errno : r, "cannot remove %s", path);
        return 0;
}
