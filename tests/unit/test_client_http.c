/* berth's HTTP layer against a canned server thread on a Unix socket: the URLs and
 * bodies it sends, keep-alive, and the message for every kind of failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "http.h"

struct fake {
        char dir[64], socket[96], url[160];
        int listen_fd, stop[2];
        pthread_t thread;
        /* the canned answer */
        long status;
        const char *body;
        size_t flood;           /* > 0: send this many bytes of body instead */
        bool hang_up;           /* close without answering */
        /* what the client did */
        char request[8192];
        int accepts;
};

static bool wait_readable(struct fake *fx, int fd) {
        struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = fx->stop[0], .events = POLLIN } };
        return poll(p, 2, -1) > 0 && !p[1].revents;
}

/* Reads one request (head and Content-Length body) and records it in fx->request. */
static bool read_request(struct fake *fx, int fd) {
        char buf[sizeof(fx->request)] = "";
        size_t len = 0;
        char *end = NULL;
        long content_length = 0;

        while (!end || len < (size_t) (end + 4 - buf) + (size_t) content_length) {
                if (!wait_readable(fx, fd))
                        return false;
                ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
                if (n <= 0)
                        return false;
                len += (size_t) n;
                end = strstr(buf, "\r\n\r\n");
                const char *cl = strcasestr(buf, "Content-Length: ");
                if (cl)
                        content_length = strtol(cl + 16, NULL, 10);
        }
        memcpy(fx->request, buf, sizeof(buf));
        return true;
}

static void write_all(int fd, const char *p, size_t n) {
        while (n > 0) {
                ssize_t w = send(fd, p, n, MSG_NOSIGNAL);     /* the client may hang up */
                if (w <= 0)
                        return;
                p += w, n -= (size_t) w;
        }
}

