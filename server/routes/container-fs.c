/* A container's files over both APIs: docker cp (HEAD/GET/PUT archive), export, changes
 * (docker diff) and commit. Tars out are queue jobs (a thread of their own and a bounded
 * queue to the reply), as image save is; tars in are read as the body arrives. */
#include <errno.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/base64.h"
#include "berth/container-fs.h"
#include "byte-queue.h"
#include "http.h"
#include "json/system.h"
#include "queue-job.h"
#include "routes/routes.h"

#define PATH_STAT_HEADER "X-Docker-Container-Path-Stat"

/* base64(JSON) of Docker's ContainerPathStat. Podman's clients copy to and from
 * linkTarget, which Podman fills with the resolved path of anything, not only symlinks. */
static char *path_stat_header(const berth_path_stat *st, bool libpod) {
        const char *target = st->link_target ? st->link_target : libpod && st->resolved ? st->resolved : "";
        struct timespec mtime = { .tv_sec = st->mtime_ns / 1000000000, .tv_nsec = st->mtime_ns % 1000000000 };
        char when[64];
        json_t *j;
        char *text, *out;

        json_format_time(&mtime, when, sizeof(when));
        j = json_pack("{s:s, s:I, s:I, s:s, s:s}", "name", st->name ? st->name : "", "size", (json_int_t) st->size,
                      "mode", (json_int_t) st->mode, "mtime", when, "linkTarget", target);
        /* Podman's FileInfo says isDir, and its clients rely on it. */
        if (libpod)
                json_object_set_new(j, "isDir", json_boolean(st->mode & BERTH_MODE_DIR));
        text = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        if (!text)
                abort();
        out = berth_base64_encode(text, strlen(text));
        free(text);
        return out;
}

static int query_path(struct request *req, char **ret) {
        const char *p = req_query(req, "path");
        if (!p || !*p)
                return http_fail(req, -EINVAL, "path is required");
        *ret = xstrdup(p);
        return 0;
}

/* HEAD /containers/{name}/archive?path= */
int route_container_archive_stat(struct request *req) {
        _cleanup_free_ char *path = NULL, *header = NULL;
        berth_path_stat st = { 0 };
        int rc = query_path(req, &path);

        if (rc >= 0)
                rc = berth_container_archive_stat(req_engine(req), req_param(req, "name"), path, &st, &req->err);
        if (rc < 0)
                return rc;
        header = path_stat_header(&st, req->match.api == API_LIBPOD);
        berth_path_stat_done(&st);
        reply_empty(req, MHD_HTTP_OK);
        reply_header(req, PATH_STAT_HEADER, header);
        return 0;
}

/* ---- tars out: GET archive and export ---- */

struct tar_job {
        struct queue_job job;   /* first: the queue job frees the whole */
        char *name, *path;      /* path NULL: export */
        bool libpod;
        berth_path_stat stat;
};

static int tar_run(struct queue_job *qj) {
        struct tar_job *t = (struct tar_job *) qj;
        berth_engine *e = qj->server->engine;

        return t->path ? berth_container_archive_get(e, t->name, t->path, &t->stat, byte_queue_write, qj->q, &qj->err)
                       : berth_container_export(e, t->name, byte_queue_write, qj->q, &qj->err);
}

static void tar_headers(struct request *req, struct queue_job *qj) {
        struct tar_job *t = (struct tar_job *) qj;
        _cleanup_free_ char *header = t->path ? path_stat_header(&t->stat, t->libpod) : NULL;

        if (header)
                reply_header(req, PATH_STAT_HEADER, header);
}

static void tar_free(struct queue_job *qj) {
        struct tar_job *t = (struct tar_job *) qj;

        berth_path_stat_done(&t->stat);
        free(t->name);
        free(t->path);
        free(t);
}

static const struct queue_job_ops tar_ops = {
        .run = tar_run,
        .headers = tar_headers,
        .free = tar_free,
        .empty_error = "the archive wrote nothing",
};

static int stream_tar(struct request *req, char *path) {
        struct tar_job *t = xnew0(struct tar_job, 1);

        t->name = xstrdup(req_param(req, "name"));
        t->path = path;
        t->libpod = req->match.api == API_LIBPOD;
        t->job.what = xasprintf("container %s", t->name);
        return queue_job_start(req, &t->job, &tar_ops, "application/x-tar");
}

