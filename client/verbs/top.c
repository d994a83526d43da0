/* berth top: the container's processes as berthd lists them (ps descriptors after the
 * container name), laid out like podman's table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "http.h"
#include "output.h"
#include "verb.h"
#include "verbs/container.h"

static const char top_usage[] =
        "Usage: berth top [options] CONTAINER [FORMAT-DESCRIPTORS|ARGS...]\n"
        "\n"
        "Display the running processes of a container. What follows the container is given\n"
        "to ps (\"-ef\", or descriptors such as \"pid user args\").\n"
        "\n"
        "Options:\n"
        "  -h, --help            print this help\n";

/* podman's bindings send the descriptors as one comma-joined ps_args. */
static char *top_path(int argc, char **argv) {
        char *joined = xstrdup(""), *q;

        for (int i = optind + 1; i < argc; i++) {
                char *n = xasprintf("%s%s%s", joined, *joined ? "," : "", argv[i]);
                free(joined);
                joined = n;
        }
        if (!*joined) {
                free(joined);
                return xstrdup("/top");
        }
        _cleanup_free_ char *e = http_escape(joined, NULL);
        free(joined);
        q = xasprintf("/top?ps_args=%s", e);
        return q;
}

static void print_table(const json_t *answer) {
        const json_t *titles = json_object_get(answer, "Titles"), *row;
        size_t n = json_array_size(titles), i;
        const char **cells = xnew0(const char *, n + 1);
        struct output_table t;

        output_table_init(&t, n);
        for (size_t k = 0; k < n; k++)
                cells[k] = json_string_value(json_array_get(titles, k));
        output_table_add(&t, cells);
        json_array_foreach(json_object_get(answer, "Processes"), i, row) {
                for (size_t k = 0; k < n; k++)
                        cells[k] = json_string_value(json_array_get(row, k));
                output_table_add(&t, cells);
        }
        output_table_print(stdout, &t);
        output_table_done(&t);
        free(cells);
}

int cmd_top(struct client *c, int argc, char **argv) {
        static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
        _cleanup_(json_decrefp) json_t *answer = NULL;
        _cleanup_free_ char *tail = NULL, *path = NULL;
        int opt, r;

        /* '+': "-ef" after the container belongs to ps. */
        opt = verb_getopt(argc, argv, "+h", options, &c->error);
        if (opt != 0)
                return opt < 0 ? opt : verb_usage(top_usage);
        if ((r = verb_args(argc, 1, -1, &c->error)) < 0)
                return r;
        tail = top_path(argc, argv);
        path = container_path(argv[optind], tail);
        r = client_get_json(c, path, &answer, &c->error);
        if (r < 0)
                return r;
        if (!json_is_array(json_object_get(answer, "Titles")))
                return berth_err(&c->error, -EBADMSG, "berthd sent no process list for %s", argv[optind]);
        print_table(answer);
        return 0;
}
