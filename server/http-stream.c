/* Streamed (chunked) replies and hijacked connections. */
#include <errno.h>
#include <stdbool.h>
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
        upgrade_fn run;
        bool ran;
};

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
        return n < 0 ? MHD_CONTENT_READER_END_OF_STREAM : n;
}

int reply_stream(struct request *req, unsigned status, const char *content_type, stream_read_fn read,
                 void *cls, void (*done)(void *cls)) {
        struct hold *h = hold_new(req, cls, done);
        struct MHD_Response *r;

        h->read = read;
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

static void upgraded(void *cls, struct MHD_Connection *conn, void *req_cls, const char *extra_in,
                     size_t extra_in_size, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh) {
        struct hold *h = cls;
        struct request *req = req_cls;
        (void) conn;
        /* The request ends with the upgrade; it must not release the hold again. */
        req->upgrade_hold = NULL;
        h->ran = true;
        h->run(h->cls, sock, extra_in, extra_in_size);
        MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
        hold_release(h);
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
