/* `-u/--user` and `--group-add` resolution against the container's own /etc/passwd and
 * /etc/group, as Docker does (daemon/oci_linux.go getUser, moby/sys/user). Internal. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "berth/error.h"

struct container_user {
        uint32_t uid, gid;
        /* As Docker 25+: the primary gid first, then the groups of /etc/group listing the
         * user (only when no group was given), then --group-add; duplicates dropped. */
        uint32_t *additional_gids;
        size_t n_additional_gids;
        char *home;   /* the passwd entry's home, "/" without one */
};

/* Frees the members (not `u` itself); safe on a zeroed or already-done struct. */
void container_user_done(struct container_user *u);

/* Resolves `user` ("" or NULL = root, "name", "uid", "name:group", "uid:gid", "name:gid",
 * "uid:group") and `group_add` (a NULL-terminated list of group names or gids, may be
 * NULL) with the files of the rootfs at `rootfs_fd`, opened with openat2(RESOLVE_IN_ROOT)
 * so no symlink leads out of it. A numeric id absent from the files is used as is (gid 0
 * when no group is given); a name that is not found is -EINVAL "unable to find user NAME:
 * no matching entries in passwd file" (or "group ... group file"); an id outside
 * 0-2147483647 is -EINVAL. Missing files are fine; a file larger than 16 MiB or not a
 * regular file is an error. Entries whose uid/gid field is not a number are skipped. */
int container_user_resolve(int rootfs_fd, const char *user, char *const *group_add, struct container_user *ret,
                           berth_error *err);
