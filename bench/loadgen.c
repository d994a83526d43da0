/* berth-loadgen: keep-alive HTTP/1.1 load over a Unix socket from one epoll thread; each
 * connection sends its next request once the previous response is fully read. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "berth/cleanup.h"
#include "clock.h"
#include "histogram.h"
#include "http-response.h"
#include "unix-client.h"

#define MAX_CONNECTIONS 10000
#define RECONNECT_PAUSE_NS (10 * 1000 * 1000)
#define NS_PER_S 1000000000.0

struct options {
        const char *socket_path;
        const char *method;
        const char *path;
        unsigned connections;
        double duration;
        double warmup;
        bool json;
};

struct conn {
        int fd;                 /* -1 while down, until the next reconnect attempt */
        bool busy;              /* a request is out, its response not yet complete */
        bool want_out;          /* EPOLLOUT is armed for the rest of a request */
        size_t written;
        int64_t sent_ns;
        struct http_response resp;
};

struct stats {
        uint64_t requests;      /* completed in the measured window */
        uint64_t non_2xx;
        uint64_t errors;        /* over the whole run, warm-up included */
        uint64_t reconnects;
        struct histogram latency_us;
};

struct loadgen {
        const struct options *opts;
        char request[8192];
        size_t request_len;
        bool head;
        int epoll_fd;
        struct conn *conns;
        bool measuring;
        int64_t measure_start_ns, end_ns, last_retry_ns;
        struct rusage usage_start;
        struct stats stats;
        char buf[64 * 1024];
};

static const char usage[] =
        "Usage: berth-loadgen --socket PATH --path PATH [OPTIONS]\n"
        "\n"
        "Keep-alive HTTP/1.1 load over a Unix socket: each connection sends its next\n"
        "request as soon as the previous response is complete (no pipelining).\n"
        "\n"
        "  --socket PATH        Unix socket to connect to\n"
        "  --path PATH          request target, e.g. /_ping\n"
        "  --method METHOD      request method (default GET)\n"
        "  --connections N      concurrent connections (default 1)\n"
        "  --duration SECONDS   measured time (default 5)\n"
        "  --warmup SECONDS     unmeasured load before it (default 1)\n"
        "  --json               print one JSON object line\n"
        "  --help               print this help\n";

/* ---- options ---- */

static int parse_seconds(const char *arg, const char *flag, bool allow_zero, double *ret) {
        char *end;
        double v = strtod(arg, &end);
        if (end == arg || *end || !(v >= 0) || (!allow_zero && v == 0) || v > 86400) {
                fprintf(stderr, "berth-loadgen: --%s: '%s' is not a valid number of seconds\n", flag, arg);
                return -EINVAL;
        }
        *ret = v;
        return 0;
}

static int parse_connections(const char *arg, unsigned *ret) {
        char *end;
        long v = strtol(arg, &end, 10);
        if (end == arg || *end || v < 1 || v > MAX_CONNECTIONS) {
                fprintf(stderr, "berth-loadgen: --connections: '%s' is not a number from 1 to %d\n", arg,
                        MAX_CONNECTIONS);
                return -EINVAL;
        }
        *ret = (unsigned) v;
        return 0;
}

