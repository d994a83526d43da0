/* Overlay mounts of container roots. */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/path.h"
#include "berth/strv.h"
#include "container-internal.h"

#define OVERLAY_MAGIC 0x794c7630

struct mount_job {
        const char *layers_dir, *options, *target;
        int result;
};

static const char *hex_of(const char *diff_id) {
        const char *colon = strchr(diff_id, ':');
        return colon ? colon + 1 : diff_id;
}

/* The thread's own cwd (unshare(CLONE_FS)) makes the relative lowerdirs resolve in
 * ROOT/layers without touching the daemon's cwd. */
static void *mount_thread(void *p) {
        struct mount_job *j = p;
        if (unshare(CLONE_FS) < 0 || chdir(j->layers_dir) < 0) {
                j->result = -errno;
                return NULL;
        }
        j->result = mount("overlay", j->target, "overlay", 0, j->options) < 0 ? -errno : 0;
        return NULL;
}

static bool is_overlay_mounted(const char *path) {
        struct statfs sfs;
        return statfs(path, &sfs) == 0 && sfs.f_type == OVERLAY_MAGIC;
}

static char *lower_list(berth_engine *e, const berth_container *c, const char *empty) {
        size_t n = strv_length(c->diff_ids), len = 1;
        char *s;
        for (size_t i = 0; i < n; i++)
                len += strlen(hex_of(c->diff_ids[i])) + 1;
        if (n == 0)
                return xasprintf("%s", empty);
        s = xmalloc(len);
        s[0] = '\0';
        /* Top layer first. */
        for (size_t i = n; i-- > 0;) {
                strcat(s, hex_of(c->diff_ids[i]));
                if (i)
                        strcat(s, ":");
        }
        (void) e;
        return s;
}

int rootfs_mount(berth_engine *e, const berth_container *c, berth_error *err) {
        _cleanup_free_ char *dir = container_dir(e, c->id);
        _cleanup_free_ char *work = xasprintf("%s/work", dir), *empty = xasprintf("%s/empty", dir);
        _cleanup_free_ char *layers = xasprintf("%s/layers", berth_engine_config(e)->root);
        _cleanup_free_ char *lowers = NULL, *options = NULL;
        struct mount_job job = {};
        pthread_t t;
        int r;

        if (is_overlay_mounted(c->rootfs))
                return 0;
        const char *dirs[] = { c->upper, work, c->rootfs, empty };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                r = berth_mkdir_p(dirs[i], 0700, err);
                if (r < 0)
                        return r;
        }
        /* The upper directory's mode becomes the mode of the container's "/". */
        if (chmod(c->upper, 0755) < 0 || chmod(empty, 0755) < 0)
                return berth_err_errno(err, -errno, "cannot prepare the root of container %s", c->id);
        lowers = lower_list(e, c, empty);
        options = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", lowers, c->upper, work);
        if (strlen(options) >= (size_t) sysconf(_SC_PAGESIZE))
                return berth_err(err, -E2BIG, "the image of container %s has too many layers to mount (%zu)", c->id,
                                 strv_length(c->diff_ids));
        job = (struct mount_job) { .layers_dir = layers, .options = options, .target = c->rootfs };
        r = -pthread_create(&t, NULL, mount_thread, &job);
        if (r < 0)
                return berth_err_errno(err, r, "cannot start the mount of container %s", c->id);
        pthread_join(t, NULL);
        if (job.result < 0)
                return berth_err_errno(err, job.result, "cannot mount the root of container %s", c->id);
        return 0;
}

int rootfs_unmount(const berth_container *c, berth_error *err) {
        if (!is_overlay_mounted(c->rootfs))
                return 0;
        if (umount2(c->rootfs, 0) < 0 && umount2(c->rootfs, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                return berth_err_errno(err, -errno, "cannot unmount the root of container %s", c->id);
        return 0;
}
