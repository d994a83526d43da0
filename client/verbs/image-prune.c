/* berth image prune: berthd removes the dangling images (with -a every unused one); the
 * removed IDs are printed, as `podman image prune` does. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "http.h"
#include "image-name.h"
#include "prompt.h"
#include "verb.h"
#include "verbs/image.h"

static const char prune_usage[] =
        "Usage: berth image prune [options]\n"
        "\n"
        "Remove the dangling images: those without a name. With -a, every image no container\n"
        "uses. Asks first unless -f is given; prints the IDs of the removed images.\n"
        "\n"
        "Options:\n"
        "  -a, --all                remove every unused image, not only the dangling ones\n"
        "  -f, --force              do not ask for confirmation\n"
        "      --filter KEY=VALUE   only images that match (as berth images --filter)\n"
        "  -h, --help               print this help\n";

struct prune_flags {
        bool all, force;
        json_t *filters;
};

static int parse_flags(struct client *c, int argc, char **argv, struct prune_flags *f) {
        static const struct option options[] = {
                { "all", no_argument, NULL, 'a' },
                { "force", no_argument, NULL, 'f' },
                { "filter", required_argument, NULL, 'F' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int opt;

        while ((opt = verb_getopt(argc, argv, "afh", options, &c->error)) > 0) {
                switch (opt) {
                case 'a': f->all = true; break;
                case 'f': f->force = true; break;
                case 'F':
                        if (image_filters_add(f->filters, optarg, &c->error) < 0)
                                return c->error.code;
                        break;
                case 'h': return 1;
                }
        }
        if (opt < 0)
                return opt;
        if (optind < argc)
                return berth_err(&c->error, -EINVAL, "\"berth image prune\" takes no arguments");
        return 0;
}

/* podman's question, on standard output; anything but y... keeps the images. */
static int confirm(const struct prune_flags *f, berth_error *err) {
        _cleanup_free_ char *answer = NULL;
        int r = prompt_read(STDIN_FILENO, stdout,
                            f->all ? "WARNING! This command removes all images without at least one container "
                                     "associated with them.\nAre you sure you want to continue? [y/N] "
                                   : "WARNING! This command removes all dangling images.\n"
                                     "Are you sure you want to continue? [y/N] ",
                            false, &answer, err);

        if (r == -ENODATA)
                return berth_err(err, r, "no answer on standard input: use --force to prune without asking");
        if (r < 0)
                return r;
        return prompt_is_yes(answer);
}

static char *prune_path(const struct prune_flags *f) {
        _cleanup_free_ char *text = NULL, *escaped = NULL;

        if (json_object_size(f->filters) == 0)
                return xasprintf("/images/prune?all=%s", f->all ? "true" : "false");
        text = json_dumps(f->filters, JSON_COMPACT);
        escaped = http_escape(text ?: "{}", NULL);
        return xasprintf("/images/prune?all=%s&filters=%s", f->all ? "true" : "false", escaped);
}

int cmd_image_prune(struct client *c, int argc, char **argv) {
        _cleanup_(json_decrefp) json_t *filters = json_object(), *reports = NULL;
        _cleanup_free_ char *path = NULL;
        struct prune_flags f = { .filters = filters };
        size_t i;
        json_t *report;
        int r = parse_flags(c, argc, argv, &f);

        if (r != 0)
                return r > 0 ? verb_usage(prune_usage) : r;
        if (!f.force) {
                r = confirm(&f, &c->error);
                if (r <= 0)
                        return r;
        }
        path = prune_path(&f);
        r = client_request_json(c, "POST", path, NULL, &reports, &c->error);
        if (r < 0)
                return r;
        /* podman prints bare IDs; an image that could not go is named on stderr, the
         * others are still printed. */
        json_array_foreach(reports, i, report) {
                const char *err = json_string_value(json_object_get(report, "Err"));
                printf("%s\n", image_id_hex(json_string_value(json_object_get(report, "Id")) ?: ""));
                if (err && *err) {
                        fflush(stdout);
                        fprintf(stderr, "%s\n", err);
                }
        }
        return 0;
}
