/* Container routes shared by both APIs: create, lifecycle, inspect, list, rename, prune. */
#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/container.h"
#include "container-filter.h"
#include "http.h"
#include "json/container.h"
#include "json/specgen.h"
#include "list-cache.h"
#include "routes/routes.h"

static bool is_libpod(const struct request *req) {
        return req->match.api == API_LIBPOD;
}

int req_query_int(struct request *req, const char *name, long long def, long long min, long long *ret) {
        const char *v = req_query(req, name);
        char *end;
        if (!v || !*v) {
                *ret = def;
                return 0;
        }
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (*end || errno || n < min)
                return http_fail(req, -EINVAL, "invalid value for %s: %s", name, v);
        *ret = n;
        return 0;
}

int req_query_tty_size(struct request *req, unsigned *ret_h, unsigned *ret_w) {
        long long h = 0, w = 0;
        int rc = req_query_int(req, "h", 0, 0, &h);

        if (rc >= 0)
                rc = req_query_int(req, "w", 0, 0, &w);
        if (rc < 0)
                return rc;
        if (h > 65535 || w > 65535)
                return http_fail(req, -EINVAL, "invalid terminal size %lldx%lld", h, w);
        *ret_h = (unsigned) h;
        *ret_w = (unsigned) w;
        return 0;
}

int route_container_create(struct request *req) {
        _cleanup_free_ char *id = NULL, *body = NULL;
        const char *name = req_query(req, "name");
        int rc;

        if (is_libpod(req)) {
                rc = specgen_to_docker(req->body, req->body_size, &body, &req->err);
                if (rc < 0)
                        return rc;
                name = specgen_name(req->body, req->body_size);
        } else
                body = xstrndup(req->body ? req->body : "", req->body_size);
        rc = berth_container_create(req_engine(req), name, body, &id, &req->err);
        if (is_libpod(req))
                free((char *) name);
        if (rc < 0)
                return rc;
        return reply_json(req, MHD_HTTP_CREATED, json_pack("{s:s, s:[]}", "Id", id, "Warnings"));
}

int route_container_start(struct request *req) {
        int rc = berth_container_start(req_engine(req), req_param(req, "name"), &req->err);
        if (rc == -EALREADY)
                return reply_empty(req, MHD_HTTP_NOT_MODIFIED);
        return rc < 0 ? rc : reply_empty(req, MHD_HTTP_NO_CONTENT);
}

static int stop_timeout(struct request *req, long long *ret) {
        int rc = req_query_int(req, "t", -1, -1, ret);
        if (rc >= 0 && !req_query(req, "t"))
                rc = req_query_int(req, "timeout", -1, -1, ret);
        if (rc >= 0 && *ret > INT_MAX)
                *ret = INT_MAX;
        return rc;
}

int route_container_stop(struct request *req) {
        long long t = -1;
        int rc = stop_timeout(req, &t);
        if (rc < 0)
                return rc;
        rc = berth_container_stop(req_engine(req), req_param(req, "name"), (int) t, &req->err);
        if (rc == -EALREADY)
                return reply_empty(req, MHD_HTTP_NOT_MODIFIED);
        return rc < 0 ? rc : reply_empty(req, MHD_HTTP_NO_CONTENT);
}

int route_container_restart(struct request *req) {
        long long t = -1;
        int rc = stop_timeout(req, &t);
        if (rc < 0)
                return rc;
        rc = berth_container_restart(req_engine(req), req_param(req, "name"), (int) t, &req->err);
        return rc < 0 ? rc : reply_empty(req, MHD_HTTP_NO_CONTENT);
}

int route_container_kill(struct request *req) {
        const char *sig = req_query(req, "signal");
        int n, rc;
        if (sig && *sig && berth_signal_parse(sig, &n) < 0)
                return http_fail(req, -EINVAL, "Invalid signal: %s", sig);
        rc = berth_container_kill(req_engine(req), req_param(req, "name"), sig, &req->err);
        return rc < 0 ? rc : reply_empty(req, MHD_HTTP_NO_CONTENT);
}

int route_container_pause(struct request *req) {
        int rc = berth_container_pause(req_engine(req), req_param(req, "name"), &req->err);
        return rc < 0 ? rc : reply_empty(req, MHD_HTTP_NO_CONTENT);
}

int route_container_unpause(struct request *req) {
        int rc = berth_container_unpause(req_engine(req), req_param(req, "name"), &req->err);
        return rc < 0 ? rc : reply_empty(req, MHD_HTTP_NO_CONTENT);
}

int route_container_remove(struct request *req) {
        _cleanup_(berth_container_freep) berth_container *c = NULL;
        bool force, volumes;
        int rc = req_query_bool(req, "force", false, &force);
        if (rc >= 0)
                rc = req_query_bool(req, "v", false, &volumes);
        if (rc < 0)
                return rc;
        rc = berth_container_lookup(req_engine(req), req_param(req, "name"), &c, &req->err);
        if (rc >= 0)
                rc = berth_container_remove(req_engine(req), c->id, force, volumes, &req->err);
        if (rc < 0)
                return rc;
        if (is_libpod(req))
                return reply_json(req, MHD_HTTP_OK, json_pack("[{s:s, s:n}]", "Id", c->id, "Err"));
        return reply_empty(req, MHD_HTTP_NO_CONTENT);
}

int route_container_rename(struct request *req) {
        int rc = berth_container_rename(req_engine(req), req_param(req, "name"), req_query(req, "name"), &req->err);
        return rc < 0 ? rc : reply_empty(req, MHD_HTTP_NO_CONTENT);
}

