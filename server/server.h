/* The daemon's one shared object: engine, HTTP daemon and activity accounting. */
#pragma once

#include <pthread.h>
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
        atomic_int offloaded;           /* ROUTE_LONG handlers running on their own threads */
        pthread_mutex_t streams_lock;   /* guards streams */
        struct stream_waker *streams;   /* live streamed replies, woken at shutdown */
        int wake_fd;                    /* eventfd the main loop polls; bumped on changes */

        struct MHD_Response *ping;      /* shared, immutable reply to /_ping */
        struct list_cache image_lists;  /* encoded GET /images/json answers */
        struct list_cache container_lists;  /* encoded GET /containers/json answers */
};

/* Counter changes; the main loop is woken when a counter reaches zero. */
void server_connection_opened(struct server *s);
void server_connection_closed(struct server *s);
void server_request_started(struct server *s);
void server_request_finished(struct server *s);
void server_operation_begin(struct server *s);
void server_operation_end(struct server *s);

bool server_is_idle(struct server *s);

struct stream_waker;
void server_stream_add(struct server *s, struct stream_waker *w);
void server_stream_remove(struct server *s, struct stream_waker *w);
/* Wakes every sleeping stream so it sees the shutdown and ends. */
void server_streams_wake_all(struct server *s);
bool server_shutting_down(struct server *s);
