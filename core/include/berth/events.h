/* The engine's event bus: the last BERTH_EVENTS_KEPT container and image events in a
 * ring, numbered in order, for replay (since/until) and for live followers. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "berth/cleanup.h"
#include "berth/engine.h"

#define BERTH_EVENTS_KEPT 1024

typedef struct berth_event {
        uint64_t seq;           /* 1, 2, 3, ... in the order the bus took them */
        int64_t time_ns;        /* wall clock, nanoseconds since the epoch */
        const char *type;       /* "container", "image" */
        const char *action;     /* Docker's: "create", "start", "die", "pull", "tag", ... */
        const char *id;
        const char *const *attrs;   /* name, image, exitCode, labels...: key, value, ..., NULL */
} berth_event;

/* A copy handed out by the bus: one allocation. */
void berth_event_free(berth_event *ev);
DEFINE_TRIVIAL_CLEANUP_FUNC(berth_event *, berth_event_free);
/* The value of attribute `key`, or NULL. */
const char *berth_event_attr(const berth_event *ev, const char *key);

typedef struct berth_events berth_events;

/* The engine's bus (lives as long as the engine). */
berth_events *berth_engine_events(berth_engine *e);

berth_events *berth_events_new(size_t capacity);
berth_events *berth_events_free(berth_events *bus);
DEFINE_TRIVIAL_CLEANUP_FUNC(berth_events *, berth_events_free);

/* Records an event; the attributes are key, value pairs ending at a NULL key (a pair
 * with a NULL value is left out). Thread-safe; never fails. */
void berth_event_emit(berth_engine *e, const char *type, const char *action, const char *id, ...)
        __attribute__((sentinel));
/* The same with the pairs in an array (key, value, ..., NULL), e.g. labels. */
void berth_event_emitv(berth_engine *e, const char *type, const char *action, const char *id,
                       const char *const *attrs);
/* The bus itself; time_ns 0 means now. Returns the event's sequence number. */
uint64_t berth_events_add(berth_events *bus, int64_t time_ns, const char *type, const char *action,
                          const char *id, const char *const *attrs);

/* The oldest event still kept with a sequence number above *cursor (events the ring
 * dropped are skipped), copied; *cursor moves to it. 1 when there was one, 0 when not. */
int berth_events_next(berth_events *bus, uint64_t *cursor, berth_event **ret);

/* A follower: `fn` runs after each event is added, on the adding thread and under the
 * bus's lock, so it must only wake something (it must not call into the bus). */
typedef void (*berth_events_fn)(void *cls);
typedef struct berth_events_sub berth_events_sub;
/* *ret_cursor is the newest sequence number at subscription: reading from it yields
 * exactly the events that come after (reading from 0 replays the ring first). */
berth_events_sub *berth_events_subscribe(berth_events *bus, berth_events_fn fn, void *cls, uint64_t *ret_cursor);
/* Once it returns, `fn` never runs again. Accepts NULL. */
void berth_events_unsubscribe(berth_events *bus, berth_events_sub *sub);

/* Docker's event filters; a NULL vector (or 0 bound) matches anything. */
typedef struct berth_event_filter {
        char **types;           /* exact */
        char **actions;         /* exact; prefix for exec_create, exec_start, health_status */
        char **containers;      /* container events: ID or name prefix */
        char **images;          /* ID, name or image attribute, with or without the tag */
        char **labels;          /* "key" or "key=value", all must match */
        int64_t since_ns, until_ns;   /* inclusive bounds on time_ns */
        bool none;              /* filters on objects that have no events here: nothing matches */
} berth_event_filter;
void berth_event_filter_done(berth_event_filter *f);
bool berth_event_match(const berth_event *ev, const berth_event_filter *f);
