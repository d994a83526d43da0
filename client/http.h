/* HTTP to berthd's libpod API with libcurl over the transport's Unix socket. */
#pragma once

#include <jansson.h>

#include "berth/error.h"
#include "client.h"

/* Largest response body berth reads into memory. */
#define HTTP_MAX_BODY (64u << 20)

/* Sends `method` to /v<libpod API>/libpod<path> (path starts with '/'), with `body` as
 * JSON when not NULL, and parses the answer. A non-2xx answer fails with the server's
 * "message"; an empty 2xx body gives *ret = NULL. `ret` may be NULL to ignore the body. */
int client_request_json(struct client *c, const char *method, const char *path, const json_t *body, json_t **ret,
                        berth_error *err);

/* client_request_json() for the Docker API's `path` (/v<Docker API>/<path>), for what
 * only that API has, such as POST /auth. */
int client_request_compat_json(struct client *c, const char *method, const char *path, const json_t *body,
                               json_t **ret, berth_error *err);

/* POSTs to the libpod `path` with what `fd` holds from its current offset as the body
 * (application/x-tar), read while it is sent: with a Content-Length when fd is a regular
 * file, chunked otherwise. The answer is taken as client_request_json() does; a failed
 * read is "cannot read <what>: <reason>". */
int client_request_upload(struct client *c, const char *path, int fd, const char *what, json_t **ret,
                          berth_error *err);

/* GET shorthand of client_request_json(). */
int client_get_json(struct client *c, const char *path, json_t **ret, berth_error *err);

/* Called with each line of a streamed answer as it arrives (without the '\n'); a
 * negative errno with *err filled stops the transfer. */
typedef int (*client_line_fn)(void *userdata, const char *line, size_t len, berth_error *err);

/* Sends `method` (without a body) to the libpod `path` with the extra header lines
 * `headers` (NULL-terminated, may be NULL), and hands a 2xx answer to on_line line by
 * line while it streams in: nothing is buffered beyond the current line. A non-2xx
 * answer fails with the server's "message" as client_request_json() does. */
int client_request_stream(struct client *c, const char *method, const char *path, const char *const *headers,
                          client_line_fn on_line, void *userdata, berth_error *err);

/* client_request_stream() for the Docker API's `path` (/v<Docker API>/<path>), for
 * streams only that API has in its shape, such as POST /images/create. */
int client_request_compat_stream(struct client *c, const char *method, const char *path, const char *const *headers,
                                 client_line_fn on_line, void *userdata, berth_error *err);

/* Called with each piece of a raw streamed answer as it arrives; a negative errno with
 * *err filled stops the transfer. */
typedef int (*client_bytes_fn)(void *userdata, const void *data, size_t len, berth_error *err);

/* GETs the libpod `path` and hands a 2xx answer to on_bytes piece by piece as it streams
 * in, nothing buffered: for archives of any size. A non-2xx answer fails with the
 * server's "message" as client_request_json() does. */
int client_request_download(struct client *c, const char *path, client_bytes_fn on_bytes, void *userdata,
                            berth_error *err);

/* Percent-encodes all but letters, digits, "-._~" and the characters in `keep` (may be
 * NULL): "/:@" keeps an image name readable in a path, where berthd expects it whole. */
char *http_escape(const char *s, const char *keep);

/* The negative errno berth uses for an HTTP error status (404 -> -ENOENT, ...). */
int http_status_to_errno(long status);