static void answer(struct fake *fx, int fd) {
        static char zeros[65536];
        char head[256];
        size_t size = fx->flood ? fx->flood : strlen(fx->body);

        snprintf(head, sizeof(head), "HTTP/1.1 %ld Canned\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                 fx->status, size);
        write_all(fd, head, strlen(head));
        if (!fx->flood) {
                write_all(fd, fx->body, size);
                return;
        }
        for (size_t sent = 0; sent < size; sent += sizeof(zeros))
                write_all(fd, zeros, size - sent < sizeof(zeros) ? size - sent : sizeof(zeros));
}

static void *serve(void *arg) {
        struct fake *fx = arg;

        while (wait_readable(fx, fx->listen_fd)) {
                int fd = accept4(fx->listen_fd, NULL, NULL, SOCK_CLOEXEC);
                if (fd < 0)
                        continue;
                fx->accepts++;
                while (read_request(fx, fd) && !fx->hang_up)
                        answer(fx, fd);
                close(fd);
        }
        return NULL;
}

static int setup(void **state) {
        struct fake *fx = calloc(1, sizeof(*fx));
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        snprintf(fx->dir, sizeof(fx->dir), "/tmp/berth-test-http-XXXXXX");
        if (!fx || !mkdtemp(fx->dir) || pipe2(fx->stop, O_CLOEXEC) < 0)
                return -1;
        snprintf(fx->socket, sizeof(fx->socket), "%s/s.sock", fx->dir);
        snprintf(fx->url, sizeof(fx->url), "unix://%s", fx->socket);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", fx->socket);
        fx->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fx->listen_fd < 0 || bind(fx->listen_fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 ||
            listen(fx->listen_fd, 8) < 0)
                return -1;
        fx->status = 200;
        fx->body = "{}";
        if (pthread_create(&fx->thread, NULL, serve, fx) != 0)
                return -1;
        *state = fx;
        return 0;
}

static int teardown(void **state) {
        struct fake *fx = *state;

        if (write(fx->stop[1], "x", 1) != 1)
                return -1;
        pthread_join(fx->thread, NULL);
        close(fx->listen_fd);
        close(fx->stop[0]);
        close(fx->stop[1]);
        unlink(fx->socket);
        rmdir(fx->dir);
        free(fx);
        return 0;
}

static void test_get_json(void **state) {
        struct fake *fx = *state;
        struct client c;
        berth_error err = { 0 };
        json_t *v = NULL;

        fx->body = "{\"Version\":\"0.1.0\"}";
        client_init(&c, fx->url, NULL);
        assert_int_equal(client_get_json(&c, "/version", &v, &err), 0);
        assert_string_equal(json_string_value(json_object_get(v, "Version")), "0.1.0");
        json_decref(v);
        assert_non_null(strstr(fx->request, "GET /v4.3.1/libpod/version HTTP/1.1\r\n"));
        assert_non_null(strstr(fx->request, "User-Agent: berth/0.1.0\r\n"));
        /* A second request reuses the connection. */
        assert_int_equal(client_get_json(&c, "/info", &v, &err), 0);
        json_decref(v);
        assert_non_null(strstr(fx->request, "GET /v4.3.1/libpod/info HTTP/1.1\r\n"));
        assert_int_equal(fx->accepts, 1);
        client_done(&c);
}

static void test_methods_and_bodies(void **state) {
        struct fake *fx = *state;
        json_t *body = json_pack("{s:i}", "a", 1), *v = NULL;
        struct client c;
        berth_error err = { 0 };

        client_init(&c, fx->url, NULL);
        assert_int_equal(client_request_json(&c, "POST", "/containers/create", body, NULL, &err), 0);
        assert_non_null(strstr(fx->request, "POST /v4.3.1/libpod/containers/create HTTP/1.1\r\n"));
        assert_non_null(strstr(fx->request, "Content-Type: application/json\r\n"));
        assert_non_null(strstr(fx->request, "\r\n\r\n{\"a\":1}"));
        assert_int_equal(client_request_json(&c, "POST", "/containers/x/start", NULL, NULL, &err), 0);
        assert_non_null(strstr(fx->request, "POST /v4.3.1/libpod/containers/x/start HTTP/1.1\r\n"));
        assert_non_null(strstr(fx->request, "Content-Length: 0\r\n"));
        fx->status = 204;
        fx->body = "";
        assert_int_equal(client_request_json(&c, "DELETE", "/containers/x", NULL, &v, &err), 0);
        assert_null(v);
        assert_non_null(strstr(fx->request, "DELETE /v4.3.1/libpod/containers/x HTTP/1.1\r\n"));
        /* Back to GET on the same handle: no leftover body or method. */
        fx->status = 200;
        fx->body = "[1]";
        assert_int_equal(client_get_json(&c, "/x", &v, &err), 0);
        assert_true(json_is_array(v));
        assert_non_null(strstr(fx->request, "GET /v4.3.1/libpod/x HTTP/1.1\r\n"));
        assert_null(strstr(fx->request, "Content-Length"));
        json_decref(v);
        json_decref(body);
        client_done(&c);
}

/* `message` ending in "..." is compared as a prefix. */
static void expect_error(struct fake *fx, const char *path, int code, const char *message) {
        struct client c;
        berth_error err = { 0 };
        json_t *v = (json_t *) 0x1;     /* must stay untouched */

        client_init(&c, fx->url, NULL);
        assert_int_equal(client_get_json(&c, path, &v, &err), code);
        assert_int_equal(err.code, code);
        size_t len = strlen(message);
        if (len > 3 && strcmp(message + len - 3, "...") == 0)
                assert_memory_equal(err.message, message, len - 3);
        else
                assert_string_equal(err.message, message);
        assert_ptr_equal(v, (json_t *) 0x1);
        client_done(&c);
}

static void test_server_errors(void **state) {
        struct fake *fx = *state;

        fx->status = 404;
        fx->body = "{\"message\":\"no such container: web\",\"cause\":\"not found\",\"response\":404}";
        expect_error(fx, "/containers/web/json", -ENOENT, "no such container: web");
        fx->status = 409;
        fx->body = "{\"message\":\"container web is running\",\"cause\":\"in use\",\"response\":409}";
        expect_error(fx, "/containers/web", -EBUSY, "container web is running");
        fx->status = 500;
        fx->body = "oops";
        expect_error(fx, "/info", -EIO, "berthd answered GET /info with HTTP status 500");
        fx->status = 400;
        fx->body = "{\"message\":\"\"}";
        expect_error(fx, "/info", -EINVAL, "berthd answered GET /info with HTTP status 400");
        fx->status = 200;
        fx->body = "{\"truncated\":";
        /* The rest is jansson's wording. */
        expect_error(fx, "/info", -EBADMSG, "berthd sent invalid JSON for GET /info: ...");
}

static void test_transport_errors(void **state) {
        struct fake *fx = *state;
        char message[512];

        fx->hang_up = true;
        snprintf(message, sizeof(message),
                 "cannot connect to berthd at %s: Server returned nothing (no headers, no data)", fx->url);
        expect_error(fx, "/info", -ECONNRESET, message);
        fx->hang_up = false;
        fx->flood = HTTP_MAX_BODY + 1;
        snprintf(message, sizeof(message), "berthd at %s sent more than 64 MiB", fx->url);
        expect_error(fx, "/info", -E2BIG, message);
}

static void test_no_daemon(void **state) {
        struct fake *fx = *state;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char message[512];
        int fd;

        snprintf(fx->url, sizeof(fx->url), "unix://%s/absent.sock", fx->dir);
        snprintf(message, sizeof(message),
                 "cannot connect to berthd at %s: No such file or directory (is berthd running?)", fx->url);
        expect_error(fx, "/version", -ENOENT, message);

        /* A socket file nobody listens on: a daemon that died without cleaning up. */
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/dead.sock", fx->dir);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        snprintf(fx->url, sizeof(fx->url), "unix://%s", sa.sun_path);
        snprintf(message, sizeof(message), "cannot connect to berthd at %s: Connection refused (is berthd running?)",
                 fx->url);
        expect_error(fx, "/version", -ECONNREFUSED, message);
        close(fd);
        unlink(sa.sun_path);

        snprintf(fx->url, sizeof(fx->url), "tcp://127.0.0.1:1");
        expect_error(fx, "/version", -EPROTONOSUPPORT,
                     "unsupported URL \"tcp://127.0.0.1:1\": berth connects to unix:///path/to/berth.sock or "
                     "ssh://[user@]host[:port]/path/to/berth.sock");
}

struct lines {
        char text[256];
        int n, fail_at;
};

static int on_line(void *userdata, const char *line, size_t len, berth_error *err) {
        struct lines *l = userdata;

        if (l->n++ == l->fail_at)
                return berth_err(err, -EBADMSG, "line %d refused", l->n);
        snprintf(l->text + strlen(l->text), sizeof(l->text) - strlen(l->text), "[%.*s]", (int) len, line);
        return 0;
}

static void test_stream(void **state) {
        struct fake *fx = *state;
        const char *headers[] = { "X-Registry-Auth: abc", NULL };
        struct lines l = { .fail_at = -1 };
        struct client c;
        berth_error err = { 0 };
        json_t *v = NULL;

        fx->body = "{\"stream\":\"a\\n\"}\n\n{\"id\":\"x\"}\nlast";
        client_init(&c, fx->url, NULL);
        assert_int_equal(client_request_stream(&c, "POST", "/images/pull?reference=b", headers, on_line, &l, &err), 0);
        assert_string_equal(l.text, "[{\"stream\":\"a\\n\"}][][{\"id\":\"x\"}][last]");
        assert_int_equal(c.status, 200);
        assert_non_null(strstr(fx->request, "POST /v4.3.1/libpod/images/pull?reference=b HTTP/1.1\r\n"));
        assert_non_null(strstr(fx->request, "\r\nX-Registry-Auth: abc\r\n"));
        assert_non_null(strstr(fx->request, "Content-Length: 0\r\n"));
        /* The handle is back to whole bodies for the next request. */
        fx->body = "[1]";
        assert_int_equal(client_get_json(&c, "/x", &v, &err), 0);
        assert_true(json_is_array(v));
        json_decref(v);

        /* A callback's failure stops the transfer and is what the caller gets. */
        l = (struct lines) { .fail_at = 1 };
        fx->body = "a\nb\nc\n";
        assert_int_equal(client_request_stream(&c, "POST", "/p", NULL, on_line, &l, &err), -EBADMSG);
        assert_string_equal(err.message, "line 2 refused");
        assert_string_equal(l.text, "[a]");

        /* An error status is not streamed: its message is the error. */
        l = (struct lines) { .fail_at = -1 };
        fx->status = 404;
        fx->body = "{\"message\":\"no such image: b\",\"response\":404}";
        assert_int_equal(client_request_stream(&c, "POST", "/p", NULL, on_line, &l, &err), -ENOENT);
        assert_string_equal(err.message, "no such image: b");
        assert_int_equal(c.status, 404);
        assert_int_equal(l.n, 0);
        client_done(&c);

        /* No answer at all leaves no status: callers tell a 404 from a missing socket. */
        snprintf(fx->url, sizeof(fx->url), "unix://%s/absent.sock", fx->dir);
        client_init(&c, fx->url, NULL);
        assert_int_equal(client_request_stream(&c, "POST", "/p", NULL, on_line, &l, &err), -ENOENT);
        assert_int_equal(c.status, 0);
        client_done(&c);
}

struct received {
        size_t bytes, calls, fail_after;
        bool all_zero;
};

static int on_bytes(void *userdata, const void *data, size_t len, berth_error *err) {
        struct received *r = userdata;

        for (size_t i = 0; i < len; i++)
                r->all_zero = r->all_zero && ((const char *) data)[i] == 0;
        r->bytes += len;
        if (++r->calls == r->fail_after)
                return berth_err(err, -ENOSPC, "disk full after %zu calls", r->calls);
        return 0;
}

static void test_download(void **state) {
        struct fake *fx = *state;
        struct received r = { .all_zero = true };
        struct client c;
        berth_error err = { 0 };

        /* Bytes are handed on as they come, never gathered: more than fits a line or a body. */
        fx->flood = HTTP_MAX_BODY + 100000;
        client_init(&c, fx->url, NULL);
        assert_int_equal(client_request_download(&c, "/images/export?references=a&format=oci-archive", on_bytes, &r,
                                                 &err),
                         0);
        assert_int_equal(r.bytes, HTTP_MAX_BODY + 100000);
        assert_true(r.calls > 1 && r.all_zero);
        assert_non_null(strstr(fx->request, "GET /v4.3.1/libpod/images/export?references=a&format=oci-archive HTTP/1.1\r\n"));
        /* The callback's failure is the caller's error. */
        fx->flood = 1 << 20;
        r = (struct received) { .fail_after = 1 };
        assert_int_equal(client_request_download(&c, "/images/export?references=a", on_bytes, &r, &err), -ENOSPC);
        assert_string_equal(err.message, "disk full after 1 calls");
        client_done(&c);

        /* An error answer is the error, not archive bytes. */
        fx->flood = 0;
        fx->status = 404;
        fx->body = "{\"message\":\"No such image: a\",\"response\":404}";
        r = (struct received) { 0 };
        client_init(&c, fx->url, NULL);
        assert_int_equal(client_request_download(&c, "/images/export?references=a", on_bytes, &r, &err), -ENOENT);
        assert_string_equal(err.message, "No such image: a");
        assert_int_equal(r.bytes, 0);
        client_done(&c);
}

static void test_upload(void **state) {
        struct fake *fx = *state;
        char path[128];
        struct client c;
        berth_error err = { 0 };
        json_t *v = NULL;
        int fd;

        snprintf(path, sizeof(path), "%s/archive.tar", fx->dir);
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "skipped|tar bytes", 17), 17);
        /* From the current offset: what standard input has left. */
        assert_int_equal(lseek(fd, 8, SEEK_SET), 8);
        fx->body = "{\"Names\":[\"busybox:latest\"]}";
        client_init(&c, fx->url, NULL);
        assert_int_equal(client_request_upload(&c, "/images/load", fd, path, &v, &err), 0);
        assert_string_equal(json_string_value(json_array_get(json_object_get(v, "Names"), 0)), "busybox:latest");
        json_decref(v);
        assert_non_null(strstr(fx->request, "POST /v4.3.1/libpod/images/load HTTP/1.1\r\n"));
        assert_non_null(strstr(fx->request, "\r\nContent-Type: application/x-tar\r\n"));
        assert_non_null(strstr(fx->request, "\r\nContent-Length: 9\r\n"));
        assert_null(strstr(fx->request, "Expect:"));
        assert_non_null(strstr(fx->request, "\r\n\r\ntar bytes"));
        close(fd);
        unlink(path);
        /* The handle goes back to JSON bodies. */
        fx->body = "{}";
        assert_int_equal(client_request_json(&c, "POST", "/x", NULL, NULL, &err), 0);
        assert_non_null(strstr(fx->request, "POST /v4.3.1/libpod/x HTTP/1.1\r\n"));
        assert_non_null(strstr(fx->request, "Content-Length: 0\r\n"));
        client_done(&c);

        /* A source that cannot be read is named. */
        fd = open(fx->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        client_init(&c, fx->url, NULL);
        assert_int_equal(client_request_upload(&c, "/images/load", fd, "the archive", NULL, &err), -EISDIR);
        assert_string_equal(err.message, "cannot read the archive: Is a directory");
        client_done(&c);
        close(fd);
}

