/* Pulls: POST /images/create?fromImage= (Docker) and POST /libpod/images/pull. The pull
 * runs on its own thread and streams its progress as JSON lines. */
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/image.h"
#include "http-error.h"
#include "http.h"
#include "progress.h"
#include "registry-auth-header.h"
#include "routes/routes.h"

struct pull_job {
        atomic_int refs;        /* the pull thread, and the handler or the reply */
        struct server *server;
        api_kind api;
        bool quiet;
        char *ref;
        struct header_credentials creds;
        struct progress_stream *ps;
        berth_error err;
        int rc;
};

static void job_unref(void *cls) {
        struct pull_job *job = cls;
        if (atomic_fetch_sub(&job->refs, 1) != 1)
                return;
        progress_unref(job->ps);
        header_credentials_done(&job->creds);
        free(job->ref);
        free(job);
}

static ssize_t job_read(void *cls, char *buf, size_t max) {
        struct pull_job *job = cls;
        return progress_read(job->ps, buf, max);
}
static void docker_event(struct pull_job *job, const berth_progress *p) {
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

static void libpod_event(struct pull_job *job, const berth_progress *p) {
        char text[256];
        if (job->quiet || !p->id)
                return;
        if (strcmp(p->status, "Pulling fs layer") == 0)
                snprintf(text, sizeof(text), "Copying blob %s\n", p->id);
        else if (strcmp(p->status, "Already exists") == 0)
                snprintf(text, sizeof(text), "Copying blob %s skipped: already exists\n", p->id);
        else if (strncmp(p->status, "Pulling from", 12) == 0)
                snprintf(text, sizeof(text), "Trying to pull %s...\n", job->ref);
        else
                return;
        progress_push(job->ps, json_pack("{s:s}", "stream", text));
}

static void on_progress(void *cls, const berth_progress *p) {
        struct pull_job *job = cls;
        if (job->api == API_LIBPOD)
                libpod_event(job, p);
        else
                docker_event(job, p);
}

static void finish(struct pull_job *job, const char *id) {
        if (job->rc < 0 && job->api == API_LIBPOD)
                progress_push(job->ps, json_pack("{s:s}", "error", job->err.message));
        else if (job->rc < 0)
                progress_push(job->ps, json_pack("{s:{s:s}, s:s}", "errorDetail", "message", job->err.message,
                                                 "error", job->err.message));
        else if (job->api == API_LIBPOD)
                progress_push(job->ps, json_pack("{s:[s], s:s}", "images", id + 7, "id", id + 7));
}

static void *pull_thread(void *cls) {
        struct pull_job *job = cls;
        berth_pull_options o = { .username = job->creds.username, .password = job->creds.password };
        _cleanup_free_ char *id = NULL;

        job->rc = berth_image_pull(job->server->engine, job->ref, &o, on_progress, job, &id, &job->err);
        /* A failure before any progress is answered with an error status instead. */
        if (job->rc >= 0 || progress_any(job->ps))
                finish(job, id);
        progress_finish(job->ps);
        server_operation_end(job->server);
        job_unref(job);
        return NULL;
}

/* fromImage may carry a tag or digest; tag may be a tag or a digest. */
static char *docker_reference(const char *image, const char *tag) {
        if (!tag || !*tag)
                return xstrdup(image);
        return xasprintf("%s%s%s", image, strncmp(tag, "sha256:", 7) == 0 ? "@" : ":", tag);
}

static int start(struct request *req, char *ref, bool quiet) {
        struct pull_job *job = xnew0(struct pull_job, 1);
        pthread_t thread;
        int rc;

        atomic_init(&job->refs, 2);
        job->server = req->server;
        job->api = req->match.api;
        job->quiet = quiet;
        job->ref = ref;
        job->ps = progress_new();
        rc = header_credentials_read(req, &job->creds);
        if (rc < 0) {
                job->refs = 1;
                job_unref(job);
                return rc;
        }
        /* The pull outlives a client that hangs up: it counts as work in flight. */
        server_operation_begin(req->server);
        if (pthread_create(&thread, NULL, pull_thread, job) != 0)
                abort();
        pthread_detach(thread);
        if (progress_wait_first(job->ps))
                return reply_stream(req, MHD_HTTP_OK, "application/json", job_read, job, job_unref,
                                    progress_waker(job->ps));
        /* The pull ended without a word (rc and err were set before it said so, under
         * the queue's lock): the error gets its own status. */
        rc = job->rc;
        req->err = job->err;
        job_unref(job);
        return rc < 0 ? rc : reply_empty(req, MHD_HTTP_OK);
}

int route_image_create(struct request *req) {
        const char *image = req_query(req, "fromImage"), *src = req_query(req, "fromSrc");
        if (src)
                return http_fail(req, -EOPNOTSUPP, "import with fromSrc is not supported yet");
        if (!image || !*image)
                return http_fail(req, -EINVAL, "fromImage is required");
        return start(req, docker_reference(image, req_query(req, "tag")), false);
}

int route_libpod_image_pull(struct request *req) {
        const char *ref = req_query(req, "reference");
        bool quiet;
        int rc = req_query_bool(req, "quiet", false, &quiet);
        if (rc < 0)
                return rc;
        if (!ref || !*ref)
                return http_fail(req, -EINVAL, "reference is required");
        return start(req, xstrdup(ref), quiet);
}
