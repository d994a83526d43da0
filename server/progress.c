/* The progress queue between a worker thread and a chunked reply. */
#include "progress.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "http.h"

struct progress_stream {
        struct stream_waker waker;
        pthread_mutex_t lock;
        pthread_cond_t changed;
        char *buf;
        size_t len, off, cap;
        bool finished, any;
        int refs;
};

struct progress_stream *progress_new(void) {
        struct progress_stream *ps = xnew0(struct progress_stream, 1);
        pthread_mutex_init(&ps->lock, NULL);
        pthread_cond_init(&ps->changed, NULL);
        stream_waker_init(&ps->waker);
        ps->refs = 1;
        return ps;
}

void progress_ref(struct progress_stream *ps) {
        pthread_mutex_lock(&ps->lock);
        ps->refs++;
        pthread_mutex_unlock(&ps->lock);
}

void progress_unref(void *cls) {
        struct progress_stream *ps = cls;
        pthread_mutex_lock(&ps->lock);
        bool last = --ps->refs == 0;
        pthread_mutex_unlock(&ps->lock);
        if (!last)
                return;
        pthread_mutex_destroy(&ps->lock);
        pthread_cond_destroy(&ps->changed);
        stream_waker_done(&ps->waker);
        free(ps->buf);
        free(ps);
}

void progress_push(struct progress_stream *ps, json_t *line) {
        char *text = json_dumps(line, JSON_COMPACT);
        size_t n;

        json_decref(line);
        if (!text)
                abort();
        n = strlen(text);
        pthread_mutex_lock(&ps->lock);
        if (ps->off == ps->len)
                ps->off = ps->len = 0;
        if (ps->len + n + 2 > ps->cap) {
                ps->cap = (ps->len + n + 2) * 2;
                ps->buf = xrealloc(ps->buf, ps->cap);
        }
        memcpy(ps->buf + ps->len, text, n);
        ps->buf[ps->len + n] = '\n';
        ps->len += n + 1;
        ps->any = true;
        pthread_cond_broadcast(&ps->changed);
        pthread_mutex_unlock(&ps->lock);
        stream_waker_wake(&ps->waker);
        free(text);
}

void progress_finish(struct progress_stream *ps) {
        pthread_mutex_lock(&ps->lock);
        ps->finished = true;
        pthread_cond_broadcast(&ps->changed);
        pthread_mutex_unlock(&ps->lock);
        stream_waker_wake(&ps->waker);
}

struct stream_waker *progress_waker(struct progress_stream *ps) {
        return &ps->waker;
}

bool progress_wait_first(struct progress_stream *ps) {
        pthread_mutex_lock(&ps->lock);
        while (!ps->any && !ps->finished)
                pthread_cond_wait(&ps->changed, &ps->lock);
        bool any = ps->any;
        pthread_mutex_unlock(&ps->lock);
        return any;
}

ssize_t progress_read(void *cls, char *buf, size_t max) {
        struct progress_stream *ps = cls;
        ssize_t n = -1;

        pthread_mutex_lock(&ps->lock);
        if (ps->off == ps->len && !ps->finished)
                n = 0;          /* nothing yet: the reply sleeps until the next push */
        else if (ps->off < ps->len) {
                size_t take = ps->len - ps->off < max ? ps->len - ps->off : max;
                memcpy(buf, ps->buf + ps->off, take);
                ps->off += take;
                n = (ssize_t) take;
        }
        pthread_mutex_unlock(&ps->lock);
        return n;
}

bool progress_any(struct progress_stream *ps) {
        pthread_mutex_lock(&ps->lock);
        bool any = ps->any;
        pthread_mutex_unlock(&ps->lock);
        return any;
}
