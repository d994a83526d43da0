/* GET /containers/{id}/top, GET /containers/{id}/stats (Docker), GET
 * /libpod/containers/stats (podman's reports) and POST /containers/{id}/update. Streamed
 * stats come from a thread of their own, one report per interval, through a byte queue. */
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "berth/alloc.h"
#include "berth/container-ops.h"
#include "berth/container.h"
#include "berth/log.h"
#include "berth/strv.h"
#include "byte-queue.h"
#include "http.h"
#include "routes/routes.h"

#define STATS_QUEUE_LIMIT (1u << 20)

/* ---- top ---- */

static json_t *top_json(const berth_top *t) {
        json_t *titles = json_array(), *procs = json_array();
        for (char **s = t->titles; s && *s; s++)
                json_array_append_new(titles, json_string(*s));
        for (size_t i = 0; i < t->n_processes; i++) {
                json_t *row = json_array();
                for (char **s = t->processes[i]; *s; s++)
                        json_array_append_new(row, json_string(*s));
                json_array_append_new(procs, row);
        }
        return json_pack("{s:o, s:o}", "Titles", titles, "Processes", procs);
}

int route_container_top(struct request *req) {
        _cleanup_(berth_top_freep) berth_top *t = NULL;
        const char *name = req_param(req, "name"), *args = req_query(req, "ps_args");
        int rc = req->match.api == API_LIBPOD
                         ? berth_container_top_descriptors(req_engine(req), name, args, &t, &req->err)
                         : berth_container_top(req_engine(req), name, args, &t, &req->err);
        return rc < 0 ? rc : reply_json(req, MHD_HTTP_OK, top_json(t));
}

/* ---- update ---- */

int route_container_update(struct request *req) {
        _cleanup_free_ char *body = xstrndup(req->body ? req->body : "", req->body_size);
        int rc = berth_container_update(req_engine(req), req_param(req, "name"), body, &req->err);
        return rc < 0 ? rc : reply_json(req, MHD_HTTP_OK, json_pack("{s:[]}", "Warnings"));
}

/* ---- stats: the streaming job ---- */

struct stats_job;
/* Writes one report; > 0 to go on, 0 when the stream is over, < 0 on failure. */
typedef int (*report_fn)(struct stats_job *job, berth_error *err);

struct stats_job {
        atomic_int refs;
        struct server *server;
        struct byte_queue *q;
        report_fn report;
        long interval;                /* seconds */
        pthread_mutex_t lock;
        pthread_cond_t wake;
        bool gone;                    /* the reply is over: stop at once */
        char **names;                 /* what to sample; NULL (libpod): every container */
        berth_stats **prev;           /* the last sample of each name (Docker: one) */
        size_t n_prev;
        char **prev_ids;
};

static struct stats_job *job_new(struct request *req, report_fn report, long interval) {
        struct stats_job *job = xnew0(struct stats_job, 1);
        pthread_condattr_t attr;

        atomic_init(&job->refs, 1);
        job->server = req->server;
        job->q = byte_queue_new(STATS_QUEUE_LIMIT);
        job->report = report;
        job->interval = interval;
        pthread_mutex_init(&job->lock, NULL);
        pthread_condattr_init(&attr);
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        pthread_cond_init(&job->wake, &attr);
        pthread_condattr_destroy(&attr);
        return job;
}

static void job_unref(struct stats_job *job) {
        if (!job || atomic_fetch_sub(&job->refs, 1) != 1)
                return;
        byte_queue_unref(job->q);
        pthread_mutex_destroy(&job->lock);
        pthread_cond_destroy(&job->wake);
        strv_freep(&job->names);
        for (size_t i = 0; i < job->n_prev; i++) {
                berth_stats_free(job->prev[i]);
                free(job->prev_ids[i]);
        }
        free(job->prev);
        free(job->prev_ids);
        free(job);
}

