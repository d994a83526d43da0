/* The Docker Engine API's route table (paths after the optional /v1.NN prefix). */
#include "router.h"
#include "routes/routes.h"

static const struct route routes[] = {
        ROUTES_SYSTEM_SHARED
        { "POST", "/auth", route_auth_login, ROUTE_LONG },
        { "POST", "/images/create", route_image_create, ROUTE_LONG | ROUTE_BODY_STREAM },
        { "GET", "/images/json", route_image_list, 0 },
        { "GET", "/images/get", route_image_save, ROUTE_LONG },
        { "POST", "/images/load", route_image_load, ROUTE_LONG | ROUTE_BODY_STREAM },
        { "GET", "/images/{name*}/get", route_image_save, ROUTE_LONG },
        { "POST", "/images/prune", route_image_prune, ROUTE_LONG },
        { "GET", "/images/{name*}/json", route_image_inspect, 0 },
        { "GET", "/images/{name*}/history", route_image_history, 0 },
        { "POST", "/images/{name*}/tag", route_image_tag, 0 },
        { "POST", "/images/{name*}/push", route_image_push, ROUTE_LONG },
        { "DELETE", "/images/{name*}", route_image_remove, ROUTE_LONG },
        ROUTES_CONTAINERS_SHARED
        { "GET", "/events", route_events, 0 },
};

const struct route_table compat_routes = { routes, sizeof(routes) / sizeof(routes[0]) };
