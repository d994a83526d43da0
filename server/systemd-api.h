/* The three libsystemd calls berthd makes, with libsystemd loaded only when the service
 * manager handed berthd something to use them with (LISTEN_FDS, NOTIFY_SOCKET), and
 * unloaded once berthd is ready. Mapped, libsystemd and the compression and crypto
 * libraries behind it cost about 1 MB resident and 0.3-0.6 ms of start-up (measured with
 * an empty main()). */
#pragma once

#include <stdbool.h>
#include <systemd/sd-daemon.h>

#include "berth/error.h"

/* sd_listen_fds(1): the number of sockets passed (0 without LISTEN_FDS), or a negative
 * errno (err set), also when libsystemd cannot be loaded. */
int systemd_listen_fds(berth_error *err);

/* sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) > 0; only after systemd_listen_fds()
 * returned sockets. */
bool systemd_is_listening_unix_stream(int fd);

/* sd_notify(0, state) when NOTIFY_SOCKET is set; logs rather than fails. */
void systemd_notify(const char *state);

/* Unmaps libsystemd until the next call above needs it again. */
void systemd_unload(void);
