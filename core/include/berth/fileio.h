/* Whole-file reads of small text files (config, /proc, /etc). */
#pragma once

#include <stddef.h>

#include "berth/error.h"

/* Reads at most `max` bytes; a larger file is -EFBIG. The buffer is NUL-terminated. */
int berth_read_file(const char *path, size_t max, char **ret_data, size_t *ret_size, berth_error *err);

/* Returns the first line without its newline, or -ENOENT/-errno. */
int berth_read_line(const char *path, char **ret_line);