static void test_compat(void **state) {
        struct fake *fx = *state;
        json_t *body = json_pack("{s:s}", "username", "berth"), *v = NULL;
        struct client c;
        berth_error err = { 0 };

        fx->body = "{\"Status\":\"Login Succeeded\"}";
        client_init(&c, fx->url, NULL);
        assert_int_equal(client_request_compat_json(&c, "POST", "/auth", body, &v, &err), 0);
        assert_string_equal(json_string_value(json_object_get(v, "Status")), "Login Succeeded");
        assert_non_null(strstr(fx->request, "POST /v1.41/auth HTTP/1.1\r\n"));
        assert_non_null(strstr(fx->request, "\r\n\r\n{\"username\":\"berth\"}"));
        json_decref(v);
        json_decref(body);
        client_done(&c);
}

static void test_escape(void **state) {
        char *s;
        (void) state;

        s = http_escape("localhost:5000/team/app:v1@sha256:ab", "/:@");
        assert_string_equal(s, "localhost:5000/team/app:v1@sha256:ab");
        free(s);
        s = http_escape("a b?c#d&e+f%/:", NULL);
        assert_string_equal(s, "a%20b%3Fc%23d%26e%2Bf%25%2F%3A");
        free(s);
        s = http_escape("caf\xc3\xa9-._~", "");
        assert_string_equal(s, "caf%C3%A9-._~");
        free(s);
}

static void test_status_map(void **state) {
        (void) state;
        assert_int_equal(http_status_to_errno(404), -ENOENT);
        assert_int_equal(http_status_to_errno(403), -EACCES);
        assert_int_equal(http_status_to_errno(413), -E2BIG);
        assert_int_equal(http_status_to_errno(418), -EIO);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_get_json, setup, teardown),
                cmocka_unit_test_setup_teardown(test_methods_and_bodies, setup, teardown),
                cmocka_unit_test_setup_teardown(test_server_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_transport_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_daemon, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stream, setup, teardown),
                cmocka_unit_test_setup_teardown(test_download, setup, teardown),
                cmocka_unit_test_setup_teardown(test_upload, setup, teardown),
                cmocka_unit_test_setup_teardown(test_compat, setup, teardown),
                cmocka_unit_test(test_escape),
                cmocka_unit_test(test_status_map),
        };
        curl_global_init(CURL_GLOBAL_NOTHING);
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        curl_global_cleanup();
        return r;
}
