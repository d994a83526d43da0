/* The libmicrohttpd daemon: accepting, the handler protocol, dispatch and logging. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "berth/log.h"
#include "berth/version.h"
#include "http-error.h"
#include "http-internal.h"
#include "http.h"

static int reply_route_error(struct request *req) {
        char msg[512];
        switch (req->route_result) {
        case ROUTE_NOT_FOUND:
                snprintf(msg, sizeof(msg), "page not found: %s %s", req->method, req->path);
                return reply_error(req, -ENOENT, msg);
        case ROUTE_BAD_METHOD:
                snprintf(msg, sizeof(msg), "method %s is not allowed on %s", req->method, req->path);
                reply_json(req, 405, http_error_body(405, msg, "method not allowed"));
                return 0;
        case ROUTE_VERSION_TOO_NEW:
                snprintf(msg, sizeof(msg), "client version %s is too new. Maximum supported API version is %s",
                         req->match.api_version, BERTH_DOCKER_API_VERSION);
                return reply_error(req, -EINVAL, msg);
        case ROUTE_VERSION_TOO_OLD:
                snprintf(msg, sizeof(msg),
                         "client version %s is too old. Minimum supported API version is %s, "
                         "please upgrade your client to a newer version",
                         req->match.api_version, BERTH_DOCKER_API_MIN_VERSION);
                return reply_error(req, -EINVAL, msg);
        case ROUTE_BAD_VERSION:
        default:
                snprintf(msg, sizeof(msg), "malformed API version '%s' in %s", req->match.api_version, req->path);
                return reply_error(req, -EINVAL, msg);
        }
}

static void dispatch(struct request *req) {
        int r;

        if (req->route_result != ROUTE_FOUND) {
                reply_route_error(req);
                return;
        }
        r = req->match.route->handler(req);
        if (r < 0) {
                if (!req->err.code)
                        berth_err(&req->err, r, "%s", strerror(-r));
                reply_error(req, r, req->err.message);
        } else if (!req->response && !req->replied) {
                log_error("%s %s: handler gave no reply", req->method, req->path);
                reply_error(req, -EIO, "internal error: the handler gave no reply");
        }
}

static void *worker(void *cls) {
        struct request *req = cls;
        dispatch(req);
        server_operation_end(req->server);
        atomic_fetch_sub(&req->server->offloaded, 1);
        atomic_store(&req->worker_done, true);
        /* libmicrohttpd calls on_request again, which queues the reply. */
        MHD_resume_connection(req->conn);
        return NULL;
}

/* Server threads serve many connections each and must not block: a handler that may
 * runs on a thread of its own while its connection is suspended. */
static void offload(struct request *req) {
        pthread_t thread;
        req->offloaded = true;
        server_operation_begin(req->server);
        atomic_fetch_add(&req->server->offloaded, 1);
        MHD_suspend_connection(req->conn);
        if (pthread_create(&thread, NULL, worker, req) != 0)
                abort();
        pthread_detach(thread);
}

static void *body_worker(void *cls) {
        struct request *req = cls;
        dispatch(req);
        server_operation_end(req->server);
        /* Resumes a connection waiting for the reply; frees a request whose client left. */
        if (body_stream_handler_done(req->body_stream))
                request_free(req);
        return NULL;
}

/* A ROUTE_BODY_STREAM handler starts with the headers and reads the body as it comes. */
static void start_body_worker(struct request *req) {
        pthread_t thread;
        req->body_stream = body_stream_new(req->conn);
        server_operation_begin(req->server);
        if (pthread_create(&thread, NULL, body_worker, req) != 0)
                abort();
        pthread_detach(thread);
}

static bool blocking(const struct request *req) {
        return req->route_result == ROUTE_FOUND && (req->match.route->flags & ROUTE_LONG);
}

static enum MHD_Result queue(struct request *req) {
        enum MHD_Result ok;
        if (req->replied)
                return MHD_YES;
        ok = MHD_queue_response(req->conn, req->status, req->response);
        req->replied = true;
        return ok;
}

static void too_large(struct request *req) {
        char msg[128];
        snprintf(msg, sizeof(msg), "request body is larger than the %u MiB limit", HTTP_JSON_BODY_LIMIT >> 20);
        reply_error(req, -EMSGSIZE, msg);
}

static bool declared_too_large(struct request *req) {
        const char *cl = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        return cl && strtoull(cl, NULL, 10) > HTTP_JSON_BODY_LIMIT;
}

static bool body_streamed(const struct request *req) {
        return req->route_result == ROUTE_FOUND && (req->match.route->flags & ROUTE_BODY_STREAM);
}

static void append_body(struct request *req, const char *data, size_t size) {
        if (req->body_size + size > HTTP_JSON_BODY_LIMIT) {
                req->body_too_large = true;
                return;
        }
        if (req->body_alloc - req->body_size < size + 1) {
                size_t want = (req->body_size + size + 1) * 2;
                req->body_alloc = want < HTTP_JSON_BODY_LIMIT + 1 ? want : HTTP_JSON_BODY_LIMIT + 1;
                req->body = realloc(req->body, req->body_alloc);
                if (!req->body)
                        abort();
        }
        memcpy(req->body + req->body_size, data, size);
        req->body_size += size;
        req->body[req->body_size] = '\0';
}

static enum MHD_Result streamed_body(struct request *req, const char *data, size_t *size) {
        if (*size && body_stream_handler_finished(req->body_stream)) {
                /* The handler has replied without the rest: it is dropped, up to a cap. */
                req->body_seen += *size;
                *size = 0;
                return req->body_seen > HTTP_BODY_DISCARD_CAP ? MHD_NO : MHD_YES;
        }
        if (*size) {
                *size -= body_stream_offer(req->body_stream, data, *size);
                return MHD_YES;
        }
        return body_stream_end(req->body_stream) ? queue(req) : MHD_YES;
}

