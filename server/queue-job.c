/* The thread, reference counting and reply of work streamed through a byte queue
 * (container archives and exports, logs, image saves). */
#include "queue-job.h"

#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>

#include "berth/log.h"
#include "byte-queue.h"
#include "http.h"

/* The work may run ahead of the client by this much. */
#define QUEUE_JOB_LIMIT (1u << 20)

static void job_unref(struct queue_job *job) {
        if (atomic_fetch_sub(&job->refs, 1) != 1)
                return;
        byte_queue_unref(job->q);
        free(job->what);
        job->ops->free(job);
}

static void *job_thread(void *cls) {
        struct queue_job *job = cls;

        job->rc = job->ops->run(job);
        if (job->rc < 0 && job->rc != -EPIPE)
                log_warn("%s: %s", job->what, job->err.message);
        /* After rc and err are set: the handler reads them once the queue says so. */
        byte_queue_finish(job->q, job->rc);
        server_operation_end(job->server);
        job_unref(job);
        return NULL;
}

static void reply_done(void *q) {
        byte_queue_close(q);
        byte_queue_unref(q);
}

int queue_job_start(struct request *req, struct queue_job *job, const struct queue_job_ops *ops, const char *type) {
        pthread_t thread;
        int rc;

        atomic_init(&job->refs, 2);
        job->ops = ops;
        job->server = req->server;
        job->q = byte_queue_new(QUEUE_JOB_LIMIT);
        /* The work outlives a client that hangs up only until its next write. */
        server_operation_begin(req->server);
        if (pthread_create(&thread, NULL, job_thread, job) != 0)
                abort();
        pthread_detach(thread);
        if (byte_queue_wait_first(job->q)) {
                byte_queue_ref(job->q);
                rc = reply_stream(req, MHD_HTTP_OK, type, byte_queue_read, job->q, reply_done,
                                  byte_queue_waker(job->q));
                if (ops->headers)
                        ops->headers(req, job);
                job_unref(job);
                return rc;
        }
        /* Nothing was written: a missing container or image gets its own status. */
        rc = job->rc;
        req->err = job->err;
        job_unref(job);
        if (rc < 0)
                return rc;
        return ops->empty_error ? http_fail(req, -EIO, "%s", ops->empty_error) : reply_text(req, MHD_HTTP_OK, type, "");
}
