/* Pulls: POST /images/create?fromImage= (Docker) and POST /libpod/images/pull. The pull
 * runs on its own thread and streams its progress as JSON lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "berth/alloc.h"
#include "berth/image.h"
#include "http.h"
#include "progress-job.h"
#include "routes/routes.h"

struct pull_job {
        struct progress_job job;   /* first: the runner frees through it */
        bool quiet;
        char *ref;
        char *id;
};

static void libpod_event(struct pull_job *pj, const berth_progress *p) {
        char text[256];
        if (pj->quiet || !p->id)
                return;
        if (strcmp(p->status, "Pulling fs layer") == 0)
                snprintf(text, sizeof(text), "Copying blob %s\n", p->id);
        else if (strcmp(p->status, "Already exists") == 0)
                snprintf(text, sizeof(text), "Copying blob %s skipped: already exists\n", p->id);
        else if (strncmp(p->status, "Pulling from", 12) == 0)
                snprintf(text, sizeof(text), "Trying to pull %s...\n", pj->ref);
        else
                return;
        progress_job_line(&pj->job, json_pack("{s:s}", "stream", text));
}

static void on_progress(void *cls, const berth_progress *p) {
        struct pull_job *pj = cls;
        if (pj->job.api == API_LIBPOD)
                libpod_event(pj, p);
        else
                progress_job_docker_event(&pj->job, p);
}

static int pull_run(struct progress_job *job) {
        struct pull_job *pj = (struct pull_job *) job;
        berth_pull_options o = { 0 };
        header_credentials_pick(&job->creds, pj->ref, &o);
        return berth_image_pull(job->server->engine, pj->ref, &o, on_progress, pj, &pj->id, &job->err);
}

static void pull_succeeded(struct progress_job *job) {
        struct pull_job *pj = (struct pull_job *) job;
        if (job->api == API_LIBPOD)
                progress_job_line(job, json_pack("{s:[s], s:s}", "images", pj->id + 7, "id", pj->id + 7));
}

static void pull_free(struct progress_job *job) {
        struct pull_job *pj = (struct pull_job *) job;
        free(pj->ref);
        free(pj->id);
        free(pj);
}

static const struct progress_job_ops pull_ops = { pull_run, pull_succeeded, pull_free };

/* fromImage may carry a tag or digest; tag may be a tag or a digest. */
static char *docker_reference(const char *image, const char *tag) {
        if (!tag || !*tag)
                return xstrdup(image);
        return xasprintf("%s%s%s", image, strncmp(tag, "sha256:", 7) == 0 ? "@" : ":", tag);
}

static int start(struct request *req, char *ref, bool quiet) {
        struct pull_job *pj = xnew0(struct pull_job, 1);
        pj->quiet = quiet;
        pj->ref = ref;
        return progress_job_start(req, &pj->job, &pull_ops);
}

int route_image_create(struct request *req) {
        const char *image = req_query(req, "fromImage"), *src = req_query(req, "fromSrc");
        if (src && *src)
                return route_image_import(req);   /* the body is the tarball */
        if (!image || !*image)
                return http_fail(req, -EINVAL, "fromImage is required");
        return start(req, docker_reference(image, req_query(req, "tag")), false);
}

/* podman's pull policies: "missing" and "never" use a stored image as it is. */
static int pull_policy_local(struct request *req, const char *ref, const char *policy) {
        _cleanup_(berth_image_freep) berth_image *img = NULL;
        int rc = berth_image_lookup(req_engine(req), ref, &img, &req->err);
        if (rc == -ENOENT && strcmp(policy, "never") == 0)
                return http_fail(req, -ENOENT, "%s: image not known and the pull policy is \"never\"", ref);
        if (rc < 0)
                return rc == -ENOENT ? 1 : rc;
        return reply_json(req, MHD_HTTP_OK, json_pack("{s:[s], s:s}", "images", img->id + 7, "id", img->id + 7));
}

int route_libpod_image_pull(struct request *req) {
        const char *ref = req_query(req, "reference"), *policy = req_query(req, "policy");
        bool quiet;
        int rc = req_query_bool(req, "quiet", false, &quiet);
        if (rc < 0)
                return rc;
        if (!ref || !*ref)
                return http_fail(req, -EINVAL, "reference is required");
        if (policy && *policy && strcmp(policy, "missing") && strcmp(policy, "never") && strcmp(policy, "always") &&
            strcmp(policy, "newer"))
                return http_fail(req, -EINVAL, "unknown pull policy \"%s\"", policy);
        if (policy && (strcmp(policy, "missing") == 0 || strcmp(policy, "never") == 0)) {
                rc = pull_policy_local(req, ref, policy);
                if (rc <= 0)
                        return rc;
        }
        return start(req, xstrdup(ref), quiet);
}
