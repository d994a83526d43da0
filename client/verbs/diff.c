/* berth diff: what changed in a container's filesystem, as podman prints it ("A /x"). */
#include <errno.h>
#include <stdio.h>

#include "berth/cleanup.h"
#include "http.h"
#include "output.h"
#include "verb.h"
#include "verbs/container.h"

static const char diff_usage[] =
        "Usage: berth diff [options] CONTAINER\n"
        "\n"
        "List the files added (A), changed (C) or deleted (D) in a container.\n"
        "\n"
        "Options:\n"
        "      --format FORMAT   json: print the changes as JSON\n"
        "  -h, --help            print this help\n";

int cmd_diff(struct client *c, int argc, char **argv) {
        static const struct option options[] = {
                { "format", required_argument, NULL, 'F' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_(json_decrefp) json_t *changes = NULL;
        _cleanup_free_ char *path = NULL;
        const char *format = NULL;
        size_t i;
        json_t *ch;
        int opt, r, json;

        while ((opt = verb_getopt(argc, argv, "h", options, &c->error)) > 0) {
                if (opt == 'h')
                        return verb_usage(diff_usage);
                format = optarg;
        }
        if (opt < 0 || (r = verb_args(argc, 1, 1, &c->error)) < 0)
                return opt < 0 ? opt : r;
        if ((json = verb_format_json(format, &c->error)) < 0)
                return json;
        path = container_path(argv[optind], "/changes");
        r = client_get_json(c, path, &changes, &c->error);
        if (r < 0)
                return r;
        if (json)
                return output_json(stdout, changes) < 0 ? berth_err(&c->error, -EIO, "cannot write") : 0;
        json_array_foreach(changes, i, ch) {
                json_int_t kind = json_integer_value(json_object_get(ch, "Kind"));
                printf("%c %s\n", kind == 1 ? 'A' : kind == 2 ? 'D' : 'C',
                       json_string_value(json_object_get(ch, "Path")) ?: "");
        }
        return 0;
}
