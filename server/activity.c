/* Activity accounting: what keeps the daemon from exiting when idle or shutting down. */
#include "server.h"

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
