/* berth save, berth load and berth import: image archives and root filesystem tarballs
 * streamed between a file (or standard input/output) and berthd, never held whole; an
 * import from a URL is berthd's own download. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "http.h"
#include "verb.h"

static const char save_usage[] =
        "Usage: berth save [options] IMAGE [IMAGE...]\n"
        "\n"
        "Save images to an archive on standard output, or in FILE with -o. Several images\n"
        "go into one archive.\n"
        "\n"
        "Options:\n"
        "      --format FORMAT   docker-archive (the default) or oci-archive\n"
        "  -o, --output FILE     write the archive to FILE\n"
        "  -q, --quiet           accepted for podman's sake: berth shows no progress\n"
        "  -h, --help            print this help\n";

static const char load_usage[] =
        "Usage: berth load [options]\n"
        "\n"
        "Load the images of an archive (docker-archive or oci-archive, maybe compressed)\n"
        "read from standard input, or from FILE with -i.\n"
        "\n"
        "Options:\n"
        "  -i, --input FILE      read the archive from FILE\n"
        "  -q, --quiet           accepted for podman's sake: berth shows no progress\n"
        "  -h, --help            print this help\n";

static const char import_usage[] =
        "Usage: berth import [options] PATH|URL [REFERENCE]\n"
        "\n"
        "Create an image from the root filesystem tarball (maybe compressed) in PATH, on\n"
        "standard input when PATH is \"-\", or at an http:// or https:// URL that berthd\n"
        "downloads, and name it REFERENCE. Prints the image's ID.\n"
        "\n"
        "Options:\n"
        "  -c, --change INSTRUCTION   apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV,\n"
        "                             EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR), also\n"
        "                             written INSTRUCTION=VALUE; may be repeated\n"
        "  -m, --message MESSAGE      the image's commit message\n"
        "  -q, --quiet                accepted for podman's sake: berth shows no progress\n"
        "  -h, --help                 print this help\n";

/* Where a save goes: FILE, opened at the first byte (an error answer creates nothing),
 * or standard output. */
struct sink {
        const char *path;       /* NULL: standard output */
        int fd;
        bool opened;
};

