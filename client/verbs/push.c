/* berth push: berthd pushes a stored image to a registry; its progress lines go to
 * stderr as they stream in, as with `podman --remote push`. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "http.h"
#include "progress.h"
#include "registry-creds.h"
#include "transfer-flags.h"
#include "verb.h"
#include "verbs/image.h"

static const char push_usage[] =
        "Usage: berth push [options] IMAGE [DESTINATION]\n"
        "\n"
        "Push an image from berthd's storage to a registry: to DESTINATION (a reference,\n"
        "\"docker://\" allowed) if given, else to the one its name says. Progress goes to\n"
        "standard error.\n"
        "\n"
        "Options:\n"
        "      --creds USERNAME:PASSWORD   credentials for the registry (default: the login\n"
        "                                  stored by berth login)\n"
        "  -q, --quiet                     print no progress\n"
        "  -h, --help                      print this help\n";

static int push(struct client *c, const char *image, const char *destination, const struct transfer_flags *f) {
        _cleanup_free_ char *escaped = destination ? http_escape(destination, "/:@") : NULL;
        _cleanup_free_ char *tail = xasprintf("/push?quiet=%s%s%s", f->quiet ? "true" : "false",
                                              escaped ? "&destination=" : "", escaped ?: "");
        _cleanup_free_ char *path = image_path(image, tail);
        /* The login of the registry the image goes to, as berthd picks it. */
        const char *target = destination && strncmp(destination, "docker://", 9) == 0 ? destination + 9
                                                                                       : destination ?: image;
        _cleanup_free_ char *stored = f->auth_header ? NULL : registry_creds_stored_header(target);
        const char *headers[] = { f->auth_header ? f->auth_header : stored, NULL };
        struct progress p = { .what = "push", .quiet = f->quiet };
        int r;

        r = client_request_stream(c, "POST", path, headers, progress_on_line, &p, &c->error);
        if (r >= 0 && p.error)
                r = berth_err(&c->error, -EIO, "%s", p.error);
        progress_done(&p);
        return r;
}

int cmd_push(struct client *c, int argc, char **argv) {
        struct transfer_flags f = { 0 };
        int r = transfer_flags_parse(c, argc, argv, 1, 2, &f);

        if (r == 0)
                r = push(c, argv[optind], optind + 1 < argc ? argv[optind + 1] : NULL, &f);
        else if (r > 0)
                r = verb_usage(push_usage);
        transfer_flags_done(&f);
        return r < 0 ? r : 0;
}
