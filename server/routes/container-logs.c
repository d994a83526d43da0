/* GET /containers/{id}/logs: the log read (and followed) as a queue job, framed as
 * Docker does (8-byte headers without a TTY, raw with one). */
#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "berth/alloc.h"
#include "berth/container.h"
#include "byte-queue.h"
#include "http.h"
#include "json/container.h"
#include "mux.h"
#include "queue-job.h"
#include "routes/routes.h"

struct logs_job {
        struct queue_job job;   /* first: the queue job frees the whole */
        char *id;
        berth_log_options o;
        bool tty, timestamps;
};

static int emit(void *cls, const berth_log_entry *e) {
        struct logs_job *job = cls;
        struct byte_queue *q = job->job.q;
        char stamp[64] = "", hdr[MUX_HEADER_SIZE];
        size_t stamp_len = 0, total;
        int r;

        if (!e)   /* a follower's idle tick: is the client still there? */
                return byte_queue_write(q, "", 0);
        if (job->timestamps) {
                json_format_ns(e->time_ns, stamp, sizeof(stamp) - 1);
                stamp_len = strlen(stamp);
                stamp[stamp_len++] = ' ';
        }
        total = stamp_len + e->size + (e->partial ? 0 : 1);
        if (!job->tty) {
                mux_header((uint8_t *) hdr, e->is_stderr ? MUX_STDERR : MUX_STDOUT, (uint32_t) total);
                if ((r = byte_queue_write(q, hdr, sizeof(hdr))) < 0)
                        return r;
        }
        if ((r = byte_queue_write(q, stamp, stamp_len)) < 0 || (r = byte_queue_write(q, e->data, e->size)) < 0)
                return r;
        return e->partial ? 0 : byte_queue_write(q, "\n", 1);
}

static int logs_run(struct queue_job *qj) {
        struct logs_job *job = (struct logs_job *) qj;
        int r = berth_container_logs(qj->server->engine, job->id, &job->o, emit, job, &qj->err);
        return r == -EPIPE ? 0 : r;   /* the client left: the end of the logs it wanted */
}

static void logs_free(struct queue_job *qj) {
        struct logs_job *job = (struct logs_job *) qj;
        free(job->id);
        free(job);
}

static const struct queue_job_ops logs_ops = { .run = logs_run, .free = logs_free };

/* RFC 3339 ("2026-12-07T10:00:00.5Z", "...+02:00"); Go's zero time means unset. */
static bool parse_rfc3339(const char *v, int64_t *ret) {
        struct tm tm = {};
        const char *p = strptime(v, "%Y-%m-%dT%H:%M:%S", &tm);
        int64_t frac = 0, scale = 1000000000, offset = 0;

        if (!p)
                return false;
        if (*p == '.')
                for (p++; *p >= '0' && *p <= '9'; p++)
                        if (scale > 1) {
                                scale /= 10;
                                frac += (*p - '0') * scale;
                        }
        if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':')
                offset = (p[0] == '-' ? -1 : 1) * (atoi(p + 1) * 3600 + atoi(p + 4) * 60);
        else if (strcmp(p, "Z") != 0)
                return false;
        *ret = tm.tm_year + 1900 <= 1 ? 0 : ((int64_t) timegm(&tm) - offset) * 1000000000 + frac;
        return true;
}

/* since/until: seconds since the epoch with an optional fraction (Docker), or RFC 3339
 * (what podman sends). */
static int parse_time(struct request *req, const char *name, int64_t *ret) {
        const char *v = req_query(req, name);
        char *end;
        *ret = 0;
        if (!v || !*v)
                return 0;
        if (strchr(v, 'T'))
                return parse_rfc3339(v, ret) ? 0 : http_fail(req, -EINVAL, "invalid value for %s: %s", name, v);
        double t = strtod(v, &end);
        if (*end || !isfinite(t) || t < 0)
                return http_fail(req, -EINVAL, "invalid value for %s: %s", name, v);
        *ret = (int64_t) (t * 1e9);
        return 0;
}

static int parse_options(struct request *req, struct logs_job *job) {
        const char *tail = req_query(req, "tail");
        char *end;
        int rc = req_query_bool(req, "stdout", false, &job->o.out);
        if (rc >= 0)
                rc = req_query_bool(req, "stderr", false, &job->o.err);
        if (rc >= 0)
                rc = req_query_bool(req, "follow", false, &job->o.follow);
        if (rc >= 0)
                rc = req_query_bool(req, "timestamps", false, &job->timestamps);
        if (rc >= 0)
                rc = parse_time(req, "since", &job->o.since_ns);
        if (rc >= 0)
                rc = parse_time(req, "until", &job->o.until_ns);
        if (rc < 0)
                return rc;
        if (!job->o.out && !job->o.err)
                return http_fail(req, -EINVAL, "Bad parameters: you must choose at least one stream");
        job->o.tail = -1;
        if (tail && *tail && strcmp(tail, "all") != 0) {
                job->o.tail = strtol(tail, &end, 10);
                if (*end || job->o.tail < 0)
                        job->o.tail = -1;   /* Docker reads a bad tail as "all" */
        }
        return 0;
}

int route_container_logs(struct request *req) {
        _cleanup_(berth_container_freep) berth_container *c = NULL;
        struct logs_job *job = xnew0(struct logs_job, 1);
        int rc = parse_options(req, job);

        if (rc >= 0)
                rc = berth_container_lookup(req_engine(req), req_param(req, "name"), &c, &req->err);
        if (rc < 0) {
                free(job);
                return rc;
        }
        json_t *cfg = json_loads(c->config, 0, NULL);
        job->tty = json_is_true(json_object_get(cfg, "Tty"));
        json_decref(cfg);
        job->id = xstrdup(c->id);
        job->job.what = xasprintf("logs of %s", job->id);
        return queue_job_start(req, &job->job, &logs_ops, job->tty ? RAW_STREAM_TYPE : MUX_STREAM_TYPE);
}