static int write_all(int fd, const char *p, size_t n) {
        while (n > 0) {
                ssize_t w = write(fd, p, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -errno;
                p += w, n -= (size_t) w;
        }
        return 0;
}

static int sink_open(struct sink *s, berth_error *err) {
        if (s->opened)
                return 0;
        if (s->path) {
                s->fd = open(s->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
                if (s->fd < 0)
                        return berth_err_errno(err, -errno, "cannot create %s", s->path);
        }
        s->opened = true;
        return 0;
}

static int on_archive_bytes(void *userdata, const void *data, size_t len, berth_error *err) {
        struct sink *s = userdata;
        int r = sink_open(s, err);

        if (r < 0)
                return r;
        r = write_all(s->fd, data, len);
        if (r < 0)
                return berth_err_errno(err, r, "cannot write the archive to %s", s->path ?: "standard output");
        return 0;
}

/* A FILE that failed half-way is removed, unless it is no regular file (a FIFO, /dev/stdout). */
static int sink_close(struct sink *s, int r, berth_error *err) {
        struct stat st;

        if (r >= 0)
                r = sink_open(s, err);  /* an empty archive still makes FILE */
        if (!s->path || !s->opened)
                return r;
        if (close(s->fd) < 0 && r >= 0)
                r = berth_err_errno(err, -errno, "cannot write the archive to %s", s->path);
        if (r < 0 && stat(s->path, &st) == 0 && S_ISREG(st.st_mode))
                unlink(s->path);
        return r;
}

/* libpod's export: ?references=A&references=B&format=F. */
static char *export_path(char **names, int n, const char *format) {
        _cleanup_free_ char *escaped_format = http_escape(format, NULL);
        char *path = xstrdup("/images/export?");

        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *escaped = http_escape(names[i], "/:@");
                char *longer = xasprintf("%sreferences=%s&", path, escaped);
                free(path);
                path = longer;
        }
        char *full = xasprintf("%sformat=%s", path, escaped_format);
        free(path);
        return full;
}

int cmd_save(struct client *c, int argc, char **argv) {
        static const struct option options[] = {
                { "format", required_argument, NULL, 'F' },
                { "output", required_argument, NULL, 'o' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *format = "docker-archive";
        _cleanup_free_ char *path = NULL;
        struct sink s = { .fd = STDOUT_FILENO };
        int opt, r;

        while ((opt = verb_getopt(argc, argv, "o:qh", options, &c->error)) > 0) {
                switch (opt) {
                case 'F': format = optarg; break;
                case 'o': s.path = optarg; break;
                case 'q': break;
                case 'h': return verb_usage(save_usage);
                }
        }
        if (opt < 0)
                return opt;
        r = verb_args(argc, 1, -1, &c->error);
        if (r < 0)
                return r;
        /* podman's check, word for word: a tar on a terminal helps nobody. */
        if (!s.path && isatty(STDOUT_FILENO))
                return berth_err(&c->error, -EINVAL, "refusing to save to terminal. Use -o flag or redirect");
        /* berthd judges the format; an unknown one is refused before any byte. */
        path = export_path(argv + optind, argc - optind, format);
        r = client_request_download(c, path, on_archive_bytes, &s, &c->error);
        return sink_close(&s, r, &c->error);
}

/* FILE, or standard input (file NULL) unless it is a terminal: nobody types an archive.
 * `hint` ends podman's message for that case. */
static int open_input(const char *file, const char *hint, int *ret_fd, berth_error *err) {
        int fd;

        if (!file) {
                if (isatty(STDIN_FILENO))
                        return berth_err(err, -EINVAL, "cannot read from terminal, use command-line redirection%s",
                                         hint);
                *ret_fd = STDIN_FILENO;
                return 0;
        }
        fd = open(file, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return berth_err_errno(err, -errno, "cannot open %s", file);
        *ret_fd = fd;
        return 0;
}

static void close_input(int *fd) {
        if (*fd > STDIN_FILENO)
                close(*fd);
}

int cmd_load(struct client *c, int argc, char **argv) {
        static const struct option options[] = {
                { "input", required_argument, NULL, 'i' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_(json_decrefp) json_t *answer = NULL;
        _cleanup_(close_input) int fd = -1;
        const char *file = NULL;
        size_t i;
        json_t *name;
        int opt, r;

        while ((opt = verb_getopt(argc, argv, "i:qh", options, &c->error)) > 0) {
                switch (opt) {
                case 'i': file = optarg; break;
                case 'q': break;
                case 'h': return verb_usage(load_usage);
                }
        }
        if (opt < 0)
                return opt;
        r = verb_no_args(argc, argv, &c->error);
        if (r >= 0)
                r = open_input(file, " or the --input flag", &fd, &c->error);
        if (r >= 0)
                r = client_request_upload(c, "/images/load", fd, file ?: "standard input", &answer, &c->error);
        if (r < 0)
                return r;
        if (!json_is_array(json_object_get(answer, "Names")))
                return berth_err(&c->error, -EBADMSG, "berthd sent no image names for POST /images/load");
        /* podman's wording, one line per name. */
        json_array_foreach(json_object_get(answer, "Names"), i, name)
                printf("Loaded image: %s\n", json_string_value(name) ?: "");
        return 0;
}

/* ?url=&reference=&message=&changes=... for libpod's import; each value escaped whole. */
static char *import_path(const char *url, const char *reference, const char *message, char **changes,
                         size_t n_changes) {
        static const char *const keys[] = { "url", "reference", "message" };
        const char *values[] = { url, reference, message };
        char *path = xstrdup("/images/import?");

        for (size_t i = 0; i < n_changes + 3; i++) {
                const char *key = i < 3 ? keys[i] : "changes";
                const char *value = i < 3 ? values[i] : changes[i - 3];
                if (!value)
                        continue;
                _cleanup_free_ char *escaped = http_escape(value, NULL);
                char *longer = xasprintf("%s%s=%s&", path, key, escaped);
                free(path);
                path = longer;
        }
        path[strlen(path) - 1] = '\0';  /* the last '&', or the '?' when there is nothing */
        return path;
}

/* podman's rule: a source with a scheme ("https://...") is a URL for berthd to fetch;
 * berthd judges the scheme. */
static bool is_url(const char *s) {
        size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
        return n > 0 && isalpha((unsigned char) s[0]) && strncmp(s + n, "://", 3) == 0;
}

int cmd_import(struct client *c, int argc, char **argv) {
        static const struct option options[] = {
                { "change", required_argument, NULL, 'c' },
                { "message", required_argument, NULL, 'm' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_(json_decrefp) json_t *answer = NULL;
        _cleanup_(close_input) int fd = -1;
        _cleanup_free_ char **changes = xnew0(char *, (size_t) argc);
        _cleanup_free_ char *path = NULL;
        const char *message = NULL, *file, *id;
        size_t n_changes = 0;
        int opt, r;

        while ((opt = verb_getopt(argc, argv, "c:m:qh", options, &c->error)) > 0) {
                switch (opt) {
                case 'c': changes[n_changes++] = optarg; break;
                case 'm': message = optarg; break;
                case 'q': break;
                case 'h': return verb_usage(import_usage);
                }
        }
        if (opt < 0)
                return opt;
        r = verb_args(argc, 1, 2, &c->error);
        if (r < 0)
                return r;
        file = argv[optind];
        path = import_path(is_url(file) ? file : NULL, optind + 1 < argc ? argv[optind + 1] : NULL, message,
                           changes, n_changes);
        if (is_url(file))
                r = client_request_json(c, "POST", path, NULL, &answer, &c->error);
        else {
                r = open_input(strcmp(file, "-") == 0 ? NULL : file, "", &fd, &c->error);
                if (r >= 0)
                        r = client_request_upload(c, path, fd, strcmp(file, "-") == 0 ? "standard input" : file,
                                                  &answer, &c->error);
        }
        if (r < 0)
                return r;
        id = json_string_value(json_object_get(answer, "Id"));
        if (!id)
                return berth_err(&c->error, -EBADMSG, "berthd sent no image ID for POST /images/import");
        printf("%s\n", id);
        return 0;
}
