/* One file of a layer tree as tar members: stat, link target, xattrs and data; overlay
 * whiteouts turn back into OCI ".wh." members on the way. */
#include "layer-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/log.h"

int layer_pack_error(layer_pack *p, const char *what, berth_error *err) {
        int e = archive_errno(p->tar);

        if (p->write_error)
                return berth_err_errno(err, p->write_error, "cannot write the layer tar");
        return berth_err(err, e > 0 ? -e : -EIO, "cannot pack %s: %s", what,
                         archive_error_string(p->tar) ?: "unknown error");
}

/* Reads one xattr; -ENODATA when it is not there. */
static int get_xattr(const char *path, const char *name, char **ret_value, size_t *ret_size) {
        for (;;) {
                ssize_t n = lgetxattr(path, name, NULL, 0), m;
                char *v;
                if (n < 0)
                        return -errno;
                v = xmalloc((size_t) n + 1);
                m = lgetxattr(path, name, v, (size_t) n);
                if (m < 0) {
                        free(v);
                        if (errno == ERANGE)    /* grew meanwhile */
                                continue;
                        return -errno;
                }
                *ret_value = v;
                *ret_size = (size_t) m;
                return 0;
        }
}

static int list_xattrs(const char *path, char **ret_list, size_t *ret_size) {
        for (;;) {
                ssize_t n = llistxattr(path, NULL, 0), m;
                char *list;
                if (n < 0)
                        return errno == ENOTSUP ? 0 : -errno;
                list = xmalloc((size_t) n + 1);
                m = llistxattr(path, list, (size_t) n);
                if (m < 0) {
                        free(list);
                        if (errno == ERANGE)
                                continue;
                        return -errno;
                }
                *ret_list = list;
                *ret_size = (size_t) m;
                return 0;
        }
}

static int cmp_strp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* All xattrs but overlay's and the host's labels, sorted: the kernel lists them in an
 * order that depends on the filesystem. */
static int add_xattrs(struct archive_entry *e, const char *proc_path, const char *path, berth_error *err) {
        _cleanup_free_ char *list = NULL;
        _cleanup_free_ const char **names = NULL;
        size_t size = 0, n = 0;
        int r = list_xattrs(proc_path, &list, &size);

        if (r < 0)
                return berth_err_errno(err, r, "cannot list the xattrs of %s", path);
        names = xnew0(const char *, size + 1);
        for (size_t i = 0; i < size; i += strlen(list + i) + 1)
                if (!layer_xattr_is_private(list + i) && !layer_xattr_is_host_only(list + i))
                        names[n++] = list + i;
        qsort(names, n, sizeof(*names), cmp_strp);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *value = NULL;
                size_t value_size = 0;
                r = get_xattr(proc_path, names[i], &value, &value_size);
                if (r == -ENODATA)
                        continue;
                if (r < 0)
                        return berth_err_errno(err, r, "cannot read xattr %s of %s", names[i], path);
                archive_entry_xattr_add_entry(e, names[i], value, value_size);
        }
        return 0;
}

static bool dir_is_opaque(const char *proc_path) {
        _cleanup_free_ char *value = NULL;
        size_t size = 0;
        return get_xattr(proc_path, LAYER_OVERLAY_OPAQUE_XATTR, &value, &size) == 0 && size == 1 && value[0] == 'y';
}

static int write_header(layer_pack *p, struct archive_entry *e, const char *path, berth_error *err) {
        int r = archive_write_header(p->tar, e);
        /* A warning is a name that is not UTF-8, written with hdrcharset=BINARY. */
        if (r == ARCHIVE_WARN)
                log_debug("packing %s: %s", path, archive_error_string(p->tar));
        else if (r != ARCHIVE_OK)
                return layer_pack_error(p, path, err);
        return 0;
}

/* An empty regular member standing for an overlay whiteout or opaque mark, with the
 * owner and mtime of what it stands for, as Docker writes them. */
static int write_marker(layer_pack *p, const char *path, mode_t perm, const struct stat *st, berth_error *err) {
        _cleanup_(archive_entry_freep) struct archive_entry *e = archive_entry_new();

        archive_entry_set_pathname(e, path);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, perm);
        archive_entry_set_size(e, 0);
        archive_entry_set_uid(e, st->st_uid);
        archive_entry_set_gid(e, st->st_gid);
        archive_entry_set_mtime(e, st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
        return write_header(p, e, path, err);
}

