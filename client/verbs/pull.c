/* berth pull: berthd's progress lines go to stderr as they stream in, the pulled image's
 * ID to stdout, as with `podman --remote pull` (so `id=$(berth pull ...)` works). */
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

static const char pull_usage[] =
        "Usage: berth pull [options] IMAGE [IMAGE...]\n"
        "\n"
        "Pull an image from a registry and store it in berthd's storage. Progress goes to\n"
        "standard error, the ID of the pulled image to standard output.\n"
        "\n"
        "Options:\n"
        "      --creds USERNAME:PASSWORD   credentials for the registry (default: the login\n"
        "                                  stored by berth login)\n"
        "  -q, --quiet                     print only the image ID\n"
        "  -h, --help                      print this help\n";

static int print_images(const char *ref, const json_t *images, berth_error *err) {
        size_t i;
        json_t *id;

        if (json_array_size(images) == 0)
                return berth_err(err, -EBADMSG, "berthd ended the pull of %s without naming the image", ref);
        json_array_foreach(images, i, id)
                printf("%s\n", json_string_value(id) ?: "");
        return 0;
}

static int pull_one(struct client *c, const char *ref, const struct transfer_flags *f, berth_error *err) {
        _cleanup_free_ char *escaped = http_escape(ref, "/:@");
        _cleanup_free_ char *path = xasprintf("/images/pull?reference=%s%s", escaped, f->quiet ? "&quiet=true" : "");
        /* Without --creds, the login `berth login` stored for the image's registry. */
        _cleanup_free_ char *stored = f->auth_header ? NULL : registry_creds_stored_header(ref);
        const char *headers[] = { f->auth_header ? f->auth_header : stored, NULL };
        struct progress p = { .what = "pull", .quiet = f->quiet };
        int r;

        r = client_request_stream(c, "POST", path, headers, progress_on_line, &p, err);
        if (r >= 0 && p.error)
                r = berth_err(err, -EIO, "%s", p.error);
        if (r >= 0)
                r = print_images(ref, p.images, err);
        progress_done(&p);
        return r;
}

int cmd_pull(struct client *c, int argc, char **argv) {
        struct transfer_flags f = { 0 };
        berth_error held = { 0 };
        int r = transfer_flags_parse(c, argc, argv, 1, -1, &f);

        if (r != 0) {
                transfer_flags_done(&f);
                return r > 0 ? verb_usage(pull_usage) : r;
        }
        /* Every image is tried; as podman, each failure but the last is printed on the
         * way and the last one is left for main. */
        for (int i = optind; i < argc; i++) {
                berth_error err = { 0 };
                if (pull_one(c, argv[i], &f, &err) >= 0)
                        continue;
                if (held.code < 0)
                        verb_print_error(&held);
                held = err;
        }
        transfer_flags_done(&f);
        if (held.code < 0) {
                c->error = held;
                return held.code;
        }
        return 0;
}
