/* berth history: podman's table of one image's layers, from libpod's
 * GET /images/{name}/history. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "http.h"
#include "image-name.h"
#include "output.h"
#include "units.h"
#include "verb.h"
#include "verbs/image.h"

static const char history_usage[] =
        "Usage: berth history [options] IMAGE\n"
        "\n"
        "Show the history of an image: its layers and the commands that made them, newest first.\n"
        "\n"
        "Options:\n"
        "      --format FORMAT   json: print the history as JSON\n"
        "      --no-trunc        print full IDs and commands\n"
        "  -q, --quiet           print only the IDs\n"
        "  -h, --help            print this help\n";

struct history_flags {
        bool no_trunc, quiet;
        const char *format;
};

/* podman history's CREATED BY: 45 bytes at most, the cut marked with "...". */
static void created_by_column(const char *s, bool no_trunc, char *buf, size_t n) {
        if (no_trunc || strlen(s) <= 45)
                snprintf(buf, n, "%s", s);
        else
                snprintf(buf, n, "%.42s...", s);
}

/* podman history's ID: 12 hex digits unless --no-trunc; "<missing>" as it is. */
static void layer_id_column(const char *id, bool no_trunc, char *buf, size_t n) {
        const char *hex = image_id_hex(id);

        snprintf(buf, n, no_trunc || strlen(hex) < 12 ? "%s" : "%.12s", hex);
}

static void print_history_table(const json_t *layers, const struct history_flags *f) {
        struct output_table t;
        time_t now = time(NULL);
        size_t i;
        json_t *l;

        output_table_init(&t, f->quiet ? 1 : 5);
        if (!f->quiet)
                output_table_add(&t, (const char *[]) { "ID", "CREATED", "CREATED BY", "SIZE", "COMMENT" });
        json_array_foreach(layers, i, l) {
                const char *created_by = json_string_value(json_object_get(l, "CreatedBy")) ?: "";
                _cleanup_free_ char *by = xmalloc(strlen(created_by) + 4);
                char id[80], created[64], size[32];

                layer_id_column(json_string_value(json_object_get(l, "Id")) ?: "", f->no_trunc, id, sizeof(id));
                units_ago((long long) json_integer_value(json_object_get(l, "Created")), now, created,
                                     sizeof(created));
                created_by_column(created_by, f->no_trunc, by, strlen(created_by) + 4);
                /* podman history prints go-units' size as it is, without a space. */
                units_human_size((double) json_integer_value(json_object_get(l, "Size")), "", size, sizeof(size));
                output_table_add(&t, (const char *[]) { id, created, by, size,
                                                        json_string_value(json_object_get(l, "Comment")) ?: "" });
        }
        output_table_print(stdout, &t);
        output_table_done(&t);
}

static int parse_history_flags(struct client *c, int argc, char **argv, struct history_flags *f) {
        static const struct option options[] = {
                { "format", required_argument, NULL, 'f' },
                { "no-trunc", no_argument, NULL, 't' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int opt;

        while ((opt = verb_getopt(argc, argv, "qh", options, &c->error)) > 0) {
                switch (opt) {
                case 'f': f->format = optarg; break;
                case 't': f->no_trunc = true; break;
                case 'q': f->quiet = true; break;
                case 'h': return 1;
                }
        }
        if (opt < 0)
                return opt;
        return verb_args(argc, 1, 1, &c->error);
}

int cmd_history(struct client *c, int argc, char **argv) {
        _cleanup_(json_decrefp) json_t *layers = NULL;
        _cleanup_free_ char *path = NULL;
        struct history_flags f = { 0 };
        int json, r;

        r = parse_history_flags(c, argc, argv, &f);
        if (r != 0)
                return r > 0 ? verb_usage(history_usage) : r;
        json = verb_format_json(f.format, &c->error);
        if (json < 0)
                return json;
        path = image_path(argv[optind], "/history");
        r = client_get_json(c, path, &layers, &c->error);
        if (r < 0)
                return r;
        if (!json_is_array(layers))
                return berth_err(&c->error, -EBADMSG, "berthd sent no history for %s", argv[optind]);
        if (json)
                return output_json(stdout, layers) < 0 ? berth_err(&c->error, -EIO, "cannot write the history") : 0;
        print_history_table(layers, &f);
        return 0;
}
