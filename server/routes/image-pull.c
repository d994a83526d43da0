/* Pulls: POST /images/create?fromImage= (Docker) and POST /libpod/images/pull. The pull
 * runs on its own thread and streams its progress as JSON lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "berth/alloc.h"
#include "berth/image.h"
#include "berth/reference.h"
#include "berth/strv.h"
#include "http.h"
#include "progress-job.h"
#include "routes/registry-params.h"
#include "routes/routes.h"

struct pull_job {
        struct progress_job job;   /* first: the runner frees through it */
        bool quiet;
        char *ref;
        char *repository;          /* every tag of it: "domain/path" */
        berth_platform platform;
        berth_tls_verify tls_verify;
        bool docker;               /* Docker's route: a single-platform image must match */
        char **ids;                /* one per pulled tag */
};

/* The name podman's "Trying to pull" line gives: the reference, or with every tag
 * pulled the tag that comes next. */
static void trying_line(struct pull_job *pj, const berth_progress *p, char *text, size_t size) {
        if (pj->repository)
                snprintf(text, size, "Trying to pull %s:%s...\n", pj->repository, p->id);
        else
                snprintf(text, size, "Trying to pull %s...\n", pj->ref);
}

static void libpod_event(struct pull_job *pj, const berth_progress *p) {
        char text[512];
        if (pj->quiet || !p->id)
                return;
        if (strcmp(p->status, "Pulling fs layer") == 0)
                snprintf(text, sizeof(text), "Copying blob %s\n", p->id);
        else if (strcmp(p->status, "Already exists") == 0)
                snprintf(text, sizeof(text), "Copying blob %s skipped: already exists\n", p->id);
        else if (strncmp(p->status, "Pulling from", 12) == 0)
                trying_line(pj, p, text, sizeof(text));
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
        berth_pull_options o = { .tls_verify = pj->tls_verify, .platform_must_match = pj->docker };
        char *id = NULL;
        int rc;

        pull_options_set_platform(&o, &pj->platform);
        header_credentials_pick(&job->creds, pj->ref, &o);
        if (pj->repository)
                return berth_image_pull_all_tags(job->server->engine, pj->ref, &o, on_progress, pj, &pj->ids,
                                                 &job->err);
        rc = berth_image_pull(job->server->engine, pj->ref, &o, on_progress, pj, &id, &job->err);
        if (rc >= 0) {
                pj->ids = xnew0(char *, 2);
                pj->ids[0] = id;
        }
        return rc;
}

/* libpod's last line: every pulled image's ID (podman lists one per tag), the last as "id". */
static void pull_succeeded(struct progress_job *job) {
        struct pull_job *pj = (struct pull_job *) job;
        size_t n = strv_length(pj->ids);
        json_t *images;

        if (job->api != API_LIBPOD || n == 0)
                return;
        images = json_array();
        for (char **id = pj->ids; *id; id++)
                json_array_append_new(images, json_string(*id + 7));
        progress_job_line(job, json_pack("{s:o, s:s}", "images", images, "id", pj->ids[n - 1] + 7));
}

static void pull_free(struct progress_job *job) {
        struct pull_job *pj = (struct pull_job *) job;
        free(pj->ref);
        free(pj->repository);
        berth_platform_done(&pj->platform);
        strv_freep(&pj->ids);
        free(pj);
}

static const struct progress_job_ops pull_ops = { pull_run, pull_succeeded, pull_free };

/* fromImage may carry a tag or digest; tag may be a tag or a digest. */
static char *docker_reference(const char *image, const char *tag) {
        if (!tag || !*tag)
                return xstrdup(image);
        return xasprintf("%s%s%s", image, strncmp(tag, "sha256:", 7) == 0 ? "@" : ":", tag);
}

/* Docker pulls every tag when neither fromImage nor tag names one. */
static bool names_tag(const char *image, const char *tag) {
        const char *last = strrchr(image, '/');
        return (tag && *tag) || strchr(image, '@') || strchr(last ? last : image, ':');
}

/* Takes ref and the platform. With every tag, the repository must parse: its
 * name goes in the progress lines. */
