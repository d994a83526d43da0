/* Every route handler, by resource; the two tables in compat.c and libpod.c use them. */
#pragma once

struct request;

/* Docker API <= 1.41 names every attach and log stream this way, framed or not. */
#define RAW_STREAM_TYPE "application/vnd.docker.raw-stream"
#define MUX_STREAM_TYPE RAW_STREAM_TYPE

/* containers.c */
int route_container_create(struct request *req);
int route_container_start(struct request *req);
int route_container_stop(struct request *req);
int route_container_restart(struct request *req);
int route_container_kill(struct request *req);
int route_container_pause(struct request *req);
int route_container_unpause(struct request *req);
int route_container_remove(struct request *req);
int route_container_rename(struct request *req);
int route_container_resize(struct request *req);
int route_container_prune(struct request *req);
int route_container_inspect(struct request *req);
int route_container_exists(struct request *req);
int route_container_list(struct request *req);
/* An integer query parameter: absent -> def; below min or not a number -> 400. */
int req_query_int(struct request *req, const char *name, long long def, long long min, long long *ret);
/* ?h=&w= of a resize (absent: 0); 400 for a negative or larger than 65535 one. */
int req_query_tty_size(struct request *req, unsigned *ret_h, unsigned *ret_w);

/* container-wait.c, container-attach.c, container-logs.c */
int route_container_wait(struct request *req);
int route_container_attach(struct request *req);
int route_container_logs(struct request *req);

/* container-fs.c */
int route_container_archive_stat(struct request *req);
int route_container_archive_get(struct request *req);
int route_container_archive_put(struct request *req);
int route_container_export(struct request *req);
int route_container_changes(struct request *req);
int route_commit(struct request *req);

/* exec.c */
int route_exec_create(struct request *req);
int route_exec_start(struct request *req);
int route_exec_inspect(struct request *req);
int route_exec_resize(struct request *req);

/* container-stats.c */
int route_container_top(struct request *req);
int route_container_stats(struct request *req);
int route_libpod_container_stats(struct request *req);
int route_container_update(struct request *req);

/* system.c */
int route_system_ping(struct request *req);
int route_system_version(struct request *req);
int route_system_info(struct request *req);

/* images.c */
int route_image_list(struct request *req);
int route_image_inspect(struct request *req);
int route_image_exists(struct request *req);
int route_image_history(struct request *req);
int route_image_tag(struct request *req);
int route_image_remove(struct request *req);
int route_libpod_image_untag(struct request *req);
int route_libpod_image_remove_batch(struct request *req);
int route_image_prune(struct request *req);

/* image-pull.c */
int route_image_create(struct request *req);
int route_libpod_image_pull(struct request *req);

/* image-push.c */
int route_image_push(struct request *req);
int route_libpod_image_push(struct request *req);

/* login.c */
int route_auth_login(struct request *req);

/* image-archive.c */
int route_image_save(struct request *req);
int route_image_load(struct request *req);

/* image-import.c */
int route_image_import(struct request *req);

/* events.c */
int route_events(struct request *req);
int route_libpod_events(struct request *req);

/* Routes both APIs serve with the same handlers (a handler that answers differently looks
 * at req->match.api), so that neither table can forget one of them. */
#define ROUTES_SYSTEM_SHARED \
        { "GET", "/_ping", route_system_ping, 0 },       \
        { "HEAD", "/_ping", route_system_ping, 0 },      \
        { "GET", "/version", route_system_version, 0 },  \
        { "GET", "/info", route_system_info, 0 },

#define ROUTES_CONTAINERS_SHARED \
        { "POST", "/containers/create", route_container_create, 0 },                                           \
        { "GET", "/containers/json", route_container_list, 0 },                                                \
        { "POST", "/containers/prune", route_container_prune, ROUTE_LONG },                                    \
        { "GET", "/containers/{name}/json", route_container_inspect, 0 },                                      \
        { "POST", "/containers/{name}/start", route_container_start, ROUTE_LONG },                             \
        { "POST", "/containers/{name}/stop", route_container_stop, ROUTE_LONG },                               \
        { "POST", "/containers/{name}/restart", route_container_restart, ROUTE_LONG },                         \
        { "POST", "/containers/{name}/kill", route_container_kill, ROUTE_LONG },                               \
        { "POST", "/containers/{name}/pause", route_container_pause, ROUTE_LONG },                             \
        { "POST", "/containers/{name}/unpause", route_container_unpause, ROUTE_LONG },                         \
        { "POST", "/containers/{name}/rename", route_container_rename, 0 },                                    \
        { "POST", "/containers/{name}/resize", route_container_resize, 0 },                                    \
        { "POST", "/containers/{name}/wait", route_container_wait, 0 },                                        \
        { "POST", "/containers/{name}/attach", route_container_attach, 0 },                                    \
        { "POST", "/containers/{name}/exec", route_exec_create, 0 },                                           \
        { "POST", "/exec/{id}/start", route_exec_start, ROUTE_LONG },                                          \
        { "POST", "/exec/{id}/resize", route_exec_resize, ROUTE_LONG },                                        \
        { "GET", "/exec/{id}/json", route_exec_inspect, 0 },                                                   \
        { "GET", "/containers/{name}/logs", route_container_logs, ROUTE_LONG },                                \
        { "HEAD", "/containers/{name}/archive", route_container_archive_stat, ROUTE_LONG },                    \
        { "GET", "/containers/{name}/archive", route_container_archive_get, ROUTE_LONG },                      \
        { "PUT", "/containers/{name}/archive", route_container_archive_put, ROUTE_LONG | ROUTE_BODY_STREAM },  \
        { "GET", "/containers/{name}/export", route_container_export, ROUTE_LONG },                            \
        { "GET", "/containers/{name}/changes", route_container_changes, ROUTE_LONG },                          \
        { "POST", "/commit", route_commit, ROUTE_LONG },                                                       \
        { "GET", "/containers/{name}/top", route_container_top, ROUTE_LONG },                                  \
        { "GET", "/containers/{name}/stats", route_container_stats, ROUTE_LONG },                              \
        { "POST", "/containers/{name}/update", route_container_update, ROUTE_LONG },                           \
        { "DELETE", "/containers/{name}", route_container_remove, ROUTE_LONG },
