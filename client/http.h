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

/* GET shorthand of client_request_json(). */
int client_get_json(struct client *c, const char *path, json_t **ret, berth_error *err);

/* The negative errno berth uses for an HTTP error status (404 -> -ENOENT, ...). */
int http_status_to_errno(long status);
