/* berth commit: a new image from a container's changes (libpod POST /commit). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "http.h"
#include "image-name.h"
#include "verb.h"
#include "verbs/container.h"

static const char commit_usage[] =
        "Usage: berth commit [options] CONTAINER [IMAGE]\n"
        "\n"
        "Create an image from a container's changes and print its ID.\n"
        "\n"
        "Options:\n"
        "  -a, --author AUTHOR        the image's author\n"
        "  -c, --change INSTRUCTION   apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV,\n"
        "                             EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR)\n"
        "  -m, --message MESSAGE      the commit message\n"
        "  -p, --pause                pause the container while committing\n"
        "  -q, --quiet                accepted for podman's sake\n"
        "  -f, --format FORMAT        oci (the default) or docker\n"
        "  -h, --help                 print this help\n";

static void add(char **q, const char *key, const char *value) {
        _cleanup_free_ char *e = http_escape(value, NULL);
        char *n = xasprintf("%s&%s=%s", *q, key, e);

        free(*q);
        *q = n;
}

int cmd_commit(struct client *c, int argc, char **argv) {
        static const struct option options[] = {
                { "author", required_argument, NULL, 'a' },
                { "change", required_argument, NULL, 'c' },
                { "message", required_argument, NULL, 'm' },
                { "pause", optional_argument, NULL, 'p' },
                { "quiet", no_argument, NULL, 'q' },
                { "format", required_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_(json_decrefp) json_t *answer = NULL;
        _cleanup_free_ char *q = NULL, *repo = NULL, *tag = NULL;
        const char *id;
        int opt, r;

        q = xstrdup("/commit?");
        while ((opt = verb_getopt(argc, argv, "a:c:m:pqf:h", options, &c->error)) > 0) {
                switch (opt) {
                case 'a': add(&q, "author", optarg); break;
                case 'c': add(&q, "changes", optarg); break;
                case 'm': add(&q, "comment", optarg); break;
                case 'p': add(&q, "pause", optarg && strcmp(optarg, "false") == 0 ? "false" : "true"); break;
                case 'f': add(&q, "format", optarg); break;
                case 'q': break;
                case 'h': return verb_usage(commit_usage);
                }
        }
        if (opt < 0 || (r = verb_args(argc, 1, 2, &c->error)) < 0)
                return opt < 0 ? opt : r;
        add(&q, "container", argv[optind]);
        if (optind + 1 < argc) {
                if (image_name_split(argv[optind + 1], &repo, &tag) < 0 || !tag)
                        return berth_err(&c->error, -EINVAL, "invalid image name: %s", argv[optind + 1]);
                add(&q, "repo", repo);
                add(&q, "tag", tag);
        }
        r = client_request_json(c, "POST", q, NULL, &answer, &c->error);
        if (r < 0)
                return r;
        id = json_string_value(json_object_get(answer, "Id")) ?: json_string_value(json_object_get(answer, "ID"));
        if (!id)
                return berth_err(&c->error, -EBADMSG, "berthd sent no ID for the committed image");
        printf("%s\n", image_id_hex(id));
        return 0;
}
