/* Activity accounting: what keeps the daemon from exiting when idle or shutting down. */
#include "server.h"

#include "http.h"

#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

static void wake(struct server *s) {
        uint64_t one = 1;
        if (write(s->wake_fd, &one, sizeof(one)) < 0) {
                /* The counter saturating only means the main loop already has a wake-up. */
        }
}

static void drop(struct server *s, atomic_int *counter) {
        if (atomic_fetch_sub(counter, 1) == 1)
                wake(s);
}

void server_connection_opened(struct server *s) {
        atomic_fetch_add(&s->connections, 1);
}

void server_connection_closed(struct server *s) {
        drop(s, &s->connections);
}

void server_request_started(struct server *s) {
        atomic_fetch_add(&s->requests, 1);
}

void server_request_finished(struct server *s) {
        /* No wake-up: a request lives inside a connection, whose close wakes the loop. */
        atomic_fetch_sub(&s->requests, 1);
}

void server_operation_begin(struct server *s) {
        atomic_fetch_add(&s->operations, 1);
}

void server_operation_end(struct server *s) {
        drop(s, &s->operations);
}

bool server_is_idle(struct server *s) {
        return atomic_load(&s->connections) == 0 && atomic_load(&s->operations) == 0;
}

bool server_shutting_down(struct server *s) {
        return atomic_load(&s->shutting_down);
}

void server_stream_add(struct server *s, struct stream_waker *w) {
        pthread_mutex_lock(&s->streams_lock);
        w->prev = NULL;
        w->next = s->streams;
        if (s->streams)
                s->streams->prev = w;
        s->streams = w;
        pthread_mutex_unlock(&s->streams_lock);
}

void server_stream_remove(struct server *s, struct stream_waker *w) {
        pthread_mutex_lock(&s->streams_lock);
        if (w->prev)
                w->prev->next = w->next;
        else if (s->streams == w)
                s->streams = w->next;
        if (w->next)
                w->next->prev = w->prev;
        w->prev = w->next = NULL;
        pthread_mutex_unlock(&s->streams_lock);
}

void server_streams_wake_all(struct server *s) {
        pthread_mutex_lock(&s->streams_lock);
        for (struct stream_waker *w = s->streams; w; w = w->next)
                stream_waker_wake(w);
        pthread_mutex_unlock(&s->streams_lock);
}
