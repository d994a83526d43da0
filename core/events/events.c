/* The event bus: a bounded ring of packed events under one mutex, followers woken by a
 * callback, and Docker's event filters. */
#include "berth/events.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "berth/alloc.h"
#include "berth/reference.h"
#include "berth/strv.h"

#define EMIT_MAX_ATTRS 64

struct berth_events_sub {
        berth_events_fn fn;
        void *cls;
        struct berth_events_sub *next;
};

struct berth_events {
        pthread_mutex_t lock;
        berth_event **ring;     /* slot seq % capacity */
        size_t capacity;
        uint64_t last;          /* newest sequence number, 0 before the first */
        struct berth_events_sub *subs;
};

/* The event and its strings in one block, so a copy is one malloc and one free. */
static berth_event *event_pack(uint64_t seq, int64_t time_ns, const char *type, const char *action,
                               const char *id, const char *const *attrs) {
        const char *fixed[] = { type ? type : "", action ? action : "", id ? id : "" };
        size_t n = 0, bytes = 0;

        for (; attrs && attrs[n]; n += 2)
                bytes += strlen(attrs[n]) + 1 + strlen(attrs[n + 1] ? attrs[n + 1] : "") + 1;
        for (size_t i = 0; i < ELEMENTSOF(fixed); i++)
                bytes += strlen(fixed[i]) + 1;
        size_t head = sizeof(berth_event) + (n + 1) * sizeof(char *);
        berth_event *ev = xmalloc(head + bytes);
        const char **out = (const char **) (ev + 1);
        char *p = (char *) ev + head;
        const char *copied[ELEMENTSOF(fixed)];

        for (size_t i = 0; i < ELEMENTSOF(fixed); i++) {
                copied[i] = p;
                p = stpcpy(p, fixed[i]) + 1;
        }
        for (size_t i = 0; i < n; i++) {
                out[i] = p;
                p = stpcpy(p, attrs[i] ? attrs[i] : "") + 1;
        }
        out[n] = NULL;
        *ev = (berth_event) { .seq = seq, .time_ns = time_ns, .type = copied[0], .action = copied[1],
                              .id = copied[2], .attrs = out };
        return ev;
}

void berth_event_free(berth_event *ev) {
        free(ev);
}

const char *berth_event_attr(const berth_event *ev, const char *key) {
        for (size_t i = 0; ev->attrs && ev->attrs[i]; i += 2)
                if (strcmp(ev->attrs[i], key) == 0)
                        return ev->attrs[i + 1];
        return NULL;
}

berth_events *berth_events_new(size_t capacity) {
        berth_events *bus = xnew0(berth_events, 1);
        pthread_mutex_init(&bus->lock, NULL);
        bus->capacity = capacity ? capacity : 1;
        bus->ring = xnew0(berth_event *, bus->capacity);
        return bus;
}

berth_events *berth_events_free(berth_events *bus) {
        if (!bus)
                return NULL;
        for (size_t i = 0; i < bus->capacity; i++)
                free(bus->ring[i]);
        while (bus->subs) {
                struct berth_events_sub *s = bus->subs;
                bus->subs = s->next;
                free(s);
        }
        free(bus->ring);
        pthread_mutex_destroy(&bus->lock);
        free(bus);
        return NULL;
}

static int64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

uint64_t berth_events_add(berth_events *bus, int64_t time_ns, const char *type, const char *action,
                          const char *id, const char *const *attrs) {
        pthread_mutex_lock(&bus->lock);
        uint64_t seq = ++bus->last;
        size_t slot = seq % bus->capacity;
        free(bus->ring[slot]);
        bus->ring[slot] = event_pack(seq, time_ns ? time_ns : now_ns(), type, action, id, attrs);
        for (struct berth_events_sub *s = bus->subs; s; s = s->next)
                s->fn(s->cls);
        pthread_mutex_unlock(&bus->lock);
        return seq;
}

void berth_event_emitv(berth_engine *e, const char *type, const char *action, const char *id,
                       const char *const *attrs) {
        berth_events_add(berth_engine_events(e), 0, type, action, id, attrs);
}

void berth_event_emit(berth_engine *e, const char *type, const char *action, const char *id, ...) {
        const char *attrs[2 * EMIT_MAX_ATTRS + 1];
        size_t n = 0;
        const char *key;
        va_list ap;

        va_start(ap, id);
        while ((key = va_arg(ap, const char *))) {
                const char *value = va_arg(ap, const char *);
                if (value && n < 2 * EMIT_MAX_ATTRS) {
                        attrs[n++] = key;
                        attrs[n++] = value;
                }
        }
        va_end(ap);
        attrs[n] = NULL;
        berth_event_emitv(e, type, action, id, attrs);
}

