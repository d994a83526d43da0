/* Shared by the layer tests: tars built in memory, stream callbacks, temporary trees. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "berth/layer.h"

typedef struct tl_buf {
        unsigned char *data;
        size_t size;
        size_t cap;
} tl_buf;

void tl_buf_append(tl_buf *b, const void *data, size_t size);
void tl_buf_free(tl_buf *b);

/* One member of a test tar; `type` is an AE_IF* constant, `xattrs` name/value pairs. */
typedef struct tl_member {
        const char *name;
        unsigned type;
        unsigned perm;
        unsigned uid;
        unsigned gid;
        const char *data;
        const char *symlink;
        const char *hardlink;
        unsigned rmajor;
        unsigned rminor;
        long mtime;
        const char *xattrs[6];
        const char *bin_xattr;          /* one xattr with a binary value */
        const void *bin_value;
        size_t bin_size;
} tl_member;

/* A pax tar of the members, written by libarchive (padded to 10 KiB records). */
void tl_tar(const tl_member *m, size_t n, tl_buf *ret);
/* `in` compressed with an ARCHIVE_FILTER_* (gzip, zstd, bzip2, xz). */
void tl_compress(const tl_buf *in, int filter, tl_buf *ret);

/* berth_read_fn over memory in chunks of at most `chunk` bytes; fails with fail_errno
 * once `fail_after` bytes were handed out (when fail_errno is set). */
typedef struct tl_reader {
        const unsigned char *data;
        size_t size;
        size_t pos;
        size_t chunk;
        size_t fail_after;
        int fail_errno;
        unsigned calls;
} tl_reader;
ssize_t tl_read(void *cls, void *buf, size_t max);

/* berth_write_fn appending to a tl_buf. */
int tl_write(void *cls, const void *buf, size_t size);

/* Unpacks `blob` read in chunks of `chunk` bytes. */
int tl_unpack(const tl_buf *blob, size_t chunk, const char *algorithm, const char *dest,
              berth_layer_digests *ret, berth_error *err);

char *tl_mkdtemp(void);
void tl_rm_rf(const char *path);
/* dir + "/" + rel (joined in a static-free, allocated string). */
char *tl_path(const char *dir, const char *rel);
/* Whole file, NUL-terminated; NULL when it cannot be read. */
char *tl_read_file(const char *path);
void tl_write_file(const char *path, const char *data);
/* An xattr's value, NUL-terminated; NULL when absent. */
char *tl_xattr(const char *path, const char *name);
/* sha256 digest of a buffer, as berth writes it. */
void tl_sha(const char *algorithm, const tl_buf *b, char out[BERTH_DIGEST_MAX]);
/* One line per file below dir (sorted): type, mode, owner, size, mtime, link target,
 * device, nlink, content checksum and xattrs: equal strings mean equal trees. */
char *tl_describe_tree(const char *dir);

/* Assertions on dir/rel (cmocka failures naming the path). */
struct stat tl_lstat(const char *dir, const char *rel);
bool tl_exists(const char *dir, const char *rel);
void tl_assert_file(const char *dir, const char *rel, const char *content);
void tl_assert_link(const char *dir, const char *rel, const char *target);
/* value NULL: the xattr must be absent. */
void tl_assert_xattr(const char *dir, const char *rel, const char *name, const char *value);
