/* Requests as handlers see them, and every way a handler can reply. */
#pragma once

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "berth/error.h"
#include "router.h"
#include "server.h"

/* JSON bodies above this are refused with 413 before they are read. */
#define HTTP_JSON_BODY_LIMIT (32u << 20)
/* An oversized body without Content-Length is dropped up to this, then the connection is cut. */
#define HTTP_BODY_DISCARD_CAP (256u << 20)

struct MHD_Connection;
struct MHD_Response;
struct body_stream;

struct request {
        struct server *server;
        struct MHD_Connection *conn;
        const char *method;
        char *path;
        struct route_match match;
        enum route_result route_result;
        struct timespec started;

        char *body;
        size_t body_size, body_alloc, body_read;
        uint64_t body_seen;
        bool body_too_large;
        struct body_stream *body_stream;   /* ROUTE_BODY_STREAM: the body as it arrives */

        berth_error err;                /* what a failing handler reports */
        struct MHD_Response *response;  /* the reply, queued by the frame */
        unsigned status;
        bool replied;
        void *upgrade_hold;             /* released if the upgrade never happens */
        bool offloaded;                 /* a ROUTE_LONG handler runs on its own thread */
        atomic_bool worker_done;
};

static inline berth_engine *req_engine(const struct request *req) {
        return req->server->engine;
}

const char *req_param(const struct request *req, const char *name);
const char *req_query(const struct request *req, const char *name);
const char *req_header(const struct request *req, const char *name);
/* Every value of a repeated query parameter (?images=a&images=b), NULL-terminated. */
char **req_query_all(const struct request *req, const char *name);
/* Missing -> def; 1/0/true/false/yes/no (any case) -> value; anything else -EINVAL. */
int req_query_bool(struct request *req, const char *name, bool def, bool *ret);
/* The next bytes of the body (a berth_read_fn taking the request): 0 at its end,
 * -ECONNRESET when the client went away. On a ROUTE_BODY_STREAM route it blocks until
 * the client sends them; elsewhere it reads the buffered body. */
ssize_t req_body_read(void *req, void *buf, size_t max);
/* The body parsed as JSON; an empty body is -ENODATA, malformed JSON -EINVAL. */
int req_body_json(struct request *req, json_t **ret);
/* The same, and the top level must be an object (400 naming the type otherwise). */
int req_body_object(struct request *req, json_t **ret);

/* Records a failure for the frame to report; returns `code`. */
int http_fail(struct request *req, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Replies; each returns 0. JSON replies take ownership of `body`. */
int reply_json(struct request *req, unsigned status, json_t *body);
/* Already encoded JSON; takes ownership of the malloc'ed text. */
int reply_json_text(struct request *req, unsigned status, char *text);
int reply_text(struct request *req, unsigned status, const char *content_type, const char *text);
int reply_empty(struct request *req, unsigned status);
int reply_shared(struct request *req, unsigned status, struct MHD_Response *response);
int reply_error(struct request *req, int code, const char *message);

/* Lets a stream's producer wake the reply when its reader had nothing to send. The
 * producer owns it (embedded in its own state); the frame attaches the connection. */
struct stream_waker {
        pthread_mutex_t lock;
        struct MHD_Connection *conn;   /* NULL once the reply is gone */
        bool suspended, pending;
        struct stream_waker *prev, *next;   /* the server's list of live streams */
};
void stream_waker_init(struct stream_waker *w);
void stream_waker_done(struct stream_waker *w);
/* Data is ready (or the stream ended): resume the connection if it waits. */
void stream_waker_wake(struct stream_waker *w);

/* A chunked stream: `read` fills buf and returns its length, 0 when it has nothing yet
 * (the connection then sleeps until stream_waker_wake(waker)), -1 at the end, or -2 to
 * cut the stream short (a failure after the reply began: the client must notice). It
 * runs on a server thread and must never block. The stream counts as an operation in
 * flight until `done` has run. */
typedef ssize_t (*stream_read_fn)(void *cls, char *buf, size_t max);
int reply_stream(struct request *req, unsigned status, const char *content_type, stream_read_fn read,
                 void *cls, void (*done)(void *cls), struct stream_waker *waker);

/* Docker's hijack: 101 Switching Protocols with "Upgrade: tcp"; `run` gets the raw,
 * non-blocking socket and any bytes the client already sent, and owns the
 * conversation until it returns (on a thread of its own). */
typedef void (*upgrade_fn)(void *cls, int fd, const char *early, size_t early_size);
int reply_upgrade(struct request *req, const char *content_type, upgrade_fn run, void *cls,
                  void (*done)(void *cls));

/* Called when a request ends: releases an upgrade that never ran. */
void http_upgrade_abandoned(void *hold);

/* Adds a header to the reply set up by one of the functions above. */
void reply_header(struct request *req, const char *name, const char *value);

/* Starts libmicrohttpd on s->listen_fd; stop is graceful for up to grace_ms. */
int http_start(struct server *s, berth_error *err);
/* Returns false when requests were still running and the server was left as it was
 * (the process is about to exit): shared state must then not be freed. */
bool http_stop(struct server *s, int grace_ms);
