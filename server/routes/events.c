/* GET /events (Docker) and /libpod/events: the bus's ring replayed for since/until, then
 * new events as the bus wakes the stream; a watcher thread ends it at `until` or when
 * the client goes away (a sleeping stream would not notice). */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/events.h"
#include "http.h"
#include "json/event.h"
#include "routes/routes.h"

struct events_stream {
        struct stream_waker waker;
        berth_events *bus;
        berth_events_sub *sub;
        berth_event_filter filter;
        uint64_t cursor;
        bool libpod, follow;
        atomic_bool ended;              /* `until` passed or the client left */
        char *out;                      /* the encoded event being sent */
        size_t out_len, out_off;
        pthread_t watcher;
        bool watching;
        int stop_fd, timer_fd, sock_fd;
};

static int64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void bus_woke(void *cls) {
        struct events_stream *s = cls;
        stream_waker_wake(&s->waker);
}

/* The next matching event, encoded as one line into s->out; false when none is left. */
static bool encode_next(struct events_stream *s) {
        berth_event *ev;
        while (berth_events_next(s->bus, &s->cursor, &ev) > 0) {
                json_t *j = berth_event_match(ev, &s->filter) ? (s->libpod ? json_libpod_event(ev) : json_docker_event(ev))
                                                               : NULL;
                berth_event_free(ev);
                if (!j)
                        continue;
                free(s->out);
                s->out = json_dumps(j, JSON_COMPACT);
                json_decref(j);
                s->out_len = strlen(s->out);
                s->out[s->out_len++] = '\n';   /* replaces the terminating NUL */
                s->out_off = 0;
                return true;
        }
        return false;
}

static ssize_t events_read(void *cls, char *buf, size_t max) {
        struct events_stream *s = cls;
        if (s->out_off == s->out_len && !encode_next(s))
                return !s->follow || atomic_load(&s->ended) ? -1 : 0;
        size_t n = s->out_len - s->out_off < max ? s->out_len - s->out_off : max;
        memcpy(buf, s->out + s->out_off, n);
        s->out_off += n;
        return (ssize_t) n;
}

static void *watch(void *cls) {
        struct events_stream *s = cls;
        struct pollfd p[] = { { .fd = s->stop_fd, .events = POLLIN }, { .fd = s->timer_fd, .events = POLLIN },
                              { .fd = s->sock_fd, .events = POLLRDHUP } };
        for (;;) {
                if (poll(p, ELEMENTSOF(p), -1) < 0 && errno != EINTR)
                        break;
                if (p[0].revents)
                        return NULL;
                if (p[1].revents || p[2].revents)
                        break;
        }
        atomic_store(&s->ended, true);
        stream_waker_wake(&s->waker);
        return NULL;
}

static void stream_free(void *cls) {
        struct events_stream *s = cls;
        uint64_t one = 1;

        berth_events_unsubscribe(s->bus, s->sub);   /* no wake-up runs after this */
        if (s->watching) {
                if (write(s->stop_fd, &one, sizeof(one)) < 0)
                        abort();
                pthread_join(s->watcher, NULL);
        }
        safe_close(s->stop_fd);
        safe_close(s->timer_fd);
        safe_close(s->sock_fd);
        berth_event_filter_done(&s->filter);
        stream_waker_done(&s->waker);
        free(s->out);
        free(s);
}

/* The watcher needs the client's socket (its own descriptor for it) and, for an `until`
 * still ahead, a timer. */
static void start_watcher(struct request *req, struct events_stream *s, int64_t until_ns) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        s->stop_fd = eventfd(0, EFD_CLOEXEC);
        s->sock_fd = ci ? fcntl(ci->connect_fd, F_DUPFD_CLOEXEC, 3) : -1;
        if (until_ns) {
                struct itimerspec at = { .it_value = { .tv_sec = until_ns / 1000000000, .tv_nsec = until_ns % 1000000000 } };
                s->timer_fd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC);
                if (s->timer_fd >= 0)
                        timerfd_settime(s->timer_fd, TFD_TIMER_ABSTIME, &at, NULL);
        }
        if (s->stop_fd < 0 || pthread_create(&s->watcher, NULL, watch, s) != 0)
                abort();
        s->watching = true;
}

static int parse_times(struct request *req, int64_t *since, int64_t *until) {
        const char *v;
        int64_t now = now_ns();
        int rc = 0;

        *since = *until = 0;
        if ((v = req_query(req, "since")) && *v)
                rc = json_event_time("since", v, now, since, &req->err);
        if (rc >= 0 && (v = req_query(req, "until")) && *v)
                rc = json_event_time("until", v, now, until, &req->err);
        if (rc >= 0 && *until && *until < *since)
                rc = http_fail(req, -EINVAL, "`since` time (%s) cannot be after `until` time (%s)", req_query(req, "since"),
                               req_query(req, "until"));
        return rc;
}

static int serve(struct request *req, bool libpod) {
        struct events_stream *s = xnew0(struct events_stream, 1);
        bool stream = true, replay;
        int64_t since, until;
        int rc = parse_times(req, &since, &until);

        s->stop_fd = s->timer_fd = s->sock_fd = -1;
        if (rc >= 0 && libpod)
                rc = req_query_bool(req, "stream", true, &stream);
        if (rc >= 0)
                rc = json_event_filter(req_query(req, "filters"), libpod, &s->filter, &req->err);
        if (rc < 0) {
                berth_event_filter_done(&s->filter);
                free(s);
                return rc;
        }
        /* Docker replays the ring when either bound is given; otherwise only new events. */
        replay = since || until || req_query(req, "since") || !stream;
        s->filter.since_ns = since;
        s->filter.until_ns = until;
        s->follow = stream && (!until || until > now_ns());
        s->libpod = libpod;
        s->bus = berth_engine_events(req_engine(req));
        stream_waker_init(&s->waker);
        if (s->follow) {
                s->sub = berth_events_subscribe(s->bus, bus_woke, s, &s->cursor);
                start_watcher(req, s, until);
        }
        if (replay)
                s->cursor = 0;
        return reply_stream(req, MHD_HTTP_OK, "application/json", events_read, s, stream_free, &s->waker);
}

int route_events(struct request *req) {
        return serve(req, false);
}

int route_libpod_events(struct request *req) {
        return serve(req, true);
}
