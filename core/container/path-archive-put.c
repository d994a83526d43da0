/* PUT /containers/{id}/archive: a tar extracted into a directory of the container, on a
 * thread chrooted to its root, with Docker's member-name rules. */
#include "path-archive.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/log.h"
#include "berth/path.h"
#include "layer/layer-internal.h"

/* As the layer unpacker, minus FFLAGS and the symlink checks: the chroot does that work,
 * and symlinks inside the root are followed as Docker follows them. */
#define PUT_EXTRACT_FLAGS                                                                   \
        (ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |              \
         ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_SPARSE |             \
         ARCHIVE_EXTRACT_SECURE_NODOTDOT)
#define PUT_BUF_SIZE (128 * 1024)

typedef struct put_job {
        int root_fd;
        int dest_fd;
        const char *path;       /* as asked, for messages */
        const char *dest;       /* the destination in the container, for messages */
        berth_read_fn read;
        void *cls;
        bool no_overwrite_dir_non_dir;
        int64_t uid, gid;
        int read_error;
        unsigned char *buf;
        struct archive *tar;
        struct archive *disk;
        berth_error *err;
        int rc;
} put_job;

static la_ssize_t put_read(struct archive *a, void *cls, const void **ret_buf) {
        put_job *j = cls;
        ssize_t n = j->read(j->cls, j->buf, PUT_BUF_SIZE);

        if (n < 0 || n > PUT_BUF_SIZE) {
                j->read_error = n < 0 ? (int) n : -EIO;
                archive_set_error(a, -j->read_error, "reading the archive failed");
                return ARCHIVE_FATAL;
        }
        *ret_buf = j->buf;
        return n;
}

static int tar_error(put_job *j) {
        if (j->read_error)
                return berth_err_errno(j->err, j->read_error, "cannot read the archive for %s", j->path);
        return berth_err(j->err, -EBADMSG, "the archive for %s is not a valid tar stream: %s", j->path,
                         archive_error_string(j->tar) ?: "unknown error");
}

static int disk_error(put_job *j, const char *name) {
        int e = archive_errno(j->disk);
        return berth_err(j->err, e > 0 ? -e : -EIO, "cannot extract \"%.256s\" into %s: %s", name, j->dest,
                         archive_error_string(j->disk) ?: "unknown error");
}

/* A member or link name relative to the destination; NULL when it leads above it. */
static char *relative_to_dest(const char *name) {
        _cleanup_free_ char *clean = layer_path_clean(name);
        const char *rel = clean + strspn(clean, "/");

        if (strcmp(clean, "..") == 0 || strncmp(clean, "../", 3) == 0)
                return NULL;
        return xstrdup(*rel ? rel : ".");
}

/* Docker refuses symlinks whose target, taken from the member's directory, leaves the
 * destination. */
static bool symlink_escapes(const char *rel, const char *target) {
        _cleanup_free_ char *dir = xstrdup(rel), *joined = NULL, *clean = NULL;
        char *slash = strrchr(dir, '/');

        if (target[0] == '/')
                return false;
        if (slash)
                *slash = '\0';
        joined = slash ? xasprintf("%s/%s", dir, target) : xstrdup(target);
        clean = layer_path_clean(joined);
        return strcmp(clean, "..") == 0 || strncmp(clean, "../", 3) == 0;
}

static char *dest_path(put_job *j, const char *rel) {
        return strcmp(rel, ".") == 0 ? xstrdup(j->dest) : cp_member_name(j->dest, rel);
}

