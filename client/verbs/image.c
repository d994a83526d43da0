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

int cmd_image(struct client *c, int argc, char **argv) {
        return verb_group_run(c, "image", "Manage images.", image_verbs, ELEMENTSOF(image_verbs), argc, argv);
}
