/* berth_layer_unpack(): one streaming pass from a (compressed) layer blob to a directory,
 * run on a short-lived thread whose umask and working directory are its own. */
#include "berth/layer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/log.h"
#include "layer-internal.h"

struct unpack_job {
        berth_read_fn read;
        void *cls;
        berth_tap_fn tap;
        void *tap_cls;
        const char *algorithm;
        const char *dest_dir;
        berth_layer_digests *ret;
        berth_error *err;
        int rc;
        bool own_cwd;   /* this thread's cwd is its own (CLONE_FS unshared) */
};

static int dir_is_empty(int fd) {
        _cleanup_closedir_ DIR *d = NULL;
        int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        struct dirent *de;

        if (dup_fd < 0 || !(d = fdopendir(dup_fd))) {
                safe_close(dup_fd);
                return -errno;
        }
        errno = 0;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        return 0;
        return errno ? -errno : 1;
}

/* An empty destination means whatever is found below it (a hardlink target) came from
 * this layer; its canonical path keeps symlinks and ".." out of every re-rooted name. */
static int open_dest(const char *dest_dir, char **ret_path, int *ret_fd, berth_error *err) {
        _cleanup_free_ char *path = realpath(dest_dir, NULL);
        _cleanup_close_ int fd = -1;
        int r;

        if (!path)
                return berth_err_errno(err, -errno, "cannot resolve layer destination %s", dest_dir);
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return berth_err_errno(err, -errno, "cannot open layer destination %s", dest_dir);
        r = dir_is_empty(fd);
        if (r < 0)
                return berth_err_errno(err, r, "cannot read layer destination %s", dest_dir);
        if (r == 0)
                return berth_err(err, -ENOTEMPTY, "layer destination %s is not empty", dest_dir);
        *ret_path = TAKE_PTR(path);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int unpack(struct unpack_job *j) {
        _cleanup_free_ char *dest = NULL;
        _cleanup_close_ int root_fd = -1;
        _cleanup_(layer_stream_done) layer_stream s = { 0 };
        _cleanup_(layer_extract_done) layer_extract x = { 0 };
        struct archive_entry *entry;
        int r = open_dest(j->dest_dir, &dest, &root_fd, j->err);

        if (r < 0)
                return r;
        /* With a cwd of its own, the unpacker works relative to the layer: libarchive's
         * symlink checks then walk a member's components inside the layer, not every
         * component of the absolute path from / (several syscalls per entry saved). */
        if (j->own_cwd && fchdir(root_fd) == 0) {
                free(dest);
                dest = xstrdup(".");
        }
        r = layer_stream_open(&s, j->read, j->cls, j->algorithm, j->tap, j->tap_cls, j->err);
        if (r < 0)
                return r;
        layer_extract_new(&x, root_fd, dest);
        while ((r = layer_stream_next(&s, &entry, j->err)) > 0)
                if ((r = layer_extract_entry(&x, &s, entry, j->err)) < 0)
                        return r;
        if (r < 0)
                return r;
        r = layer_extract_close(&x, j->err);
        if (r < 0)
                return r;
        return layer_stream_finish(&s, j->ret, j->err);
}

static void *unpack_thread(void *cls) {
        struct unpack_job *j = cls;
        layer_locale loc;

        /* libarchive calls umask(0) and umask(old) around every member. With the process's
         * fs attributes shared, other threads would create files meanwhile with umask 0,
         * and concurrent unpacks could leave berthd with umask 0 for good; unshared, the
         * calls only touch this thread. */
        if (unshare(CLONE_FS) < 0)
                log_warn("layer unpacker: cannot get a private umask (unshare: %s)", strerror(errno));
        else {
                umask(022);     /* parents the tar does not list become 0755, as in Docker */
                j->own_cwd = true;
        }
        layer_locale_enter(&loc);
        j->rc = unpack(j);
        layer_locale_leave(&loc);
        return NULL;
}

int berth_layer_unpack(berth_read_fn read, void *cls, const char *digest_algorithm, const char *dest_dir,
                       berth_layer_digests *ret, berth_error *err) {
        return berth_layer_unpack_tapped(read, cls, digest_algorithm, dest_dir, NULL, NULL, ret, err);
}

int berth_layer_unpack_tapped(berth_read_fn read, void *cls, const char *digest_algorithm, const char *dest_dir,
                              berth_tap_fn tap, void *tap_cls, berth_layer_digests *ret, berth_error *err) {
        struct unpack_job j = {
                .read = read, .cls = cls, .tap = tap, .tap_cls = tap_cls, .algorithm = digest_algorithm,
                .dest_dir = dest_dir, .ret = ret, .err = err, .rc = -EIO,
        };
        pthread_t thread;
        int r = pthread_create(&thread, NULL, unpack_thread, &j);

        if (r != 0)
                return berth_err_errno(err, -r, "cannot start the layer unpacker for %s", dest_dir);
        pthread_join(thread, NULL);
        return j.rc;
}
