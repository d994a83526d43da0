/* Helpers shared by the layer unpacker and packer: path rules, overlay whiteouts, the
 * two-stage read pipeline and the per-thread UTF-8 locale. Not part of core's API. */
#pragma once

#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>


#include "archive-api.h"
#include "berth/cleanup.h"
#include "berth/layer.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive_entry *, archive_entry_free);

/* ---- safe-path.c: what a member name may be, and walks that never follow a symlink ---- */

/* Turns a tar member name into a relative path without "." components, duplicate or
 * trailing slashes; "" is the layer root. A NULL or empty name, an absolute one or one
 * with a ".." component is -EINVAL and *ret_reason says why (for the user). */
int layer_path_normalize(const char *name, char **ret_path, const char **ret_reason);

/* Go's filepath.Clean() (what Docker applies to paths): no ".", ".." resolved lexically
 * (above "/" stays "/"), no repeated or trailing slashes; "." for nothing. */
char *layer_path_clean(const char *path);

/* dest + "/" + rel (just dest for the root); -ENAMETOOLONG at PATH_MAX and beyond,
 * since libarchive chdir()s (process-wide) into deeper paths. */
int layer_path_join(const char *dest, const char *rel, char **ret_path);

/* Opens directory `rel` below root_fd one component at a time with O_NOFOLLOW, so a
 * symlink or non-directory on the way is -ELOOP or -ENOTDIR; missing components are
 * created (0755) when `create`, else -ENOENT. */
int layer_open_dir_at(int root_fd, const char *rel, bool create, int *ret_fd);

/* lstat() of `rel` below root_fd with the same walk for its parents. */
int layer_lstat_at(int root_fd, const char *rel, struct stat *ret_st);

/* The names in directory dir_fd but "." and "..", sorted bytewise (readdir's order is
 * the filesystem's), as a NULL-terminated vector; ret_n (optional) gets their number. */
int layer_list_dir(int dir_fd, char ***ret_names, size_t *ret_n);

/* ---- whiteout.c: OCI whiteouts <-> overlay whiteouts, and overlay's private xattrs ---- */

#define LAYER_WHITEOUT_PREFIX ".wh."
#define LAYER_WHITEOUT_META_PREFIX ".wh..wh."
#define LAYER_WHITEOUT_OPAQUE ".wh..wh..opq"
#define LAYER_OVERLAY_OPAQUE_XATTR "trusted.overlay.opaque"

typedef enum layer_member_kind {
        LAYER_MEMBER_PLAIN,     /* extracted as is */
        LAYER_MEMBER_WHITEOUT,  /* ".wh.NAME": a 0:0 character device NAME */
        LAYER_MEMBER_OPAQUE,    /* ".wh..wh..opq": its directory becomes opaque */
        LAYER_MEMBER_AUFS_META, /* other ".wh..wh." names: AUFS bookkeeping, skipped */
} layer_member_kind;

/* Classifies a normalized path. For a whiteout *ret_target is the path it hides, for
 * an opaque marker the directory; both are NULL otherwise. A whiteout of "", "." or
 * "..", or a ".wh." name used as a directory, is -EINVAL with *ret_reason. */
int layer_member_classify(const char *path, layer_member_kind *ret_kind, char **ret_target,
                          const char **ret_reason);

/* Sets trusted.overlay.opaque="y" on directory `rel` below root_fd, creating it. */
int layer_mark_opaque(int root_fd, const char *rel);

/* Overlay's own metadata (redirects, origins, opaque marks...) must never cross a layer
 * boundary as a plain xattr: a layer could otherwise redirect lookups in the image. */
bool layer_xattr_is_private(const char *name);

/* Drops overlay's private xattrs from a member about to be extracted. */
void layer_entry_strip_private_xattrs(struct archive_entry *e);

/* Also left out of packed layers: the host's SELinux labels. */
bool layer_xattr_is_host_only(const char *name);

