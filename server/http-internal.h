/* What the frame's own files share about requests; handlers use http.h. */
#pragma once

#include "http.h"

struct request *request_new(struct server *s, struct MHD_Connection *conn, const char *method, const char *url);
void request_free(struct request *req);

/* The immutable /_ping reply, built once and queued for every ping. */
struct MHD_Response *http_ping_response(void);

/* http-body.c: a ROUTE_BODY_STREAM body between libmicrohttpd and the handler's thread. */
struct body_stream *body_stream_new(struct MHD_Connection *conn);
void body_stream_free(struct body_stream *b);
/* Server side: takes what fits of a piece of body; when not all of it fits the
 * connection is suspended until the handler has read enough. Returns the bytes taken. */
size_t body_stream_offer(struct body_stream *b, const char *data, size_t size);
/* The upload ended: true when the handler is done (reply now), else the connection is
 * suspended until it is. */
bool body_stream_end(struct body_stream *b);
/* Whether the handler returned (the rest of the body is then dropped). */
bool body_stream_handler_finished(struct body_stream *b);
/* The request completed: true when the handler is done and the caller frees the
 * request; false when the handler's thread will (its reads fail with -ECONNRESET). */
bool body_stream_request_done(struct body_stream *b);
/* Handler side: blocks for the next bytes; 0 at the end of the body. */
ssize_t body_stream_read(struct body_stream *b, void *buf, size_t max);
/* The handler returned: wakes a suspended connection; true when the request completed
 * meanwhile and the caller (the handler's thread) frees it. */
bool body_stream_handler_done(struct body_stream *b);
