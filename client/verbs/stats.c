/* berth stats: libpod's stats reports, one table per report (redrawn on a terminal),
 * or through a Go template. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "http.h"
#include "output.h"
#include "verb.h"
#include "verbs/container.h"

static const char stats_usage[] =
        "Usage: berth stats [options] [CONTAINER...]\n"
        "\n"
        "Display the resource usage of containers (all of them without arguments), every\n"
        "--interval seconds until interrupted, or once with --no-stream.\n"
        "\n"
        "Options:\n"
        "  -a, --all                show every container (the default without arguments)\n"
        "      --format FORMAT      json, or a Go template: {{.ID}} {{.Name}} {{.CPUPerc}}\n"
        "                           {{.MemUsage}} {{.MemPerc}} {{.NetIO}} {{.BlockIO}} {{.PIDs}}\n"
        "                           {{.CPU}} {{.AVGCPU}}; \"table ...\" adds a heading\n"
        "  -i, --interval SECONDS   time between reports (default 5)\n"
        "      --no-reset           do not clear the terminal between reports\n"
        "      --no-stream          print one report and exit\n"
        "      --no-trunc           print full container IDs\n"
        "  -h, --help               print this help\n";

static const char default_format[] = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t"
                                     "{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}\t{{.CPU}}\t{{.AVGCPU}}";

struct stats_flags {
        bool no_stream, no_trunc, no_reset;
        const char *format;
        long interval;
        bool cleared;
};

/* go-units HumanSizeWithPrecision(n, 4), as podman's stats columns use. */
static void size4(double n, char *buf, size_t len) {
        static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
        size_t i = 0;

        while (n >= 1000.0 && i + 1 < ELEMENTSOF(units))
                n /= 1000.0, i++;
        snprintf(buf, len, "%.4g%s", n, units[i]);
}

/* Go's time.Duration.String(). */
static void stats_duration(uint64_t ns, char *buf, size_t len) {
        static const struct { uint64_t unit; const char *name; } small[] = {
                { 1000000, "ms" }, { 1000, "µs" }, { 1, "ns" },
        };
        char frac[32];

        if (ns == 0) {
                snprintf(buf, len, "0s");
                return;
        }
        if (ns < 1000000000ULL) {
                for (size_t i = 0; i < ELEMENTSOF(small); i++)
                        if (ns >= small[i].unit) {
                                snprintf(frac, sizeof(frac), "%.9g", (double) ns / (double) small[i].unit);
                                snprintf(buf, len, "%s%s", frac, small[i].name);
                                return;
                        }
        }
        uint64_t h = ns / 3600000000000ULL, m = ns / 60000000000ULL % 60;
        snprintf(frac, sizeof(frac), "%.9f", (double) (ns % 60000000000ULL) / 1e9);
        /* Trailing zeros (and a bare point) go, as Go prints "1m2.5s" and "3s". */
        for (char *e = frac + strlen(frac) - 1; *e == '0' || *e == '.'; e--) {
                bool dot = *e == '.';
                *e = '\0';
                if (dot)
                        break;
        }
        if (h)
                snprintf(buf, len, "%" PRIu64 "h%" PRIu64 "m%ss", h, m, frac);
        else if (m)
                snprintf(buf, len, "%" PRIu64 "m%ss", m, frac);
        else
                snprintf(buf, len, "%ss", frac);
}

static double num(const json_t *s, const char *key) {
        return json_number_value(json_object_get(s, key));
}

static json_t *pair(const json_t *s, const char *a, const char *b) {
        char x[32], y[32];

        size4(num(s, a), x, sizeof(x));
        size4(num(s, b), y, sizeof(y));
        return json_sprintf("%s / %s", x, y);
}