/* What is already at rel: kept when both are directories, refused or removed otherwise. */
static int check_existing(put_job *j, const char *name, const char *rel, bool is_dir) {
        _cleanup_free_ char *at = dest_path(j, rel);
        struct stat st;

        if (fstatat(AT_FDCWD, rel, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return 0;
        if (S_ISDIR(st.st_mode) == is_dir)
                return 0;
        if (j->no_overwrite_dir_non_dir && S_ISDIR(st.st_mode))
                return berth_err(j->err, -EISDIR, "cannot overwrite directory \"%s\" with non-directory \"%.256s\"",
                                 at, name);
        if (j->no_overwrite_dir_non_dir)
                return berth_err(j->err, -ENOTDIR, "cannot overwrite non-directory \"%s\" with directory \"%.256s\"",
                                 at, name);
        /* libarchive only replaces empty directories. */
        return S_ISDIR(st.st_mode) ? berth_rm_rf(rel, j->err) : 0;
}

static int write_member(put_job *j, struct archive_entry *e, const char *name) {
        const void *buf;
        size_t size;
        la_int64_t offset;
        int r = archive_write_header(j->disk, e);

        if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
                return disk_error(j, name);
        while (archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e) &&
               (r = archive_read_data_block(j->tar, &buf, &size, &offset)) != ARCHIVE_EOF) {
                if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
                        return tar_error(j);
                if (archive_write_data_block(j->disk, buf, size, offset) != ARCHIVE_OK)
                        return disk_error(j, name);
        }
        r = archive_write_finish_entry(j->disk);
        if (r == ARCHIVE_WARN)
                log_warn("extracting \"%.256s\" into %s: %s", name, j->dest, archive_error_string(j->disk));
        else if (r != ARCHIVE_OK)
                return disk_error(j, name);
        return 0;
}

static int put_entry(put_job *j, struct archive_entry *e) {
        _cleanup_free_ char *name = xstrdup(archive_entry_pathname(e) ?: "");
        _cleanup_free_ char *rel = relative_to_dest(name), *link = NULL;
        const char *hardlink = archive_entry_hardlink(e), *symlink = archive_entry_symlink(e);
        bool is_dir = !hardlink && archive_entry_filetype(e) == AE_IFDIR;
        int r;

        if (!rel)
                return berth_err(j->err, -EINVAL, "\"%.256s\" is outside of \"%s\"", name, j->dest);
        if (hardlink && !(link = relative_to_dest(hardlink)))
                return berth_err(j->err, -EINVAL, "invalid hardlink \"%.256s\" -> \"%.256s\"", name, hardlink);
        if (!hardlink && archive_entry_filetype(e) == AE_IFLNK && symlink && symlink_escapes(rel, symlink))
                return berth_err(j->err, -EINVAL, "invalid symlink \"%.256s\" -> \"%.256s\"", name, symlink);
        if (strcmp(rel, ".") == 0 && is_dir)
                return 0;       /* the destination itself keeps its owner and mode */
        if (strcmp(rel, ".") == 0 || (link && strcmp(link, ".") == 0))
                return berth_err(j->err, -EISDIR, "cannot overwrite directory \"%s\" with \"%.256s\"", j->dest, name);
        r = check_existing(j, name, rel, is_dir);
        if (r < 0)
                return r;
        archive_entry_set_pathname(e, rel);
        if (link) {
                archive_entry_set_hardlink(e, link);
                archive_entry_set_size(e, 0);
        }
        if (j->uid >= 0)
                archive_entry_set_uid(e, j->uid);
        if (j->gid >= 0)
                archive_entry_set_gid(e, j->gid);
        layer_entry_strip_private_xattrs(e);
        return write_member(j, e, name);
}

static int put_open_reader(put_job *j) {
        j->tar = archive_read_new();
        j->disk = archive_write_disk_new();
        if (!j->tar || !j->disk)
                abort();
        /* Only in-process decompressors, as the layer reader: no external programs. */
        archive_read_support_filter_gzip(j->tar);
        archive_read_support_filter_zstd(j->tar);
        archive_read_support_filter_bzip2(j->tar);
        archive_read_support_filter_xz(j->tar);
        archive_read_support_format_tar(j->tar);
        archive_write_disk_set_options(j->disk, PUT_EXTRACT_FLAGS);
        if (archive_read_open(j->tar, j, NULL, put_read, NULL) != ARCHIVE_OK)
                return tar_error(j);
        return 0;
}

static int put_extract(put_job *j) {
        struct archive_entry *e;
        int r = put_open_reader(j);

        while (r >= 0 && (r = archive_read_next_header(j->tar, &e)) != ARCHIVE_EOF) {
                if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
                        return tar_error(j);
                r = put_entry(j, e);
        }
        if (r < 0)
                return r;
        if (archive_write_close(j->disk) != ARCHIVE_OK)
                return berth_err(j->err, -EIO, "cannot set the modes and times of directories in %s: %s", j->dest,
                                 archive_error_string(j->disk) ?: "unknown error");
        return 0;
}

/* The thread's root and cwd become the container's and the destination: with its own fs
 * attributes (CLONE_FS unshared) nothing else in berthd sees them, and nothing extracted
 * can resolve to a path outside the root. */
static void *put_thread(void *cls) {
        put_job *j = cls;
        layer_locale loc;

        if (unshare(CLONE_FS) < 0) {
                j->rc = berth_err_errno(j->err, -errno, "cannot extract into %s: unshare", j->path);
                return NULL;
        }
        layer_locale_enter(&loc);       /* before the chroot: the locale files are the host's */
        if (fchdir(j->root_fd) < 0 || chroot(".") < 0 || fchdir(j->dest_fd) < 0)
                j->rc = berth_err_errno(j->err, -errno, "cannot enter the container root to extract %s", j->path);
        else {
                umask(022);     /* parents the tar does not list become 0755, as in Docker */
                j->buf = xmalloc(PUT_BUF_SIZE);
                j->rc = put_extract(j);
                /* Freed here: freeing applies pending directory fixups, which must happen
                 * in the chroot. */
                archive_read_free(j->tar);
                archive_write_free(j->disk);
                free(j->buf);
        }
        layer_locale_leave(&loc);
        return NULL;
}

int container_path_put_owned(int root_fd, const char *path, berth_read_fn read, void *cls,
                             bool no_overwrite_dir_non_dir, int64_t uid, int64_t gid, berth_error *err) {
        _cleanup_free_ char *abs = cp_abs_path(path), *dest = layer_path_clean(abs);
        _cleanup_close_ int fd = cp_open_in_root(root_fd, abs, O_PATH, RESOLVE_IN_ROOT);
        put_job j = {
                .root_fd = root_fd, .dest_fd = fd, .path = path, .dest = dest, .read = read, .cls = cls,
                .no_overwrite_dir_non_dir = no_overwrite_dir_non_dir, .uid = uid, .gid = gid, .err = err,
                .rc = -EIO,
        };
        struct stat st;
        pthread_t thread;
        int r;

        if (fd == -ENOENT)
                return cp_not_found(err, path);
        if (fd < 0)
                return berth_err_errno(err, fd, "cannot resolve %s in container", path);
        if (fstat(fd, &st) < 0)
                return berth_err_errno(err, -errno, "cannot stat %s in container", path);
        if (!S_ISDIR(st.st_mode))
                return berth_err(err, -ENOTDIR, "extraction point is not a directory");
        archive_api();  /* loaded here: the library is not in the container's root */
        r = pthread_create(&thread, NULL, put_thread, &j);
        if (r != 0)
                return berth_err_errno(err, -r, "cannot start extracting into %s", path);
        pthread_join(thread, NULL);
        return j.rc;
}

int container_path_put(int root_fd, const char *path, berth_read_fn read, void *cls, bool no_overwrite_dir_non_dir,
                       berth_error *err) {
        return container_path_put_owned(root_fd, path, read, cls, no_overwrite_dir_non_dir, -1, -1, err);
}
