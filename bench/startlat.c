/* berth-startlat: how long a daemon takes from fork to its first answered GET /_ping, and
 * its resident memory right after that and once idle. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "berth/cleanup.h"
#include "clock.h"
#include "http-response.h"
#include "unix-client.h"

#define CONNECT_PAUSE_NS (50 * 1000)
#define REAP_PAUSE_NS (100 * 1000)
#define STOP_GRACE_NS (10 * 1000000000LL)
#define NS_PER_S 1000000000.0
#define NS_PER_MS 1000000.0

struct options {
        const char *socket_path;
        unsigned runs;
        double idle;
        double timeout;
        bool json;
        bool activate;
        char **cmd;
};

struct sample {
        double start_ms;
        double rss_first_kib;
        double rss_idle_kib;
        double stop_ms;
};

static volatile sig_atomic_t interrupted;

static const char usage[] =
        "Usage: berth-startlat --socket PATH [OPTIONS] -- CMD [ARGS...]\n"
        "\n"
        "Runs CMD (stdin, stdout and stderr on /dev/null) RUNS times. Each run first\n"
        "removes PATH, so that only a socket CMD creates can answer, then times fork to\n"
        "the first 200 answer to GET /_ping on PATH, reads CMD's VmRSS right after it\n"
        "and after IDLE seconds, and stops CMD with SIGTERM (SIGKILL after 10 s).\n"
        "With --activate, the socket is bound before the fork and passed to CMD as\n"
        "systemd's socket activation does (fd 3, LISTEN_FDS=1, LISTEN_PID).\n"
        "\n"
        "  --socket PATH        the socket CMD serves on (removed before every run)\n"
        "  --runs N             runs (default 10)\n"
        "  --idle SECONDS       idle time before the second RSS reading (default 1)\n"
        "  --timeout SECONDS    how long one start may take (default 10)\n"
        "  --activate           socket-activate CMD (see above)\n"
        "  --json               print one JSON object line\n"
        "  --help               print this help\n";

/* ---- options ---- */

static int parse_number(const char *arg, const char *flag, double min, double max, double *ret) {
        char *end;
        double v = strtod(arg, &end);
        if (end == arg || *end || !(v >= min) || v > max) {
                fprintf(stderr, "berth-startlat: --%s: '%s' is not a number from %g to %g\n", flag, arg, min, max);
                return -EINVAL;
        }
        *ret = v;
        return 0;
}

