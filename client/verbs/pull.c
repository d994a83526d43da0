/* berth pull: berthd's progress lines go to stderr as they stream in, the pulled image's
 * ID to stdout, as with `podman --remote pull` (so `id=$(berth pull ...)` works). On a
 * terminal the progress is docker's: bars per layer from the Docker API's pull stream. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "http.h"
#include "image-name.h"
#include "progress-bars.h"
#include "progress.h"
#include "transfer-flags.h"
#include "verb.h"
#include "verbs/image.h"

static const char pull_usage[] =
        "Usage: berth pull [options] IMAGE [IMAGE...]\n"
        "\n"
        "Pull an image from a registry and store it in berthd's storage. Progress goes to\n"
        "standard error, the ID of the pulled image to standard output.\n"
        "\n"
        "Options:\n"
        "  -a, --all-tags                  pull every tag of the image's repository (a tag\n"
        "                                  in IMAGE is ignored)\n"
        "      --authfile PATH             take the credentials for the registry from this\n"
        "                                  auth file (containers-auth.json format)\n"
        "      --creds USERNAME:PASSWORD   credentials for the registry (default: the login\n"
        "                                  stored by berth login)\n"
        "      --platform OS/ARCH[/VARIANT]\n"
        "                                  the platform to choose from a manifest list\n"
        "                                  (default: berthd's machine)\n"
        "  -q, --quiet                     print only the image ID\n"
        "      --tls-verify[=true|false]   true: HTTPS with verified certificates only;\n"
        "                                  false: plain HTTP and unverified TLS allowed\n"
        "                                  (default: berthd's settings for the registry)\n"
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

/* Docker's split of a reference for POST /images/create: a digest after '@' goes in tag,
 * else the tag image_name_split() finds. */
static int compat_path(const char *ref, char **ret_path, berth_error *err) {
        _cleanup_free_ char *repo = NULL, *tag = NULL, *erepo = NULL, *etag = NULL;
        const char *at = strchr(ref, '@');
        int r;

        if (strncmp(ref, "docker://", 9) == 0)
                ref += 9;
        if (at) {
                repo = xstrndup(ref, (size_t) (at - ref));
                tag = xstrdup(at + 1);
        } else if ((r = image_name_split(ref, &repo, &tag)) < 0)
                return berth_err(err, r, "invalid image name: %s", ref);
        erepo = http_escape(repo, "/:");
        etag = http_escape(tag, ":");
        *ret_path = xasprintf("/images/create?fromImage=%s&tag=%s", erepo, etag);
        return 0;
}

/* Docker's platform=OS/ARCH[/VARIANT]. */
static void add_platform(char **path, const berth_platform *p) {
        _cleanup_free_ char *text = NULL, *escaped = NULL;
        char *n;

        if (!p->os || !p->arch)
                return;
        text = xasprintf("%s/%s%s%s", p->os, p->arch, p->variant ? "/" : "", p->variant ?: "");
        escaped = http_escape(text, NULL);
        n = xasprintf("%s&platform=%s", *path, escaped);
        free(*path);
        *path = n;
}

static int terminal_width(void) {
        struct winsize ws;

        return ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
}

/* The Docker API's pull drawn as bars, then the image's ID from libpod's inspect. */
static int pull_bars(struct client *c, const char *ref, const berth_platform *platform, const char *const *headers,
                     berth_error *err) {
        _cleanup_free_ char *path = NULL, *inspect = NULL;
        _cleanup_(json_decrefp) json_t *image = NULL;
        struct bars b = { .width = terminal_width() };
        const char *id;
        int r;

        r = compat_path(ref, &path, err);
        if (r < 0)
                return r;
        add_platform(&path, platform);
        r = client_request_compat_stream(c, "POST", path, headers, bars_on_line, &b, err);
        if (r >= 0 && b.error)
                r = berth_err(err, -EIO, "%s", b.error);
        bars_done(&b);
        if (r < 0)
                return r;
        inspect = image_path(ref, "/json");
        r = client_get_json(c, inspect, &image, err);
        if (r < 0)
                return r;
        id = json_string_value(json_object_get(image, "Id"));
        if (!id)
                return berth_err(err, -EBADMSG, "berthd named no ID for the pulled image %s", ref);
        printf("%s\n", image_id_hex(id));
        return 0;
}

static int pull_one(struct client *c, const char *ref, const struct transfer_flags *f, berth_error *err) {
        _cleanup_free_ char *escaped = http_escape(ref, "/:@"), *query = transfer_flags_query(f), *header = NULL;
        _cleanup_free_ char *path = xasprintf("/images/pull?reference=%s%s%s", escaped, f->quiet ? "&quiet=true" : "",
                                              query);
        const char *headers[] = { NULL, NULL };
        struct progress p = { .what = "pull", .quiet = f->quiet };
        int r = transfer_flags_auth_header(f, ref, &header, err);

        if (r < 0)
                return r;
        headers[0] = header;
        /* Docker's API has no tlsVerify, and pulls every tag without IDs to show. */
        if (!f->quiet && !f->tls_verify && !f->all_tags && isatty(STDERR_FILENO))
                return pull_bars(c, ref, &f->platform, headers, err);
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
        int r = transfer_flags_parse(c, TRANSFER_PULL, argc, argv, 1, -1, &f);

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
