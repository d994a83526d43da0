/* berth image: the group of image verbs (`berth image ls`, `berth image rm`, ...), each
 * the same function as its top-level twin, as in podman. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "http.h"
#include "verb.h"
#include "verbs/image.h"

/* Sorted by name: `berth image --help` lists them in this order. */
static const struct verb image_verbs[] = {
        { "exists", "Check if an image exists in local storage", cmd_image_exists },
        { "history", "Show history of a specified image", cmd_history },
        { "import", "Import a tarball to create a filesystem image", cmd_import },
        { "inspect", "Display the configuration of an image", cmd_image_inspect },
        { "list", "List images in local storage", cmd_images },
        { "load", "Load image(s) from a tar archive", cmd_load },
        { "ls", "List images in local storage", cmd_images },
        { "prune", "Remove unused images", cmd_image_prune },
        { "pull", "Pull an image from a registry", cmd_pull },
        { "push", "Push an image to a specified destination", cmd_push },
        { "rm", "Remove one or more images from local storage", cmd_rmi },
        { "save", "Save image(s) to an archive", cmd_save },
        { "tag", "Add an additional name to a local image", cmd_tag },
        { "untag", "Remove a name from a local image", cmd_untag },
};

char *image_path(const char *name, const char *tail) {
        _cleanup_free_ char *escaped = http_escape(name, "/:@");
        return xasprintf("/images/%s%s", escaped, tail);
}

static void usage(FILE *f) {
        fputs("Usage: berth image COMMAND\n"
              "\n"
              "Manage images.\n"
              "\n"
              "Available Commands:\n",
              f);
        for (size_t i = 0; i < ELEMENTSOF(image_verbs); i++)
                fprintf(f, "  %-12s%s\n", image_verbs[i].name, image_verbs[i].summary);
        fputs("\nRun 'berth image COMMAND --help' for more information on a command.\n", f);
}

int cmd_image(struct client *c, int argc, char **argv) {
        static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
        const struct verb *v;
        int opt;

        /* '+': the options end at the command, which parses its own. */
        opt = verb_getopt(argc, argv, "+h", options, &c->error);
        if (opt < 0)
                return opt;
        if (opt == 'h') {
                usage(stdout);
                return 0;
        }
        if (optind >= argc) {
                usage(stderr);
                return berth_err(&c->error, -EINVAL, "missing command 'berth image COMMAND'");
        }
        v = verb_find(image_verbs, ELEMENTSOF(image_verbs), argv[optind]);
        if (!v)
                return berth_err(&c->error, -EINVAL,
                                 "unrecognized command `berth image %s`\nTry 'berth image --help' for more information",
                                 argv[optind]);
        return verb_run(c, v, argc - optind, argv + optind);
}
