/* docker save / load, podman save / load: image archives streamed out of and into the
 * store. A save runs on its own thread and feeds the reply through a bounded queue; a
 * load reads the request body as it arrives (ROUTE_BODY_STREAM). */
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/image.h"
#include "berth/log.h"
#include "berth/reference.h"
#include "byte-queue.h"
#include "http.h"
#include "routes/routes.h"

/* The save may run ahead of the client by this much. */
#define SAVE_QUEUE_LIMIT (1u << 20)

struct save_job {
        atomic_int refs;        /* the save thread and the handler */
        struct server *server;
        char **names;
        berth_archive_format format;
        struct byte_queue *q;
        berth_error err;
        int rc;
};

static void job_unref(struct save_job *job) {
        if (atomic_fetch_sub(&job->refs, 1) != 1)
                return;
        byte_queue_unref(job->q);
        strv_freep(&job->names);
        free(job);
}

static void *save_thread(void *cls) {
        struct save_job *job = cls;
        job->rc = berth_image_save(job->server->engine, job->names, job->format, byte_queue_write, job->q,
                                   &job->err);
        if (job->rc < 0 && job->rc != -EPIPE)
                log_warn("saving images: %s", job->err.message);
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
        pthread_t thread;
        int rc = parse_format(req, &format);

        if (rc < 0)
                return rc;
        job = xnew0(struct save_job, 1);
        atomic_init(&job->refs, 2);
        job->server = req->server;
        job->format = format;
        job->names = one ? xnew0(char *, 2) : req_query_all(req, req->match.api == API_LIBPOD ? "references" : "names");
        if (one)
                job->names[0] = xstrdup(one);
        job->q = byte_queue_new(SAVE_QUEUE_LIMIT);
        /* The save outlives a client that hangs up only until its next write. */
        server_operation_begin(req->server);
        if (pthread_create(&thread, NULL, save_thread, job) != 0)
                abort();
        pthread_detach(thread);
        if (byte_queue_wait_first(job->q)) {
                byte_queue_ref(job->q);
                rc = reply_stream(req, MHD_HTTP_OK, "application/x-tar", byte_queue_read, job->q, reply_done,
                                  byte_queue_waker(job->q));
                job_unref(job);
                return rc;
        }
        /* Nothing was written: unknown names and the like get their own status. */
        rc = job->rc;
        req->err = job->err;
        job_unref(job);
        return rc < 0 ? rc : http_fail(req, -EIO, "the save wrote nothing");
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
