/* The attached session: stream demuxing, detach keys, raw mode, and one poll loop over
 * the socket, standard input and a signalfd (so no async signal handler touches state). */
#include "attach-session.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

#define IO_BUF 32768

bool frame_demux_idle(const struct frame_demux *d) {
        return d->head_len == 0 && d->left == 0;
}

int frame_demux_feed(struct frame_demux *d, const char *data, size_t len, frame_fn fn, void *userdata) {
        while (len > 0) {
                if (d->left == 0) {
                        size_t take = sizeof(d->head) - d->head_len;
                        take = take < len ? take : len;
                        memcpy(d->head + d->head_len, data, take);
                        d->head_len += take, data += take, len -= take;
                        if (d->head_len < sizeof(d->head))
                                return 0;
                        if (d->head[0] > 3 || d->head[1] || d->head[2] || d->head[3])
                                return -EBADMSG;
                        d->stream = d->head[0];
                        d->left = (uint32_t) d->head[4] << 24 | (uint32_t) d->head[5] << 16 |
                                  (uint32_t) d->head[6] << 8 | d->head[7];
                        d->head_len = 0;
                        continue;
                }
                size_t take = d->left < len ? d->left : len;
                int r = fn(userdata, d->stream, data, take);
                if (r < 0)
                        return r;
                d->left -= (uint32_t) take, data += take, len -= take;
        }
        return 0;
}

static int parse_key(const char *k, size_t len, unsigned char *ret) {
        if (len == 1) {
                *ret = (unsigned char) k[0];
                return 0;
        }
        if (len == 6 && strncmp(k, "ctrl-", 5) == 0) {
                char ch = k[5];
                if (ch >= 'a' && ch <= 'z') {
                        *ret = (unsigned char) (ch - 'a' + 1);
                        return 0;
                }
                if (strchr("@[\\]^_", ch)) {
                        *ret = (unsigned char) (ch - '@');
                        return 0;
                }
        }
        return -EINVAL;
}

int detach_keys_parse(const char *spec, struct detach_keys *ret, berth_error *err) {
        struct detach_keys k = { 0 };

        for (const char *p = spec; *p;) {
                size_t len = strcspn(p, ",");
                if (k.n == DETACH_KEYS_MAX || parse_key(p, len, &k.seq[k.n]) < 0)
                        return berth_err(err, -EINVAL, "invalid detach keys \"%s\": expected comma-separated "
                                         "ctrl-<a-z@[\\]^_> or single characters", spec);
                k.n++;
                p += len;
                if (*p == ',')
                        p++;
        }
        *ret = k;
        return 0;
}

int detach_keys_feed(struct detach_keys *k, const unsigned char *in, size_t len, unsigned char *out,
                     size_t *ret_len) {
        size_t n = 0;

        for (size_t i = 0; i < len; i++) {
                if (k->n == 0) {
                        out[n++] = in[i];
                        continue;
                }
                if (in[i] == k->seq[k->matched]) {
                        if (++k->matched == k->n) {
                                k->matched = 0;
                                *ret_len = n;
                                return 1;
                        }
                        continue;
                }
                /* The held prefix was input after all; this byte may start a new match. */
                memcpy(out + n, k->seq, k->matched);
                n += k->matched;
                k->matched = 0;
                if (in[i] == k->seq[0])
                        k->matched = 1;
                else
                        out[n++] = in[i];
        }
        *ret_len = n;
        return 0;
}

/* The terminal as it was; one global because atexit() takes no argument. */
static struct termios saved_termios;
static bool terminal_raw;

void attach_session_restore_terminal(void) {
        if (!terminal_raw)
                return;
        tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_termios);
        terminal_raw = false;
}

static int make_raw(berth_error *err) {
        static bool registered;
        struct termios raw;

        if (tcgetattr(STDIN_FILENO, &saved_termios) < 0)
                return berth_err_errno(err, -errno, "cannot read the terminal's settings");
        if (!registered) {
                atexit(attach_session_restore_terminal);
                registered = true;
        }
        raw = saved_termios;
        /* Output processing goes too, as docker and podman do: the container's pty
         * already turns "\n" into "\r\n". */
        cfmakeraw(&raw);
        if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) < 0)
                return berth_err_errno(err, -errno, "cannot put the terminal in raw mode");
        terminal_raw = true;
        return 0;
}

