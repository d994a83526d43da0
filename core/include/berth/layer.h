/* Layers on disk: unpacking a (possibly compressed) tar blob into an overlay lower
 * directory, and packing a directory back into a tar stream. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "berth/digest.h"
#include "berth/error.h"

/* Supplies the next bytes of a stream: returns the count, 0 at the end, or -errno. */
typedef ssize_t (*berth_read_fn)(void *cls, void *buf, size_t max);
/* Consumes bytes: returns 0 or -errno (which aborts the producer). */
typedef int (*berth_write_fn)(void *cls, const void *buf, size_t size);

typedef struct berth_layer_digests {
        char digest[BERTH_DIGEST_MAX];   /* of the bytes as read (the blob) */
        char diff_id[BERTH_DIGEST_MAX];  /* sha256 of the uncompressed tar */
        uint64_t size;                   /* bytes read */
        uint64_t uncompressed_size;      /* bytes of tar */
} berth_layer_digests;

/* Unpacks a layer blob (tar, or tar compressed with gzip, zstd, bzip2 or xz, detected
 * from the data) into dest_dir, an existing empty directory, in one streaming pass: the
 * blob is hashed with `digest_algorithm` as it is read, the tar stream with sha256.
 * Hostile input can never write outside dest_dir (no "..", absolute paths, or links and
 * symlinked parents that lead out). Ownership, modes, times, xattrs, device nodes,
 * hardlinks and sparse files are kept (as root). OCI whiteouts become overlay ones:
 * ".wh.NAME" a 0:0 character device NAME, ".wh..wh..opq" the directory's
 * trusted.overlay.opaque="y". The caller verifies the digests and removes dest_dir on
 * failure. `read` is called on a short-lived thread of the unpacker (which has its own
 * umask for libarchive), never concurrently; messages name the entry, not the layer. */
int berth_layer_unpack(berth_read_fn read, void *cls, const char *digest_algorithm, const char *dest_dir,
                       berth_layer_digests *ret, berth_error *err);

/* Sees every byte of the uncompressed tar, in order, as the unpacker reads it (a
 * tar-split recorder keeps what it needs to rebuild the exact tar later). */
typedef void (*berth_tap_fn)(void *cls, const void *data, size_t size);

/* berth_layer_unpack() with a tap on the uncompressed tar (tap may be NULL). */
int berth_layer_unpack_tapped(berth_read_fn read, void *cls, const char *digest_algorithm, const char *dest_dir,
                              berth_tap_fn tap, void *tap_cls, berth_layer_digests *ret, berth_error *err);

/* Writes dir as an uncompressed tar stream (sorted, so the same tree gives the same
 * bytes), turning overlay whiteouts back into OCI ".wh." entries. Fills diff_id and
 * uncompressed_size; digest is "" and size 0 (the caller may compress). */
int berth_layer_pack(const char *dir, berth_write_fn write, void *cls, berth_layer_digests *ret,
                     berth_error *err);
