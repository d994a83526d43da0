/* Whole-file reads and writes of small text files (config, /proc, /etc). */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "berth/error.h"

/* Reads at most `max` bytes; a larger file is -EFBIG. The buffer is NUL-terminated. */
int berth_read_file(const char *path, size_t max, char **ret_data, size_t *ret_size, berth_error *err);

/* Returns the first line without its newline, or -ENOENT/-errno. */
int berth_read_line(const char *path, char **ret_line);

/* Writes `text` to PATH.tmp (created with `mode`, less the umask) and renames it over
 * `path`, so readers see the old file or the new one; the temp file is removed on failure. */
int berth_write_file_atomic(const char *path, const char *text, mode_t mode, berth_error *err);
