/* POST /containers/{id}/wait: the headers go out at once (docker run waits for them
 * before it starts the container), the exit code when the condition holds. */
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/container.h"
#include "http.h"
#include "routes/routes.h"

struct wait_state {
        struct stream_waker waker;
        pthread_mutex_t lock;
        berth_waiter *waiter;
        bool libpod, fired;
        char body[96];
        size_t len, sent;
};

static void fired(void *cls, int exit_code) {
        struct wait_state *w = cls;
        pthread_mutex_lock(&w->lock);
        w->len = (size_t) (w->libpod ? snprintf(w->body, sizeof(w->body), "%d\n", exit_code)
                                     : snprintf(w->body, sizeof(w->body), "{\"StatusCode\":%d,\"Error\":null}\n",
                                                exit_code));
        w->fired = true;
        pthread_mutex_unlock(&w->lock);
        stream_waker_wake(&w->waker);
}

static ssize_t wait_read(void *cls, char *buf, size_t max) {
        struct wait_state *w = cls;
        ssize_t n = 0;
        pthread_mutex_lock(&w->lock);
        if (w->fired) {
                if (w->sent == w->len)
                        n = -1;
                else {
                        n = (ssize_t) (w->len - w->sent < max ? w->len - w->sent : max);
                        memcpy(buf, w->body + w->sent, (size_t) n);
                        w->sent += (size_t) n;
                }
        }
        pthread_mutex_unlock(&w->lock);
        return n;
}

static void wait_done(void *cls) {
        struct wait_state *w = cls;
        berth_waiter_cancel(w->waiter);
        stream_waker_done(&w->waker);
        pthread_mutex_destroy(&w->lock);
        free(w);
}

/* libpod names states; Docker names conditions. */
static int parse_condition(struct request *req, berth_wait_condition *ret) {
        const char *c = req_query(req, "condition");
        if (req->match.api == API_LIBPOD && c && (strcmp(c, "stopped") == 0 || strcmp(c, "exited") == 0))
                c = "not-running";
        if (berth_wait_condition_from_name(c, ret) < 0)
                return http_fail(req, -EINVAL, "invalid condition: \"%s\"", c);
        return 0;
}

int route_container_wait(struct request *req) {
        struct wait_state *w;
        berth_wait_condition cond;
        int rc = parse_condition(req, &cond);

        if (rc < 0)
                return rc;
        w = xnew0(struct wait_state, 1);
        w->libpod = req->match.api == API_LIBPOD;
        stream_waker_init(&w->waker);
        pthread_mutex_init(&w->lock, NULL);
        rc = berth_container_wait(req_engine(req), req_param(req, "name"), cond, fired, w, &w->waiter, &req->err);
        int code;
        /* libpod: a container removed a moment ago (run --rm) still answers with its code. */
        if (rc == -ENOENT && w->libpod &&
            berth_container_removed_exit_code(req_engine(req), req_param(req, "name"), &code) >= 0) {
                fired(w, code);
                rc = 0;
        }
        if (rc < 0) {
                wait_done(w);
                return rc;
        }
        return reply_stream(req, MHD_HTTP_OK, "application/json", wait_read, w, wait_done, &w->waker);
}