static int start(struct request *req, char *ref, bool quiet, bool all_tags, berth_platform *platform,
                 berth_tls_verify tls_verify) {
        _cleanup_(berth_reference_freep) berth_reference *parsed = NULL;
        struct pull_job *pj;

        if (all_tags && berth_reference_parse(ref, &parsed, &req->err) < 0) {
                free(ref);
                berth_platform_done(platform);
                return req->err.code;
        }
        pj = xnew0(struct pull_job, 1);
        pj->quiet = quiet;
        pj->ref = ref;
        pj->repository = parsed ? berth_reference_repository(parsed) : NULL;
        pj->platform = *platform;
        *platform = (berth_platform) { 0 };
        pj->tls_verify = tls_verify;
        pj->docker = req->match.api == API_COMPAT;
        return progress_job_start(req, &pj->job, &pull_ops);
}

int route_image_create(struct request *req) {
        const char *image = req_query(req, "fromImage"), *src = req_query(req, "fromSrc"), *tag = req_query(req, "tag");
        berth_platform platform = { 0 };
        int rc;

        if (src && *src)
                return route_image_import(req);   /* the body is the tarball */
        if (!image || !*image)
                return http_fail(req, -EINVAL, "fromImage is required");
        rc = req_query_docker_platform(req, &platform);
        if (rc < 0)
                return rc;
        return start(req, docker_reference(image, tag), false, !names_tag(image, tag), &platform, BERTH_TLS_DEFAULT);
}

/* A stored image is for the platform asked for (each part given must match its config). */
static bool image_for_platform(const berth_image *img, const berth_platform *p) {
        _cleanup_(json_decrefp) json_t *c = json_loads(img->config, 0, NULL);
        const char *parts[][2] = { { p->os, "os" }, { p->arch, "architecture" }, { p->variant, "variant" } };

        for (size_t i = 0; i < 3; i++) {
                const char *have = json_string_value(json_object_get(c, parts[i][1]));
                if (parts[i][0] && (!have || strcmp(have, parts[i][0]) != 0))
                        return false;
        }
        return true;
}

/* podman's pull policies: "missing" and "never" use a stored image as it is, if it is for
 * the platform asked for. */
static int pull_policy_local(struct request *req, const char *ref, const char *policy,
                             const berth_platform *platform) {
        _cleanup_(berth_image_freep) berth_image *img = NULL;
        int rc = berth_image_lookup(req_engine(req), ref, &img, &req->err);
        if (rc >= 0 && !image_for_platform(img, platform))
                rc = -ENOENT;
        if (rc == -ENOENT && strcmp(policy, "never") == 0)
                return http_fail(req, -ENOENT, "%s: image not known and the pull policy is \"never\"", ref);
        if (rc < 0)
                return rc == -ENOENT ? 1 : rc;
        return reply_json(req, MHD_HTTP_OK, json_pack("{s:[s], s:s}", "images", img->id + 7, "id", img->id + 7));
}

static int check_policy(struct request *req, const char *policy, bool all_tags) {
        if (!policy || !*policy)
                return 0;
        if (strcmp(policy, "missing") && strcmp(policy, "never") && strcmp(policy, "always") && strcmp(policy, "newer"))
                return http_fail(req, -EINVAL, "unknown pull policy \"%s\"", policy);
        /* Every tag is a list only the registry has. */
        if (all_tags && strcmp(policy, "never") == 0)
                return http_fail(req, -EINVAL, "the pull policy \"never\" cannot pull every tag");
        return 0;
}

int route_libpod_image_pull(struct request *req) {
        const char *ref = req_query(req, "reference"), *policy = req_query(req, "policy");
        berth_platform platform = { 0 };
        berth_tls_verify tls_verify;
        bool quiet, all_tags;
        int rc = req_query_bool(req, "quiet", false, &quiet);

        if (rc >= 0)
                rc = req_query_bool(req, "allTags", false, &all_tags);
        if (rc >= 0)
                rc = req_query_tls_verify(req, &tls_verify);
        if (rc < 0)
                return rc;
        if (!ref || !*ref)
                return http_fail(req, -EINVAL, "reference is required");
        rc = check_policy(req, policy, all_tags);
        if (rc >= 0)
                rc = req_query_libpod_platform(req, &platform);
        if (rc >= 0 && !all_tags && policy && (strcmp(policy, "missing") == 0 || strcmp(policy, "never") == 0))
                rc = pull_policy_local(req, ref, policy, &platform);   /* 1: none stored, pull */
        else if (rc >= 0)
                rc = 1;
        if (rc <= 0) {   /* failed, or answered with the stored image */
                berth_platform_done(&platform);
                return rc;
        }
        return start(req, xstrdup(ref), quiet, all_tags, &platform, tls_verify);
}
