/* The libpod API's route table (paths after the optional /vX.Y.Z and /libpod). */
#include "router.h"
#include "routes/routes.h"

static const struct route routes[] = {
        { "GET", "/_ping", route_system_ping, 0 },
        { "HEAD", "/_ping", route_system_ping, 0 },
        { "GET", "/version", route_system_version, 0 },
        { "GET", "/info", route_system_info, 0 },
        { "POST", "/images/pull", route_libpod_image_pull, ROUTE_LONG },
        { "GET", "/images/json", route_image_list, 0 },
        { "GET", "/images/export", route_image_save, ROUTE_LONG },
        { "POST", "/images/load", route_image_load, ROUTE_LONG | ROUTE_BODY_STREAM },
        { "POST", "/images/import", route_image_import, ROUTE_LONG | ROUTE_BODY_STREAM },
        { "GET", "/images/{name*}/get", route_image_save, ROUTE_LONG },
        { "POST", "/images/prune", route_image_prune, ROUTE_LONG },
        { "GET", "/images/{name*}/json", route_image_inspect, 0 },
        { "GET", "/images/{name*}/exists", route_image_exists, 0 },
        { "GET", "/images/{name*}/history", route_image_history, 0 },
        { "POST", "/images/{name*}/tag", route_image_tag, 0 },
        { "POST", "/images/{name*}/untag", route_libpod_image_untag, 0 },
        { "POST", "/images/{name*}/push", route_libpod_image_push, ROUTE_LONG },
        { "DELETE", "/images/remove", route_libpod_image_remove_batch, ROUTE_LONG },
        { "DELETE", "/images/{name*}", route_image_remove, ROUTE_LONG },
        { "POST", "/containers/create", route_container_create, 0 },
        { "GET", "/containers/json", route_container_list, 0 },
        { "POST", "/containers/prune", route_container_prune, ROUTE_LONG },
        { "GET", "/containers/{name}/json", route_container_inspect, 0 },
        { "POST", "/containers/{name}/start", route_container_start, ROUTE_LONG },
        { "POST", "/containers/{name}/stop", route_container_stop, ROUTE_LONG },
        { "POST", "/containers/{name}/restart", route_container_restart, ROUTE_LONG },
        { "POST", "/containers/{name}/kill", route_container_kill, ROUTE_LONG },
        { "POST", "/containers/{name}/pause", route_container_pause, ROUTE_LONG },
        { "POST", "/containers/{name}/unpause", route_container_unpause, ROUTE_LONG },
        { "POST", "/containers/{name}/rename", route_container_rename, 0 },
        { "POST", "/containers/{name}/resize", route_container_resize, 0 },
        { "POST", "/containers/{name}/wait", route_container_wait, 0 },
        { "POST", "/containers/{name}/attach", route_container_attach, 0 },
        { "GET", "/containers/{name}/logs", route_container_logs, ROUTE_LONG },
        { "DELETE", "/containers/{name}", route_container_remove, ROUTE_LONG },
        { "GET", "/containers/{name}/exists", route_container_exists, 0 },
};

const struct route_table libpod_routes = { routes, sizeof(routes) / sizeof(routes[0]) };
