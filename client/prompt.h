/* Questions on standard input: login's username and password, prune's confirmation. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "berth/error.h"

/* Longest answer read. */
#define PROMPT_MAX 4096

/* Prints `question` on `out` (flushed), then reads one line from `fd` unbuffered (so
 * nothing after it is consumed), without its "\n" or "\r\n". With `secret`, fd must be a
 * terminal: its echo is off while the line is read and restored on every path, also when
 * a SIGINT, SIGTERM or SIGHUP ends berth meanwhile; a "\n" on `out` then ends the line
 * the user could not see. -ENODATA at the end of input with nothing read, -ENOTTY for a
 * secret without a terminal, -E2BIG past PROMPT_MAX. */
int prompt_read(int fd, FILE *out, const char *question, bool secret, char **ret, berth_error *err);

/* Reads everything left on `fd` as one secret (--password-stdin): line breaks are dropped,
 * as podman joins the lines. -E2BIG past PROMPT_MAX. */
int prompt_read_all(int fd, char **ret, berth_error *err);

/* A yes/no answer: true for one that starts with 'y' or 'Y', as podman takes it. */
bool prompt_is_yes(const char *answer);
