/* berth logs: libpod's log stream (always framed) split back onto stdout and stderr. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "attach-session.h"
#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "http.h"
#include "verb.h"
#include "verbs/container.h"

static const char logs_usage[] =
        "Usage: berth logs [options] CONTAINER [CONTAINER...]\n"
        "\n"
        "Print a container's output: standard output to standard output, standard error to\n"
        "standard error.\n"
        "\n"
        "Options:\n"
        "  -f, --follow          keep printing new output until the container stops\n"
        "      --since TIME      only output since TIME (RFC 3339, Unix seconds or a\n"
        "                        duration such as 10m, before now)\n"
        "      --until TIME      only output before TIME (same forms)\n"
        "  -t, --timestamps      prefix each line with its time\n"
        "      --tail N          only the last N lines (-1: all)\n"
        "  -h, --help            print this help\n";

struct logs_flags {
        bool follow, timestamps;
        const char *since, *until, *tail;
};

struct logs_stream {
        struct frame_demux demux;
};

static int write_frame(void *userdata, int stream, const char *data, size_t len) {
        FILE *f = stream == 2 || stream == 3 ? stderr : stdout;

        (void) userdata;
        /* stdio keeps stdout and stderr each in order; flush per frame keeps them interleaved. */
        if (fwrite(data, 1, len, f) != len)
                return -EIO;
        fflush(f);
        return 0;
}

static int on_bytes(void *userdata, const void *data, size_t len, berth_error *err) {
        struct logs_stream *s = userdata;
        int r = frame_demux_feed(&s->demux, data, len, write_frame, NULL);

        if (r == -EBADMSG)
                return berth_err(err, r, "berthd sent a malformed log frame");
        if (r < 0)
                return berth_err_errno(err, r, "cannot write the logs");
        return 0;
}

static void add_param(char **q, const char *key, const char *value) {
        _cleanup_free_ char *escaped = http_escape(value, NULL);
        char *n = xasprintf("%s&%s=%s", *q, key, escaped);

        free(*q);
        *q = n;
}

static int logs_one(struct client *c, const char *name, void *userdata, berth_error *err) {
        const struct logs_flags *f = userdata;
        _cleanup_free_ char *q = xasprintf("/logs?stdout=true&stderr=true&follow=%s&timestamps=%s",
                                           f->follow ? "true" : "false", f->timestamps ? "true" : "false");
        _cleanup_free_ char *path = NULL;
        struct logs_stream s = { 0 };

        if (f->since)
                add_param(&q, "since", f->since);
        if (f->until)
                add_param(&q, "until", f->until);
        if (f->tail)
                add_param(&q, "tail", f->tail);
        path = container_path(name, q);
        return client_request_download(c, path, on_bytes, &s, err);
}

int cmd_logs(struct client *c, int argc, char **argv) {
        static const struct option options[] = {
                { "follow", no_argument, NULL, 'f' },
                { "since", required_argument, NULL, 's' },
                { "until", required_argument, NULL, 'u' },
                { "timestamps", no_argument, NULL, 't' },
                { "tail", required_argument, NULL, 'n' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        struct logs_flags f = { 0 };
        char *end;
        int opt, r;

        while ((opt = verb_getopt(argc, argv, "fth", options, &c->error)) > 0) {
                switch (opt) {
                case 'f': f.follow = true; break;
                case 's': f.since = optarg; break;
                case 'u': f.until = optarg; break;
                case 't': f.timestamps = true; break;
                case 'n':
                        if (!*optarg || (strtol(optarg, &end, 10), *end))
                                return berth_err(&c->error, -EINVAL, "invalid argument \"%s\" for \"--tail\" flag: "
                                                 "strconv.ParseInt: parsing \"%s\": invalid syntax", optarg, optarg);
                        f.tail = optarg;
                        break;
                case 'h': return verb_usage(logs_usage);
                }
        }
        if (opt < 0 || (r = verb_args(argc, 1, -1, &c->error)) < 0)
                return opt < 0 ? opt : r;
        return container_each(c, argc, argv, logs_one, &f);
}
