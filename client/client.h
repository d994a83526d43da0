/* The CLI's state shared by every verb: the target, its transport and the HTTP handle. */
#pragma once

#include "berth/error.h"
#include "url.h"

/* Podman's exit status for "berth itself failed" (usage errors, unreachable daemon). */
#define CLIENT_EXIT_ERROR 125

struct transport;

struct client {
        char *url;                      /* the selected target, as the user wrote it */
        char *identity;                 /* --identity KEYFILE, or NULL */
        struct client_url target;        /* parsed by client_connect() */
        struct transport *transport;    /* opened by the first request */
        void *curl;                     /* one easy handle, so requests share a connection */
        long status;                    /* HTTP status of the last answer, 0 when none came */
        berth_error error;              /* what main prints when a verb returns < 0 */
};

/* Selects the target (flag, $CONTAINER_HOST, default); parses and connects nothing, so
 * --help works whatever the target. */
void client_init(struct client *c, const char *url, const char *identity);

/* Parses the target and opens the transport and the HTTP handle once; later calls are
 * no-ops. */
int client_connect(struct client *c, berth_error *err);

/* Closes the connection and stops any ssh child. */
void client_done(struct client *c);