static int write_all(int fd, const void *p, size_t n) {
        const char *c = p;

        while (n > 0) {
                ssize_t w = fd > STDERR_FILENO ? send(fd, c, n, MSG_NOSIGNAL) : write(fd, c, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -errno;
                c += w, n -= (size_t) w;
        }
        return 0;
}

static int on_frame(void *userdata, int stream, const char *data, size_t len) {
        (void) userdata;
        /* Output the user closed (a pipe to head) is not an error of the session. */
        int r = write_all(stream >= 2 ? STDERR_FILENO : STDOUT_FILENO, data, len);
        return r == -EPIPE ? 0 : r;
}

void attach_session_send_size(struct attach_session *s) {
        struct winsize ws;

        if (!s->resize)
                return;
        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0)
                return;
        if (ws.ws_row > 0 && ws.ws_col > 0)
                s->resize(s->userdata, ws.ws_row, ws.ws_col);
}

static const int termination_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

/* A signal from the signalfd: 0 to go on, or 128 + sig to end. */
static int on_signal(struct attach_session *s, int sig) {
        if (sig == SIGWINCH) {
                attach_session_send_size(s);
                return 0;
        }
        if (s->sig_proxy && s->forward) {
                s->forward(s->userdata, sig);
                return 0;
        }
        return 128 + sig;
}

struct loop {
        struct attach_session *s;
        struct frame_demux demux;
        bool stdin_open;
};

static int on_output(struct loop *l, berth_error *err) {
        char buf[IO_BUF];
        ssize_t n = read(l->s->fd, buf, sizeof(buf));
        int r;

        if (n < 0 && errno == EINTR)
                return 0;
        if (n < 0)
                return berth_err_errno(err, -errno, "lost the attached stream");
        if (n == 0)
                return 1;
        if (l->s->tty)
                r = on_frame(NULL, 1, buf, (size_t) n);
        else
                r = frame_demux_feed(&l->demux, buf, (size_t) n, on_frame, NULL);
        if (r == -EBADMSG)
                return berth_err(err, r, "berthd sent a malformed stream frame");
        if (r < 0)
                return berth_err_errno(err, r, "cannot write the container's output");
        return 0;
}

static int on_input(struct loop *l, berth_error *err) {
        unsigned char buf[IO_BUF], out[IO_BUF + DETACH_KEYS_MAX];
        size_t len;
        ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
        int detached = 0, r;

        if (n < 0 && errno == EINTR)
                return 0;
        if (n <= 0) {
                /* End of input: the container's stdin closes, its output still comes. */
                l->stdin_open = false;
                shutdown(l->s->fd, SHUT_WR);
                return 0;
        }
        if (l->s->tty)
                detached = detach_keys_feed(&l->s->keys, buf, (size_t) n, out, &len);
        else {
                memcpy(out, buf, (size_t) n);
                len = (size_t) n;
        }
        r = write_all(l->s->fd, out, len);
        if (r < 0 && r != -EPIPE)
                return berth_err_errno(err, r, "cannot send input to the container");
        return detached ? 2 : 0;
}

static int loop_run(struct loop *l, int sigfd, berth_error *err) {
        for (;;) {
                struct pollfd p[3] = {
                        { .fd = l->s->fd, .events = POLLIN },
                        { .fd = sigfd, .events = POLLIN },
                        { .fd = l->stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
                };
                int r;

                if (poll(p, 3, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return berth_err_errno(err, -errno, "cannot wait for the attached stream");
                }
                if (p[1].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        if (read(sigfd, &si, sizeof(si)) == sizeof(si) && (r = on_signal(l->s, (int) si.ssi_signo)))
                                return r;
                }
                if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                        r = on_output(l, err);
                        if (r != 0)
                                return r < 0 ? r : ATTACH_ENDED;
                }
                if (p[2].revents & (POLLIN | POLLHUP | POLLERR)) {
                        r = on_input(l, err);
                        if (r != 0)
                                return r < 0 ? r : ATTACH_DETACHED;
                }
        }
}

int attach_session_run(struct attach_session *s, berth_error *err) {
        struct loop l = { .s = s, .stdin_open = s->stdin };
        sigset_t mask, old;
        _cleanup_close_ int sigfd = -1;
        int r;

        sigemptyset(&mask);
        for (size_t i = 0; i < ELEMENTSOF(termination_signals); i++)
                sigaddset(&mask, termination_signals[i]);
        if (s->tty)
                sigaddset(&mask, SIGWINCH);
        sigprocmask(SIG_BLOCK, &mask, &old);
        sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sigfd < 0) {
                r = berth_err_errno(err, -errno, "cannot watch signals");
                goto out;
        }
        if (s->tty && s->stdin && isatty(STDIN_FILENO)) {
                r = make_raw(err);
                if (r < 0)
                        goto out;
        }
        if (s->tty)
                attach_session_send_size(s);
        r = loop_run(&l, sigfd, err);
out:
        attach_session_restore_terminal();
        sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
}