int berth_events_next(berth_events *bus, uint64_t *cursor, berth_event **ret) {
        int found = 0;

        pthread_mutex_lock(&bus->lock);
        uint64_t oldest = bus->last >= bus->capacity ? bus->last - bus->capacity + 1 : 1;
        uint64_t want = *cursor + 1 < oldest ? oldest : *cursor + 1;
        if (want <= bus->last) {
                const berth_event *ev = bus->ring[want % bus->capacity];
                *ret = event_pack(ev->seq, ev->time_ns, ev->type, ev->action, ev->id, ev->attrs);
                *cursor = want;
                found = 1;
        }
        pthread_mutex_unlock(&bus->lock);
        return found;
}

berth_events_sub *berth_events_subscribe(berth_events *bus, berth_events_fn fn, void *cls, uint64_t *ret_cursor) {
        berth_events_sub *s = xnew0(berth_events_sub, 1);
        s->fn = fn;
        s->cls = cls;
        pthread_mutex_lock(&bus->lock);
        s->next = bus->subs;
        bus->subs = s;
        *ret_cursor = bus->last;
        pthread_mutex_unlock(&bus->lock);
        return s;
}

void berth_events_unsubscribe(berth_events *bus, berth_events_sub *sub) {
        if (!sub)
                return;
        pthread_mutex_lock(&bus->lock);
        for (berth_events_sub **p = &bus->subs; *p; p = &(*p)->next)
                if (*p == sub) {
                        *p = sub->next;
                        break;
                }
        pthread_mutex_unlock(&bus->lock);
        free(sub);
}

void berth_event_filter_done(berth_event_filter *f) {
        strv_freep(&f->types);
        strv_freep(&f->actions);
        strv_freep(&f->containers);
        strv_freep(&f->images);
        strv_freep(&f->labels);
        *f = (berth_event_filter) { 0 };
}

static bool exact(char *const *values, const char *s) {
        return !values || strv_contains(values, s ? s : "");
}

static bool prefix(char *const *values, const char *s) {
        if (!values)
                return true;
        for (char *const *v = values; s && *v; v++)
                if (strncmp(s, *v, strlen(*v)) == 0)
                        return true;
        return false;
}

/* Docker matches these actions by prefix, as they carry ": command" or ": status". */
static bool match_action(char *const *values, const char *action) {
        static const char *const fuzzy[] = { "exec_create", "exec_start", "health_status" };
        for (size_t i = 0; i < ELEMENTSOF(fuzzy); i++)
                if (values && strv_contains(values, fuzzy[i]))
                        return prefix(values, action);
        return exact(values, action);
}

/* "docker.io/library/busybox:latest" or "busybox:1" -> "busybox", as Docker's stripTag. */
static char *strip_tag(const char *image) {
        _cleanup_(berth_reference_freep) berth_reference *ref = NULL;
        if (!image || berth_reference_parse(image, &ref, NULL) < 0)
                return xstrdup(image ? image : "");
        _cleanup_free_ char *repo = berth_reference_repository(ref);
        return berth_reference_familiar(repo);
}

static bool match_image(char *const *values, const berth_event *ev) {
        if (!values)
                return true;
        const char *name = berth_event_attr(ev, strcmp(ev->type, "image") == 0 ? "name" : "image");
        _cleanup_free_ char *bare_id = strip_tag(ev->id), *bare_name = strip_tag(name);
        return exact(values, ev->id) || (name && exact(values, name)) || exact(values, bare_id) ||
               (name && exact(values, bare_name));
}

static bool match_labels(char *const *values, const berth_event *ev) {
        for (char *const *v = values; v && *v; v++) {
                const char *eq = strchr(*v, '=');
                _cleanup_free_ char *key = eq ? xstrndup(*v, (size_t) (eq - *v)) : xstrdup(*v);
                const char *have = berth_event_attr(ev, key);
                if (!have || (eq && strcmp(have, eq + 1) != 0))
                        return false;
        }
        return true;
}

bool berth_event_match(const berth_event *ev, const berth_event_filter *f) {
        const char *name = berth_event_attr(ev, "name");
        return !f->none && (!f->since_ns || ev->time_ns >= f->since_ns) && (!f->until_ns || ev->time_ns <= f->until_ns) &&
               match_action(f->actions, ev->action) && exact(f->types, ev->type) &&
               (prefix(f->containers, ev->id) || (name && prefix(f->containers, name))) &&
               match_image(f->images, ev) && match_labels(f->labels, ev);
}