/* libmicrohttpd calls this once with the headers, again for every piece of body, and
 * a last time with no data; we reply only on the last call, which keeps keep-alive. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
        struct server *s = cls;
        struct request *req = *con_cls;
        (void) version;

        if (!req) {
                req = request_new(s, conn, method, url);
                *con_cls = req;
                server_request_started(s);
                if (!body_streamed(req) && declared_too_large(req)) {
                        /* Answered before the body is read; libmicrohttpd then closes. */
                        too_large(req);
                        return queue(req);
                }
                if (body_streamed(req))
                        start_body_worker(req);
                return MHD_YES;
        }
        if (req->replied) {
                *upload_data_size = 0;
                return MHD_YES;
        }
        if (req->body_stream)
                return streamed_body(req, upload_data, upload_data_size);
        if (*upload_data_size) {
                /* libmicrohttpd cannot answer in the middle of a body: an oversized
                 * chunked body is read and dropped, then refused; past a hard cap the
                 * connection is cut. */
                req->body_seen += *upload_data_size;
                if (!body_streamed(req) && !req->body_too_large)
                        append_body(req, upload_data, *upload_data_size);
                *upload_data_size = 0;
                return req->body_seen > HTTP_BODY_DISCARD_CAP ? MHD_NO : MHD_YES;
        }
        if (atomic_load(&req->worker_done))
                return queue(req);
        if (req->offloaded)
                return MHD_YES;
        if (req->body_too_large)
                too_large(req);
        else if (blocking(req)) {
                offload(req);
                return MHD_YES;
        } else
                dispatch(req);
        return queue(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode code) {
        struct server *s = cls;
        struct request *req = *con_cls;
        (void) conn;

        if (!req)
                return;
        if (berth_log_enabled(BERTH_LOG_DEBUG)) {
                struct timespec now;
                clock_gettime(CLOCK_MONOTONIC, &now);
                int64_t us = (now.tv_sec - req->started.tv_sec) * 1000000 +
                             (now.tv_nsec - req->started.tv_nsec) / 1000;
                log_debug("%s %s %u %" PRId64 ".%03" PRId64 "ms%s", req->method, req->path, req->status,
                          us / 1000, us % 1000, code == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
        }
        http_upgrade_abandoned(req->upgrade_hold);
        /* A streamed body's handler may still run: then its thread frees the request. */
        if (!req->body_stream || body_stream_request_done(req->body_stream))
                request_free(req);
        *con_cls = NULL;
        server_request_finished(s);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
        struct server *s = cls;
        (void) conn, (void) socket_context;
        if (code == MHD_CONNECTION_NOTIFY_STARTED)
                server_connection_opened(s);
        else
                server_connection_closed(s);
}

static void on_mhd_error(void *cls, const char *fmt, va_list ap) {
        char line[512];
        (void) cls;
        vsnprintf(line, sizeof(line), fmt, ap);
        line[strcspn(line, "\n")] = '\0';
        log_debug("libmicrohttpd: %s", line);
}

int http_start(struct server *s, berth_error *err) {
        /* A small pool of epoll threads serves every connection; waking a thread per
         * request (thread-per-connection) costs more than the request itself. Work that
         * may block leaves the pool (ROUTE_LONG, streams, hijacks). */
        unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_ALLOW_UPGRADE |
                         MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        unsigned pool = cpus < 2 ? 2 : cpus > 8 ? 8 : (unsigned) cpus;

        s->ping = http_ping_response();
        s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
                                  MHD_OPTION_EXTERNAL_LOGGER, on_mhd_error, s,
                                  MHD_OPTION_LISTEN_SOCKET, s->listen_fd,
                                  MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                                  MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
                                  MHD_OPTION_THREAD_POOL_SIZE, getenv("BERTH_POOL") ? (unsigned) atoi(getenv("BERTH_POOL")) : pool,
                                  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) (32 * 1024),
                                  MHD_OPTION_THREAD_STACK_SIZE, (size_t) (512 * 1024),
                                  MHD_OPTION_CONNECTION_LIMIT, (unsigned) 4096,
                                  MHD_OPTION_END);
        if (!s->mhd)
                return berth_err(err, -EIO, "cannot start the HTTP server on the listening socket");
        return 0;
}

/* libmicrohttpd aborts when stopped with suspended connections: every stream is woken
 * to end, and every offloaded handler must have resumed its connection first. */
static bool drained(struct server *s) {
        return atomic_load(&s->requests) == 0 && atomic_load(&s->offloaded) == 0 &&
               atomic_load(&s->operations) == 0;
}

bool http_stop(struct server *s, int grace_ms) {
        struct timespec step = { .tv_nsec = 10 * 1000 * 1000 };

        if (!s->mhd)
                return true;
        /* Stop accepting, end streams, then give running work time to finish. */
        atomic_store(&s->shutting_down, true);
        MHD_quiesce_daemon(s->mhd);
        for (int waited = 0; waited < grace_ms && !drained(s); waited += 10) {
                server_streams_wake_all(s);
                nanosleep(&step, NULL);
        }
        if (!drained(s)) {
                /* Work still running would outlive what MHD_stop_daemon() frees. */
                log_warn("%d request(s) and %d operation(s) still running after %d ms; exiting without waiting",
                         atomic_load(&s->requests), atomic_load(&s->operations), grace_ms);
                return false;
        }
        MHD_stop_daemon(s->mhd);
        s->mhd = NULL;
        MHD_destroy_response(s->ping);
        s->ping = NULL;
        return true;
}