/* The previous sample of container `id` (NULL the first time); `cur` takes its place. */
static berth_stats *job_swap_prev(struct stats_job *job, const char *id, berth_stats *cur) {
        berth_stats *old;
        for (size_t i = 0; i < job->n_prev; i++)
                if (strcmp(job->prev_ids[i], id) == 0) {
                        old = job->prev[i];
                        job->prev[i] = cur;
                        return old;
                }
        job->prev = xrealloc(job->prev, (job->n_prev + 1) * sizeof(*job->prev));
        job->prev_ids = xrealloc(job->prev_ids, (job->n_prev + 1) * sizeof(*job->prev_ids));
        job->prev[job->n_prev] = cur;
        job->prev_ids[job->n_prev++] = xstrdup(id);
        return NULL;
}

static const berth_stats *job_prev(struct stats_job *job, const char *id) {
        for (size_t i = 0; i < job->n_prev; i++)
                if (strcmp(job->prev_ids[i], id) == 0)
                        return job->prev[i];
        return NULL;
}

/* Sleeps one interval on a timed wait; false when the reply went away meanwhile. */
static bool job_sleep(struct stats_job *job) {
        struct timespec until;
        bool gone;

        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += job->interval;
        pthread_mutex_lock(&job->lock);
        while (!job->gone && pthread_cond_timedwait(&job->wake, &job->lock, &until) != ETIMEDOUT)
                ;
        gone = job->gone;
        pthread_mutex_unlock(&job->lock);
        return !gone && !server_shutting_down(job->server);
}

static void *stats_thread(void *cls) {
        struct stats_job *job = cls;
        berth_error err = { 0 };
        int r = 1;

        while (r > 0 && job_sleep(job))
                r = job->report(job, &err);
        if (r < 0 && r != -EPIPE)
                log_warn("stats: %s", err.message);
        byte_queue_finish(job->q, r == -EPIPE ? 0 : r);
        server_operation_end(job->server);
        job_unref(job);
        return NULL;
}

static ssize_t stats_read(void *cls, char *buf, size_t max) {
        struct stats_job *job = cls;
        return byte_queue_read(job->q, buf, max);
}

static void reply_done(void *cls) {
        struct stats_job *job = cls;
        byte_queue_close(job->q);
        pthread_mutex_lock(&job->lock);
        job->gone = true;
        pthread_cond_broadcast(&job->wake);
        pthread_mutex_unlock(&job->lock);
        job_unref(job);
}

/* Replies with what the queue holds and, with `more`, goes on on a thread. */
static int job_reply(struct request *req, struct stats_job *job, bool more) {
        pthread_t thread;

        if (more) {
                atomic_fetch_add(&job->refs, 1);
                server_operation_begin(req->server);
                if (pthread_create(&thread, NULL, stats_thread, job) != 0)
                        abort();
                pthread_detach(thread);
        } else
                byte_queue_finish(job->q, 0);
        return reply_stream(req, MHD_HTTP_OK, "application/json", stats_read, job, reply_done,
                            byte_queue_waker(job->q));
}

static int write_line(struct stats_job *job, char *text) {
        size_t len = strlen(text);
        text[len] = '\n';   /* the NUL's place: one report a line, as Go's encoder writes */
        int r = byte_queue_write(job->q, text, len + 1);
        free(text);
        return r;
}

static char *line_text(json_t *j) {
        char *s = json_dumps(j, JSON_COMPACT);
        if (!s)
                abort();
        json_decref(j);
        char *line = xmalloc(strlen(s) + 2);   /* room for write_line's newline */
        strcpy(line, s);
        free(s);
        return line;
}

static char *docker_line(const berth_stats *cur, const berth_stats *prev) {
        char *s = berth_stats_docker_json(cur, prev);
        char *line = xmalloc(strlen(s) + 2);
        strcpy(line, s);
        free(s);
        return line;
}

/* ---- Docker's stats ---- */