int route_container_resize(struct request *req) {
        unsigned h = 0, w = 0;
        int rc = req_query_tty_size(req, &h, &w);

        if (rc >= 0)
                rc = berth_container_resize(req_engine(req), req_param(req, "name"), h, w, &req->err);
        return rc < 0 ? rc : reply_empty(req, MHD_HTTP_OK);
}

int route_container_prune(struct request *req) {
        _cleanup_strv_free_ char **ids = NULL;
        json_t *deleted = json_array();
        int rc = berth_container_prune(req_engine(req), &ids, &req->err);
        if (rc < 0) {
                json_decref(deleted);
                return rc;
        }
        if (is_libpod(req)) {
                for (size_t i = 0; ids[i]; i++)
                        json_array_append_new(deleted, json_pack("{s:s, s:n, s:i}", "Id", ids[i], "Err", "Size", 0));
                return reply_json(req, MHD_HTTP_OK, deleted);
        }
        for (size_t i = 0; ids[i]; i++)
                json_array_append_new(deleted, json_string(ids[i]));
        return reply_json(req, MHD_HTTP_OK,
                          json_pack("{s:o, s:i}", "ContainersDeleted", deleted, "SpaceReclaimed", 0));
}

static void add_size(struct request *req, json_t *o, const berth_container *c) {
        uint64_t rw, rootfs;
        berth_container_size(req_engine(req), c, &rw, &rootfs);
        if (is_libpod(req) && json_object_get(o, "Names"))
                json_object_set_new(o, "Size", json_pack("{s:I, s:I}", "rwSize", (json_int_t) rw, "rootFsSize",
                                                         (json_int_t) rootfs));
        else {
                json_object_set_new(o, "SizeRw", json_integer((json_int_t) rw));
                json_object_set_new(o, "SizeRootFs", json_integer((json_int_t) rootfs));
        }
}

int route_container_inspect(struct request *req) {
        _cleanup_(berth_container_freep) berth_container *c = NULL;
        bool size;
        int rc = req_query_bool(req, "size", false, &size);
        if (rc >= 0)
                rc = berth_container_lookup(req_engine(req), req_param(req, "name"), &c, &req->err);
        if (rc < 0)
                return rc;
        json_t *o = is_libpod(req) ? json_libpod_container_inspect(c) : json_docker_container_inspect(c);
        if (size)
                add_size(req, o, c);
        return reply_json(req, MHD_HTTP_OK, o);
}

int route_container_exists(struct request *req) {
        _cleanup_(berth_container_freep) berth_container *c = NULL;
        int rc = berth_container_lookup(req_engine(req), req_param(req, "name"), &c, &req->err);
        return rc < 0 ? rc : reply_empty(req, MHD_HTTP_NO_CONTENT);
}

static bool listed(const berth_container *c, bool all) {
        return all || c->state.status == BERTH_CONTAINER_RUNNING || c->state.status == BERTH_CONTAINER_PAUSED ||
               c->state.status == BERTH_CONTAINER_RESTARTING;
}

static char *encode_list(struct request *req, berth_container **list, const struct container_filter *f, bool all,
                         long long limit, bool size, int64_t *ret_expires) {
        int64_t now = container_filter_now_ns();
        *ret_expires = 0;
        json_t *out = json_array();
        long long n = 0;
        for (size_t i = 0; list[i] && (limit <= 0 || n < limit); i++) {
                /* limit counts from the newest, whatever their state (Docker). */
                if (!listed(list[i], all || limit > 0 || container_filter_wants_stopped(f)) ||
                    !container_filter_match(f, list[i], list))
                        continue;
                json_t *o = is_libpod(req) ? json_libpod_container_summary(list[i])
                                           : json_docker_container_summary(list[i], now);
                if (size)
                        add_size(req, o, list[i]);
                json_array_append_new(out, o);
                int64_t x = is_libpod(req) ? 0 : json_container_status_expiry(list[i], now);
                if (x && (!*ret_expires || x < *ret_expires))
                        *ret_expires = x;
                n++;
        }
        char *text = json_dumps(out, JSON_COMPACT);
        json_decref(out);
        return text;
}

int route_container_list(struct request *req) {
        berth_engine *e = req_engine(req);
        const char *filters = req_query(req, "filters");
        struct container_filter *f = NULL;
        berth_container **list;
        long long limit = -1;
        bool all, plain, size;
        int rc = req_query_bool(req, "all", false, &all);

        if (rc >= 0)
                rc = req_query_bool(req, "size", false, &size);
        if (rc >= 0)
                rc = req_query_int(req, "limit", -1, -1, &limit);
        if (rc >= 0 && (!req_query(req, "limit")) && req_query(req, "last"))
                rc = req_query_int(req, "last", -1, -1, &limit);
        if (rc < 0)
                return rc;
        plain = container_filter_empty(filters) && limit <= 0 && !size;
        /* Cached until a container changes, or until a "Status" such as "Up 5 minutes"
         * would read differently. */
        uint64_t key = berth_container_generation(e) * 2 + (uint64_t) all;
        char *cached = plain ? list_cache_get(&req->server->container_lists, is_libpod(req), key) : NULL;
        if (cached)
                return reply_json_text(req, MHD_HTTP_OK, cached);
        if (!container_filter_empty(filters) && (rc = container_filter_parse(filters, &f, &req->err)) < 0)
                return rc;
        rc = berth_container_list(e, &list, &req->err);
        if (rc >= 0) {
                int64_t expires;
                char *text = encode_list(req, list, f, all, limit, size, &expires);
                berth_container_list_free(list);
                if (plain)
                        list_cache_put_until(&req->server->container_lists, is_libpod(req), key, text, expires);
                rc = reply_json_text(req, MHD_HTTP_OK, text);
        }
        container_filter_free(f);
        return rc;
}