/* Returns 1 after --help, 0 to run, a negative errno on bad usage. */
static int parse_options(int argc, char **argv, struct options *o) {
        enum { OPT_SOCKET = 256, OPT_RUNS, OPT_IDLE, OPT_TIMEOUT, OPT_JSON, OPT_ACTIVATE };
        static const struct option longopts[] = {
                { "socket", required_argument, NULL, OPT_SOCKET },
                { "runs", required_argument, NULL, OPT_RUNS },
                { "idle", required_argument, NULL, OPT_IDLE },
                { "timeout", required_argument, NULL, OPT_TIMEOUT },
                { "json", no_argument, NULL, OPT_JSON },
                { "activate", no_argument, NULL, OPT_ACTIVATE },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        double runs = 10;
        int opt, r = 0;

        *o = (struct options) { .idle = 1, .timeout = 10 };
        while (r >= 0 && (opt = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
                switch (opt) {
                case OPT_SOCKET: o->socket_path = optarg; break;
                case OPT_RUNS: r = parse_number(optarg, "runs", 1, 1000, &runs); break;
                case OPT_IDLE: r = parse_number(optarg, "idle", 0, 3600, &o->idle); break;
                case OPT_TIMEOUT: r = parse_number(optarg, "timeout", 0.001, 3600, &o->timeout); break;
                case OPT_JSON: o->json = true; break;
                case OPT_ACTIVATE: o->activate = true; break;
                case 'h': fputs(usage, stdout); return 1;
                default: r = -EINVAL; break;
                }
        }
        if (r >= 0 && (!o->socket_path || optind >= argc)) {
                fprintf(stderr, "berth-startlat: %s\n", o->socket_path ? "no command given after --" : "--socket is required");
                r = -EINVAL;
        }
        if (r < 0) {
                fputs(usage, stderr);
                return r;
        }
        o->runs = (unsigned) runs;
        o->cmd = argv + optind;
        return 0;
}

/* ---- the child ---- */

static void on_signal(int sig) {
        interrupted = sig;
}

static void catch_signals(void) {
        struct sigaction sa = { .sa_handler = on_signal };  /* no SA_RESTART: sleeps end early */
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
}

/* listen_fd >= 0: passed as fd 3 the way systemd passes a socket-activated one. */
static _Noreturn void exec_child(char **cmd, pid_t parent, int listen_fd) {
        int null = open("/dev/null", O_RDWR);   /* no O_CLOEXEC: it becomes fds 0, 1 and 2 */
        char pid[32];

        if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
                _exit(126);
        if (listen_fd >= 0) {
                snprintf(pid, sizeof(pid), "%d", (int) getpid());
                /* dup2() onto itself keeps FD_CLOEXEC: clear it by hand then. */
                if ((listen_fd == 3 ? fcntl(3, F_SETFD, 0) : dup2(listen_fd, 3)) < 0 ||
                    setenv("LISTEN_FDS", "1", 1) < 0 || setenv("LISTEN_PID", pid, 1) < 0)
                        _exit(126);
        }
        /* Nothing else we inherited (a caller's pipe, say) reaches the daemon under test. */
        close_range(listen_fd >= 0 ? 4 : 3, ~0u, 0);
        /* Its own process group, so that stopping reaches what a wrapper (env, sh, strace)
         * starts too; and never outlive the benchmark, even if it is killed outright. */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
                _exit(126);
        execvp(cmd[0], cmd);
        _exit(127);
}

/* Waits up to grace_ns for pid to exit. Returns 1 when reaped (status in *ret_status). */
static int reap_within(pid_t pid, int64_t grace_ns, int *ret_status) {
        int64_t deadline = clock_ns() + grace_ns;
        for (;;) {
                pid_t r = waitpid(pid, ret_status, WNOHANG);
                if (r == pid)
                        return 1;
                if (r < 0 && errno != EINTR)
                        return -errno;
                if (clock_ns() >= deadline)
                        return 0;
                sleep_ns(REAP_PAUSE_NS);
        }
}

/* SIGTERM to the child's process group, SIGKILL after the grace time; always reaps the
 * child and kills what is left of its group. Returns ms until the child exited. */
static double stop_child(pid_t pid, bool *ret_killed) {
        int64_t start = clock_ns();
        double ms;
        int status;

        *ret_killed = false;
        kill(-pid, SIGTERM);
        if (reap_within(pid, STOP_GRACE_NS, &status) == 0) {
                *ret_killed = true;
                kill(-pid, SIGKILL);
                while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                        ;
        }
        ms = (double) (clock_ns() - start) / NS_PER_MS;
        if (kill(-pid, 0) == 0)
                kill(-pid, SIGKILL);    /* stragglers of a wrapper that did not wait for them */
        return ms;
}

static void describe_exit(int status, char *buf, size_t size) {
        if (WIFEXITED(status))
                snprintf(buf, size, "exited with status %d%s", WEXITSTATUS(status),
                         WEXITSTATUS(status) == 127 ? " (could it be executed?)" : "");
        else
                snprintf(buf, size, "was killed by signal %d", WTERMSIG(status));
}

/* Resident memory of pid in KiB, from VmRSS; -1 when unreadable. */
static double read_rss_kib(pid_t pid) {
        char path[64], line[256];
        _cleanup_fclose_ FILE *f = NULL;
        long kib = -1;

        snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
        f = fopen(path, "re");
        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
                        break;
        return (double) kib;
}

/* ---- the probe ---- */

/* One GET /_ping on a connected socket. Returns the status, or a negative errno. */
static int ping_once(int fd, int64_t deadline) {
        struct http_response resp;
        char buf[4096];
        int r = http_request_format(buf, sizeof(buf), "GET", "/_ping");

        if (r >= 0)
                r = write_all(fd, buf, (size_t) r);
        if (r < 0)
                return r;
        http_response_reset(&resp, false);
        while (!http_response_done(&resp)) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                int64_t left_ms = (deadline - clock_ns()) / 1000000;
                if (left_ms <= 0 || interrupted)
                        return -ETIMEDOUT;
                if (poll(&p, 1, (int) (left_ms < 1000 ? left_ms : 1000)) <= 0)
                        continue;
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : http_response_eof(&resp) == 0 ? (int) resp.status : -EPIPE;
                if (http_response_feed(&resp, buf, (size_t) n) < 0)
                        return -EPROTO;
        }
        return (int) resp.status;
}

/* Spins on connect + GET /_ping until a 200, the child's exit, or the deadline. */
static int wait_ready(pid_t pid, const char *socket_path, int64_t deadline, char *why, size_t why_size) {
        int status, last = 0;

        for (;;) {
                _cleanup_close_ int fd = -1;
                if (interrupted)
                        return snprintf(why, why_size, "interrupted"), -EINTR;
                if (waitpid(pid, &status, WNOHANG) == pid) {
                        describe_exit(status, why, why_size);
                        return -ECHILD;
                }
                if (unix_connect(socket_path, false, &fd) == 0) {
                        last = ping_once(fd, deadline);
                        if (last == 200)
                                return 0;
                }
                if (clock_ns() >= deadline) {
                        if (last > 0)
                                snprintf(why, why_size, "answered GET /_ping only with status %d", last);
                        else
                                snprintf(why, why_size, "did not answer GET /_ping on %s in time", socket_path);
                        return -ETIMEDOUT;
                }
                sleep_ns(CONNECT_PAUSE_NS);
        }
}

/* ---- runs ---- */

static void sleep_interruptibly(double seconds) {
        int64_t deadline = clock_ns() + (int64_t) (seconds * NS_PER_S);
        while (!interrupted && clock_ns() < deadline)
                sleep_ns(deadline - clock_ns() < 10000000 ? deadline - clock_ns() : 10000000);
}

static int run_once(const struct options *o, unsigned n, struct sample *ret) {
        char why[256] = "";
        bool killed;
        int64_t start;
        pid_t pid, self = getpid();
        _cleanup_close_ int listen_fd = -1;
        int r;

        if (unlink(o->socket_path) < 0 && errno != ENOENT) {
                fprintf(stderr, "berth-startlat: cannot remove %s: %s\n", o->socket_path, strerror(errno));
                return -errno;
        }
        if (o->activate) {
                listen_fd = unix_listen(o->socket_path);
                if (listen_fd < 0) {
                        fprintf(stderr, "berth-startlat: cannot listen on %s: %s\n", o->socket_path,
                                strerror(-listen_fd));
                        return listen_fd;
                }
        }
        start = clock_ns();
        pid = fork();
        if (pid < 0) {
                perror("berth-startlat: fork");
                return -errno;
        }
        if (pid == 0)
                exec_child(o->cmd, self, listen_fd);
        setpgid(pid, pid);      /* as the child does: whichever runs first */

        r = wait_ready(pid, o->socket_path, start + (int64_t) (o->timeout * NS_PER_S), why, sizeof(why));
        if (r == -ECHILD) {
                fprintf(stderr, "berth-startlat: run %u: %s %s before answering\n", n, o->cmd[0], why);
                return r;
        }
        if (r == 0) {
                ret->start_ms = (double) (clock_ns() - start) / NS_PER_MS;
                ret->rss_first_kib = read_rss_kib(pid);
                sleep_interruptibly(o->idle);
                ret->rss_idle_kib = read_rss_kib(pid);
        }
        ret->stop_ms = stop_child(pid, &killed);
        if (r < 0)
                fprintf(stderr, "berth-startlat: run %u: %s %s\n", n, o->cmd[0], why);
        else if (interrupted)
                r = -EINTR;
        else if (killed)
                fprintf(stderr, "berth-startlat: run %u: %s ignored SIGTERM for 10 s; killed\n", n, o->cmd[0]);
        return r;
}

/* ---- output ---- */

static int compare_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

/* Median, min and max of one field across the samples. */
static void summarize(const struct sample *s, unsigned n, size_t field, double ret[3]) {
        double *v = calloc(n, sizeof(double));
        if (!v)
                abort();
        for (unsigned i = 0; i < n; i++)
                v[i] = *(const double *) ((const char *) &s[i] + field);
        qsort(v, n, sizeof(double), compare_double);
        ret[0] = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        ret[1] = v[0];
        ret[2] = v[n - 1];
        free(v);
}

static void report(const struct options *o, const struct sample *s) {
        static const struct {
                const char *key, *label;
                int decimals;
                size_t field;
        } rows[] = {
                { "start_ms", "start to first /_ping 200 (ms)", 2, offsetof(struct sample, start_ms) },
                { "rss_first_kib", "RSS at first answer (KiB)", 0, offsetof(struct sample, rss_first_kib) },
                { "rss_idle_kib", "RSS after idle time (KiB)", 0, offsetof(struct sample, rss_idle_kib) },
                { "stop_ms", "SIGTERM to exit (ms)", 2, offsetof(struct sample, stop_ms) },
        };
        static const char *const stat_names[] = { "median", "min", "max" };
        double v[3];

        if (o->json)
                printf("{\"runs\":%u,\"idle_s\":%.3f", o->runs, o->idle);
        else
                printf("%s: %u runs, RSS read again after %.2f s idle\n", o->cmd[0], o->runs, o->idle);
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                summarize(s, o->runs, rows[i].field, v);
                if (!o->json)
                        printf("  %-32s", rows[i].label);
                for (int k = 0; k < 3; k++) {
                        if (o->json)
                                printf(",\"%s_%s\":", rows[i].key, stat_names[k]);
                        else
                                printf("  %s ", stat_names[k]);
                        printf("%.*f", rows[i].decimals, v[k]);
                }
                if (!o->json)
                        putchar('\n');
        }
        if (o->json)
                printf("}\n");
}

int main(int argc, char **argv) {
        _cleanup_free_ struct sample *samples = NULL;
        struct options opts;
        int r = parse_options(argc, argv, &opts);

        if (r != 0)
                return r > 0 ? 0 : 2;
        catch_signals();
        samples = calloc(opts.runs, sizeof(*samples));
        if (!samples)
                abort();
        for (unsigned i = 0; i < opts.runs; i++)
                if (run_once(&opts, i + 1, &samples[i]) < 0)
                        return interrupted ? 128 + interrupted : 1;
        report(&opts, samples);
        return 0;
}