/* GET /containers/{name}/archive?path= */
int route_container_archive_get(struct request *req) {
        char *path = NULL;
        int rc = query_path(req, &path);
        return rc < 0 ? rc : stream_tar(req, path);
}

/* GET /containers/{name}/export */
int route_container_export(struct request *req) {
        return stream_tar(req, NULL);
}

/* ---- PUT archive ---- */

/* PUT /containers/{name}/archive?path=&noOverwriteDirNonDir=&copyUIDGID= (libpod: chown) */
int route_container_archive_put(struct request *req) {
        _cleanup_free_ char *path = NULL, *name = xstrdup(req_param(req, "name"));
        berth_archive_put_options o = { 0 };
        const char *rename = req_query(req, "rename");
        int rc = query_path(req, &path);

        /* Podman's clients spell it in lower case (its server's query decoder ignores case). */
        if (rc >= 0)
                rc = req_query_bool(req, req_query(req, "noOverwriteDirNonDir") ? "noOverwriteDirNonDir"
                                                                               : "nooverwritedirnondir",
                                    false, &o.no_overwrite_dir_non_dir);
        if (rc >= 0)
                rc = req_query_bool(req, "copyUIDGID", false, &o.copy_uid_gid);
        if (rc >= 0 && rename && *rename && strcmp(rename, "{}") != 0 && strcmp(rename, "null") != 0)
                rc = http_fail(req, -EOPNOTSUPP, "renaming members while copying (rename=%s) is not supported", rename);
        /* Everything from the query is copied before the body is read. */
        if (rc >= 0)
                rc = berth_container_archive_put(req_engine(req), name, path, req_body_read, req, &o, &req->err);
        return rc < 0 ? rc : reply_empty(req, MHD_HTTP_OK);
}

/* ---- changes ---- */

/* GET /containers/{name}/changes */
int route_container_changes(struct request *req) {
        berth_changes c = { 0 };
        json_t *list;
        int rc = berth_container_changes(req_engine(req), req_param(req, "name"), &c, &req->err);

        if (rc < 0)
                return rc;
        list = json_array();
        for (size_t i = 0; i < c.n; i++)
                json_array_append_new(list, json_pack("{s:s, s:i}", "Path", c.items[i].path, "Kind", (int) c.items[i].kind));
        berth_changes_done(&c);
        return reply_json(req, MHD_HTTP_OK, list);
}

/* ---- commit ---- */

static char *commit_reference(const char *repo, const char *tag) {
        if (!repo || !*repo)
                return NULL;
        return xasprintf("%s:%s", repo, tag && *tag ? tag : "latest");
}

/* POST /commit?container=&repo=&tag=&comment=&author=&pause=&changes= with a Config body;
 * POST /libpod/commit (the same query, pause off unless asked, no body). */
int route_commit(struct request *req) {
        bool libpod = req->match.api == API_LIBPOD;
        const char *container = req_query(req, "container");
        _cleanup_free_ char *reference = commit_reference(req_query(req, "repo"), req_query(req, "tag"));
        _cleanup_free_ char *config = req->body_size ? xstrndup(req->body, req->body_size) : NULL;
        _cleanup_strv_free_ char **changes = req_query_all(req, "changes");
        _cleanup_free_ char *id = NULL;
        berth_commit_options o = { .reference = reference, .comment = req_query(req, "comment"),
                                   .author = req_query(req, "author"), .config = config, .changes = changes };
        int rc = req_query_bool(req, "pause", !libpod, &o.pause);

        if (rc < 0)
                return rc;
        if (!container || !*container)
                return http_fail(req, -EINVAL, "container is required");
        rc = berth_container_commit(req_engine(req), container, &o, &id, &req->err);
        if (rc < 0)
                return rc;
        if (libpod)
                return reply_json(req, MHD_HTTP_OK, json_pack("{s:s}", "Id", id + strlen("sha256:")));
        return reply_json(req, MHD_HTTP_CREATED, json_pack("{s:s}", "Id", id));
}
