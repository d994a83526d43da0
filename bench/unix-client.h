/* The client side of the bench tools: connecting to a Unix socket, formatting a request. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Connects a SOCK_CLOEXEC stream socket to path, optionally non-blocking afterwards.
 * Returns 0 and the fd in *ret_fd, or a negative errno (ENOENT, ECONNREFUSED...). */
int unix_connect(const char *path, bool nonblock, int *ret_fd);

/* A SOCK_CLOEXEC stream socket bound to path and listening, as a service manager binds
 * one before it starts a socket-activated service. The fd, or a negative errno. */
int unix_listen(const char *path);

/* Writes "METHOD PATH HTTP/1.1" with Host and User-Agent headers and no body.
 * Returns its length, or -ENAMETOOLONG when it does not fit in size bytes. */
int http_request_format(char *buf, size_t size, const char *method, const char *path);

/* Writes all of data to a blocking fd. Returns 0 or a negative errno. */
int write_all(int fd, const char *data, size_t len);