/* Returns 1 after --help, 0 to run, a negative errno on bad usage. */
static int parse_options(int argc, char **argv, struct options *o) {
        enum { OPT_SOCKET = 256, OPT_PATH, OPT_METHOD, OPT_CONNECTIONS, OPT_DURATION, OPT_WARMUP, OPT_JSON };
        static const struct option longopts[] = {
                { "socket", required_argument, NULL, OPT_SOCKET },
                { "path", required_argument, NULL, OPT_PATH },
                { "method", required_argument, NULL, OPT_METHOD },
                { "connections", required_argument, NULL, OPT_CONNECTIONS },
                { "duration", required_argument, NULL, OPT_DURATION },
                { "warmup", required_argument, NULL, OPT_WARMUP },
                { "json", no_argument, NULL, OPT_JSON },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int opt, r = 0;

        *o = (struct options) { .method = "GET", .connections = 1, .duration = 5, .warmup = 1 };
        while (r >= 0 && (opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                switch (opt) {
                case OPT_SOCKET: o->socket_path = optarg; break;
                case OPT_PATH: o->path = optarg; break;
                case OPT_METHOD: o->method = optarg; break;
                case OPT_CONNECTIONS: r = parse_connections(optarg, &o->connections); break;
                case OPT_DURATION: r = parse_seconds(optarg, "duration", false, &o->duration); break;
                case OPT_WARMUP: r = parse_seconds(optarg, "warmup", true, &o->warmup); break;
                case OPT_JSON: o->json = true; break;
                case 'h': fputs(usage, stdout); return 1;
                default: r = -EINVAL; break;
                }
        }
        if (r >= 0 && (optind < argc || !o->socket_path || !o->path)) {
                fprintf(stderr, "berth-loadgen: %s\n", optind < argc ? "unexpected argument" : "--socket and --path are required");
                r = -EINVAL;
        }
        if (r < 0)
                fputs(usage, stderr);
        return r;
}

/* ---- connections ---- */

static int conn_open(struct loadgen *lg, struct conn *c) {
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
        int r = unix_connect(lg->opts->socket_path, true, &c->fd);

        if (r < 0)
                return r;
        if (epoll_ctl(lg->epoll_fd, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
                r = -errno;
                c->fd = safe_close(c->fd);
                return r;
        }
        c->busy = c->want_out = false;
        return 0;
}

static void conn_close(struct conn *c) {
        /* Closing the only reference also takes the fd out of the epoll set. */
        c->fd = safe_close(c->fd);
        c->busy = c->want_out = false;
}

static void set_want_out(struct loadgen *lg, struct conn *c, bool on) {
        struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c };
        if (c->want_out != on && epoll_ctl(lg->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev) == 0)
                c->want_out = on;
}

static void conn_reconnect(struct loadgen *lg, struct conn *c);

static void conn_fail(struct loadgen *lg, struct conn *c) {
        lg->stats.errors++;
        conn_reconnect(lg, c);
}

static void conn_write(struct loadgen *lg, struct conn *c) {
        while (c->written < lg->request_len) {
                ssize_t n = send(c->fd, lg->request + c->written, lg->request_len - c->written, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN) {
                        set_want_out(lg, c, true);
                        return;
                }
                if (n < 0) {
                        conn_fail(lg, c);
                        return;
                }
                c->written += (size_t) n;
        }
        set_want_out(lg, c, false);
}

static void conn_send(struct loadgen *lg, struct conn *c) {
        http_response_reset(&c->resp, lg->head);
        c->busy = true;
        c->written = 0;
        c->sent_ns = clock_ns();
        conn_write(lg, c);
}

/* Replaces a connection the server closed or broke; a failure leaves it down until the
 * main loop retries. */
static void conn_reconnect(struct loadgen *lg, struct conn *c) {
        conn_close(c);
        lg->stats.reconnects++;
        if (conn_open(lg, c) < 0) {
                lg->stats.errors++;
                return;
        }
        if (clock_ns() < lg->end_ns)
                conn_send(lg, c);
}

/* ---- responses ---- */

static void conn_complete(struct loadgen *lg, struct conn *c) {
        int64_t now = clock_ns();

        c->busy = false;
        if (lg->measuring) {
                lg->stats.requests++;
                if (c->resp.status < 200 || c->resp.status > 299)
                        lg->stats.non_2xx++;
                histogram_add(&lg->stats.latency_us, (uint64_t) (now - c->sent_ns) / 1000);
        }
        if (!c->resp.keep_alive)
                conn_reconnect(lg, c);
        else if (now < lg->end_ns)
                conn_send(lg, c);
}

/* Feeds one read's bytes; returns false when the connection was replaced. */
static bool conn_take(struct loadgen *lg, struct conn *c, size_t len) {
        ssize_t used;

        if (!c->busy) {
                conn_fail(lg, c);       /* bytes nobody asked for */
                return false;
        }
        used = http_response_feed(&c->resp, lg->buf, len);
        if (used < 0 || (http_response_done(&c->resp) && (size_t) used < len)) {
                conn_fail(lg, c);       /* malformed, or more than one response */
                return false;
        }
        if (http_response_done(&c->resp)) {
                conn_complete(lg, c);
                return false;   /* nothing more to read until the next request */
        }
        return true;
}

static void conn_read(struct loadgen *lg, struct conn *c) {
        for (;;) {
                ssize_t n = read(c->fd, lg->buf, sizeof(lg->buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return;
                if (n < 0) {
                        conn_fail(lg, c);
                        return;
                }
                if (n == 0) {
                        if (c->busy && http_response_eof(&c->resp) == 0)
                                conn_complete(lg, c);   /* not keep-alive: reconnects */
                        else
                                conn_fail(lg, c);
                        return;
                }
                if (!conn_take(lg, c, (size_t) n) || (size_t) n < sizeof(lg->buf))
                        return;
        }
}

static void conn_event(struct loadgen *lg, struct conn *c, uint32_t events) {
        if ((events & EPOLLOUT) && c->busy && c->written < lg->request_len) {
                conn_write(lg, c);
                if (c->fd < 0)
                        return;
        }
        if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
                conn_read(lg, c);
}

/* ---- the run ---- */

static void begin_measuring(struct loadgen *lg) {
        uint64_t errors = lg->stats.errors, reconnects = lg->stats.reconnects;

        lg->stats = (struct stats) { .errors = errors, .reconnects = reconnects };
        getrusage(RUSAGE_SELF, &lg->usage_start);
        lg->measuring = true;
}

static void retry_down(struct loadgen *lg, int64_t now) {
        if (now - lg->last_retry_ns < RECONNECT_PAUSE_NS)
                return;
        lg->last_retry_ns = now;
        for (unsigned i = 0; i < lg->opts->connections; i++)
                if (lg->conns[i].fd < 0)
                        conn_reconnect(lg, &lg->conns[i]);
}

static bool any_down(const struct loadgen *lg) {
        for (unsigned i = 0; i < lg->opts->connections; i++)
                if (lg->conns[i].fd < 0)
                        return true;
        return false;
}

static int wait_ms(const struct loadgen *lg, int64_t now) {
        int64_t next = lg->measuring ? lg->end_ns : lg->measure_start_ns;
        int64_t ms = (next - now + 999999) / 1000000;
        if (any_down(lg) && ms > RECONNECT_PAUSE_NS / 1000000)
                ms = RECONNECT_PAUSE_NS / 1000000;
        return ms > INT_MAX ? INT_MAX : (int) ms;
}

static int64_t run(struct loadgen *lg) {
        struct epoll_event events[64];
        int64_t now;

        for (unsigned i = 0; i < lg->opts->connections; i++)
                conn_send(lg, &lg->conns[i]);
        while ((now = clock_ns()) < lg->end_ns) {
                if (!lg->measuring && now >= lg->measure_start_ns)
                        begin_measuring(lg);
                int n = epoll_wait(lg->epoll_fd, events, (int) ELEMENTSOF(events), wait_ms(lg, now));
                if (n < 0 && errno != EINTR) {
                        perror("berth-loadgen: epoll_wait");
                        break;
                }
                for (int i = 0; i < n; i++) {
                        struct conn *c = events[i].data.ptr;
                        if (c->fd >= 0)
                                conn_event(lg, c, events[i].events);
                }
                if (any_down(lg))
                        retry_down(lg, clock_ns());
        }
        return now;
}

static int open_all(struct loadgen *lg) {
        for (unsigned i = 0; i < lg->opts->connections; i++) {
                lg->conns[i].fd = -1;
                int r = conn_open(lg, &lg->conns[i]);
                if (r < 0) {
                        fprintf(stderr, "berth-loadgen: cannot connect to %s: %s\n", lg->opts->socket_path,
                                strerror(-r));
                        return r;
                }
        }
        return 0;
}

static void close_all(struct loadgen *lg) {
        for (unsigned i = 0; lg->conns && i < lg->opts->connections; i++)
                conn_close(&lg->conns[i]);
        free(lg->conns);
        lg->conns = NULL;
        lg->epoll_fd = safe_close(lg->epoll_fd);
}

static double cpu_seconds(const struct rusage *u) {
        return (double) u->ru_utime.tv_sec + (double) u->ru_utime.tv_usec / 1e6 + (double) u->ru_stime.tv_sec +
               (double) u->ru_stime.tv_usec / 1e6;
}

/* ---- output ---- */

static void print_json_string(const char *s) {
        putchar('"');
        for (; *s; s++) {
                unsigned char ch = (unsigned char) *s;
                if (ch == '"' || ch == '\\')
                        printf("\\%c", ch);
                else if (ch < 0x20)
                        printf("\\u%04x", ch);
                else
                        putchar(ch);
        }
        putchar('"');
}

static void report(const struct loadgen *lg, double elapsed, double cpu_pct) {
        const struct options *o = lg->opts;
        const struct stats *s = &lg->stats;
        const struct histogram *h = &s->latency_us;
        double rps = elapsed > 0 ? (double) s->requests / elapsed : 0;
        uint64_t p50 = histogram_percentile(h, 50), p90 = histogram_percentile(h, 90),
                 p99 = histogram_percentile(h, 99);

        if (o->json) {
                printf("{\"socket\":");
                print_json_string(o->socket_path);
                printf(",\"method\":");
                print_json_string(o->method);
                printf(",\"path\":");
                print_json_string(o->path);
                printf(",\"connections\":%u,\"duration_s\":%.3f,\"warmup_s\":%.3f,\"requests\":%llu,"
                       "\"rps\":%.1f,\"non_2xx\":%llu,\"errors\":%llu,\"reconnects\":%llu,\"p50_us\":%llu,"
                       "\"p90_us\":%llu,\"p99_us\":%llu,\"max_us\":%llu,\"cpu_pct\":%.1f}\n",
                       o->connections, elapsed, o->warmup, (unsigned long long) s->requests, rps,
                       (unsigned long long) s->non_2xx, (unsigned long long) s->errors,
                       (unsigned long long) s->reconnects, (unsigned long long) p50, (unsigned long long) p90,
                       (unsigned long long) p99, (unsigned long long) h->max, cpu_pct);
                return;
        }
        printf("%s %s on %s: %u connection%s, %.2f s measured after %.2f s warm-up\n", o->method, o->path,
               o->socket_path, o->connections, o->connections == 1 ? "" : "s", elapsed, o->warmup);
        printf("  requests/s    %.0f\n", rps);
        printf("  requests      %llu\n", (unsigned long long) s->requests);
        printf("  non-2xx       %llu\n", (unsigned long long) s->non_2xx);
        printf("  errors        %llu\n", (unsigned long long) s->errors);
        printf("  reconnects    %llu\n", (unsigned long long) s->reconnects);
        printf("  latency (us)  p50 %llu  p90 %llu  p99 %llu  max %llu\n", (unsigned long long) p50,
               (unsigned long long) p90, (unsigned long long) p99, (unsigned long long) h->max);
        printf("  loadgen CPU   %.0f%% of one core\n", cpu_pct);
}

static int prepare(struct loadgen *lg, const struct options *o) {
        int n = http_request_format(lg->request, sizeof(lg->request), o->method, o->path);
        if (n < 0) {
                fprintf(stderr, "berth-loadgen: the request line is too long\n");
                return n;
        }
        lg->request_len = (size_t) n;
        lg->head = strcmp(o->method, "HEAD") == 0;
        lg->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (lg->epoll_fd < 0) {
                perror("berth-loadgen: epoll_create1");
                return -errno;
        }
        lg->conns = calloc(o->connections, sizeof(*lg->conns));
        if (!lg->conns)
                abort();
        return open_all(lg);
}

int main(int argc, char **argv) {
        static struct loadgen lg;       /* large buffers: not on the stack */
        struct options opts;
        struct rusage usage_end;
        int64_t start, stopped;
        int r;

        r = parse_options(argc, argv, &opts);
        if (r != 0)
                return r > 0 ? 0 : 2;
        lg.opts = &opts;
        lg.epoll_fd = -1;
        r = prepare(&lg, &opts);
        if (r < 0) {
                close_all(&lg);
                return 1;
        }
        start = clock_ns();
        lg.measure_start_ns = start + (int64_t) (opts.warmup * NS_PER_S);
        lg.end_ns = lg.measure_start_ns + (int64_t) (opts.duration * NS_PER_S);
        if (opts.warmup == 0)
                begin_measuring(&lg);
        stopped = run(&lg);
        getrusage(RUSAGE_SELF, &usage_end);
        close_all(&lg);

        double elapsed = lg.measuring ? (double) (stopped - lg.measure_start_ns) / NS_PER_S : 0;
        double cpu = elapsed > 0 ? (cpu_seconds(&usage_end) - cpu_seconds(&lg.usage_start)) / elapsed * 100 : 0;
        report(&lg, elapsed, cpu);
        if (lg.stats.requests == 0) {
                fprintf(stderr, "berth-loadgen: no response completed in the measured time\n");
                return 1;
        }
        return 0;
}
