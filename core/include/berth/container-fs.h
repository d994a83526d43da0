/* A container's files: docker cp both ways (archive stat/get/put), export of the whole
 * root, the changes its upper directory holds (docker diff), and commit to an image. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "berth/engine.h"
#include "berth/error.h"
#include "berth/layer.h"

/* Go os.FileMode type bits, as Docker's ContainerPathStat.mode carries them. */
#define BERTH_MODE_DIR (UINT32_C(1) << 31)
#define BERTH_MODE_SYMLINK (UINT32_C(1) << 27)

/* Docker's types.ContainerPathStat (the X-Docker-Container-Path-Stat header). */
typedef struct berth_path_stat {
        char *name;             /* base name of the path as asked */
        int64_t size;
        uint32_t mode;          /* Go os.FileMode: type bits | setuid/setgid/sticky | 0777 */
        int64_t mtime_ns;       /* since the epoch */
        char *link_target;      /* a symlink's target resolved in the root, else NULL */
        char *resolved;         /* the path with its symlinks resolved in the root (Podman's
                                 * linkTarget for what is not a symlink); may be NULL */
} berth_path_stat;

void berth_path_stat_done(berth_path_stat *st);

/* Paths are absolute in the container (relative ones start at "/"); ".." and symlinks
 * never lead out of its root. A stopped container's root is mounted for the call. An
 * empty path is -EINVAL "path is required"; a missing one -ENOENT "Could not find the
 * file PATH in container NAME". */
int berth_container_archive_stat(berth_engine *e, const char *name, const char *path, berth_path_stat *ret,
                                 berth_error *err);
/* Writes a tar of `path` (Docker's GET /containers/{id}/archive). *ret_stat is filled
 * before the first byte is written (callers send it as a header); free it with
 * berth_path_stat_done() whatever the result. */
int berth_container_archive_get(berth_engine *e, const char *name, const char *path, berth_path_stat *ret_stat,
                                berth_write_fn write, void *cls, berth_error *err);

typedef struct berth_archive_put_options {
        bool no_overwrite_dir_non_dir;  /* a directory never replaces a non-directory, nor the reverse */
        bool copy_uid_gid;              /* members get the container user's uid:gid */
} berth_archive_put_options;

/* Extracts a tar (any compression) into the directory `path`. Not a directory: -EINVAL
 * "extraction point is not a directory". `o` may be NULL. */
int berth_container_archive_put(berth_engine *e, const char *name, const char *path, berth_read_fn read, void *cls,
                                const berth_archive_put_options *o, berth_error *err);

/* docker export: the whole root filesystem (the merged view, no whiteouts) as a tar. */
int berth_container_export(berth_engine *e, const char *name, berth_write_fn write, void *cls, berth_error *err);

typedef enum berth_change_kind {
        BERTH_CHANGE_MODIFIED = 0,
        BERTH_CHANGE_ADDED = 1,
        BERTH_CHANGE_DELETED = 2,
} berth_change_kind;

typedef struct berth_change {
        char *path;             /* "/etc/passwd" */
        berth_change_kind kind;
} berth_change;

typedef struct berth_changes {
        berth_change *items;
        size_t n;
} berth_changes;

void berth_changes_done(berth_changes *c);

/* What the overlay upper directory `upper` changes over `lowers` (lowest layer first,
 * NULL-terminated), as Docker computes it: a whiteout is a deletion, an opaque directory
 * that hides a lower one too; an entry a lower layer has is a modification (a directory
 * with the same size, mode and mtime as the lower one is no change by itself), anything
 * else an addition; the parent of an added or deleted entry is modified. In walk order:
 * depth first, names sorted bytewise. */
int berth_changes_compute(const char *upper, char *const *lowers, berth_changes *ret, berth_error *err);

/* docker diff: the container's changes, without the mount points the runtime creates
 * (/dev, /proc, /sys, /etc/hosts, /etc/hostname, /etc/resolv.conf), as Podman. */
int berth_container_changes(berth_engine *e, const char *name, berth_changes *ret, berth_error *err);

typedef struct berth_commit_options {
        const char *reference;   /* the image's name ("repo:tag"); NULL: none */
        const char *comment;
        const char *author;
        const char *config;      /* Docker Config JSON to merge over the container's; NULL: none */
        char *const *changes;    /* Dockerfile instructions (CMD, ENV, ...), NULL-terminated */
        bool pause;              /* pause a running container while its files are read */
} berth_commit_options;

/* docker commit: the container's upper directory becomes a new top layer over its
 * image's, with the container's Config (merged with o->config and o->changes) and a
 * history entry. Returns the new image's ID ("sha256:..."). */
int berth_container_commit(berth_engine *e, const char *name, const berth_commit_options *o, char **ret_id,
                           berth_error *err);
