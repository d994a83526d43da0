/* The byte queue between a worker thread and a chunked reply. */
#include "byte-queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "http.h"

struct byte_queue {
        struct stream_waker waker;
        pthread_mutex_t lock;
        pthread_cond_t changed;
        char *buf;
        size_t off, len, cap, limit;
        bool finished, closed, any;
        int error;
        int refs;
};

struct byte_queue *byte_queue_new(size_t limit) {
        struct byte_queue *q = xnew0(struct byte_queue, 1);
        pthread_mutex_init(&q->lock, NULL);
        pthread_cond_init(&q->changed, NULL);
        stream_waker_init(&q->waker);
        q->limit = limit;
        q->refs = 1;
        return q;
}

void byte_queue_ref(struct byte_queue *q) {
        pthread_mutex_lock(&q->lock);
        q->refs++;
        pthread_mutex_unlock(&q->lock);
}

void byte_queue_unref(void *cls) {
        struct byte_queue *q = cls;
        pthread_mutex_lock(&q->lock);
        bool last = --q->refs == 0;
        pthread_mutex_unlock(&q->lock);
        if (!last)
                return;
        pthread_mutex_destroy(&q->lock);
        pthread_cond_destroy(&q->changed);
        stream_waker_done(&q->waker);
        free(q->buf);
        free(q);
}

int byte_queue_write(void *cls, const void *data, size_t size) {
        struct byte_queue *q = cls;

        pthread_mutex_lock(&q->lock);
        while (!q->closed && q->len - q->off >= q->limit)
                pthread_cond_wait(&q->changed, &q->lock);
        if (q->closed || size == 0) {
                /* Nothing to add: a zero-length write only asks whether the reply is still there. */
                pthread_mutex_unlock(&q->lock);
                return q->closed ? -EPIPE : 0;
        }
        if (q->off > 0) {   /* what was read goes before the buffer grows */
                memmove(q->buf, q->buf + q->off, q->len - q->off);
                q->len -= q->off;
                q->off = 0;
        }
        if (q->len + size > q->cap) {
                q->cap = q->len + size > q->limit ? q->len + size : q->limit;
                q->buf = xrealloc(q->buf, q->cap);
        }
        memcpy(q->buf + q->len, data, size);
        q->len += size;
        q->any = q->any || size > 0;
        pthread_cond_broadcast(&q->changed);
        pthread_mutex_unlock(&q->lock);
        stream_waker_wake(&q->waker);
        return 0;
}

void byte_queue_finish(struct byte_queue *q, int error) {
        pthread_mutex_lock(&q->lock);
        q->finished = true;
        q->error = error;
        pthread_cond_broadcast(&q->changed);
        pthread_mutex_unlock(&q->lock);
        stream_waker_wake(&q->waker);
}

bool byte_queue_wait_first(struct byte_queue *q) {
        pthread_mutex_lock(&q->lock);
        while (!q->any && !q->finished)
                pthread_cond_wait(&q->changed, &q->lock);
        bool any = q->any;
        pthread_mutex_unlock(&q->lock);
        return any;
}

ssize_t byte_queue_read(void *cls, char *buf, size_t max) {
        struct byte_queue *q = cls;
        ssize_t n;

        pthread_mutex_lock(&q->lock);
        if (q->off < q->len) {
                size_t take = q->len - q->off < max ? q->len - q->off : max;
                memcpy(buf, q->buf + q->off, take);
                q->off += take;
                n = (ssize_t) take;
                pthread_cond_broadcast(&q->changed);   /* room for the worker */
        } else
                n = !q->finished ? 0 : q->error < 0 ? -2 : -1;
        pthread_mutex_unlock(&q->lock);
        return n;
}

void byte_queue_close(struct byte_queue *q) {
        pthread_mutex_lock(&q->lock);
        q->closed = true;
        pthread_cond_broadcast(&q->changed);
        pthread_mutex_unlock(&q->lock);
}

struct stream_waker *byte_queue_waker(struct byte_queue *q) {
        return &q->waker;
}
