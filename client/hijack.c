/* Hijacked connections: a plain AF_UNIX socket to the transport's socket, a hand-written
 * HTTP/1.1 request, the answer's head read byte by byte so no stream byte is consumed. */
#include "hijack.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/version.h"
#include "http.h"
#include "transport.h"

#define HEAD_MAX 16384
#define ERROR_BODY_MAX 65536

int hijack_parse_status(const char *line) {
        int status, n = 0;

        if (strncmp(line, "HTTP/1.", 7) != 0 || sscanf(line + 8, " %3d%n", &status, &n) != 1 || n == 0)
                return -EBADMSG;
        return status;
}

static int connect_socket(const char *path, int *ret_fd, const char *url, berth_error *err) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -1;

        if (strlen(path) >= sizeof(sa.sun_path))
                return berth_err(err, -ENAMETOOLONG, "socket path too long: %s", path);
        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return berth_err_errno(err, -errno, "cannot create a socket");
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return berth_err(err, -errno, "cannot connect to berthd at %s: %s (is berthd running?)", url,
                                 strerror(errno));
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int write_all(int fd, const char *p, size_t n) {
        while (n > 0) {
                ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -errno;
                p += w, n -= (size_t) w;
        }
        return 0;
}

/* Reads the head up to its blank line; *ret is NUL-terminated. */
static int read_head(int fd, char **ret, berth_error *err) {
        _cleanup_free_ char *head = xmalloc(HEAD_MAX + 1);
        size_t n = 0;

        while (n < 4 || memcmp(head + n - 4, "\r\n\r\n", 4) != 0) {
                ssize_t r;
                if (n == HEAD_MAX)
                        return berth_err(err, -E2BIG, "berthd sent an answer head over %d bytes", HEAD_MAX);
                r = read(fd, head + n, 1);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return berth_err_errno(err, -errno, "lost the connection to berthd");
                if (r == 0)
                        return berth_err(err, -ECONNRESET, "berthd closed the connection before answering");
                n++;
        }
        head[n] = '\0';
        *ret = TAKE_PTR(head);
        return 0;
}

static long content_length(const char *head) {
        for (const char *p = strstr(head, "\r\n"); p; p = strstr(p + 2, "\r\n"))
                if (strncasecmp(p + 2, "Content-Length:", 15) == 0)
                        return strtol(p + 17, NULL, 10);
        return -1;
}

/* A refused hijack: the server's JSON "message", else the status. */
static int answer_error(int fd, const char *head, long status, const char *method, const char *path,
                        berth_error *err) {
        long len = content_length(head);
        size_t cap = len >= 0 && len < ERROR_BODY_MAX ? (size_t) len : ERROR_BODY_MAX, n = 0;
        _cleanup_free_ char *body = xmalloc(cap + 1);
        _cleanup_(json_decrefp) json_t *answer = NULL;
        const char *message;

        while (n < cap) {
                ssize_t r = read(fd, body + n, cap - n);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break;
                n += (size_t) r;
        }
        answer = json_loadb(body, n, 0, NULL);
        message = json_string_value(json_object_get(answer, "message"));
        if (message && *message)
                return berth_err(err, http_status_to_errno(status), "%s", message);
        return berth_err(err, http_status_to_errno(status), "berthd answered %s %s with HTTP status %ld", method,
                         path, status);
}

/* A connection to berthd's socket; c->status is reset for the request to come. */
static int open_connection(struct client *c, int *ret_fd, berth_error *err) {
        int r;

        c->status = 0;
        r = client_connect(c, err);
        if (r < 0)
                return r;
        return connect_socket(transport_socket(c->transport), ret_fd, c->url, err);
}

/* Reads the answer's head and returns its status (also in c->status). */
static int read_status(struct client *c, int fd, const char *method, const char *path, char **ret_head,
                       berth_error *err) {
        int r = read_head(fd, ret_head, err), status;

        if (r < 0)
                return r;
        status = hijack_parse_status(*ret_head);
        if (status < 0)
                return berth_err(err, -EBADMSG, "berthd sent no HTTP status line for %s %s", method, path);
        c->status = status;
        return status;
}

