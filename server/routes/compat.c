/* The Docker Engine API's route table (paths after the optional /v1.NN prefix). */
#include "router.h"
#include "routes/routes.h"

static const struct route routes[] = {
        { "GET", "/_ping", route_system_ping, 0 },
        { "HEAD", "/_ping", route_system_ping, 0 },
        { "GET", "/version", route_system_version, 0 },
        { "GET", "/info", route_system_info, 0 },
};

const struct route_table compat_routes = { routes, sizeof(routes) / sizeof(routes[0]) };
