/* Pushes: POST /images/{name}/push?tag= (Docker) and POST /libpod/images/{name}/push
 * ?destination= (podman). The push runs on its own thread and streams its progress. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/image.h"
#include "berth/reference.h"
#include "http.h"
#include "progress-job.h"
#include "routes/registry-params.h"
#include "routes/routes.h"

struct push_job {
        struct progress_job job;   /* first: the runner frees through it */
        char *source, *destination;
        char *tag;                 /* for Docker's closing aux line */
        bool quiet;
        berth_tls_verify tls_verify;
        char *digest;
        uint64_t manifest_size;
};

/* podman's stream: the lines containers/image prints for a copy. */
static void libpod_event(struct push_job *pj, const berth_progress *p) {
        char text[256];
        if (pj->quiet)
                return;
        if (!p->id && strncmp(p->status, "The push refers to", 18) == 0)
                snprintf(text, sizeof(text), "Getting image source signatures\n");
        else if (p->id && strcmp(p->status, "Pushed") == 0)
                snprintf(text, sizeof(text), "Copying blob %s done\n", p->id);
        else if (p->id && strcmp(p->status, "Layer already exists") == 0)
                snprintf(text, sizeof(text), "Copying blob %s skipped: already exists\n", p->id);
        else if (!p->id && strstr(p->status, ": digest: "))
                snprintf(text, sizeof(text), "Writing manifest to image destination\nStoring signatures\n");
        else
                return;
        progress_job_line(&pj->job, json_pack("{s:s}", "stream", text));
}

static void on_progress(void *cls, const berth_progress *p) {
        struct push_job *pj = cls;
        /* The last event names the manifest; its size is `total`. */
        if (!p->id && p->total)
                pj->manifest_size = p->total;
        if (pj->job.api == API_LIBPOD)
                libpod_event(pj, p);
        else
                progress_job_docker_event(&pj->job, p);
}

static int push_run(struct progress_job *job) {
        struct push_job *pj = (struct push_job *) job;
        berth_pull_options o = { .tls_verify = pj->tls_verify };
        header_credentials_pick(&job->creds, pj->destination ? pj->destination : pj->source, &o);
        return berth_image_push(job->server->engine, pj->source, pj->destination, &o, on_progress, pj, &pj->digest,
                                &job->err);
}

static void push_succeeded(struct progress_job *job) {
        struct push_job *pj = (struct push_job *) job;
        if (job->api == API_COMPAT)
                progress_job_line(job, json_pack("{s:{}, s:{s:s, s:s, s:I}}", "progressDetail", "aux", "Tag",
                                                 pj->tag ? pj->tag : "", "Digest", pj->digest, "Size",
                                                 (json_int_t) pj->manifest_size));
}

static void push_free(struct progress_job *job) {
        struct push_job *pj = (struct push_job *) job;
        free(pj->source);
        free(pj->destination);
        free(pj->tag);
        free(pj->digest);
        free(pj);
}

static const struct progress_job_ops push_ops = { push_run, push_succeeded, push_free };

/* The tag a push goes to, for the aux line; NULL when the name does not parse (the
 * push then fails with the reason). */
static char *target_tag(const char *target) {
        _cleanup_(berth_reference_freep) berth_reference *ref = NULL;
        if (berth_reference_parse(target, &ref, NULL) < 0 || !ref->tag)
                return NULL;
        return xstrdup(ref->tag);
}

int route_image_push(struct request *req) {
        const char *name = req_param(req, "name"), *tag = req_query(req, "tag");
        struct push_job *pj = xnew0(struct push_job, 1);

        /* Docker pushes every tag of the repository when none is given; berth pushes the
         * name as given (its tag, or latest). */
        pj->source = tag && *tag ? xasprintf("%s:%s", name, tag) : xstrdup(name);
        pj->tag = target_tag(pj->source);
        return progress_job_start(req, &pj->job, &push_ops);
}

int route_libpod_image_push(struct request *req) {
        const char *destination = req_query(req, "destination");
        berth_tls_verify tls_verify;
        bool quiet;
        int rc = req_query_bool(req, "quiet", true, &quiet);

        if (rc >= 0)
                rc = req_query_tls_verify(req, &tls_verify);
        if (rc < 0)
                return rc;
        if (destination && strncmp(destination, "docker://", 9) == 0)
                destination += 9;
        struct push_job *pj = xnew0(struct push_job, 1);
        pj->source = xstrdup(req_param(req, "name"));
        pj->destination = destination && *destination ? xstrdup(destination) : NULL;
        pj->quiet = quiet;
        pj->tls_verify = tls_verify;
        return progress_job_start(req, &pj->job, &push_ops);
}