/* The next sample; a container that stopped or went away ends the stream. */
static int docker_report(struct stats_job *job, berth_error *err) {
        _cleanup_(berth_stats_freep) berth_stats *cur = NULL;
        int r = berth_container_stats_sample(job->server->engine, job->names[0], &cur, err);

        if (r < 0)
                return r == -ENOENT ? 0 : r;
        if (!cur->running)
                return 0;
        r = write_line(job, docker_line(cur, job_prev(job, cur->id)));
        berth_stats *taken = TAKE_PTR(cur);
        berth_stats_free(job_swap_prev(job, taken->id, taken));
        return r < 0 ? r : 1;
}

static void sleep_ms(long ms) {
        struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
        while (nanosleep(&t, &t) < 0 && errno == EINTR)
                ;
}

/* stream=0: one report; two samples a second apart give precpu, unless one-shot. */
static int docker_once(struct request *req, bool one_shot) {
        _cleanup_(berth_stats_freep) berth_stats *first = NULL, *second = NULL;
        const char *name = req_param(req, "name");
        int rc = berth_container_stats_sample(req_engine(req), name, &first, &req->err);

        if (rc < 0)
                return rc;
        if (first->running && !one_shot) {
                sleep_ms(1000);
                rc = berth_container_stats_sample(req_engine(req), first->id, &second, &req->err);
                if (rc < 0)
                        return rc;
        }
        char *text = second ? docker_line(second, second->running ? first : NULL) : docker_line(first, NULL);
        text[strlen(text) + 1] = '\0';
        text[strlen(text)] = '\n';
        return reply_json_text(req, MHD_HTTP_OK, text);
}

int route_container_stats(struct request *req) {
        _cleanup_(berth_stats_freep) berth_stats *first = NULL;
        bool stream, one_shot;
        int rc = req_query_bool(req, "stream", true, &stream);

        if (rc >= 0)
                rc = req_query_bool(req, "one-shot", false, &one_shot);
        if (rc < 0)
                return rc;
        if (one_shot && stream)
                return http_fail(req, -EINVAL, "cannot have stream=true and one-shot=true");
        if (!stream)
                return docker_once(req, one_shot);
        rc = berth_container_stats_sample(req_engine(req), req_param(req, "name"), &first, &req->err);
        if (rc < 0)
                return rc;
        struct stats_job *job = job_new(req, docker_report, 1);
        strv_push(&job->names, first->id);
        /* The first report at once (its precpu empty, as Docker's); a stopped container's
         * empty one is all there is. */
        write_line(job, docker_line(first, NULL));
        bool more = first->running;
        berth_stats *taken = TAKE_PTR(first);
        berth_stats_free(job_swap_prev(job, taken->id, taken));
        return job_reply(req, job, more);
}

/* ---- podman's stats reports ---- */

static double percent(double part, double whole) {
        return whole > 0 && part > 0 ? part / whole * 100.0 : 0.0;
}

/* podman's define.ContainerStats: CPU is the share of wall time since the previous
 * sample (or the start), AvgCPU since the start. */
