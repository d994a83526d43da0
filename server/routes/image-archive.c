/* docker save / load, podman save / load: image archives streamed out of and into the
 * store. A save is a queue job (its own thread feeding the reply through a bounded
 * queue); a load reads the request body as it arrives (ROUTE_BODY_STREAM). */
#include <errno.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/image.h"
#include "berth/reference.h"
#include "byte-queue.h"
#include "http.h"
#include "queue-job.h"
#include "routes/routes.h"

struct save_job {
        struct queue_job job;   /* first: the queue job frees the whole */
        char **names;
        berth_archive_format format;
};

static int save_run(struct queue_job *qj) {
        struct save_job *job = (struct save_job *) qj;
        return berth_image_save(qj->server->engine, job->names, job->format, byte_queue_write, qj->q, &qj->err);
}

static void save_free(struct queue_job *qj) {
        struct save_job *job = (struct save_job *) qj;
        strv_freep(&job->names);
        free(job);
}

static const struct queue_job_ops save_ops = {
        .run = save_run,
        .free = save_free,
        .empty_error = "the save wrote nothing",
};

static int parse_format(struct request *req, berth_archive_format *ret) {
        const char *f = req_query(req, "format");
        *ret = BERTH_ARCHIVE_DOCKER;
        if (req->match.api != API_LIBPOD || !f || !*f || strcmp(f, "docker-archive") == 0)
                return 0;
        if (strcmp(f, "oci-archive") == 0) {
                *ret = BERTH_ARCHIVE_OCI;
                return 0;
        }
        return http_fail(req, -EOPNOTSUPP, "format %s is not supported (docker-archive and oci-archive are)", f);
}

/* GET /images/get?names=, /images/{name}/get, /libpod/images/export?references=,
 * /libpod/images/{name}/get?format= */
int route_image_save(struct request *req) {
        const char *one = req_param(req, "name");
        struct save_job *job;
        berth_archive_format format;
        int rc = parse_format(req, &format);

        if (rc < 0)
                return rc;
        job = xnew0(struct save_job, 1);
        job->format = format;
        job->names = one ? xnew0(char *, 2) : req_query_all(req, req->match.api == API_LIBPOD ? "references" : "names");
        if (one)
                job->names[0] = xstrdup(one);
        job->job.what = xstrdup("saving images");
        return queue_job_start(req, &job->job, &save_ops, "application/x-tar");
}

/* Docker's JSON message stream (the same with quiet): one line per name. */
static char *docker_load_lines(char **names) {
        char *text = xstrdup("");
        for (char **n = names; n && *n; n++) {
                _cleanup_free_ char *familiar = berth_reference_familiar(*n);
                _cleanup_free_ char *message = xasprintf(strncmp(*n, "sha256:", 7) == 0 ? "Loaded image ID: %s\n"
                                                                                         : "Loaded image: %s\n",
                                                         familiar);
                json_t *line = json_pack("{s:s}", "stream", message);
                _cleanup_free_ char *encoded = json_dumps(line, JSON_COMPACT);
                char *joined = xasprintf("%s%s%s", text, *text ? "\n" : "", encoded);
                json_decref(line);
                free(text);
                text = joined;
        }
        return text;
}

/* POST /images/load, POST /libpod/images/load: the archive is the body. */
int route_image_load(struct request *req) {
        _cleanup_strv_free_ char **names = NULL;
        bool quiet;
        int rc = req_query_bool(req, "quiet", false, &quiet);

        if (rc >= 0)
                rc = berth_image_load(req_engine(req), req_body_read, req, &names, &req->err);
        if (rc < 0)
                return rc;
        if (req->match.api == API_LIBPOD) {
                json_t *list = json_array();
                for (char **n = names; *n; n++)
                        json_array_append_new(list, json_string(*n));
                return reply_json(req, MHD_HTTP_OK, json_pack("{s:o}", "Names", list));
        }
        return reply_json_text(req, MHD_HTTP_OK, docker_load_lines(names));
}
