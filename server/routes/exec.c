/* Exec routes of both APIs: create, start (hijacked unless detached, as Docker's
 * api/server/router/container/exec.go), inspect and resize. */
#include <errno.h>
#include <microhttpd.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "attach-pump.h"
#include "berth/alloc.h"
#include "berth/exec.h"
#include "berth/log.h"
#include "berth/strv.h"
#include "http.h"
#include "mux.h"
#include "routes/routes.h"

#define EXEC_EXIT_WAIT_MS 10000
#define CLIENT_WRITE_TIMEOUT_MS 10000

static inline void json_decrefp_exec(json_t **j) {
        json_decref(*j);
}
#define _cleanup_json_ _cleanup_(json_decrefp_exec)

static bool is_libpod(const struct request *req) {
        return req->match.api == API_LIBPOD;
}

/* A string list field: Docker's StrSlice takes a string or an array of strings. */
static int strv_field(struct request *req, json_t *body, const char *key, char ***ret) {
        json_t *v = json_object_get(body, key), *x;
        size_t i;

        *ret = xnew0(char *, 1);
        if (!v || json_is_null(v))
                return 0;
        if (json_is_string(v)) {
                strv_push(ret, json_string_value(v));
                return 0;
        }
        if (!json_is_array(v))
                return http_fail(req, -EINVAL, "%s must be a list of strings", key);
        json_array_foreach (v, i, x) {
                if (!json_is_string(x))
                        return http_fail(req, -EINVAL, "%s must be a list of strings", key);
                strv_push(ret, json_string_value(x));
        }
        return 0;
}

static const char *str_field(json_t *body, const char *key) {
        return json_string_value(json_object_get(body, key));
}

static bool bool_field(json_t *body, const char *key) {
        return json_is_true(json_object_get(body, key));
}

int route_exec_create(struct request *req) {
        _cleanup_json_ json_t *body = NULL;
        _cleanup_strv_free_ char **cmd = NULL, **env = NULL;
        _cleanup_free_ char *id = NULL;
        struct pump_options keys = {};
        int rc = req_body_object(req, &body);

        if (rc >= 0)
                rc = strv_field(req, body, "Cmd", &cmd);
        if (rc >= 0)
                rc = strv_field(req, body, "Env", &env);
        if (rc < 0)
                return rc;
        if (!cmd[0])
                return http_fail(req, -EINVAL, "No exec command specified");
        const char *detach_keys = str_field(body, "DetachKeys");
        if (detach_keys && *detach_keys && pump_parse_detach_keys(detach_keys, &keys) < 0)
                return http_fail(req, -EINVAL, "Invalid escape keys (%s) provided", detach_keys);
        berth_exec_config cfg = {
                .cmd = cmd, .env = env, .user = str_field(body, "User"), .working_dir = str_field(body, "WorkingDir"),
                .detach_keys = detach_keys, .tty = bool_field(body, "Tty"), .privileged = bool_field(body, "Privileged"),
                .attach_stdin = bool_field(body, "AttachStdin"), .attach_stdout = bool_field(body, "AttachStdout"),
                .attach_stderr = bool_field(body, "AttachStderr"),
        };
        rc = berth_exec_create(req_engine(req), req_param(req, "name"), &cfg, &id, &req->err);
        if (rc < 0)
                return rc;
        return reply_json(req, MHD_HTTP_CREATED, json_pack("{s:s}", "Id", id));
}

struct exec_stream {
        berth_engine *engine;
        char *id;
        berth_exec_start_options start;
        struct pump_options o;
        bool libpod;
};

static void send_all(int fd, const char *p, size_t size) {
        while (size > 0) {
                ssize_t n = send(fd, p, size, MSG_NOSIGNAL);
                if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                        struct pollfd pfd = { .fd = fd, .events = POLLOUT };
                        if (errno == EAGAIN && poll(&pfd, 1, CLIENT_WRITE_TIMEOUT_MS) <= 0)
                                return;
                        continue;
                }
                if (n < 0)
                        return;
                p += n;
                size -= (size_t) n;
        }
}

/* After the hijack a failure can only travel in the stream: Docker writes it to stdout
 * (exec.go), Podman to stderr as "Error: ..." (libpod/util.go hijackWriteError). */
static void send_failure(int fd, bool tty, bool libpod, const char *message) {
        _cleanup_free_ char *text = libpod ? xasprintf("Error: %s\n", message) : xasprintf("%s\r\n", message);
        size_t len = strlen(text);
        uint8_t hdr[MUX_HEADER_SIZE];

        if (!tty) {
                mux_header(hdr, libpod ? MUX_STDERR : MUX_STDOUT, (uint32_t) len);
                send_all(fd, (const char *) hdr, sizeof(hdr));
        }
        send_all(fd, text, len);
}

static void exec_run(void *cls, int fd, const char *early, size_t early_size) {
        struct exec_stream *s = cls;
        berth_error err;
        int conmon, code;

        if (berth_exec_start(s->engine, s->id, &s->start, &conmon, &err) < 0) {
                log_debug("exec %s: %s", s->id, err.message);
                send_failure(fd, s->o.tty, s->libpod, err.message);
                return;
        }
        bool detached = attach_pump(fd, conmon, early, early_size, &s->o);
        close(conmon);
        /* The exit code is recorded before the stream closes: clients inspect at once. */
        if (!detached && berth_exec_wait(s->engine, s->id, EXEC_EXIT_WAIT_MS, &code, &err) < 0)
                log_debug("exec %s: %s", s->id, err.message);
}

static void exec_stream_done(void *cls) {
        struct exec_stream *s = cls;
        free(s->id);
        free(s);
}

