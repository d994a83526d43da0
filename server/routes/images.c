/* Image routes shared by both APIs: list, inspect, history, tag, untag, remove. */
#include <errno.h>
#include <microhttpd.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/image.h"
#include "http.h"
#include "json/image.h"
#include "image-filter.h"
#include "list-cache.h"
#include "routes/routes.h"

static bool is_libpod(const struct request *req) {
        return req->match.api == API_LIBPOD;
}

static json_t *encode_list(struct request *req, berth_image **images, const struct image_filter *f) {
        json_t *list = json_array();
        for (size_t i = 0; images[i]; i++)
                if (image_filter_match(f, images[i], images))
                        json_array_append_new(list, is_libpod(req) ? json_libpod_image_summary(images[i])
                                                                   : json_docker_image_summary(images[i]));
        return list;
}

static bool no_filters(const char *filters) {
        return !filters || !*filters || strcmp(filters, "{}") == 0;
}

/* every stored image is a top-level image (no intermediate layers): `all` changes nothing */
int route_image_list(struct request *req) {
        berth_engine *e = req_engine(req);
        const char *filters = req_query(req, "filters");
        struct image_filter *f = NULL;
        berth_image **images;
        bool all;
        int rc = req_query_bool(req, "all", false, &all);

        if (rc < 0)
                return rc;
        /* Listing is what IDEs poll: the encoded answer is reused until images change. */
        uint64_t generation = berth_image_generation(e);
        char *cached = no_filters(filters) ? list_cache_get(&req->server->image_lists, is_libpod(req), generation)
                                           : NULL;
        if (cached)
                return reply_json_text(req, MHD_HTTP_OK, cached);
        if (!no_filters(filters) && (rc = image_filter_parse(filters, &f, &req->err)) < 0)
                return rc;
        rc = berth_image_list(e, &images, &req->err);
        if (rc < 0) {
                image_filter_free(f);
                return rc;
        }
        json_t *list = encode_list(req, images, f);
        berth_image_list_free(images);
        image_filter_free(f);
        char *text = json_dumps(list, JSON_COMPACT);
        json_decref(list);
        if (no_filters(filters))
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

/* libpod's ImageRemoveReport: bare hex IDs, and only tags among the untagged names. */
static json_t *libpod_removal_report(const berth_image_removal *r) {
        json_t *untagged = json_array(), *deleted = json_array();
        for (char **u = r->untagged; u && *u; u++)
                if (!strchr(*u, '@'))
                        json_array_append_new(untagged, json_string(*u));
        for (char **d = r->deleted; d && *d; d++)
                json_array_append_new(deleted, json_string(*d + 7));
        return json_pack("{s:o, s:o, s:n, s:i}", "Deleted", deleted, "Untagged", untagged, "Errors", "ExitCode", 0);
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
        if (is_libpod(req)) {
                json_decref(body);
                body = libpod_removal_report(&removal);
        }
        berth_image_removal_done(&removal);
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
                        if (!strchr(*u, '@'))
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

/* POST /images/prune: dangling images, or with filters={"dangling":["false"]} every
 * image no container uses (containers arrive with a later issue: all of them). */
int route_image_prune(struct request *req) {
        const char *filters = req_query(req, "filters");
        struct image_filter *f = NULL;
        berth_image **images;
        json_t *deleted = json_array();
        json_int_t reclaimed = 0;
        int rc;

        bool all;

        rc = req_query_bool(req, "all", false, &all);   /* libpod's spelling of dangling=false */
        if (rc >= 0)
                rc = image_filter_parse(no_filters(filters) ? "{}" : filters, &f, &req->err);
        if (rc >= 0) {
                image_filter_prune_mode(f, all);
                rc = berth_image_list(req_engine(req), &images, &req->err);
        }
        if (rc < 0) {
                image_filter_free(f);
                json_decref(deleted);
                return rc;
        }
        for (size_t i = 0; images[i]; i++) {
                berth_image_removal removal = { 0 };
                if (!image_filter_match(f, images[i], images) ||
                    berth_image_remove(req_engine(req), images[i]->id, true, &removal, NULL) < 0)
                        continue;
                json_t *entries = json_image_removal(&removal, !is_libpod(req));
                json_array_extend(deleted, entries);
                json_decref(entries);
                reclaimed += (json_int_t) images[i]->size;
                berth_image_removal_done(&removal);
        }
        berth_image_list_free(images);
        image_filter_free(f);
        if (is_libpod(req)) {
                json_t *report = json_array();
                json_t *item;
                size_t i;
                json_array_foreach(deleted, i, item)
                        if (json_object_get(item, "Deleted"))
                                json_array_append_new(report, json_pack("{s:O, s:n, s:i}", "Id",
                                                                        json_object_get(item, "Deleted"), "Err",
                                                                        "Size", 0));
                json_decref(deleted);
                return reply_json(req, MHD_HTTP_OK, report);
        }
        return reply_json(req, MHD_HTTP_OK,
                          json_pack("{s:o, s:I}", "ImagesDeleted", deleted, "SpaceReclaimed", reclaimed));
}
