/* berth tag, berth untag and berth rmi: adding and removing image names, and removing
 * images, with podman's output and exit statuses. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "http.h"
#include "image-name.h"
#include "verb.h"
#include "verbs/image.h"

static const char tag_usage[] =
        "Usage: berth tag IMAGE TARGET [TARGET...]\n"
        "\n"
        "Add names to a local image. A TARGET without a tag gets \"latest\".\n"
        "\n"
        "Options:\n"
        "  -h, --help            print this help\n";

static const char untag_usage[] =
        "Usage: berth untag IMAGE [NAME...]\n"
        "\n"
        "Remove names from a local image; without NAME, remove all of its names.\n"
        "\n"
        "Options:\n"
        "  -h, --help            print this help\n";

static const char rmi_usage[] =
        "Usage: berth rmi [options] IMAGE [IMAGE...]\n"
        "\n"
        "Remove images from local storage. A name is untagged; the last name, or an ID,\n"
        "removes the image. Exit status 1: an image did not exist; 2: an image is in use.\n"
        "\n"
        "Options:\n"
        "  -a, --all             remove all images\n"
        "  -f, --force           remove an image even if it has several names\n"
        "  -i, --ignore          ignore images that do not exist\n"
        "  -h, --help            print this help\n";

/* For verbs whose only flag is -h: 1 after --help, 0 to go on, or a negative errno. */
static int parse_help_only(struct client *c, int argc, char **argv) {
        static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
        int opt = verb_getopt(argc, argv, "h", options, &c->error);

        return opt == 'h' ? 1 : opt;
}

/* POST /images/{image}/<action>?repo=&tag= for one name, split as podman does. */
static int post_name(struct client *c, const char *image, const char *action, const char *name) {
        _cleanup_free_ char *repo = NULL, *tag = NULL, *erepo = NULL, *etag = NULL, *tail = NULL, *path = NULL;

        if (image_name_split(name, &repo, &tag) < 0)
                return berth_err(&c->error, -EINVAL, "parsing reference \"%s\": invalid reference format", name);
        erepo = http_escape(repo, "/:@");
        etag = tag ? http_escape(tag, NULL) : NULL;
        tail = etag ? xasprintf("/%s?repo=%s&tag=%s", action, erepo, etag) : xasprintf("/%s?repo=%s", action, erepo);
        path = image_path(image, tail);
        return client_request_json(c, "POST", path, NULL, NULL, &c->error);
}

int cmd_tag(struct client *c, int argc, char **argv) {
        int r = parse_help_only(c, argc, argv);

        if (r != 0)
                return r > 0 ? verb_usage(tag_usage) : r;
        r = verb_args(argc, 2, -1, &c->error);
        for (int i = optind + 1; r >= 0 && i < argc; i++)
                r = post_name(c, argv[optind], "tag", argv[i]);
        return r < 0 ? r : 0;
}

int cmd_untag(struct client *c, int argc, char **argv) {
        int r = parse_help_only(c, argc, argv);

        if (r != 0)
                return r > 0 ? verb_usage(untag_usage) : r;
        r = verb_args(argc, 1, -1, &c->error);
        /* Without names, podman's request has no repo: berthd removes every name. */
        if (r >= 0 && optind + 1 == argc) {
                _cleanup_free_ char *path = image_path(argv[optind], "/untag");
                r = client_request_json(c, "POST", path, NULL, NULL, &c->error);
        }
        for (int i = optind + 1; r >= 0 && i < argc; i++)
                r = post_name(c, argv[optind], "untag", argv[i]);
        return r < 0 ? r : 0;
}

struct rmi {
        bool all, force, ignore;
        bool no_such, in_use, other;    /* what failed, for podman's exit status */
};

static void print_removal(const json_t *report) {
        size_t i;
        json_t *v;

        json_array_foreach(json_object_get(report, "Untagged"), i, v)
                printf("Untagged: %s\n", json_string_value(v) ?: "");
        json_array_foreach(json_object_get(report, "Deleted"), i, v)
                printf("Deleted: %s\n", json_string_value(v) ?: "");
}

/* A failure berthd answered is printed and remembered, and the next image is tried; no
 * answer at all ends the verb. */
static int rmi_one(struct client *c, const char *name, struct rmi *m) {
        _cleanup_free_ char *path = image_path(name, m->force ? "?force=true" : "");
        _cleanup_(json_decrefp) json_t *report = NULL;
        int r = client_request_json(c, "DELETE", path, NULL, &report, &c->error);

        if (r >= 0) {
                print_removal(report);
                return 0;
        }
        if (c->status == 0)
                return r;
        if (c->status == 404 && m->ignore)
                return 0;
        if (c->status == 404)
                m->no_such = true;
        else if (c->status == 409)
                m->in_use = true;
        else
                m->other = true;
        verb_print_error(&c->error);
        return 0;
}

/* --all as podman: every name goes, the last one takes the image along; an image
 * without names goes by ID. */
static int rmi_all(struct client *c, struct rmi *m) {
        _cleanup_(json_decrefp) json_t *list = NULL;
        json_t *image, *name;
        size_t i, j;
        int r = client_get_json(c, "/images/json", &list, &c->error);

        json_array_foreach(list, i, image) {
                const json_t *names = json_object_get(image, "RepoTags");
                json_array_foreach(names, j, name)
                        if (r >= 0)
                                r = rmi_one(c, json_string_value(name) ?: "", m);
                if (r >= 0 && json_array_size(names) == 0)
                        r = rmi_one(c, json_string_value(json_object_get(image, "Id")) ?: "", m);
        }
        return r;
}

static int parse_rmi_flags(struct client *c, int argc, char **argv, struct rmi *m) {
        static const struct option options[] = {
                { "all", no_argument, NULL, 'a' },
                { "force", no_argument, NULL, 'f' },
                { "ignore", no_argument, NULL, 'i' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int opt;

        while ((opt = verb_getopt(argc, argv, "afih", options, &c->error)) > 0) {
                switch (opt) {
                case 'a': m->all = true; break;
                case 'f': m->force = true; break;
                case 'i': m->ignore = true; break;
                case 'h': return 1;
                }
        }
        if (opt < 0)
                return opt;
        if (m->all && optind < argc)
                return berth_err(&c->error, -EINVAL,
                                 "when using the --all switch, you may not pass any images names or IDs");
        if (!m->all && optind >= argc)
                return berth_err(&c->error, -EINVAL, "image name or ID must be specified");
        return 0;
}

int cmd_rmi(struct client *c, int argc, char **argv) {
        struct rmi m = { 0 };
        int r = parse_rmi_flags(c, argc, argv, &m);

        if (r != 0)
                return r > 0 ? verb_usage(rmi_usage) : r;
        if (m.all)
                r = rmi_all(c, &m);
        for (int i = optind; r >= 0 && i < argc; i++)
                r = rmi_one(c, argv[i], &m);
        if (r < 0)
                return r;
        /* podman-rmi(1): 2 in use, 1 missing (and nothing else), 125 anything else. */
        if (m.in_use)
                return 2;
        if (m.no_such && !m.other)
                return 1;
        return m.other ? CLIENT_EXIT_ERROR : 0;
}