static int write_whiteout(layer_pack *p, const char *path, const struct stat *st, berth_error *err) {
        const char *slash = strrchr(path, '/');
        _cleanup_free_ char *wh = slash ? xasprintf("%.*s/" LAYER_WHITEOUT_PREFIX "%s", (int) (slash - path), path,
                                                    slash + 1)
                                        : xasprintf(LAYER_WHITEOUT_PREFIX "%s", path);
        return write_marker(p, wh, 0600, st, err);
}

static int write_data(layer_pack *p, int dir_fd, const char *name, const char *path, const struct stat *st,
                      berth_error *err) {
        /* O_NONBLOCK: should a fifo have taken the file's place, open must not hang. */
        _cleanup_close_ int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        struct stat now;

        if (fd < 0)
                return berth_err_errno(err, -errno, "cannot open %s", path);
        if (fstat(fd, &now) < 0 || now.st_ino != st->st_ino || now.st_dev != st->st_dev)
                return berth_err(err, -EAGAIN, "%s was replaced while being packed", path);
        /* A file that shrinks meanwhile is padded with zeros by libarchive, one that grows
         * is cut at the size in its header: the tar stays well-formed. */
        for (off_t left = st->st_size; left > 0;) {
                ssize_t n = read(fd, p->buf, left < LAYER_PACK_BUF_SIZE ? (size_t) left : LAYER_PACK_BUF_SIZE);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return berth_err_errno(err, -errno, "cannot read %s", path);
                if (n == 0)
                        break;
                if (archive_write_data(p->tar, p->buf, (size_t) n) < 0)
                        return layer_pack_error(p, path, err);
                left -= n;
        }
        return 0;
}

static int set_symlink(struct archive_entry *e, int dir_fd, const char *name, const char *path, berth_error *err) {
        char target[PATH_MAX];
        ssize_t n = readlinkat(dir_fd, name, target, sizeof(target));

        if (n < 0)
                return berth_err_errno(err, -errno, "cannot read symlink %s", path);
        if ((size_t) n >= sizeof(target))
                return berth_err(err, -ENAMETOOLONG, "the target of symlink %s is too long", path);
        target[n] = '\0';
        archive_entry_set_symlink(e, target);
        return 0;
}

static int build_entry(struct archive_entry *e, int dir_fd, const char *name, const char *path,
                       const char *proc_path, const struct stat *st, berth_error *err) {
        archive_entry_copy_stat(e, st);
        archive_entry_set_pathname(e, path);
        /* Only mtime belongs to the content; atime changes as we read. */
        archive_entry_unset_atime(e);
        archive_entry_unset_ctime(e);
        archive_entry_unset_birthtime(e);
        if (!S_ISREG(st->st_mode))
                archive_entry_set_size(e, 0);
        if (S_ISLNK(st->st_mode)) {
                int r = set_symlink(e, dir_fd, name, path, err);
                if (r < 0)
                        return r;
        }
        return add_xattrs(e, proc_path, path, err);
}

int layer_pack_entry(layer_pack *p, int dir_fd, const char *name, const char *path, const struct stat *st,
                     berth_error *err) {
        _cleanup_(archive_entry_freep) struct archive_entry *e = NULL;
        /* Through the directory's fd: no renamed parent can redirect the l*xattr calls,
         * which neither follow a final symlink nor open devices and fifos. */
        _cleanup_free_ char *proc_path = xasprintf("/proc/self/fd/%d/%s", dir_fd, name);
        struct archive_entry *spare = NULL;
        int r;

        if (S_ISSOCK(st->st_mode)) {
                log_debug("packing a layer: skipping socket %s", path);
                return 0;
        }
        if (layer_stat_is_whiteout(st))
                return write_whiteout(p, path, st, err);
        e = archive_entry_new();
        r = build_entry(e, dir_fd, name, path, proc_path, st, err);
        if (r < 0)
                return r;
        /* Later names of an inode become hardlinks to the first (size 0, no data). */
        archive_entry_linkify(p->links, &e, &spare);
        r = write_header(p, e, path, err);
        if (r < 0)
                return r;
        if (S_ISREG(st->st_mode) && !archive_entry_hardlink(e) && st->st_size > 0) {
                r = write_data(p, dir_fd, name, path, st, err);
                if (r < 0)
                        return r;
        }
        if (S_ISDIR(st->st_mode) && dir_is_opaque(proc_path)) {
                _cleanup_free_ char *marker = xasprintf("%s/" LAYER_WHITEOUT_OPAQUE, path);
                return write_marker(p, marker, st->st_mode & 0777, st, err);
        }
        return 0;
}
