/* One tar member onto disk: its name is checked and re-rooted under the destination,
 * whiteouts become overlay whiteouts, and libarchive's secure flags guard every write. */
#include "layer-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/log.h"

/* Not FFLAGS: an immutable or append-only file would make the layer undeletable.
 * Not SECURE_NOABSOLUTEPATHS: re-rooted paths are absolute; absolute names were refused
 * before that. No user/group lookup is installed, so ids stay numeric, never host names. */
#define EXTRACT_FLAGS                                                                        \
        (ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |               \
         ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_SPARSE |              \
         ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT)

/* Names are cut at 256 bytes in messages: a hostile 4 KiB name would crowd out the reason. */
static int bad_entry(berth_error *err, const char *name, const char *reason) {
        return berth_err(err, -EINVAL, "layer entry \"%.256s\": %s", name, reason);
}

static int disk_error(layer_extract *x, const char *name, berth_error *err) {
        int e = archive_errno(x->disk);
        return berth_err(err, e > 0 ? -e : -EINVAL, "cannot extract layer entry \"%.256s\": %s", name,
                         archive_error_string(x->disk) ?: "unknown error");
}

void layer_extract_new(layer_extract *x, int root_fd, const char *dest) {
        x->disk = archive_write_disk_new();
        if (!x->disk)
                abort();
        archive_write_disk_set_options(x->disk, EXTRACT_FLAGS);
        x->root_fd = root_fd;
        x->dest = dest;
}

static int copy_data(layer_extract *x, layer_stream *s, const char *name, berth_error *err) {
        const void *buf;
        size_t size;
        la_int64_t offset;

        for (;;) {
                int r = archive_read_data_block(s->tar, &buf, &size, &offset);
                if (r == ARCHIVE_EOF)
                        return 0;
                if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
                        return layer_stream_error(s, err);
                /* With offsets, holes of sparse members stay holes. */
                if (archive_write_data_block(x->disk, buf, size, offset) != ARCHIVE_OK)
                        return disk_error(x, name, err);
        }
}

static int write_member(layer_extract *x, layer_stream *s, struct archive_entry *e, const char *name, bool data,
                        berth_error *err) {
        int r = archive_write_header(x->disk, e);

        /* A warning here is libarchive skipping a hardlink to itself. */
        if (r == ARCHIVE_WARN)
                log_warn("layer entry \"%.256s\": %s", name, archive_error_string(x->disk));
        else if (r != ARCHIVE_OK)
                return disk_error(x, name, err);
        if (data && (r = copy_data(x, s, name, err)) < 0)
                return r;
        /* Warnings are xattrs or times the filesystem refused; Docker goes on as well. */
        r = archive_write_finish_entry(x->disk);
        if (r == ARCHIVE_WARN)
                log_warn("layer entry \"%.256s\": %s", name, archive_error_string(x->disk));
        else if (r != ARCHIVE_OK)
                return disk_error(x, name, err);
        return 0;
}

static int bad_link(berth_error *err, const char *name, const char *target, const char *problem) {
        return berth_err(err, -EINVAL, "layer entry \"%.256s\": hardlink target \"%.256s\" %s", name, target,
                         problem);
}

/* The target must already be in this layer (dest_dir started empty), reached without a
 * symlink, and not a directory. */
static int rebase_hardlink(layer_extract *x, struct archive_entry *e, const char *name, berth_error *err) {
        _cleanup_free_ char *target = xstrdup(archive_entry_hardlink(e));
        _cleanup_free_ char *rel = NULL, *path = NULL;
        const char *reason = "it is the layer root";
        struct stat st;
        int r = layer_path_normalize(target, &rel, &reason);

        if (r < 0 || !*rel)
                return berth_err(err, -EINVAL, "layer entry \"%.256s\": hardlink target \"%.256s\": %s", name,
                                 target, reason);
        r = layer_lstat_at(x->root_fd, rel, &st);
        if (r == -ENOENT)
                return bad_link(err, name, target, "is not in the layer");
        if (r == -ELOOP || r == -ENOTDIR)
                return bad_link(err, name, target, "is reached through a symlink or a non-directory");
        if (r < 0)
                return berth_err_errno(err, r, "layer entry \"%.256s\": cannot look up its hardlink target", name);
        if (S_ISDIR(st.st_mode))
                return bad_link(err, name, target, "is a directory");
        if (layer_path_join(x->dest, rel, &path) < 0)
                return berth_err(err, -ENAMETOOLONG, "layer entry \"%.256s\": hardlink target is too long", name);
        archive_entry_set_hardlink(e, path);
        /* pax lets a hardlink carry data; tar readers, Docker's too, ignore it rather than
         * write through the link. */
        archive_entry_set_size(e, 0);
        return 0;
}

