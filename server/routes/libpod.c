/* The libpod API's route table (paths after the optional /vX.Y.Z and /libpod). */
#include "router.h"
#include "routes/routes.h"

static const struct route routes[] = {
        ROUTES_SYSTEM_SHARED
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
        ROUTES_CONTAINERS_SHARED
        { "GET", "/containers/stats", route_libpod_container_stats, ROUTE_LONG },
        { "GET", "/containers/{name}/exists", route_container_exists, 0 },
        { "GET", "/events", route_libpod_events, 0 },
};

const struct route_table libpod_routes = { routes, sizeof(routes) / sizeof(routes[0]) };
