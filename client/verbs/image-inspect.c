/* berth image inspect, berth inspect and berth image exists: one image's libpod inspect
 * object, and whether a name resolves at all. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "http.h"
#include "output.h"
#include "verb.h"
#include "verbs/container.h"
#include "verbs/image.h"

static const char image_inspect_usage[] =
        "Usage: berth image inspect [options] IMAGE [IMAGE...]\n"
        "\n"
        "Display the configuration of images as a JSON array.\n"
        "\n"
        "Options:\n"
        "  -f, --format FORMAT   json (the default)\n"
        "  -h, --help            print this help\n";

static const char inspect_usage[] =
        "Usage: berth inspect [options] NAME [NAME...]\n"
        "\n"
        "Display the configuration of containers and images as a JSON array.\n"
        "\n"
        "Options:\n"
        "  -f, --format FORMAT   json (the default)\n"
        "  -t, --type TYPE       container, image or all (the default: a container of that\n"
        "                        name first, else an image, as podman does)\n"
        "  -h, --help            print this help\n";

static const char exists_usage[] =
        "Usage: berth image exists IMAGE\n"
        "\n"
        "Check if an image is in berthd's storage: exit status 0 if it is, 1 if not.\n"
        "\n"
        "Options:\n"
        "  -h, --help            print this help\n";

enum inspect_kind { INSPECT_ALL, INSPECT_IMAGE, INSPECT_CONTAINER };

/* A container of that name, for `berth inspect` without a type (1 when found). */
static int try_container(struct client *c, const char *name, json_t *found) {
        json_t *ctr = NULL;
        int r = container_inspect(c, name, &ctr, &c->error);
        if (r >= 0 && json_is_object(ctr)) {
                json_array_append_new(found, ctr);
                return 1;
        }
        json_decref(ctr);
        return r < 0 && c->status != 404 ? r : 0;
}

/* A 404 for one name is reported after the others are printed; anything else (berthd
 * unreachable, a server fault) stops the verb. */
static int inspect_one(struct client *c, const char *name, enum inspect_kind kind, json_t *found, json_t *missing) {
        _cleanup_free_ char *path = image_path(name, "/json");
        bool typed = kind != INSPECT_ALL;
        json_t *image = NULL;
        int r = kind == INSPECT_IMAGE ? 0 : try_container(c, name, found);

        if (r != 0 || kind == INSPECT_CONTAINER) {
                if (r < 0 || r == 1)
                        return r < 0 ? r : 0;
                json_array_append_new(missing, json_sprintf("unable to inspect \"%s\": %s", name, c->error.message));
                return 0;
        }
        r = client_get_json(c, path, &image, &c->error);

        if (r >= 0) {
                if (!json_is_object(image)) {
                        json_decref(image);
                        return berth_err(&c->error, -EBADMSG, "berthd sent no inspect object for %s", name);
                }
                json_array_append_new(found, image);
                return 0;
        }
        if (c->status != 404)
                return r;
        /* podman's words: the typed inspect quotes the server, the untyped one only the name. */
        json_array_append_new(missing, typed ? json_sprintf("unable to inspect \"%s\": %s", name, c->error.message)
                                             : json_sprintf("no such object: \"%s\"", name));
        return 0;
}

/* As podman: the objects found, then every error but the first on its own line, then
 * the first as the verb's error. */
static int inspect_names(struct client *c, int argc, char **argv, enum inspect_kind kind) {
        _cleanup_(json_decrefp) json_t *found = json_array(), *missing = json_array();
        int r;

        for (int i = optind; i < argc; i++) {
                r = inspect_one(c, argv[i], kind, found, missing);
                if (r < 0)
                        return r;
        }
        if (output_json_inspect(stdout, found) < 0)
                return berth_err(&c->error, -EIO, "cannot write the inspect output");
        if (json_array_size(missing) == 0)
                return 0;
        fflush(stdout);
        for (size_t i = 1; i < json_array_size(missing); i++)
                fprintf(stderr, "error inspecting object: %s\n", json_string_value(json_array_get(missing, i)));
        return berth_err(&c->error, -ENOENT, "inspecting object: %s", json_string_value(json_array_get(missing, 0)));
}

/* Returns 1 after --help, 0 to go on, or a negative errno. `type` may be NULL when the
 * verb has no --type. */
static int parse_inspect_flags(struct client *c, int argc, char **argv, const char **type) {
        static const struct option options[] = {
                { "format", required_argument, NULL, 'f' },
                { "type", required_argument, NULL, 't' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *format = NULL;
        int opt;

        while ((opt = verb_getopt(argc, argv, type ? "f:t:h" : "f:h", options, &c->error)) > 0) {
                switch (opt) {
                case 'f': format = optarg; break;
                case 't':
                        if (!type)
                                return berth_err(&c->error, -EINVAL, "unknown flag: --type");
                        *type = optarg;
                        break;
                case 'h': return 1;
                }
        }
        if (opt < 0)
                return opt;
        /* Only JSON: an inspect always prints JSON unless a template is asked for. */
        if (verb_format_json(format, &c->error) < 0)
                return c->error.code;
        return verb_args(argc, 1, -1, &c->error);
}

int cmd_image_inspect(struct client *c, int argc, char **argv) {
        int r = parse_inspect_flags(c, argc, argv, NULL);

        if (r != 0)
                return r > 0 ? verb_usage(image_inspect_usage) : r;
        return inspect_names(c, argc, argv, INSPECT_IMAGE);
}

int cmd_inspect(struct client *c, int argc, char **argv) {
        const char *type = "all";
        int r = parse_inspect_flags(c, argc, argv, &type);

        if (r != 0)
                return r > 0 ? verb_usage(inspect_usage) : r;
        if (strcmp(type, "image") != 0 && strcmp(type, "container") != 0 && strcmp(type, "all") != 0)
                return berth_err(&c->error, -EINVAL, "invalid type \"%s\": must be \"container\", \"image\" or \"all\"",
                                 type);
        return inspect_names(c, argc, argv,
                             strcmp(type, "image") == 0       ? INSPECT_IMAGE
                             : strcmp(type, "container") == 0 ? INSPECT_CONTAINER
                                                              : INSPECT_ALL);
}

int cmd_image_exists(struct client *c, int argc, char **argv) {
        static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
        _cleanup_free_ char *path = NULL;
        int opt, r;

        /* -h is the only flag: the first option found is it or an error. */
        opt = verb_getopt(argc, argv, "h", options, &c->error);
        if (opt != 0)
                return opt < 0 ? opt : verb_usage(exists_usage);
        r = verb_args(argc, 1, 1, &c->error);
        if (r < 0)
                return r;
        path = image_path(argv[optind], "/exists");
        r = client_get_json(c, path, NULL, &c->error);
        /* podman: 1 for "no such image", 125 (main) for failing to find out. */
        if (r < 0 && c->status == 404)
                return 1;
        return r < 0 ? r : 0;
}
