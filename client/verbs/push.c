/* berth push: berthd pushes a stored image to a registry; its progress lines go to
 * stderr as they stream in, as with `podman --remote push`. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "http.h"
#include "progress.h"
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
        "      --authfile PATH             take the credentials for the registry from this\n"
        "                                  auth file (containers-auth.json format)\n"
        "      --creds USERNAME:PASSWORD   credentials for the registry (default: the login\n"
        "                                  stored by berth login)\n"
        "  -q, --quiet                     print no progress\n"
        "      --tls-verify[=true|false]   true: HTTPS with verified certificates only;\n"
        "                                  false: plain HTTP and unverified TLS allowed\n"
        "                                  (default: berthd's settings for the registry)\n"
        "  -h, --help                      print this help\n";

static int push(struct client *c, const char *image, const char *destination, const struct transfer_flags *f) {
        _cleanup_free_ char *escaped = destination ? http_escape(destination, "/:@") : NULL;
        _cleanup_free_ char *query = transfer_flags_query(f), *header = NULL;
        _cleanup_free_ char *tail = xasprintf("/push?quiet=%s%s%s%s", f->quiet ? "true" : "false",
                                              escaped ? "&destination=" : "", escaped ?: "", query);
        _cleanup_free_ char *path = image_path(image, tail);
        const char *headers[] = { NULL, NULL };
        struct progress p = { .what = "push", .quiet = f->quiet };
        /* The credentials of the registry the image goes to, as berthd picks it. */
        int r = transfer_flags_auth_header(f, destination ?: image, &header, &c->error);

        if (r < 0)
                return r;
        headers[0] = header;
        r = client_request_stream(c, "POST", path, headers, progress_on_line, &p, &c->error);
        if (r >= 0 && p.error)
                r = berth_err(&c->error, -EIO, "%s", p.error);
        progress_done(&p);
        return r;
}

int cmd_push(struct client *c, int argc, char **argv) {
        struct transfer_flags f = { 0 };
        int r = transfer_flags_parse(c, TRANSFER_PUSH, argc, argv, 1, 2, &f);

        if (r == 0)
                r = push(c, argv[optind], optind + 1 < argc ? argv[optind + 1] : NULL, &f);
        else if (r > 0)
                r = verb_usage(push_usage);
        transfer_flags_done(&f);
        return r < 0 ? r : 0;
}
