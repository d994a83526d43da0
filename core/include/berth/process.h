/* Running helper programs (runtime, conmon) and collecting what they print. */
#pragma once

#include <stddef.h>

#include "berth/error.h"

/* Runs argv[0] (a path) with argv, stdin from /dev/null, and returns its stdout
 * (at most `max` bytes, NUL-terminated, trailing newline trimmed). A non-zero exit
 * is -EIO with the program's stderr in the message. */
int berth_run_capture(char *const argv[], size_t max, char **ret_out, berth_error *err);