static json_t *libpod_stats_json(const berth_stats *s, const berth_stats *prev) {
        uint64_t prev_cpu = 0, prev_ns = s->started_at > 0 ? (uint64_t) s->started_at : 0, rx = 0, tx = 0;
        json_t *percpu = json_null();

        if (prev && prev->running && prev->cpu_total_ns <= s->cpu_total_ns)
                prev_cpu = prev->cpu_total_ns, prev_ns = (uint64_t) prev->read_ns;
        for (size_t i = 0; i < s->n_nets; i++)
                rx += s->nets[i].rx_bytes, tx += s->nets[i].tx_bytes;
        if (s->n_percpu) {
                percpu = json_array();
                for (size_t i = 0; i < s->n_percpu; i++)
                        json_array_append_new(percpu, json_integer((json_int_t) s->percpu_ns[i]));
        }
        uint64_t now = s->running ? (uint64_t) s->read_ns : 0;
        double cpu = s->running && now > prev_ns ? percent((double) (s->cpu_total_ns - prev_cpu), (double) (now - prev_ns)) : 0;
        double avg = s->running && s->started_at > 0 && now > (uint64_t) s->started_at
                             ? percent((double) s->cpu_total_ns, (double) (now - (uint64_t) s->started_at))
                             : 0;
        return json_pack("{s:f, s:s, s:s, s:o, s:f, s:I, s:I, s:I, s:I, s:I, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
                         "AvgCPU", avg, "ContainerID", s->id, "Name", s->name, "PerCPU", percpu, "CPU", cpu, "CPUNano",
                         (json_int_t) s->cpu_total_ns, "CPUSystemNano", (json_int_t) s->cpu_system_ns, "SystemNano",
                         (json_int_t) now, "MemUsage", (json_int_t) s->mem_usage, "MemLimit", (json_int_t) s->mem_limit,
                         "MemPerc", percent((double) s->mem_usage, (double) s->mem_limit), "NetInput", (json_int_t) rx,
                         "NetOutput", (json_int_t) tx, "BlockInput", (json_int_t) s->blk_read, "BlockOutput",
                         (json_int_t) s->blk_write, "PIDs", (json_int_t) s->pids, "UpTime",
                         (json_int_t) s->cpu_total_ns, "Duration", (json_int_t) s->cpu_total_ns);
}

/* Every container, when no names were given (podman's service does the same). */
static char **all_containers(berth_engine *e) {
        berth_container **list = NULL;
        berth_error ignored = { 0 };
        char **ids = xnew0(char *, 1);

        if (berth_container_list(e, &list, &ignored) < 0)
                return ids;
        for (berth_container **c = list; *c; c++)
                strv_push(&ids, (*c)->id);
        berth_container_list_free(list);
        return ids;
}

/* One report of every container asked for. A named container that went away ends the
 * stream with an error report; with no names, containers come and go. */
static int libpod_report(struct stats_job *job, berth_error *err) {
        berth_engine *e = job->server->engine;
        _cleanup_strv_free_ char **ids = job->names ? strv_copy(job->names) : all_containers(e);
        json_t *stats = json_array();
        int r = 0;

        for (char **id = ids; *id; id++) {
                berth_stats *cur = NULL;
                r = berth_container_stats_sample(e, *id, &cur, err);
                if (r == -ENOENT && !job->names) {
                        r = 0;
                        continue;
                }
                if (r < 0)
                        break;
                json_array_append_new(stats, libpod_stats_json(cur, job_prev(job, cur->id)));
                berth_stats_free(job_swap_prev(job, cur->id, cur));
        }
        if (r < 0 && r != -ENOENT) {
                json_decref(stats);
                return r;
        }
        json_t *report = r < 0 ? json_pack("{s:{s:s}, s:n}", "Error", "message", err->message, "Stats")
                               : json_pack("{s:n, s:o}", "Error", "Stats", stats);
        if (r < 0)
                json_decref(stats);
        int w = write_line(job, line_text(report));
        return w < 0 ? w : r < 0 ? 0 : 1;
}

int route_libpod_container_stats(struct request *req) {
        _cleanup_strv_free_ char **names = req_query_all(req, "containers");
        long long interval;
        bool stream;
        int rc = req_query_bool(req, "stream", true, &stream);

        if (rc >= 0)
                rc = req_query_int(req, "interval", 5, 1, &interval);
        if (rc < 0)
                return rc;
        /* Unknown names are a 404 before anything streams. */
        for (char **n = names; n && *n; n++) {
                _cleanup_(berth_container_freep) berth_container *c = NULL;
                rc = berth_container_lookup(req_engine(req), *n, &c, &req->err);
                if (rc < 0)
                        return rc;
                free(*n);
                *n = xstrdup(c->id);
        }
        struct stats_job *job = job_new(req, libpod_report, (long) interval);
        job->names = names && *names ? TAKE_PTR(names) : NULL;
        rc = libpod_report(job, &req->err);
        if (rc < 0) {
                job_unref(job);
                return rc;
        }
        return job_reply(req, job, stream && rc > 0);
}
