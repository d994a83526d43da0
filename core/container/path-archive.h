/* `docker cp` inside a container's root filesystem: stat of a path, a tar of it, and a tar
 * extracted into a directory, all resolved in the root without ever leaving it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "berth/error.h"
#include "berth/layer.h"

/* Go os.FileMode type bits, as Docker sends them in ContainerPathStat.mode. */
#define GO_MODE_DIR (UINT32_C(1) << 31)
#define GO_MODE_SYMLINK (UINT32_C(1) << 27)
#define GO_MODE_DEVICE (UINT32_C(1) << 26)
#define GO_MODE_NAMED_PIPE (UINT32_C(1) << 25)
#define GO_MODE_SOCKET (UINT32_C(1) << 24)
#define GO_MODE_SETUID (UINT32_C(1) << 23)
#define GO_MODE_SETGID (UINT32_C(1) << 22)
#define GO_MODE_CHAR_DEVICE (UINT32_C(1) << 21)
#define GO_MODE_STICKY (UINT32_C(1) << 20)

/* Docker's types.ContainerPathStat (the X-Docker-Container-Path-Stat header). */
struct container_path_stat {
        char *name;             /* base name of the path as asked ("/" for the root, "." for "dir/.") */
        int64_t size;
        uint32_t mode;          /* GO_MODE_* type bits | setuid/setgid/sticky bits | 0777 perm */
        int64_t mtime_ns;       /* since the epoch */
        char *link_target;      /* a symlink's target fully resolved in the root ("/..."), else NULL */
};

void container_path_stat_done(struct container_path_stat *st);

/* Stats `path` (absolute in the container; relative is taken from "/") below root_fd, an
 * open directory. As Docker: ".." never leaves the root, symlinks on the way are followed
 * in the root, the last component is not followed unless the path ends in "/" or "/.".
 * A missing path is -ENOENT "Could not find the file PATH in container". */
int container_path_stat(int root_fd, const char *path, struct container_path_stat *ret, berth_error *err);

/* Writes an uncompressed tar of `path` (resolved as above): a file or symlink as one member
 * named by the base name; a directory recursively under its base name, or under "." for
 * "dir/." (its contents, as Docker). ret_stat (may be NULL) gets the stat on success. */
int container_path_get(int root_fd, const char *path, berth_write_fn write, void *cls,
                       struct container_path_stat *ret_stat, berth_error *err);

/* Extracts a tar (plain or compressed with gzip, bzip2, xz or zstd) into the directory
 * `path` (every component followed in the root, the last one too). A missing destination
 * is -ENOENT as above, a non-directory -ENOTDIR "extraction point is not a directory".
 * Members keep owner, mode, times and xattrs; names are cleaned and joined to the
 * destination, "../" escapes are -EINVAL; the extraction runs chrooted to the root, so no
 * symlink or hardlink can lead out of it. ".wh.*" names are plain files here. With
 * no_overwrite_dir_non_dir a directory never replaces a non-directory nor the reverse
 * (-EISDIR / -ENOTDIR). `read` is called on the extraction thread, whose root is the
 * container's: it must only read from what it already holds open. */
int container_path_put(int root_fd, const char *path, berth_read_fn read, void *cls, bool no_overwrite_dir_non_dir,
                       berth_error *err);

/* container_path_put() that also sets every member's owner to uid:gid (Docker's
 * copyUIDGID); uid or gid (uid_t/gid_t) -1 keeps the tar's. */
int container_path_put_owned(int root_fd, const char *path, berth_read_fn read, void *cls,
                             bool no_overwrite_dir_non_dir, int64_t uid, int64_t gid, berth_error *err);

/* ---- shared by path-archive.c and path-archive-put.c ---- */

/* The path as Docker sees it in the container: cleaned from "/", a trailing "/" or "/." kept. */
char *cp_abs_path(const char *path);
/* openat2(root_fd, path, flags | O_CLOEXEC, resolve | RESOLVE_NO_MAGICLINKS), retried on EAGAIN. */
int cp_open_in_root(int root_fd, const char *path, uint64_t flags, uint64_t resolve);
/* prefix + "/" + name (one slash). */
char *cp_member_name(const char *prefix, const char *name);
/* -ENOENT with Docker's message. */
int cp_not_found(berth_error *err, const char *path);