static inline bool layer_stat_is_whiteout(const struct stat *st) {
        return S_ISCHR(st->st_mode) && st->st_rdev == 0;
}

/* ---- locale.c: libarchive converts pax (UTF-8) names through the locale's charset ---- */

typedef struct layer_locale {
        locale_t utf8;
        locale_t saved;
} layer_locale;

/* Switches the calling thread (only) to C.UTF-8 so names pass through byte for byte. */
void layer_locale_enter(layer_locale *l);
void layer_locale_leave(layer_locale *l);

/* ---- unpack-stream.c: blob -> decompressor (stage 1) -> tar reader (stage 2) ---- */

typedef struct layer_stream {
        berth_read_fn read;
        void *cls;
        berth_tap_fn tap;       /* optional: sees stage 1's output, as the diff_id hash does */
        void *tap_cls;
        struct archive *blob;   /* stage 1: filters + raw format, decompresses */
        struct archive *tar;    /* stage 2: reads members from stage 1's output */
        berth_hasher *blob_hash;
        berth_hasher *tar_hash;
        uint64_t blob_size;
        uint64_t tar_size;
        bool source_eof;
        int source_error;       /* -errno from the caller's read function */
        bool blob_failed;       /* stage 1 failed under stage 2 */
        unsigned char *buf;
} layer_stream;

int layer_stream_open(layer_stream *s, berth_read_fn read, void *cls, const char *digest_algorithm,
                      berth_tap_fn tap, void *tap_cls, berth_error *err);
/* 1 and *ret_entry for the next member, 0 at the end of the tar. */
int layer_stream_next(layer_stream *s, struct archive_entry **ret_entry, berth_error *err);
/* Reads and hashes the rest (tar padding, bytes after the compressed stream). */
int layer_stream_finish(layer_stream *s, berth_layer_digests *ret, berth_error *err);
/* Fills err from whichever stage failed last (the source, stage 1 or stage 2). */
int layer_stream_error(layer_stream *s, berth_error *err);
void layer_stream_done(layer_stream *s);

/* ---- unpack-entry.c: one member onto disk ---- */

typedef struct layer_extract {
        struct archive *disk;   /* archive_write_disk with the secure flags */
        int root_fd;
        const char *dest;       /* canonical (realpath) destination */
} layer_extract;

void layer_extract_new(layer_extract *x, int root_fd, const char *dest);
int layer_extract_entry(layer_extract *x, layer_stream *s, struct archive_entry *entry, berth_error *err);
/* Applies deferred directory modes and times; then frees. */
int layer_extract_close(layer_extract *x, berth_error *err);
void layer_extract_done(layer_extract *x);

/* ---- pack-entry.c: one file of the tree as tar members ---- */

#define LAYER_PACK_BUF_SIZE (128 * 1024)

typedef struct layer_pack {
        struct archive *tar;
        struct archive_entry_linkresolver *links;
        berth_write_fn write;
        void *cls;
        berth_hasher *hash;
        uint64_t size;
        int write_error;        /* -errno from the caller's write function */
        bool aborted;           /* failed: write nothing more */
        unsigned char *buf;
} layer_pack;

/* Opens p->tar as layers are written (pax where needed, SCHILY xattrs, no padding after
 * the end) onto p->write; p->hash, when set, sees every byte. */
int layer_pack_open(layer_pack *p, berth_error *err);
/* Ends the tar after members were written with result r (written when r >= 0, else
 * abandoned without another byte to p->write); returns r or the failure to end it. */
int layer_pack_finish(layer_pack *p, int r, berth_error *err);
/* Frees what layer_pack_open() set up, and p->hash. */
void layer_pack_done(layer_pack *p);

/* Writes `name` (below dir_fd, shown as `path` in the tar) with st from its lstat. */
int layer_pack_entry(layer_pack *p, int dir_fd, const char *name, const char *path, const struct stat *st,
                     berth_error *err);
/* Maps a failure of p->tar to err (the caller's write error wins). */
int layer_pack_error(layer_pack *p, const char *what, berth_error *err);
