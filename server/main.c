/* berthd: configuration, the listening socket, the HTTP server, and the main loop that
 * waits for a signal or for the idle timeout. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>

#include "berth/cleanup.h"
#include "berth/engine.h"
#include "berth/log.h"
#include "berth/version.h"
#include "http.h"
#include "listen.h"
#include "options.h"
#include "server.h"
#include "systemd-api.h"

#define SHUTDOWN_GRACE_MS 10000

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for SIGTERM/SIGINT, or for idle_timeout seconds with no connection and no
 * operation. Returns the reason, for the log. */
static const char *run(struct server *s, int signal_fd) {
        struct pollfd fds[2] = { { .fd = signal_fd, .events = POLLIN }, { .fd = s->wake_fd, .events = POLLIN } };
        int64_t idle_since = now_ms();

        for (;;) {
                int timeout = -1;
                if (s->idle_timeout > 0 && server_is_idle(s)) {
                        int64_t left = idle_since + (int64_t) s->idle_timeout * 1000 - now_ms();
                        if (left <= 0)
                                return "idle timeout";
                        timeout = (int) left;
                }
                if (poll(fds, 2, timeout) < 0 && errno != EINTR)
                        return "poll failed";
                if (fds[0].revents) {
                        struct signalfd_siginfo si;
                        if (read(signal_fd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo != SIGHUP)
                                return strsignal((int) si.ssi_signo);
                }
                if (fds[1].revents) {
                        uint64_t n;
                        if (read(s->wake_fd, &n, sizeof(n)) < 0) {
                                /* Spurious wake-up: nothing to drain. */
                        }
                        /* Something just ended: idleness is counted from now. */
                        idle_since = now_ms();
                        /* Nothing open any more: give the heap's free pages back, so an idle
                         * daemon stays small after a burst of work. */
                        if (server_is_idle(s))
                                berth_engine_release_idle_memory(s->engine);
                }
        }
}

static int setup_signals(void) {
        sigset_t mask;

        /* Blocked before any thread starts, so only the signalfd sees them. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        pthread_sigmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);
        return signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

static int serve(berth_config *cfg) {
        _cleanup_(berth_engine_freep) berth_engine *engine = NULL;
        _cleanup_close_ int signal_fd = -1, wake_fd = -1;
        struct server s = { .listen_fd = -1 };
        const char *why;
        berth_error err;

        signal_fd = setup_signals();
        wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (signal_fd < 0 || wake_fd < 0) {
                log_error("cannot create signal or event descriptors: %s", strerror(errno));
                return 1;
        }
        if (berth_engine_open(cfg, &engine, &err) < 0) {
                log_error("%s", err.message);
                return 1;
        }
        const berth_config *c = berth_engine_config(engine);
        if (listen_open(c->socket_path, &s.listen_fd, &s.socket_activated, &err) < 0) {
                log_error("%s", err.message);
                return 1;
        }
        s.engine = engine;
        berth_engine_set_wake_on_exit(engine, s.socket_activated);
        s.wake_fd = wake_fd;
        list_cache_init(&s.image_lists);
        list_cache_init(&s.container_lists);
        pthread_mutex_init(&s.streams_lock, NULL);
        s.idle_timeout = c->idle_timeout >= 0 ? c->idle_timeout
                                              : (s.socket_activated ? BERTH_DEFAULT_ACTIVATED_IDLE_TIMEOUT : 0);
        if (http_start(&s, &err) < 0) {
                log_error("%s", err.message);
                listen_close(s.listen_fd, c->socket_path, s.socket_activated);
                list_cache_done(&s.image_lists);
                list_cache_done(&s.container_lists);
                return 1;
        }
        systemd_notify("READY=1");
        systemd_unload();
        log_info("berthd %s serving on %s%s (root %s, runroot %s)", BERTH_VERSION,
                 s.socket_activated ? "a socket-activated socket" : c->socket_path,
                 s.idle_timeout > 0 ? ", idle exit enabled" : "", c->root, c->runroot);

        why = run(&s, signal_fd);
        log_info("shutting down: %s", why);
        systemd_notify("STOPPING=1");
        bool stopped = http_stop(&s, SHUTDOWN_GRACE_MS);
        listen_close(s.listen_fd, c->socket_path, s.socket_activated);
        if (stopped) {
                list_cache_done(&s.image_lists);
                list_cache_done(&s.container_lists);
        } else
                TAKE_PTR(engine);       /* still in use by stuck handlers; the process exits */
        return 0;
}

int main(int argc, char **argv) {
        struct options opts;
        berth_config cfg;
        berth_error err;
        int r;

        /* glibc gives each thread that allocates an arena of its own and keeps what is
         * freed there: with a pool of request threads that is megabytes held for nothing.
         * berthd's threads mostly wait, so two arenas are plenty. */
        mallopt(M_ARENA_MAX, 2);
        r = options_parse(argc, argv, &opts, &err);
        if (r >= 0 && !opts.help && !opts.version)
                r = options_resolve(&opts, &cfg, &err);
        if (r < 0) {
                fprintf(stderr, "berthd: %s\n", err.message);
                options_done(&opts);
                return 1;
        }
        if (opts.help || opts.version) {
                fputs(opts.help ? options_usage : "berthd version " BERTH_VERSION "\n", stdout);
                options_done(&opts);
                return 0;
        }
        options_done(&opts);
        berth_log_set_level((berth_log_level) cfg.log_level);
        r = serve(&cfg);
        berth_config_done(&cfg);
        return r;
}
