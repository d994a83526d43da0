/* docker import (POST /images/create?fromSrc=-) and podman import (POST
 * /libpod/images/import): the body is a root filesystem tarball. */
#include <errno.h>
#include <microhttpd.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/image.h"
#include "http.h"
#include "routes/routes.h"

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

int route_image_import(struct request *req) {
        bool libpod = req->match.api == API_LIBPOD;
        const char *src = req_query(req, libpod ? "url" : "fromSrc");
        _cleanup_free_ char *reference = libpod ? query_copy(req, "reference")
                                                : docker_reference(req_query(req, "repo"), req_query(req, "tag"));
        _cleanup_strv_free_ char **changes = req_query_all(req, "changes");
        _cleanup_free_ char *message = query_copy(req, "message");
        _cleanup_free_ char *id = NULL;
        berth_import_options o = { .reference = reference, .message = message, .changes = changes };
        int rc;

        /* Everything from the query is copied before the body is read. */
        if (src && *src && (libpod || strcmp(src, "-") != 0))
                return http_fail(req, -EOPNOTSUPP,
                                 "importing from a URL (%s) is not supported: send the tarball as the request body",
                                 src);
        rc = berth_image_import(req_engine(req), req_body_read, req, &o, &id, &req->err);
        if (rc < 0)
                return rc;
        if (libpod)
                return reply_json(req, MHD_HTTP_OK, json_pack("{s:s}", "Id", id + 7));
        /* Docker's JSON message stream: the ID as the last status. */
        return reply_json(req, MHD_HTTP_OK, json_pack("{s:s}", "status", id));
}
