/* The thread, reference counting and reply of a streamed registry operation. */
#include "progress-job.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>

#include "http.h"

static void job_unref(void *cls) {
        struct progress_job *job = cls;
        if (atomic_fetch_sub(&job->refs, 1) != 1)
                return;
        progress_unref(job->ps);
        header_credentials_done(&job->creds);
        job->ops->free(job);
}

static ssize_t job_read(void *cls, char *buf, size_t max) {
        struct progress_job *job = cls;
        return progress_read(job->ps, buf, max);
}

void progress_job_line(struct progress_job *job, json_t *line) {
        progress_push(job->ps, line);
}

void progress_job_docker_event(struct progress_job *job, const berth_progress *p) {
        json_t *line = json_pack("{s:s}", "status", p->status);
        if (p->id) {
                json_object_set_new(line, "id", json_string(p->id));
                json_object_set_new(line, "progressDetail",
                                    p->total ? json_pack("{s:I, s:I}", "current", (json_int_t) p->current, "total",
                                                         (json_int_t) p->total)
                                             : json_object());
        }
        progress_push(job->ps, line);
}

/* A failure once the stream is under way is its last line, in each API's shape. */
static void error_line(struct progress_job *job) {
        const char *m = job->err.message;
        if (job->api == API_LIBPOD)
                progress_push(job->ps, json_pack("{s:s}", "error", m));
        else
                progress_push(job->ps, json_pack("{s:{s:s}, s:s}", "errorDetail", "message", m, "error", m));
}

static void *job_thread(void *cls) {
        struct progress_job *job = cls;

        job->rc = job->ops->run(job);
        if (job->rc >= 0 && job->ops->succeeded)
                job->ops->succeeded(job);
        else if (job->rc < 0 && progress_any(job->ps))
                error_line(job);
        progress_finish(job->ps);
        server_operation_end(job->server);
        job_unref(job);
        return NULL;
}

int progress_job_start(struct request *req, struct progress_job *job, const struct progress_job_ops *ops) {
        pthread_t thread;
        int rc;

        atomic_init(&job->refs, 1);
        job->ops = ops;
        job->server = req->server;
        job->api = req->match.api;
        job->ps = progress_new();
        rc = header_credentials_read(req, &job->creds);
        if (rc < 0) {
                job_unref(job);
                return rc;
        }
        atomic_fetch_add(&job->refs, 1);
        /* The job outlives a client that hangs up: it counts as work in flight. */
        server_operation_begin(req->server);
        if (pthread_create(&thread, NULL, job_thread, job) != 0)
                abort();
        pthread_detach(thread);
        if (progress_wait_first(job->ps))
                return reply_stream(req, MHD_HTTP_OK, "application/json", job_read, job, job_unref,
                                    progress_waker(job->ps));
        /* The job ended without a word (rc and err were set before it said so, under the
         * queue's lock): the error gets its own status. */
        rc = job->rc;
        req->err = job->err;
        job_unref(job);
        return rc < 0 ? rc : reply_empty(req, MHD_HTTP_OK);
}
