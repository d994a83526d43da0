/* libmicrohttpd glue: request state across handler calls, body limits, dispatch. */
#include "http.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "berth/alloc.h"
#include "berth/log.h"
#include "berth/version.h"
#include "http-error.h"
#include "http-internal.h"
#include "json/decode.h"

struct request *request_new(struct server *s, struct MHD_Connection *conn, const char *method,
                                   const char *url) {
        struct request *req = xnew0(struct request, 1);
        req->server = s;
        req->conn = conn;
        req->method = method;
        req->path = xstrdup(url);
        clock_gettime(CLOCK_MONOTONIC, &req->started);
        req->route_result = route_find(method, req->path, &req->match);
        return req;
}

void request_free(struct request *req) {
        body_stream_free(req->body_stream);
        route_match_done(&req->match);
        if (req->response)
                MHD_destroy_response(req->response);
        free(req->body);
        free(req->path);
        free(req);
}

const char *req_param(const struct request *req, const char *name) {
        return route_param(&req->match, name);
}

const char *req_query(const struct request *req, const char *name) {
        return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

struct query_collect {
        const char *name;
        char **values;
        size_t n;
};

static enum MHD_Result collect_value(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
        struct query_collect *q = cls;
        (void) kind;
        if (strcmp(key, q->name) == 0 && value) {
                q->values = xrealloc(q->values, (q->n + 2) * sizeof(char *));
                q->values[q->n++] = xstrdup(value);
                q->values[q->n] = NULL;
        }
        return MHD_YES;
}

char **req_query_all(const struct request *req, const char *name) {
        struct query_collect q = { .name = name, .values = xnew0(char *, 1) };
        MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, collect_value, &q);
        return q.values;
}

const char *req_header(const struct request *req, const char *name) {
        return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

int req_query_bool(struct request *req, const char *name, bool def, bool *ret) {
        static const char *const yes[] = { "1", "true", "yes" }, *const no[] = { "0", "false", "no", "" };
        const char *v = req_query(req, name);

        *ret = def;
        if (!v)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcasecmp(v, yes[i]) == 0)
                        return *ret = true, 0;
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strcasecmp(v, no[i]) == 0)
                        return *ret = false, 0;
        return http_fail(req, -EINVAL, "query parameter %s: '%s' is not a boolean (use true or false)", name, v);
}

int req_body_json(struct request *req, json_t **ret) {
        json_error_t jerr;
        json_t *j;

        if (req->body_size == 0)
                return http_fail(req, -ENODATA, "request body is empty: a JSON object is required");
        j = json_loadb(req->body, req->body_size, JSON_REJECT_DUPLICATES, &jerr);
        if (!j)
                return http_fail(req, -EINVAL, "malformed JSON body at line %d, column %d: %s", jerr.line,
                                 jerr.column, jerr.text);
        *ret = j;
        return 0;
}

int req_body_object(struct request *req, json_t **ret) {
        json_t *j;
        int r = req_body_json(req, &j);
        if (r < 0)
                return r;
        r = json_expect_object(j, "request body", &req->err);
        if (r < 0) {
                json_decref(j);
                return r;
        }
        *ret = j;
        return 0;
}

int http_fail(struct request *req, int code, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        berth_errv(&req->err, code, fmt, ap);
        va_end(ap);
        return code;
}

static void add_common_headers(struct MHD_Response *r) {
        MHD_add_response_header(r, "Api-Version", BERTH_DOCKER_API_VERSION);
        MHD_add_response_header(r, "Libpod-Api-Version", BERTH_LIBPOD_API_VERSION);
        MHD_add_response_header(r, "Ostype", "linux");
        MHD_add_response_header(r, "Server", "Berth/" BERTH_VERSION " (linux)");
}

static int set_reply(struct request *req, unsigned status, struct MHD_Response *r) {
        if (req->response)
                MHD_destroy_response(req->response);
        req->response = r;
        req->status = status;
        add_common_headers(r);
        return 0;
}

void reply_header(struct request *req, const char *name, const char *value) {
        if (req->response)
                MHD_add_response_header(req->response, name, value);
}

int reply_json_text(struct request *req, unsigned status, char *text) {
        size_t len = strlen(text);
        struct MHD_Response *r;

        /* Docker ends JSON bodies with a newline; some clients read line by line. */
        text = xrealloc(text, len + 2);
        text[len] = '\n';
        text[len + 1] = '\0';
        r = MHD_create_response_from_buffer(len + 1, text, MHD_RESPMEM_MUST_FREE);
        set_reply(req, status, r);
        MHD_add_response_header(r, "Content-Type", "application/json");
        return 0;
}

int reply_json(struct request *req, unsigned status, json_t *body) {
        char *text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        if (!text)
                abort();
        return reply_json_text(req, status, text);
}

int reply_text(struct request *req, unsigned status, const char *content_type, const char *text) {
        struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *) text, MHD_RESPMEM_MUST_COPY);
        set_reply(req, status, r);
        MHD_add_response_header(r, "Content-Type", content_type);
        return 0;
}

int reply_empty(struct request *req, unsigned status) {
        return set_reply(req, status, MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT));
}

int reply_shared(struct request *req, unsigned status, struct MHD_Response *response) {
        if (req->response)
                MHD_destroy_response(req->response);
        req->response = NULL;
        req->status = status;
        req->replied = true;
        /* Queued directly: libmicrohttpd counts references, so one response serves all. */
        return MHD_queue_response(req->conn, status, response) == MHD_YES ? 0 : -EIO;
}

/* Podman's clients recognise errors by their words ("no such container"), not status. */
static char *libpod_message(const char *message) {
        static const char ctr[] = "No such container: ";
        if (strncmp(message, ctr, sizeof(ctr) - 1) == 0)
                return xasprintf("no container with name or ID \"%s\" found: no such container",
                                 message + sizeof(ctr) - 1);
        return xstrdup(message);
}

int reply_error(struct request *req, int code, const char *message) {
        unsigned status = http_status_for_errno(code);
        if (status == 304)
                return reply_empty(req, status);
        if (req->match.api == API_LIBPOD) {
                _cleanup_free_ char *m = libpod_message(message);
                return reply_json(req, status, http_error_body(status, m, http_cause_for_errno(code)));
        }
        return reply_json(req, status, http_error_body(status, message, http_cause_for_errno(code)));
}

struct MHD_Response *http_ping_response(void) {
        struct MHD_Response *r = MHD_create_response_from_buffer(2, (void *) "OK", MHD_RESPMEM_PERSISTENT);
        add_common_headers(r);
        MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
        MHD_add_response_header(r, "Cache-Control", "no-cache, no-store, must-revalidate");
        MHD_add_response_header(r, "Pragma", "no-cache");
        MHD_add_response_header(r, "Docker-Experimental", "false");
        MHD_add_response_header(r, "Builder-Version", "");
        MHD_add_response_header(r, "Swarm", "inactive");
        return r;
}
