/* OCI whiteouts (".wh.NAME", ".wh..wh..opq") and their overlayfs forms (0:0 character
 * devices, trusted.overlay.opaque), plus the overlay xattrs a layer must never carry. */
#include "layer-internal.h"

#include <errno.h>
#include <string.h>
#include <sys/xattr.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

static bool has_prefix(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A ".wh." directory would be read as a whiteout (with children) by the next reader. */
static bool whiteout_in_dirs(const char *path, size_t dir_len) {
        for (const char *p = path; p < path + dir_len; p += strcspn(p, "/") + 1)
                if (has_prefix(p, LAYER_WHITEOUT_PREFIX))
                        return true;
        return false;
}

int layer_member_classify(const char *path, layer_member_kind *ret_kind, char **ret_target,
                          const char **ret_reason) {
        const char *slash = strrchr(path, '/');
        const char *base = slash ? slash + 1 : path;
        size_t dir_len = slash ? (size_t) (slash - path) : 0;
        const char *hidden = base + strlen(LAYER_WHITEOUT_PREFIX);

        *ret_target = NULL;
        /* AUFS kept hardlink bookkeeping under "/.wh..wh.plnk" etc.; Docker skips it too. */
        if ((has_prefix(path, LAYER_WHITEOUT_META_PREFIX) || has_prefix(base, LAYER_WHITEOUT_META_PREFIX)) &&
            strcmp(base, LAYER_WHITEOUT_OPAQUE) != 0) {
                *ret_kind = LAYER_MEMBER_AUFS_META;
                return 0;
        }
        if (whiteout_in_dirs(path, dir_len)) {
                *ret_reason = "a whiteout name is used as a directory";
                return -EINVAL;
        }
        if (!has_prefix(base, LAYER_WHITEOUT_PREFIX)) {
                *ret_kind = LAYER_MEMBER_PLAIN;
                return 0;
        }
        if (strcmp(base, LAYER_WHITEOUT_OPAQUE) == 0) {
                *ret_kind = LAYER_MEMBER_OPAQUE;
                *ret_target = xstrndup(path, dir_len);
                return 0;
        }
        if (!*hidden || strcmp(hidden, ".") == 0 || strcmp(hidden, "..") == 0) {
                *ret_reason = "the whiteout hides no valid name";
                return -EINVAL;
        }
        *ret_kind = LAYER_MEMBER_WHITEOUT;
        *ret_target = dir_len ? xasprintf("%.*s/%s", (int) dir_len, path, hidden) : xstrdup(hidden);
        return 0;
}

int layer_mark_opaque(int root_fd, const char *rel) {
        _cleanup_close_ int fd = -1;
        int r = layer_open_dir_at(root_fd, rel, true, &fd);

        if (r < 0)
                return r;
        if (fsetxattr(fd, LAYER_OVERLAY_OPAQUE_XATTR, "y", 1, 0) < 0)
                return -errno;
        return 0;
}

bool layer_xattr_is_private(const char *name) {
        /* user.overlay.* is what overlayfs uses when mounted with "userxattr". */
        return has_prefix(name, "trusted.overlay.") || has_prefix(name, "user.overlay.");
}

bool layer_xattr_is_host_only(const char *name) {
        return strcmp(name, "security.selinux") == 0;
}

void layer_entry_strip_private_xattrs(struct archive_entry *e) {
        _cleanup_(archive_entry_freep) struct archive_entry *copy = NULL;
        const char *name;
        const void *value;
        size_t size;

        if (archive_entry_xattr_reset(e) == 0)
                return;
        copy = archive_entry_clone(e);
        archive_entry_xattr_clear(e);
        archive_entry_xattr_reset(copy);
        while (archive_entry_xattr_next(copy, &name, &value, &size) == ARCHIVE_OK)
                if (!layer_xattr_is_private(name))
                        archive_entry_xattr_add_entry(e, name, value, size);
}