/* The first terminal size: Docker's ConsoleSize [h, w], libpod's h and w. */
static void initial_size(json_t *body, berth_exec_start_options *o) {
        json_t *cs = json_object_get(body, "ConsoleSize");
        if (json_is_array(cs) && json_array_size(cs) == 2) {
                o->height = (unsigned) json_integer_value(json_array_get(cs, 0));
                o->width = (unsigned) json_integer_value(json_array_get(cs, 1));
        }
        if (json_integer_value(json_object_get(body, "h")) > 0 && json_integer_value(json_object_get(body, "w")) > 0) {
                o->height = (unsigned) json_integer_value(json_object_get(body, "h"));
                o->width = (unsigned) json_integer_value(json_object_get(body, "w"));
        }
        if (o->height > 65535 || o->width > 65535)
                o->height = o->width = 0;
}

static int exec_attach(struct request *req, json_t *body, const char *id) {
        _cleanup_(berth_exec_info_freep) berth_exec_info *info = NULL;
        struct pump_options o = { .n_detach_keys = 2, .detach_keys = { 16, 17 } };
        int rc = berth_exec_inspect(req_engine(req), id, &info, &req->err);

        if (rc < 0)
                return rc;
        if (info->detach_keys)
                pump_parse_detach_keys(info->detach_keys, &o);
        /* Docker frames by the start request's Tty; Podman by the session's. */
        o.tty = is_libpod(req) ? info->tty : bool_field(body, "Tty");
        o.in = info->open_stdin;
        o.out = info->open_stdout;
        o.err = info->open_stderr;
        struct exec_stream *s = xnew0(struct exec_stream, 1);
        s->engine = req_engine(req);
        s->id = xstrdup(id);
        s->start.attach = true;
        s->libpod = is_libpod(req);
        initial_size(body, &s->start);
        s->o = o;
        return reply_upgrade(req, RAW_STREAM_TYPE, exec_run, s, exec_stream_done);
}

int route_exec_start(struct request *req) {
        _cleanup_json_ json_t *body = NULL;
        const char *id = req_param(req, "id");
        int rc = req->body_size ? req_body_object(req, &body) : 0;

        if (rc < 0)
                return rc;
        if (!body)
                body = json_object();
        rc = berth_exec_check(req_engine(req), id, &req->err);
        if (rc < 0)
                return rc;
        if (!bool_field(body, "Detach"))
                return exec_attach(req, body, id);
        berth_exec_start_options o = {};
        initial_size(body, &o);
        rc = berth_exec_start(req_engine(req), id, &o, NULL, &req->err);
        return rc < 0 ? rc : reply_empty(req, MHD_HTTP_OK);
}

/* Go encodes []byte as base64: Docker's DetachKeys are the key bytes. */
static json_t *base64_json(const unsigned char *p, size_t n) {
        static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        char out[4 * ((DETACH_KEYS_MAX + 2) / 3) + 1], *o = out;
        for (size_t i = 0; i < n; i += 3) {
                unsigned v = (unsigned) p[i] << 16 | (i + 1 < n ? (unsigned) p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
                *o++ = abc[v >> 18 & 63];
                *o++ = abc[v >> 12 & 63];
                *o++ = i + 1 < n ? abc[v >> 6 & 63] : '=';
                *o++ = i + 2 < n ? abc[v & 63] : '=';
        }
        *o = '\0';
        return json_string(out);
}

static json_t *detach_keys_json(const berth_exec_info *info, bool libpod) {
        struct pump_options keys = {};
        if (libpod)
                return json_string(info->detach_keys ? info->detach_keys : "");
        if (info->detach_keys)
                pump_parse_detach_keys(info->detach_keys, &keys);
        return base64_json(keys.detach_keys, keys.n_detach_keys);
}

/* Docker's ExecInspect; libpod's InspectExecSession has an int ExitCode and string keys. */
static json_t *exec_info_json(const berth_exec_info *info, bool libpod) {
        json_t *args = json_array();
        for (char **a = info->arguments; a && *a; a++)
                json_array_append_new(args, json_string(*a));
        json_t *pc = json_pack("{s:b, s:s, s:o, s:b}", "tty", info->tty, "entrypoint", info->entrypoint, "arguments",
                               args, "privileged", info->privileged);
        if (libpod || (info->user && *info->user))
                json_object_set_new(pc, "user", json_string(info->user ? info->user : ""));
        json_t *exit_code = info->exited ? json_integer(info->exit_code) : libpod ? json_integer(0) : json_null();
        return json_pack("{s:s, s:b, s:o, s:o, s:b, s:b, s:b, s:b, s:s, s:o, s:i}", "ID", info->id, "Running",
                         info->running, "ExitCode", exit_code, "ProcessConfig", pc, "OpenStdin", info->open_stdin,
                         "OpenStderr", info->open_stderr, "OpenStdout", info->open_stdout, "CanRemove",
                         info->can_remove, "ContainerID", info->container_id, "DetachKeys",
                         detach_keys_json(info, libpod), "Pid", (int) info->pid);
}

int route_exec_inspect(struct request *req) {
        _cleanup_(berth_exec_info_freep) berth_exec_info *info = NULL;
        int rc = berth_exec_inspect(req_engine(req), req_param(req, "id"), &info, &req->err);
        return rc < 0 ? rc : reply_json(req, MHD_HTTP_OK, exec_info_json(info, is_libpod(req)));
}

int route_exec_resize(struct request *req) {
        unsigned h, w;
        int rc = req_query_tty_size(req, &h, &w);

        if (rc >= 0)
                rc = berth_exec_resize(req_engine(req), req_param(req, "id"), h, w, &req->err);
        /* Podman answers 201 here (pkg/api/handlers/compat/resize.go), Docker 200. */
        return rc < 0 ? rc : reply_empty(req, is_libpod(req) ? MHD_HTTP_CREATED : MHD_HTTP_OK);
}