static bool supported_type(mode_t type) {
        return type == AE_IFREG || type == AE_IFDIR || type == AE_IFLNK || type == AE_IFCHR ||
               type == AE_IFBLK || type == AE_IFIFO;
}

static int extract_plain(layer_extract *x, layer_stream *s, struct archive_entry *e, const char *name,
                         const char *rel, berth_error *err) {
        _cleanup_free_ char *path = NULL;
        mode_t type = archive_entry_filetype(e);
        bool hardlink = archive_entry_hardlink(e) != NULL;
        int r;

        if (!*rel && (hardlink || type != AE_IFDIR))
                return bad_entry(err, name, "the layer root can only be a directory");
        if (!hardlink && !supported_type(type))
                return bad_entry(err, name, "unsupported file type (a socket or an unknown tar type)");
        if (hardlink && (r = rebase_hardlink(x, e, name, err)) < 0)
                return r;
        if (layer_path_join(x->dest, rel, &path) < 0)
                return berth_err(err, -ENAMETOOLONG, "layer entry \"%.256s\": the path is too long", name);
        archive_entry_set_pathname(e, path);
        layer_entry_strip_private_xattrs(e);
        return write_member(x, s, e, name, !hardlink && type == AE_IFREG, err);
}

/* ".wh.NAME" becomes NAME, a 0:0 character device with mode 0, as Docker's overlay does. */
static int extract_whiteout(layer_extract *x, layer_stream *s, struct archive_entry *e, const char *name,
                            const char *hidden, berth_error *err) {
        _cleanup_(archive_entry_freep) struct archive_entry *wh = archive_entry_new();
        _cleanup_free_ char *path = NULL;

        if (layer_path_join(x->dest, hidden, &path) < 0)
                return berth_err(err, -ENAMETOOLONG, "layer entry \"%.256s\": the path is too long", name);
        archive_entry_set_pathname(wh, path);
        archive_entry_set_filetype(wh, AE_IFCHR);
        archive_entry_set_perm(wh, 0);
        archive_entry_set_rdev(wh, 0);
        archive_entry_set_size(wh, 0);
        archive_entry_set_uid(wh, archive_entry_uid(e));
        archive_entry_set_gid(wh, archive_entry_gid(e));
        archive_entry_set_mtime(wh, archive_entry_mtime(e), archive_entry_mtime_nsec(e));
        return write_member(x, s, wh, name, false, err);
}

static int extract_opaque(layer_extract *x, const char *name, const char *dir, berth_error *err) {
        int r = layer_mark_opaque(x->root_fd, dir);
        if (r == -ELOOP || r == -ENOTDIR)
                return bad_entry(err, name, "its directory is reached through a symlink or a non-directory");
        if (r < 0)
                return berth_err_errno(err, r, "layer entry \"%.256s\": cannot make its directory opaque", name);
        return 0;
}

int layer_extract_entry(layer_extract *x, layer_stream *s, struct archive_entry *e, berth_error *err) {
        /* Copied: re-rooting the entry frees the string archive_entry_pathname() gave. */
        _cleanup_free_ char *name = xstrdup(archive_entry_pathname(e) ?: "");
        _cleanup_free_ char *rel = NULL, *target = NULL;
        layer_member_kind kind = LAYER_MEMBER_PLAIN;
        const char *reason = NULL;
        int r = layer_path_normalize(name, &rel, &reason);

        if (r == 0 && *rel)
                r = layer_member_classify(rel, &kind, &target, &reason);
        if (r < 0)
                return bad_entry(err, name, reason);
        switch (kind) {
        case LAYER_MEMBER_AUFS_META:
                log_debug("skipping AUFS metadata \"%s\" in a layer", name);
                return 0;
        case LAYER_MEMBER_OPAQUE:
                return extract_opaque(x, name, target, err);
        case LAYER_MEMBER_WHITEOUT:
                return extract_whiteout(x, s, e, name, target, err);
        case LAYER_MEMBER_PLAIN:
                break;
        }
        return extract_plain(x, s, e, name, rel, err);
}

int layer_extract_close(layer_extract *x, berth_error *err) {
        int r = archive_write_close(x->disk);
        int e = archive_errno(x->disk);

        if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
                return berth_err(err, e > 0 ? -e : -EIO,
                                 "cannot set the modes and times of the layer's directories: %s",
                                 archive_error_string(x->disk) ?: "unknown error");
        return 0;
}

void layer_extract_done(layer_extract *x) {
        archive_write_free(x->disk);
        x->disk = NULL;
}
