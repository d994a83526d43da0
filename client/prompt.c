/* Questions on standard input, with the terminal's echo off for secrets and always put back. */
#include "prompt.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

/* What a fatal-signal handler must put back while the echo is off. */
static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction saved_actions[ELEMENTSOF(fatal_signals)];
static struct termios saved_termios;
static volatile sig_atomic_t echo_off_fd = -1;

static void on_fatal_signal(int sig) {
        if (echo_off_fd >= 0)
                tcsetattr(echo_off_fd, TCSANOW, &saved_termios);
        /* The handler before ours (ssh.c's, or the default) gets the signal next. */
        for (size_t i = 0; i < ELEMENTSOF(fatal_signals); i++)
                if (fatal_signals[i] == sig)
                        sigaction(sig, &saved_actions[i], NULL);
        raise(sig);
}

static int echo_off(int fd, berth_error *err) {
        struct sigaction sa = { .sa_handler = on_fatal_signal };
        struct termios quiet;

        if (!isatty(fd))
                return berth_err(err, -ENOTTY, "cannot prompt for a secret: standard input is not a terminal");
        if (tcgetattr(fd, &saved_termios) < 0)
                return berth_err_errno(err, -errno, "cannot read the terminal's settings");
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < ELEMENTSOF(fatal_signals); i++)
                sigaction(fatal_signals[i], &sa, &saved_actions[i]);
        quiet = saved_termios;
        quiet.c_lflag &= (tcflag_t) ~ECHO;
        echo_off_fd = fd;
        if (tcsetattr(fd, TCSAFLUSH, &quiet) < 0) {
                int r = -errno;
                echo_off_fd = -1;
                for (size_t i = 0; i < ELEMENTSOF(fatal_signals); i++)
                        sigaction(fatal_signals[i], &saved_actions[i], NULL);
                return berth_err_errno(err, r, "cannot turn the terminal's echo off");
        }
        return 0;
}

static void echo_on(void) {
        int fd = echo_off_fd;

        if (fd < 0)
                return;
        tcsetattr(fd, TCSAFLUSH, &saved_termios);
        echo_off_fd = -1;
        for (size_t i = 0; i < ELEMENTSOF(fatal_signals); i++)
                sigaction(fatal_signals[i], &saved_actions[i], NULL);
}

/* One byte at a time: what follows the line stays on fd for whoever reads next. */
static int read_line(int fd, char **ret, berth_error *err) {
        _cleanup_free_ char *line = xmalloc(PROMPT_MAX + 1);
        size_t len = 0;
        bool any = false;

        for (;;) {
                char ch;
                ssize_t n = read(fd, &ch, 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return berth_err_errno(err, -errno, "cannot read standard input");
                if (n == 0 && !any)
                        return berth_err(err, -ENODATA, "no answer: standard input ended");
                if (n == 0 || ch == '\n')
                        break;
                any = true;
                if (len == PROMPT_MAX)
                        return berth_err(err, -E2BIG, "the answer is longer than %d bytes", PROMPT_MAX);
                line[len++] = ch;
        }
        if (len > 0 && line[len - 1] == '\r')
                len--;
        line[len] = '\0';
        *ret = TAKE_PTR(line);
        return 0;
}

int prompt_read(int fd, FILE *out, const char *question, bool secret, char **ret, berth_error *err) {
        int r;

        if (secret) {
                r = echo_off(fd, err);
                if (r < 0)
                        return r;
        }
        fputs(question, out);
        fflush(out);
        r = read_line(fd, ret, err);
        if (secret) {
                echo_on();
                fputc('\n', out);
                fflush(out);
        }
        return r;
}

int prompt_read_all(int fd, char **ret, berth_error *err) {
        _cleanup_free_ char *text = xmalloc(PROMPT_MAX + 1);
        size_t len = 0;

        for (;;) {
                char buf[512];
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return berth_err_errno(err, -errno, "cannot read standard input");
                if (n == 0)
                        break;
                for (ssize_t i = 0; i < n; i++) {
                        if (buf[i] == '\n' || buf[i] == '\r')
                                continue;
                        if (len == PROMPT_MAX)
                                return berth_err(err, -E2BIG, "the password is longer than %d bytes",
                                                 PROMPT_MAX);
                        text[len++] = buf[i];
                }
        }
        text[len] = '\0';
        *ret = TAKE_PTR(text);
        return 0;
}

bool prompt_is_yes(const char *answer) {
        return answer[0] == 'y' || answer[0] == 'Y';
}
