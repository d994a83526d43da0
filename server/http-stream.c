/* Streamed (chunked) replies and hijacked connections. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <microhttpd.h>

#include "berth/alloc.h"
#include "berth/log.h"
#include "http.h"

/* Both shapes wrap the handler's state with the server, so the operation count is
 * released exactly once, by libmicrohttpd's clean-up callback. */
struct hold {
        struct server *server;
        void *cls;
        void (*done)(void *cls);
        stream_read_fn read;
        struct stream_waker *waker;
        upgrade_fn run;
        bool ran;
        int fd;
        struct MHD_UpgradeResponseHandle *urh;
        char *early;
        size_t early_size;
};

void stream_waker_init(struct stream_waker *w) {
        *w = (struct stream_waker) { 0 };
        pthread_mutex_init(&w->lock, NULL);
}

void stream_waker_done(struct stream_waker *w) {
        pthread_mutex_destroy(&w->lock);
}

void stream_waker_wake(struct stream_waker *w) {
        pthread_mutex_lock(&w->lock);
        if (w->conn && w->suspended) {
                w->suspended = false;
                MHD_resume_connection(w->conn);
        } else {
                w->pending = true;
        }
        pthread_mutex_unlock(&w->lock);
}

/* The reader had nothing: sleep until woken, unless a wake-up already came. */
static void stream_sleep(struct stream_waker *w) {
        pthread_mutex_lock(&w->lock);
        if (w->pending)
                w->pending = false;     /* libmicrohttpd asks again at once */
        else if (w->conn) {
                w->suspended = true;
                MHD_suspend_connection(w->conn);
        }
        pthread_mutex_unlock(&w->lock);
}

static struct hold *hold_new(struct request *req, void *cls, void (*done)(void *)) {
        struct hold *h = xnew0(struct hold, 1);
        h->server = req->server;
        h->cls = cls;
        h->done = done;
        server_operation_begin(req->server);
        return h;
}

static void hold_release(void *cls) {
        struct hold *h = cls;
        if (h->waker) {
                server_stream_remove(h->server, h->waker);
                pthread_mutex_lock(&h->waker->lock);
                h->waker->conn = NULL;
                pthread_mutex_unlock(&h->waker->lock);
        }
        if (h->done)
                h->done(h->cls);
        server_operation_end(h->server);
        free(h);
}

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max) {
        struct hold *h = cls;
        (void) pos;
        if (server_shutting_down(h->server))
                return MHD_CONTENT_READER_END_OF_STREAM;
        ssize_t n = h->read(h->cls, buf, max);
        if (n == 0)
                stream_sleep(h->waker);   /* never busy-waits: woken by the producer */
        if (n == -2)
                return MHD_CONTENT_READER_END_WITH_ERROR;
        return n < 0 ? MHD_CONTENT_READER_END_OF_STREAM : n;
}

int reply_stream(struct request *req, unsigned status, const char *content_type, stream_read_fn read,
                 void *cls, void (*done)(void *cls), struct stream_waker *waker) {
        struct hold *h = hold_new(req, cls, done);
        struct MHD_Response *r;

        h->read = read;
        h->waker = waker;
        pthread_mutex_lock(&waker->lock);
        waker->conn = req->conn;
        pthread_mutex_unlock(&waker->lock);
        server_stream_add(req->server, waker);
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, stream_reader, h, hold_release);
        if (!r) {
                hold_release(h);
                return http_fail(req, -ENOMEM, "cannot create a streamed response");
        }
        if (req->response)
                MHD_destroy_response(req->response);
        req->response = r;
        req->status = status;
        MHD_add_response_header(r, "Content-Type", content_type);
        return 0;
}

static void *converse(void *cls) {
        struct hold *h = cls;
        h->run(h->cls, h->fd, h->early, h->early_size);
        MHD_upgrade_action(h->urh, MHD_UPGRADE_ACTION_CLOSE);
        free(h->early);
        hold_release(h);
        return NULL;
}

/* Called on a server thread, which must not block: the conversation gets its own. */
static void upgraded(void *cls, struct MHD_Connection *conn, void *req_cls, const char *extra_in,
                     size_t extra_in_size, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh) {
        struct hold *h = cls;
        struct request *req = req_cls;
        pthread_t thread;
        (void) conn;

        /* The request ends with the upgrade; it must not release the hold again. */
        req->upgrade_hold = NULL;
        h->ran = true;
        h->fd = sock;
        h->urh = urh;
        h->early = extra_in_size ? xmalloc(extra_in_size) : NULL;
        if (extra_in_size)
                memcpy(h->early, extra_in, extra_in_size);
        h->early_size = extra_in_size;
        if (pthread_create(&thread, NULL, converse, h) != 0)
                abort();
        pthread_detach(thread);
}

void http_upgrade_abandoned(void *hold) {
        struct hold *h = hold;
        if (h && !h->ran)
                hold_release(h);
}

int reply_upgrade(struct request *req, const char *content_type, upgrade_fn run, void *cls,
                  void (*done)(void *cls)) {
        struct hold *h = hold_new(req, cls, done);
        struct MHD_Response *r;

        h->run = run;
        r = MHD_create_response_for_upgrade(upgraded, h);
        if (!r) {
                hold_release(h);
                return http_fail(req, -ENOMEM, "cannot create an upgrade response");
        }
        req->upgrade_hold = h;
        if (req->response)
                MHD_destroy_response(req->response);
        req->response = r;
        req->status = MHD_HTTP_SWITCHING_PROTOCOLS;
        MHD_add_response_header(r, MHD_HTTP_HEADER_UPGRADE, "tcp");
        MHD_add_response_header(r, "Content-Type", content_type);
        return 0;
}
