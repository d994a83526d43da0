/* Copying between a hijacked client socket and conmon's attach socket. */
#include "attach-pump.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mux.h"

#define CONMON_PACKET (8192 + 1)      /* conmon's STDIO_BUF_SIZE plus the stream byte */
#define CONMON_STDIN_MAX 32768        /* conmon's CONN_SOCK_BUF_SIZE */
#define CLIENT_WRITE_TIMEOUT_MS 60000

int pump_parse_detach_keys(const char *spec, struct pump_options *o) {
        size_t n = 0;
        const char *p = spec;

        while (*p) {
                const char *comma = strchr(p, ',');
                size_t len = comma ? (size_t) (comma - p) : strlen(p);
                if (n == DETACH_KEYS_MAX)
                        return -EINVAL;
                if (len == 1)
                        o->detach_keys[n++] = (unsigned char) p[0];
                else if (len == 6 && strncmp(p, "ctrl-", 5) == 0) {
                        unsigned char c = (unsigned char) p[5];
                        if (c >= 'a' && c <= 'z')
                                o->detach_keys[n++] = (unsigned char) (c - 'a' + 1);
                        else if (c == '@' || c == '[' || c == '\\' || c == ']' || c == '^' || c == '_')
                                o->detach_keys[n++] = (unsigned char) (c - '@');
                        else
                                return -EINVAL;
                } else
                        return -EINVAL;
                p += len;
                if (*p == ',')
                        p++;
        }
        o->n_detach_keys = n;
        return 0;
}

/* The client's socket is non-blocking: wait for room rather than drop output. */
static int write_all(int fd, const void *buf, size_t size) {
        const char *p = buf;
        while (size > 0) {
                ssize_t n = send(fd, p, size, MSG_NOSIGNAL);
                if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                        struct pollfd pfd = { .fd = fd, .events = POLLOUT };
                        if (errno == EAGAIN && poll(&pfd, 1, CLIENT_WRITE_TIMEOUT_MS) <= 0)
                                return -ETIMEDOUT;
                        continue;
                }
                if (n < 0)
                        return -errno;
                p += n;
                size -= (size_t) n;
        }
        return 0;
}

int pump_write_output(int client_fd, bool tty, bool is_stderr, const void *data, size_t size) {
        uint8_t hdr[MUX_HEADER_SIZE];
        int r;
        if (!tty) {
                mux_header(hdr, is_stderr ? MUX_STDERR : MUX_STDOUT, (uint32_t) size);
                r = write_all(client_fd, hdr, sizeof(hdr));
                if (r < 0)
                        return r;
        }
        return write_all(client_fd, data, size);
}

/* conmon -> client. Returns 0 to go on, 1 at conmon's EOF, < 0 when the client is gone. */
static int pump_out(int conmon_fd, int client_fd, const struct pump_options *o) {
        char buf[MUX_HEADER_SIZE - 1 + CONMON_PACKET];
        char *pkt = buf + MUX_HEADER_SIZE - 1;
        ssize_t n = recv(conmon_fd, pkt, CONMON_PACKET, MSG_DONTWAIT);

        if (n < 0)
                return errno == EAGAIN || errno == EINTR ? 0 : 1;
        if (n == 0)
                return 1;
        if (n == 1)
                return 0;
        bool is_err = pkt[0] == 3;
        if ((is_err && !o->err) || (!is_err && !o->out))
                return 0;
        if (o->tty)
                return write_all(client_fd, pkt + 1, (size_t) n - 1);
        mux_header((uint8_t *) buf, is_err ? MUX_STDERR : MUX_STDOUT, (uint32_t) (n - 1));
        return write_all(client_fd, buf, (size_t) n - 1 + MUX_HEADER_SIZE);
}

struct detach {
        size_t matched;
};

static int send_stdin(int conmon_fd, const unsigned char *p, size_t size) {
        while (size > 0) {
                size_t chunk = size < CONMON_STDIN_MAX ? size : CONMON_STDIN_MAX;
                if (send(conmon_fd, p, chunk, MSG_NOSIGNAL) < 0 && errno != EINTR)
                        return -errno;
                p += chunk;
                size -= chunk;
        }
        return 0;
}

/* Forwards stdin, holding back a possible detach sequence. Returns 1 on a detach. */
static int forward_stdin(int conmon_fd, const unsigned char *p, size_t size, const struct pump_options *o,
                         struct detach *d) {
        unsigned char out[CONMON_STDIN_MAX * 2];
        size_t len = 0;

        if (!o->tty || o->n_detach_keys == 0)
                return send_stdin(conmon_fd, p, size);
        for (size_t i = 0; i < size; i++) {
                if (p[i] == o->detach_keys[d->matched]) {
                        if (++d->matched == o->n_detach_keys)
                                return 1;
                        continue;
                }
                memcpy(out + len, o->detach_keys, d->matched);   /* not a detach after all */
                len += d->matched;
                d->matched = 0;
                if (p[i] == o->detach_keys[0]) {
                        d->matched = 1;
                        continue;
                }
                out[len++] = p[i];
                if (len > sizeof(out) - DETACH_KEYS_MAX - 1) {
                        if (send_stdin(conmon_fd, out, len) < 0)
                                return -EPIPE;
                        len = 0;
                }
        }
        return send_stdin(conmon_fd, out, len);
}

bool attach_pump(int client_fd, int conmon_fd, const char *early, size_t early_size, const struct pump_options *o) {
        struct detach d = {};
        bool client_open = true;
        unsigned char buf[CONMON_STDIN_MAX];

        if (o->in && early_size && forward_stdin(conmon_fd, (const unsigned char *) early, early_size, o, &d) == 1)
                return true;
        for (;;) {
                struct pollfd fds[2] = { { .fd = conmon_fd, .events = POLLIN },
                                         { .fd = client_open ? client_fd : -1, .events = POLLIN } };
                if (poll(fds, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return false;
                }
                if (fds[0].revents) {
                        int r = pump_out(conmon_fd, client_fd, o);
                        if (r != 0)
                                return false;
                }
                if (fds[1].revents) {
                        ssize_t n = read(client_fd, buf, sizeof(buf));
                        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                                continue;
                        if (n <= 0) {
                                /* EOF on the client's side (CloseWrite): stdin ends, output goes on. */
                                client_open = false;
                                if (o->in)
                                        shutdown(conmon_fd, SHUT_WR);
                                if (n < 0)
                                        return false;
                                continue;
                        }
                        if (o->in && forward_stdin(conmon_fd, buf, (size_t) n, o, &d) == 1)
                                return true;
                }
        }
}
