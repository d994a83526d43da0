/* Streamed request bodies (ROUTE_BODY_STREAM): the handler reads the body on a thread of
 * its own as it arrives, through a bounded queue; the connection is suspended while the
 * queue is full, and after the upload while the handler still works. */
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "http-internal.h"

#define BODY_QUEUE_SIZE (1u << 20)

enum park {
        PARK_NONE,
        PARK_FULL,      /* the queue was full: resumed when the handler made room */
        PARK_END,       /* the upload ended: resumed when the handler returned */
};

struct body_stream {
        pthread_mutex_t lock;
        pthread_cond_t changed;
        struct MHD_Connection *conn;    /* NULL once the request completed */
        char *buf;                      /* a ring of BODY_QUEUE_SIZE */
        size_t head, len;
        bool eof;
        int error;                      /* the upload broke off */
        enum park parked;
        bool handler_done;
        bool orphaned;                  /* completed while the handler ran: it frees the request */
};

struct body_stream *body_stream_new(struct MHD_Connection *conn) {
        struct body_stream *b = xnew0(struct body_stream, 1);
        pthread_mutex_init(&b->lock, NULL);
        pthread_cond_init(&b->changed, NULL);
        b->conn = conn;
        return b;
}

void body_stream_free(struct body_stream *b) {
        if (!b)
                return;
        pthread_mutex_destroy(&b->lock);
        pthread_cond_destroy(&b->changed);
        free(b->buf);
        free(b);
}

/* Under the lock, so a wake-up can never come between the decision and the suspension. */
static void park(struct body_stream *b, enum park why) {
        if (b->conn && b->parked == PARK_NONE) {
                b->parked = why;
                MHD_suspend_connection(b->conn);
        }
}

static void unpark(struct body_stream *b) {
        if (b->conn && b->parked != PARK_NONE) {
                b->parked = PARK_NONE;
                MHD_resume_connection(b->conn);
        }
}

size_t body_stream_offer(struct body_stream *b, const char *data, size_t size) {
        size_t took = 0;

        pthread_mutex_lock(&b->lock);
        if (!b->buf)
                b->buf = xmalloc(BODY_QUEUE_SIZE);
        while (took < size && b->len < BODY_QUEUE_SIZE) {
                size_t tail = (b->head + b->len) % BODY_QUEUE_SIZE;
                size_t room = tail >= b->head ? BODY_QUEUE_SIZE - tail : b->head - tail;
                size_t n = size - took < room ? size - took : room;
                memcpy(b->buf + tail, data + took, n);
                b->len += n;
                took += n;
        }
        if (took)
                pthread_cond_broadcast(&b->changed);
        /* libmicrohttpd must not be left with unconsumed data and a live connection. */
        if (took < size)
                park(b, PARK_FULL);
        pthread_mutex_unlock(&b->lock);
        return took;
}

bool body_stream_end(struct body_stream *b) {
        pthread_mutex_lock(&b->lock);
        b->eof = true;
        pthread_cond_broadcast(&b->changed);
        bool done = b->handler_done;
        if (!done)
                park(b, PARK_END);
        pthread_mutex_unlock(&b->lock);
        return done;
}

bool body_stream_handler_finished(struct body_stream *b) {
        pthread_mutex_lock(&b->lock);
        bool done = b->handler_done;
        pthread_mutex_unlock(&b->lock);
        return done;
}

bool body_stream_handler_done(struct body_stream *b) {
        pthread_mutex_lock(&b->lock);
        b->handler_done = true;
        bool orphaned = b->orphaned;
        unpark(b);
        pthread_mutex_unlock(&b->lock);
        return orphaned;
}

bool body_stream_request_done(struct body_stream *b) {
        pthread_mutex_lock(&b->lock);
        b->conn = NULL;
        if (!b->eof)
                b->error = -ECONNRESET;
        pthread_cond_broadcast(&b->changed);
        bool done = b->handler_done;
        b->orphaned = !done;
        pthread_mutex_unlock(&b->lock);
        return done;
}

ssize_t body_stream_read(struct body_stream *b, void *buf, size_t max) {
        ssize_t n;

        pthread_mutex_lock(&b->lock);
        while (b->len == 0 && !b->eof && !b->error)
                pthread_cond_wait(&b->changed, &b->lock);
        if (b->len == 0)
                n = b->error;
        else {
                size_t run = BODY_QUEUE_SIZE - b->head < b->len ? BODY_QUEUE_SIZE - b->head : b->len;
                size_t take = run < max ? run : max;
                memcpy(buf, b->buf + b->head, take);
                b->head = (b->head + take) % BODY_QUEUE_SIZE;
                b->len -= take;
                n = (ssize_t) take;
                /* Half empty before the client may send more: fewer suspend round trips. */
                if (b->parked == PARK_FULL && b->len <= BODY_QUEUE_SIZE / 2)
                        unpark(b);
        }
        pthread_mutex_unlock(&b->lock);
        return n;
}

ssize_t req_body_read(void *cls, void *buf, size_t max) {
        struct request *req = cls;
        size_t n;

        if (req->body_stream)
                return body_stream_read(req->body_stream, buf, max);
        /* A buffered body, for handlers shared with routes that are not streamed. */
        n = req->body_size - req->body_read < max ? req->body_size - req->body_read : max;
        if (n == 0)
                return 0;
        memcpy(buf, req->body + req->body_read, n);
        req->body_read += n;
        return (ssize_t) n;
}
