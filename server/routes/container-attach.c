/* POST /containers/{id}/attach: hijacked before the container starts (docker run),
 * then the pump copies between the client and conmon's attach socket. */
#include <errno.h>
#include <poll.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attach-pump.h"
#include "berth/alloc.h"
#include "berth/container.h"
#include "berth/log.h"
#include "http.h"
#include "routes/routes.h"

#define RAW_STREAM RAW_STREAM_TYPE

struct attach_session {
        struct server *server;
        berth_engine *engine;
        bool logs, stream;
        char *id;
        struct pump_options o;
};

struct abandon_check {
        struct server *server;
        int fd;
};

/* The client hung up, or the daemon is stopping. A half-close is not hanging up: the
 * docker CLI shuts its sending side at once when it has no stdin to send, and still
 * reads the output. */
static bool abandoned(void *cls) {
        struct abandon_check *a = cls;
        struct pollfd p = { .fd = a->fd, .events = 0 };
        return server_shutting_down(a->server) || (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR)));
}

struct replay {
        int fd;
        bool tty;
};

static int replay_entry(void *cls, const berth_log_entry *e) {
        struct replay *r = cls;
        if (!e)
                return 0;
        int rc = pump_write_output(r->fd, r->tty, e->is_stderr, e->data, e->size);
        if (rc >= 0 && !e->partial)
                rc = pump_write_output(r->fd, r->tty, e->is_stderr, "\n", 1);
        return rc;
}

/* logs=1: what the container wrote so far, before the live output (Docker's order). */
static void replay_logs(struct attach_session *s, int fd) {
        _cleanup_(berth_container_freep) berth_container *c = NULL;
        berth_log_options o = { .out = s->o.out, .err = s->o.err, .tail = -1 };
        struct replay r = { .fd = fd };
        berth_error err;

        if (berth_container_lookup(s->engine, s->id, &c, &err) < 0)
                return;
        json_t *cfg = json_loads(c->config, 0, NULL);
        r.tty = json_is_true(json_object_get(cfg, "Tty"));
        json_decref(cfg);
        if (berth_container_logs(s->engine, s->id, &o, replay_entry, &r, &err) < 0)
                log_debug("attach %s: replaying the log: %s", s->id, err.message);
}

static void attach_run(void *cls, int fd, const char *early, size_t early_size) {
        struct attach_session *s = cls;
        berth_error err;
        bool tty;
        int conmon;

        struct abandon_check check = { s->server, fd };

        if (s->logs)
                replay_logs(s, fd);
        if (!s->stream)
                return;

        if (berth_container_attach(s->engine, s->id, abandoned, &check, &conmon, &tty, &err) < 0) {
                log_debug("attach %s: %s", s->id, err.message);
                return;
        }
        s->o.tty = tty;
        if (!tty)
                s->o.n_detach_keys = 0;   /* Docker applies detach keys only with a TTY */
        attach_pump(fd, conmon, early, early_size, &s->o);
        close(conmon);
}

static void attach_done(void *cls) {
        struct attach_session *s = cls;
        free(s->id);
        free(s);
}

int route_container_attach(struct request *req) {
        _cleanup_(berth_container_freep) berth_container *c = NULL;
        struct pump_options o = { .n_detach_keys = 2, .detach_keys = { 16, 17 } };
        const char *keys = req_query(req, "detachKeys");
        bool stream, in, out, err_, logs;
        int rc = req_query_bool(req, "stream", false, &stream);

        if (rc >= 0)
                rc = req_query_bool(req, "logs", false, &logs);
        if (rc >= 0)
                rc = req_query_bool(req, "stdin", false, &in);
        if (rc >= 0)
                rc = req_query_bool(req, "stdout", false, &out);
        if (rc >= 0)
                rc = req_query_bool(req, "stderr", false, &err_);
        if (rc < 0)
                return rc;
        if (keys && *keys && pump_parse_detach_keys(keys, &o) < 0)
                return http_fail(req, -EINVAL, "Invalid detach keys (%s) provided", keys);
        rc = berth_container_lookup(req_engine(req), req_param(req, "name"), &c, &req->err);
        if (rc < 0)
                return rc;
        json_t *cfg = json_loads(c->config, 0, NULL);
        o.in = in && json_is_true(json_object_get(cfg, "OpenStdin"));
        json_decref(cfg);
        o.out = out;
        o.err = err_;
        struct attach_session *s = xnew0(struct attach_session, 1);
        s->server = req->server;
        s->engine = req_engine(req);
        s->id = xstrdup(c->id);
        s->o = o;
        s->logs = logs;
        s->stream = stream;   /* neither stream nor logs: Docker answers and closes at once */
        return reply_upgrade(req, RAW_STREAM, attach_run, s, attach_done);
}