int hijack_open(struct client *c, const char *method, const char *path, const json_t *body, int *ret_fd,
                berth_error *err) {
        _cleanup_free_ char *payload = NULL, *request = NULL, *head = NULL;
        _cleanup_close_ int fd = -1;
        int r, status;

        r = open_connection(c, &fd, err);
        if (r < 0)
                return r;
        payload = body ? json_dumps(body, JSON_COMPACT) : xstrdup("");
        request = xasprintf("%s /v" BERTH_LIBPOD_API_VERSION "/libpod%s HTTP/1.1\r\n"
                            "Host: d\r\n"
                            "User-Agent: berth/" BERTH_VERSION "\r\n"
                            "Connection: Upgrade\r\n"
                            "Upgrade: tcp\r\n"
                            "Content-Type: application/json\r\n"
                            "Content-Length: %zu\r\n\r\n%s",
                            method, path, strlen(payload), payload);
        r = write_all(fd, request, strlen(request));
        if (r < 0)
                return berth_err_errno(err, r, "cannot send %s %s to berthd", method, path);
        r = read_status(c, fd, method, path, &head, err);
        if (r < 0)
                return r;
        status = r;
        if (status != 101 && status != 200)
                return answer_error(fd, head, status, method, path, err);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

char *head_header(const char *head, const char *name) {
        size_t n = strlen(name);

        for (const char *p = strstr(head, "\r\n"); p; p = strstr(p + 2, "\r\n"))
                if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':') {
                        const char *v = p + 3 + n, *end;
                        v += strspn(v, " \t");
                        end = strstr(v, "\r\n");
                        return xstrndup(v, end ? (size_t) (end - v) : strlen(v));
                }
        return NULL;
}

static int send_chunked(int fd, int body_fd) {
        char buf[65536], size[32];

        for (;;) {
                ssize_t n = read(body_fd, buf, sizeof(buf));
                int r;
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                snprintf(size, sizeof(size), "%zx\r\n", (size_t) n);
                if ((r = write_all(fd, size, strlen(size))) < 0)
                        return r;
                if (n == 0)
                        return write_all(fd, "\r\n", 2);
                if ((r = write_all(fd, buf, (size_t) n)) < 0 || (r = write_all(fd, "\r\n", 2)) < 0)
                        return r;
        }
}

static void drain(int fd, long len) {
        char buf[4096];

        while (len > 0) {
                ssize_t n = read(fd, buf, (size_t) len < sizeof(buf) ? (size_t) len : sizeof(buf));
                if (n <= 0)
                        break;
                len -= n;
        }
}

int raw_request(struct client *c, const char *method, const char *path, int body_fd, char **ret_head,
                berth_error *err) {
        _cleanup_free_ char *request = NULL, *head = NULL;
        _cleanup_close_ int fd = -1;
        int r, status;

        r = open_connection(c, &fd, err);
        if (r < 0)
                return r;
        request = xasprintf("%s /v" BERTH_LIBPOD_API_VERSION "/libpod%s HTTP/1.1\r\nHost: d\r\n"
                            "User-Agent: berth/" BERTH_VERSION "\r\nConnection: close\r\n%s\r\n",
                            method, path,
                            body_fd >= 0 ? "Content-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n" : "");
        r = write_all(fd, request, strlen(request));
        if (r >= 0 && body_fd >= 0)
                r = send_chunked(fd, body_fd);
        if (r == -EIO || r == -EBADF || r == -EISDIR)
                return berth_err_errno(err, r, "cannot read the archive to send");
        /* A server that refused early may close while the body goes: its answer still counts. */
        r = read_status(c, fd, method, path, &head, err);
        if (r < 0)
                return r;
        status = r;
        if (status < 200 || status > 299) {
                if (strcmp(method, "HEAD") == 0)
                        return berth_err(err, http_status_to_errno(status), "berthd answered HEAD %s with HTTP "
                                         "status %d", path, status);
                return answer_error(fd, head, status, method, path, err);
        }
        if (strcmp(method, "HEAD") != 0)
                drain(fd, content_length(head));
        if (ret_head)
                *ret_head = TAKE_PTR(head);
        return 0;
}
