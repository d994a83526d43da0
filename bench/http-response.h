/* A streaming HTTP/1.1 response parser for the bench clients: status, framing, keep-alive. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define HTTP_LINE_MAX 8192

enum http_state {
        HTTP_STATUS_LINE,
        HTTP_HEADERS,
        HTTP_BODY_LENGTH,       /* Content-Length bytes left */
        HTTP_BODY_EOF,          /* no framing: the body ends when the server closes */
        HTTP_CHUNK_SIZE,
        HTTP_CHUNK_DATA,
        HTTP_CHUNK_END,         /* the CRLF after a chunk's data */
        HTTP_TRAILERS,
        HTTP_DONE,
};

struct http_response {
        enum http_state state;
        bool head;              /* answer to HEAD: headers only, whatever they announce */
        unsigned status;
        bool keep_alive;        /* false: the server closes after this response */
        bool chunked;
        long long content_length;       /* -1 when absent */
        unsigned long long left;        /* bytes left in the body or the current chunk */
        size_t line_len;
        char line[HTTP_LINE_MAX];
};

/* Prepares for the next response; head says whether the request was a HEAD. */
void http_response_reset(struct http_response *r, bool head);

/* Consumes bytes up to the end of the response. Returns how many it took (fewer than
 * len only when the response completed), or -EPROTO / -EMSGSIZE on malformed input. */
ssize_t http_response_feed(struct http_response *r, const char *data, size_t len);

/* The server closed the connection: returns 0 when that completes the response (a body
 * framed by the close), -EPIPE when the response was cut short. */
int http_response_eof(struct http_response *r);

static inline bool http_response_done(const struct http_response *r) {
        return r->state == HTTP_DONE;
}
