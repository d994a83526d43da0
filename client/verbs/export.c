/* berth export: a container's root filesystem as a tar stream, to a file or stdout. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "http.h"
#include "verb.h"
#include "verbs/container.h"

static const char export_usage[] =
        "Usage: berth export [options] CONTAINER\n"
        "\n"
        "Write a container's filesystem as a tar archive to standard output, or to FILE.\n"
        "\n"
        "Options:\n"
        "  -o, --output FILE     write the archive to FILE\n"
        "  -h, --help            print this help\n";

struct out {
        const char *path;
        int fd;
};

static int on_bytes(void *userdata, const void *data, size_t len, berth_error *err) {
        struct out *o = userdata;
        const char *p = data;

        /* The file is made at the first byte: a refused export leaves nothing behind. */
        if (o->fd < 0) {
                o->fd = open(o->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
                if (o->fd < 0)
                        return berth_err_errno(err, -errno, "cannot create %s", o->path);
        }
        while (len > 0) {
                ssize_t w = write(o->fd, p, len);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return berth_err_errno(err, -errno, "cannot write %s", o->path);
                p += w, len -= (size_t) w;
        }
        return 0;
}

int cmd_export(struct client *c, int argc, char **argv) {
        static const struct option options[] = {
                { "output", required_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_free_ char *path = NULL;
        struct out o = { .fd = -1 };
        int opt, r;

        while ((opt = verb_getopt(argc, argv, "o:h", options, &c->error)) > 0) {
                if (opt == 'h')
                        return verb_usage(export_usage);
                o.path = optarg;
        }
        if (opt < 0 || (r = verb_args(argc, 1, 1, &c->error)) < 0)
                return opt < 0 ? opt : r;
        if (!o.path) {
                if (isatty(STDOUT_FILENO))
                        return berth_err(&c->error, -EINVAL, "refusing to export to terminal. Use -o flag or "
                                         "redirect");
                o.path = "standard output";
                o.fd = STDOUT_FILENO;
        }
        path = container_path(argv[optind], "/export");
        r = client_request_download(c, path, on_bytes, &o, &c->error);
        if (o.fd > STDERR_FILENO && close(o.fd) < 0 && r >= 0)
                r = berth_err_errno(&c->error, -errno, "cannot write %s", o.path);
        return r;
}
