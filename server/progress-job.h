/* A registry operation (pull, push) on a thread of its own whose progress streams to
 * the client as JSON lines; a failure before the first line gets a status of its own. */
#pragma once

#include <jansson.h>
#include <stdatomic.h>

#include "berth/error.h"
#include "berth/image.h"
#include "progress.h"
#include "registry-auth-header.h"
#include "router.h"

struct progress_job;

struct progress_job_ops {
        /* The work, on the job's thread; returns >= 0, or -errno with job->err filled. */
        int (*run)(struct progress_job *job);
        /* The last lines of a success (may be NULL). */
        void (*succeeded)(struct progress_job *job);
        /* Frees the struct that embeds the job (as its first member). */
        void (*free)(struct progress_job *job);
};

struct progress_job {
        atomic_int refs;                    /* the thread, and the handler or the reply */
        const struct progress_job_ops *ops;
        struct server *server;
        api_kind api;
        struct header_credentials creds;    /* from X-Registry-Auth */
        struct progress_stream *ps;
        int rc;
        berth_error err;
};

/* Reads X-Registry-Auth, runs the job on its thread and replies: a 200 stream once the
 * first line comes, else the error of a job that failed without a word. The job is
 * the caller's until this is called, then belongs to the request and the thread. */
int progress_job_start(struct request *req, struct progress_job *job, const struct progress_job_ops *ops);

/* Queues one line (taking it). */
void progress_job_line(struct progress_job *job, json_t *line);

/* Queues a core progress event as Docker's {status, id, progressDetail} line. */
void progress_job_docker_event(struct progress_job *job, const berth_progress *p);
