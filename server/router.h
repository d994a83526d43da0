/* The route table's shape and the matching of a request path against it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct request;

/* Returns >= 0 once it has replied; a negative errno makes the frame reply with the
 * error recorded in the request (see http_fail()). */
typedef int (*route_handler)(struct request *req);

enum route_flags {
        ROUTE_BODY_STREAM = 1 << 0, /* the body goes to the handler unbuffered (archives) */
        /* May block (registry traffic, disk-heavy work): runs on its own thread while
         * the connection is suspended, and counts as an operation in flight. */
        ROUTE_LONG = 1 << 1,
};

typedef enum api_kind {
        API_COMPAT,  /* Docker Engine API */
        API_LIBPOD,  /* Podman's libpod API */
} api_kind;

struct route {
        const char *method;
        /* Literal segments, "{name}" for one segment, "{name*}" for one or more
         * (image names contain slashes). */
        const char *pattern;
        route_handler handler;
        unsigned flags;
};

struct route_table {
        const struct route *routes;
        size_t n_routes;
};

extern const struct route_table compat_routes;
extern const struct route_table libpod_routes;

#define ROUTE_MAX_PARAMS 4

struct route_match {
        const struct route *route;
        api_kind api;
        char api_version[16];      /* from the /vX.Y prefix; "" when absent */
        size_t n_params;
        const char *param_names[ROUTE_MAX_PARAMS];
        size_t param_name_len[ROUTE_MAX_PARAMS];
        char *params[ROUTE_MAX_PARAMS];  /* owned */
};

enum route_result {
        ROUTE_FOUND,
        ROUTE_NOT_FOUND,
        ROUTE_BAD_METHOD,
        ROUTE_VERSION_TOO_NEW,
        ROUTE_VERSION_TOO_OLD,
        ROUTE_BAD_VERSION,
};

/* Splits off the version prefix, picks the table and finds the route. HEAD falls
 * back to a GET route. Fills `m` on every result (api and version for errors). */
enum route_result route_find(const char *method, const char *path, struct route_match *m);
void route_match_done(struct route_match *m);

/* The value of a path parameter, or NULL. */
const char *route_param(const struct route_match *m, const char *name);

/* Compares Docker API versions "1.41" style: <0, 0, >0; -2 on a malformed one. */
int docker_version_compare(const char *a, const char *b);