static json_t *row(const json_t *s, bool no_trunc) {
        const char *id = json_string_value(json_object_get(s, "ContainerID")) ?: "";
        json_t *v = json_deep_copy(s);
        char cpu[64];

        stats_duration((uint64_t) num(s, "CPUNano"), cpu, sizeof(cpu));
        json_object_set_new(v, "ID", json_stringn(id, no_trunc ? strlen(id) : strnlen(id, 12)));
        json_object_set_new(v, "CPUPerc", json_sprintf("%.2f%%", num(s, "CPU")));
        json_object_set_new(v, "MemUsage", pair(s, "MemUsage", "MemLimit"));
        json_object_set_new(v, "MemPerc", json_sprintf("%.2f%%", num(s, "MemPerc")));
        json_object_set_new(v, "NetIO", pair(s, "NetInput", "NetOutput"));
        json_object_set_new(v, "BlockIO", pair(s, "BlockInput", "BlockOutput"));
        json_object_set_new(v, "PIDs", json_sprintf("%lld", (long long) num(s, "PIDs")));
        json_object_set_new(v, "CPU", json_string(cpu));
        json_object_set_new(v, "AVGCPU", json_sprintf("%.2f%%", num(s, "AvgCPU")));
        return v;
}

static int print_report(struct stats_flags *f, const json_t *stats, berth_error *err) {
        size_t n = json_array_size(stats);
        json_t **rows = xnew0(json_t *, n + 1);
        int r;

        if (f->format && output_format_is_json(f->format)) {
                free(rows);
                return output_json(stdout, stats) < 0 ? berth_err(err, -EIO, "cannot write the stats") : 0;
        }
        for (size_t i = 0; i < n; i++)
                rows[i] = row(json_array_get(stats, i), f->no_trunc);
        /* A stream on a terminal redraws in place, as podman does. */
        if (!f->no_stream && !f->no_reset && isatty(STDOUT_FILENO))
                fputs("\033[2J\033[H", stdout);
        r = template_print_rows(f->format ?: default_format, rows, n, false, "ID", err);
        fflush(stdout);
        for (size_t i = 0; i < n; i++)
                json_decref(rows[i]);
        free(rows);
        return r;
}

static int on_line(void *userdata, const char *line, size_t len, berth_error *err) {
        _cleanup_(json_decrefp) json_t *report = json_loadb(line, len, 0, NULL);
        const json_t *e;

        if (!json_is_object(report))
                return len == 0 ? 0 : berth_err(err, -EBADMSG, "berthd sent an invalid stats report");
        e = json_object_get(report, "Error");
        if (e && !json_is_null(e)) {
                const char *m = json_string_value(e) ?: json_string_value(json_object_get(e, "message"));
                return berth_err(err, -EIO, "%s", m ?: "berthd could not read the stats");
        }
        return print_report(userdata, json_object_get(report, "Stats"), err);
}

static char *stats_path(const struct stats_flags *f, int argc, char **argv) {
        char *q = xasprintf("/containers/stats?stream=%s&interval=%ld", f->no_stream ? "false" : "true", f->interval);

        for (int i = optind; i < argc; i++) {
                _cleanup_free_ char *e = http_escape(argv[i], NULL);
                char *n = xasprintf("%s&containers=%s", q, e);
                free(q);
                q = n;
        }
        return q;
}

int cmd_stats(struct client *c, int argc, char **argv) {
        static const struct option options[] = {
                { "all", no_argument, NULL, 'a' },
                { "format", required_argument, NULL, 'F' },
                { "interval", required_argument, NULL, 'i' },
                { "no-reset", no_argument, NULL, 'R' },
                { "no-stream", no_argument, NULL, 'S' },
                { "no-trunc", no_argument, NULL, 'T' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        struct stats_flags f = { .interval = 5 };
        _cleanup_free_ char *path = NULL;
        char *end;
        int opt;

        while ((opt = verb_getopt(argc, argv, "ai:h", options, &c->error)) > 0) {
                switch (opt) {
                case 'a': break;
                case 'F': f.format = optarg; break;
                case 'i':
                        f.interval = strtol(optarg, &end, 10);
                        if (!*optarg || *end || f.interval < 1)
                                return berth_err(&c->error, -EINVAL, "invalid --interval \"%s\": whole seconds >= 1",
                                                 optarg);
                        break;
                case 'R': f.no_reset = true; break;
                case 'S': f.no_stream = true; break;
                case 'T': f.no_trunc = true; break;
                case 'h': return verb_usage(stats_usage);
                }
        }
        if (opt < 0)
                return opt;
        path = stats_path(&f, argc, argv);
        return client_request_stream(c, "GET", path, NULL, on_line, &f, &c->error);
}
