/* The daemon's one shared object: engine, HTTP daemon and activity accounting. */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "berth/engine.h"
#include "list-cache.h"

struct MHD_Daemon;
struct MHD_Response;

struct server {
        berth_engine *engine;
        struct MHD_Daemon *mhd;
        int listen_fd;
        bool socket_activated;
        int idle_timeout;               /* seconds; 0 never */

        /* Activity, read by the main loop to decide about idle exit and shutdown. */
        atomic_int connections;         /* open client connections */
        atomic_int requests;            /* requests being handled (not streams) */
        atomic_int operations;          /* long operations: pulls, waits, streams, attach */
        atomic_bool shutting_down;
        int wake_fd;                    /* eventfd the main loop polls; bumped on changes */

        struct MHD_Response *ping;      /* shared, immutable reply to /_ping */
        struct list_cache image_lists;  /* encoded GET /images/json answers */
};

/* Counter changes; the main loop is woken when a counter reaches zero. */
void server_connection_opened(struct server *s);
void server_connection_closed(struct server *s);
void server_request_started(struct server *s);
void server_request_finished(struct server *s);
void server_operation_begin(struct server *s);
void server_operation_end(struct server *s);

bool server_is_idle(struct server *s);
bool server_shutting_down(struct server *s);
