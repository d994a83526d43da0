/* Work on a thread of its own that writes bytes (a tar, log lines) into a bounded queue
 * the reply streams from; a failure before the first bytes gets a status of its own. */
#pragma once

#include <stdatomic.h>

#include "berth/error.h"
#include "router.h"

struct byte_queue;
struct queue_job;

struct queue_job_ops {
        /* The work, on the job's thread: writes into job->q (a berth_write_fn's cls with
         * byte_queue_write); returns >= 0, or -errno with job->err filled. */
        int (*run)(struct queue_job *job);
        /* Optional: headers of the 200 stream, from what the work set before its first bytes. */
        void (*headers)(struct request *req, struct queue_job *job);
        /* Frees the struct that embeds the job (as its first member). */
        void (*free)(struct queue_job *job);
        /* A job that ended without writing anything: -EIO with this message, or an
         * empty 200 when NULL. */
        const char *empty_error;
};

struct queue_job {
        atomic_int refs;                /* the thread and the handler */
        const struct queue_job_ops *ops;
        struct server *server;
        struct byte_queue *q;
        char *what;                     /* names the work in a warning ("saving images"); freed */
        int rc;
        berth_error err;
};

/* Runs the job on its thread and replies: a 200 stream of content type `type` once the
 * first bytes come, else the error of a job that failed before writing any. The job
 * (with `what` set) is the caller's until this is called, then the request's and the
 * thread's. */
int queue_job_start(struct request *req, struct queue_job *job, const struct queue_job_ops *ops, const char *type);
