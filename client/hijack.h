/* Hijacked HTTP connections (attach, exec start): one request on a fresh socket to
 * berthd, then the connection is a raw byte stream both ways. */
#pragma once

#include <jansson.h>

#include "berth/error.h"
#include "client.h"

/* Sends `method` to the libpod `path` on a new connection (with `body` as JSON when not
 * NULL) asking for "Upgrade: tcp", and reads the answer's head. On 101 or 200 the
 * socket, positioned at the first stream byte, goes to *ret_fd. Any other status fails
 * with the server's "message" (c->status holds the status). The ssh transport forwards
 * a local socket, so both transports are the same here. */
int hijack_open(struct client *c, const char *method, const char *path, const json_t *body, int *ret_fd,
                berth_error *err);

/* The status code of an HTTP/1.x status line ("HTTP/1.1 101 UPGRADED"), or -EBADMSG. */
int hijack_parse_status(const char *line);

/* A request the curl paths cannot make (PUT with a streamed body, HEAD for a header):
 * `method` to the libpod `path` on a new connection, with what body_fd holds until its
 * end as a chunked body (body_fd < 0: none). A 2xx answer gives its head in *ret_head
 * (may be NULL) and its body is drained; any other fails with the server's "message". */
int raw_request(struct client *c, const char *method, const char *path, int body_fd, char **ret_head,
                berth_error *err);

/* The value of header `name` in an answer head, or NULL (allocated). */
char *head_header(const char *head, const char *name);
