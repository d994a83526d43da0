/* The listening socket: passed by socket activation, or created at --socket. */
#pragma once

#include <stdbool.h>

#include "berth/error.h"

/* With LISTEN_FDS set, takes the passed socket (*ret_activated = true). Otherwise
 * creates `path` (mode 0660 and group "berth" when that group exists, else 0600),
 * replacing a stale socket file but never one a live daemon answers on. */
int listen_open(const char *path, int *ret_fd, bool *ret_activated, berth_error *err);

/* Closes the socket, and removes the file when this process created it. */
void listen_close(int fd, const char *path, bool activated);
