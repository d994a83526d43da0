/* docker import (POST /images/create?fromSrc=- or fromSrc=URL) and podman import (POST
 * /libpod/images/import, the body or ?url=): a root filesystem tarball becomes an image. */
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/image.h"
#include "http.h"
#include "progress-job.h"
#include "routes/routes.h"

/* What an import takes beside the tarball, copied from the query before the body is
 * read; a Docker download runs as a progress job with it. */
struct import_job {
        struct progress_job job;   /* first: the runner frees through it */
        char *url, *reference, *message;
        char **changes;
        char *id;
};

static void import_free(struct progress_job *job) {
        struct import_job *ij = (struct import_job *) job;
        free(ij->url);
        free(ij->reference);
        free(ij->message);
        strv_freep(&ij->changes);
        free(ij->id);
        free(ij);
}

static void import_freep(struct import_job **ij) {
        if (*ij)
                import_free(&(*ij)->job);
}

/* Docker names the image with repo (which may carry the tag) and tag. */
static char *docker_reference(const char *repo, const char *tag) {
        if (!repo || !*repo)
                return NULL;
        return tag && *tag ? xasprintf("%s:%s", repo, tag) : xstrdup(repo);
}

static char *query_copy(struct request *req, const char *name) {
        const char *v = req_query(req, name);
        return v ? xstrdup(v) : NULL;
}

static struct import_job *import_job_new(struct request *req, bool libpod) {
        struct import_job *ij = xnew0(struct import_job, 1);
        ij->reference = libpod ? query_copy(req, "reference")
                               : docker_reference(req_query(req, "repo"), req_query(req, "tag"));
        ij->message = query_copy(req, "message");
        ij->changes = req_query_all(req, "changes");
        return ij;
}

static berth_import_options import_options(const struct import_job *ij) {
        return (berth_import_options) { .reference = ij->reference, .message = ij->message, .changes = ij->changes };
}

/* Docker's lines: {"status":"Downloading from URL"}, then "Importing" with its progressDetail. */
static void on_progress(void *cls, const berth_progress *p) {
        struct import_job *ij = cls;
        json_t *line = json_pack("{s:s}", "status", p->status);

        if (strcmp(p->status, "Importing") == 0) {
                json_t *detail = json_pack("{s:I}", "current", (json_int_t) p->current);
                if (p->total)
                        json_object_set_new(detail, "total", json_integer((json_int_t) p->total));
                json_object_set_new(line, "progressDetail", detail);
        }
        progress_job_line(&ij->job, line);
}

static int import_run(struct progress_job *job) {
        struct import_job *ij = (struct import_job *) job;
        berth_import_options o = import_options(ij);
        return berth_image_import_url(job->server->engine, ij->url, &o, on_progress, ij, &ij->id, &job->err);
}

/* Docker's JSON message stream: the ID as the last status. */
static void import_succeeded(struct progress_job *job) {
        struct import_job *ij = (struct import_job *) job;
        progress_job_line(job, json_pack("{s:s}", "status", ij->id));
}

static const struct progress_job_ops import_ops = { import_run, import_succeeded, import_free };

int route_image_import(struct request *req) {
        bool libpod = req->match.api == API_LIBPOD;
        const char *src = req_query(req, libpod ? "url" : "fromSrc");
        _cleanup_(import_freep) struct import_job *ij = import_job_new(req, libpod);
        berth_import_options o = import_options(ij);
        _cleanup_free_ char *id = NULL;
        int rc;

        if (!libpod && src && *src && strcmp(src, "-") != 0) {
                /* Docker reads a source without a scheme as an http:// address. */
                ij->url = strstr(src, "://") ? xstrdup(src) : xasprintf("http://%s", src);
                return progress_job_start(req, &TAKE_PTR(ij)->job, &import_ops);
        }
        if (libpod && src && *src)
                rc = berth_image_import_url(req_engine(req), src, &o, NULL, NULL, &id, &req->err);
        else
                rc = berth_image_import(req_engine(req), req_body_read, req, &o, &id, &req->err);
        if (rc < 0)
                return rc;
        if (libpod)
                return reply_json(req, MHD_HTTP_OK, json_pack("{s:s}", "Id", id + 7));
        return reply_json(req, MHD_HTTP_OK, json_pack("{s:s}", "status", id));
}
