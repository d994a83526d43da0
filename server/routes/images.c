/* Image routes shared by both APIs: list, inspect, history, tag, untag, remove. */
#include <errno.h>
#include <microhttpd.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/image.h"
#include "http.h"
#include "json/image.h"
#include "list-cache.h"
#include "routes/routes.h"

static bool is_libpod(const struct request *req) {
        return req->match.api == API_LIBPOD;
}

static json_t *encode_list(struct request *req, berth_image **images, bool all) {
        json_t *list = json_array();
        for (size_t i = 0; images[i]; i++) {
                (void) all;     /* every stored image is a top-level image: no intermediate layers */
                json_array_append_new(list, is_libpod(req) ? json_libpod_image_summary(images[i])
                                                           : json_docker_image_summary(images[i]));
        }
        return list;
}

int route_image_list(struct request *req) {
        berth_engine *e = req_engine(req);
        bool all;
        int rc = req_query_bool(req, "all", false, &all);
        const char *filters = req_query(req, "filters");

        if (rc < 0)
                return rc;
        if (filters && *filters && strcmp(filters, "{}") != 0)
                return http_fail(req, -EOPNOTSUPP, "image list filters are not supported yet");
        /* Listing is what IDEs poll: the encoded answer is reused until images change. */
        uint64_t generation = berth_image_generation(e);
        char *cached = list_cache_get(&req->server->image_lists, is_libpod(req), generation);
        if (cached)
                return reply_json_text(req, MHD_HTTP_OK, cached);
        berth_image **images;
        rc = berth_image_list(e, &images, &req->err);
        if (rc < 0)
                return rc;
        json_t *list = encode_list(req, images, all);
        berth_image_list_free(images);
        char *text = json_dumps(list, JSON_COMPACT);
        json_decref(list);
        list_cache_put(&req->server->image_lists, is_libpod(req), generation, text);
        return reply_json_text(req, MHD_HTTP_OK, text);
}

static char *layers_root(struct request *req) {
        return xasprintf("%s/layers", berth_engine_config(req_engine(req))->root);
}

int route_image_inspect(struct request *req) {
        _cleanup_(berth_image_freep) berth_image *img = NULL;
        _cleanup_free_ char *root = layers_root(req);
        int rc = berth_image_lookup(req_engine(req), req_param(req, "name"), &img, &req->err);
        if (rc < 0)
                return rc;
        return reply_json(req, MHD_HTTP_OK,
                          is_libpod(req) ? json_libpod_image_inspect(img, root) : json_docker_image_inspect(img, root));
}

int route_image_exists(struct request *req) {
        _cleanup_(berth_image_freep) berth_image *img = NULL;
        int rc = berth_image_lookup(req_engine(req), req_param(req, "name"), &img, &req->err);
        return rc < 0 ? rc : reply_empty(req, MHD_HTTP_NO_CONTENT);
}

int route_image_history(struct request *req) {
        _cleanup_(berth_image_freep) berth_image *img = NULL;
        int rc = berth_image_lookup(req_engine(req), req_param(req, "name"), &img, &req->err);
        return rc < 0 ? rc : reply_json(req, MHD_HTTP_OK, json_image_history(img));
}

int route_image_tag(struct request *req) {
        const char *repo = req_query(req, "repo"), *tag = req_query(req, "tag");
        _cleanup_free_ char *target = NULL;
        int rc;

        if (!repo || !*repo)
                return http_fail(req, -EINVAL, "repo is required");
        target = tag && *tag ? xasprintf("%s:%s", repo, tag) : xstrdup(repo);
        rc = berth_image_tag(req_engine(req), req_param(req, "name"), target, &req->err);
        return rc < 0 ? rc : reply_empty(req, MHD_HTTP_CREATED);
}

int route_image_remove(struct request *req) {
        berth_image_removal removal = { 0 };
        bool force;
        int rc = req_query_bool(req, "force", false, &force);

        if (rc >= 0)
                rc = berth_image_remove(req_engine(req), req_param(req, "name"), force, &removal, &req->err);
        if (rc < 0)
                return rc;
        json_t *body = json_image_removal(&removal, !is_libpod(req));
        berth_image_removal_done(&removal);
        if (is_libpod(req)) {
                /* libpod's ImageRemoveReport */
                json_t *untagged = json_array(), *deleted = json_array(), *item;
                size_t i;
                json_array_foreach(body, i, item) {
                        if (json_object_get(item, "Untagged"))
                                json_array_append(untagged, json_object_get(item, "Untagged"));
                        else
                                json_array_append(deleted, json_object_get(item, "Deleted"));
                }
                json_decref(body);
                body = json_pack("{s:o, s:o, s:n, s:i}", "Deleted", deleted, "Untagged", untagged, "Errors",
                                 "ExitCode", 0);
        }
        return reply_json(req, MHD_HTTP_OK, body);
}

int route_libpod_image_untag(struct request *req) {
        const char *repo = req_query(req, "repo"), *tag = req_query(req, "tag");
        _cleanup_free_ char *target = NULL;
        int rc;

        if (repo && *repo)
                target = tag && *tag ? xasprintf("%s:%s", repo, tag) : xstrdup(repo);
        rc = berth_image_untag(req_engine(req), req_param(req, "name"), target, &req->err);
        return rc < 0 ? rc : reply_empty(req, MHD_HTTP_CREATED);
}

/* DELETE /libpod/images/remove?images=A&images=B&force= : podman rmi's batch form. */
int route_libpod_image_remove_batch(struct request *req) {
        _cleanup_strv_free_ char **names = req_query_all(req, "images");
        json_t *deleted = json_array(), *untagged = json_array(), *errors = json_array();
        int exit_code = 0;
        bool force;
        int rc = req_query_bool(req, "force", false, &force);

        for (char **n = names; rc >= 0 && *n; n++) {
                berth_image_removal removal = { 0 };
                berth_error err;
                if (berth_image_remove(req_engine(req), *n, force, &removal, &err) < 0) {
                        json_array_append_new(errors, json_string(err.message));
                        exit_code = err.code == -ENOENT ? (exit_code ? exit_code : 1) : 2;
                        continue;
                }
                for (char **u = removal.untagged; u && *u; u++)
                        json_array_append_new(untagged, json_string(*u));
                for (char **d = removal.deleted; d && *d; d++)
                        json_array_append_new(deleted, json_string(*d + 7));
                berth_image_removal_done(&removal);
        }
        if (rc < 0) {
                json_decref(deleted), json_decref(untagged), json_decref(errors);
                return rc;
        }
        return reply_json(req, MHD_HTTP_OK,
                          json_pack("{s:o, s:o, s:o, s:i}", "Deleted", deleted, "Untagged", untagged, "Errors",
                                    errors, "ExitCode", exit_code));
}
