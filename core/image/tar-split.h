/* Tar-split: everything of a layer tar but the file contents (headers, padding, metadata
 * members), kept beside the unpacked layer so `save` can rebuild the exact tar, and so
 * its diff_id, from the directory. Internal. */
#pragma once

#include <stdint.h>

#include "berth/digest.h"
#include "berth/error.h"
#include "berth/layer.h"

typedef struct tar_split_recorder tar_split_recorder;

/* Records into `path` (created; gzip-compressed). */
int tar_split_recorder_new(const char *path, tar_split_recorder **ret, berth_error *err);
/* The next bytes of the uncompressed tar. Never fails: a tar the recorder cannot
 * follow (sparse files, links with data) only makes the record unusable. */
void tar_split_feed(tar_split_recorder *r, const void *data, size_t size);
/* Completes the file; -EBADMSG (and no file) when the tar could not be followed. */
int tar_split_recorder_finish(tar_split_recorder *r, berth_error *err);
/* Removes the file unless finished. */
tar_split_recorder *tar_split_recorder_free(tar_split_recorder *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(tar_split_recorder *, tar_split_recorder_free);

/* The size of the tar the record at `path` rebuilds. */
int tar_split_size(const char *path, uint64_t *ret_size, berth_error *err);

/* Rebuilds the tar from the record and the unpacked layer `dir` (file contents are read
 * below it, never through a symlink). ret_diff_id is the sha256 of what was written;
 * the caller compares it with the layer's. */
int tar_split_assemble(const char *path, const char *dir, berth_write_fn write, void *cls,
                       char ret_diff_id[BERTH_DIGEST_MAX], berth_error *err);
