/* berth container inspect: libpod's inspect objects, as a JSON array or through a Go
 * template per container. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "http.h"
#include "output.h"
#include "verb.h"
#include "verbs/container.h"

static const char inspect_usage[] =
        "Usage: berth container inspect [options] CONTAINER [CONTAINER...]\n"
        "\n"
        "Display the configuration of containers as a JSON array.\n"
        "\n"
        "Options:\n"
        "  -f, --format FORMAT   json (the default) or a Go template such as {{.State.Status}}\n"
        "  -l, --latest          the newest container\n"
        "  -s, --size            include the sizes\n"
        "  -h, --help            print this help\n";

static const json_t *object_field(void *userdata, const char *name, json_t **scratch) {
        (void) scratch;
        return json_object_get(userdata, name);
}

static int latest(struct client *c, char **ret) {
        _cleanup_(json_decrefp) json_t *list = NULL;
        int r = client_get_json(c, "/containers/json?all=true&last=1", &list, &c->error);
        const char *id;

        if (r < 0)
                return r;
        id = json_string_value(json_object_get(json_array_get(list, json_array_size(list) - 1), "Id"));
        if (!id)
                return berth_err(&c->error, -ENOENT, "no containers to inspect");
        *ret = xstrdup(id);
        return 0;
}

static int inspect_into(struct client *c, const char *name, bool size, json_t *found, json_t *missing) {
        _cleanup_free_ char *path = container_path(name, size ? "/json?size=true" : "/json");
        json_t *v = NULL;
        int r = client_get_json(c, path, &v, &c->error);

        if (r >= 0 && json_is_object(v))
                return json_array_append_new(found, v), 0;
        json_decref(v);
        if (r >= 0)
                return berth_err(&c->error, -EBADMSG, "berthd sent no inspect object for %s", name);
        if (c->status != 404)
                return r;
        json_array_append_new(missing, json_sprintf("no such container %s", name));
        return 0;
}

static int print(struct client *c, const char *format, json_t *found) {
        size_t i;
        json_t *v;

        if (!format || output_format_is_json(format))
                return output_json_inspect(stdout, found) < 0 ? berth_err(&c->error, -EIO, "cannot write") : 0;
        json_array_foreach(found, i, v) {
                _cleanup_free_ char *line = NULL;
                int r = template_render(format, object_field, v, &line, &c->error);
                if (r < 0)
                        return r;
                printf("%s\n", line);
        }
        return 0;
}

int cmd_container_inspect(struct client *c, int argc, char **argv) {
        static const struct option options[] = {
                { "format", required_argument, NULL, 'f' },
                { "latest", no_argument, NULL, 'l' },
                { "size", no_argument, NULL, 's' },
                { "type", required_argument, NULL, 't' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_(json_decrefp) json_t *found = json_array(), *missing = json_array();
        _cleanup_free_ char *newest = NULL;
        const char *format = NULL;
        bool size = false, last = false;
        int opt, r;

        while ((opt = verb_getopt(argc, argv, "f:lsh", options, &c->error)) > 0) {
                switch (opt) {
                case 'f': format = optarg; break;
                case 'l': last = true; break;
                case 's': size = true; break;
                case 't': break;
                case 'h': return verb_usage(inspect_usage);
                }
        }
        if (opt < 0)
                return opt;
        if (last) {
                if ((r = latest(c, &newest)) < 0 || (r = inspect_into(c, newest, size, found, missing)) < 0)
                        return r;
        } else if ((r = verb_args(argc, 1, -1, &c->error)) < 0)
                return r;
        for (int i = optind; !last && i < argc; i++)
                if ((r = inspect_into(c, argv[i], size, found, missing)) < 0)
                        return r;
        r = print(c, format, found);
        if (r < 0 || json_array_size(missing) == 0)
                return r;
        fflush(stdout);
        for (size_t i = 1; i < json_array_size(missing); i++)
                fprintf(stderr, "Error: %s\n", json_string_value(json_array_get(missing, i)));
        return berth_err(&c->error, -ENOENT, "%s", json_string_value(json_array_get(missing, 0)));
}
