/* berth cp: files between a container and the host as tar streams through the archive
 * routes (GET to read, PUT to write, HEAD to learn what the target is), packed and
 * unpacked by the host's GNU tar so ownership, modes and links come out right. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "hijack.h"
#include "http.h"
#include "verb.h"
#include "verbs/container.h"

extern char **environ;

static const char cp_usage[] =
        "Usage: berth cp [options] [CONTAINER:]SRC [CONTAINER:]DEST\n"
        "\n"
        "Copy files or directories between a container and the host. \"-\" as SRC reads a tar\n"
        "archive from standard input; as DEST it writes one to standard output.\n"
        "\n"
        "Options:\n"
        "  -h, --help            print this help\n";

/* "CTR:PATH" -> its container part; NULL for a host path (one with '/' before ':'). */
static char *container_of(const char *arg, const char **ret_path) {
        const char *colon = strchr(arg, ':');

        if (!colon || colon == arg || memchr(arg, '/', (size_t) (colon - arg)) || arg[0] == '.')
                return NULL;
        *ret_path = colon + 1;
        return xstrndup(arg, (size_t) (colon - arg));
}

/* "s,^BASE\(/\|$\),NEW\1," with BASE's regex characters escaped, for tar --transform. */
static char *rename_rule(const char *base, const char *new_base) {
        _cleanup_free_ char *quoted = xmalloc(strlen(base) * 2 + 1);
        char *w = quoted;

        for (const char *p = base; *p; p++) {
                if (strchr("\\.[]*^$,", *p))
                        *w++ = '\\';
                *w++ = *p;
        }
        *w = '\0';
        return xasprintf("--transform=s,^%s\\(/\\|$\\),%s\\1,", quoted, new_base);
}

/* Starts tar with argv; its stdin or stdout (the other end of `pipe_end`) is a pipe. */
static int spawn_tar(char **argv, int child_fd, int target, pid_t *ret_pid, berth_error *err) {
        posix_spawn_file_actions_t fa;
        int r;

        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, child_fd, target);
        r = posix_spawnp(ret_pid, "tar", &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (r != 0)
                return berth_err_errno(err, -r, "cannot run tar");
        return 0;
}

static int reap_tar(pid_t pid, int r, berth_error *err) {
        int status;

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return r;
        if (r >= 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
                return berth_err(err, -EIO, "tar failed (status %d)", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        return r;
}

static int write_fd(void *userdata, const void *data, size_t len, berth_error *err) {
        int fd = *(int *) userdata;
        const char *p = data;

        while (len > 0) {
                ssize_t w = write(fd, p, len);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return berth_err_errno(err, -errno, "cannot unpack the archive");
                p += w, len -= (size_t) w;
        }
        return 0;
}

/* tar -x started at the first byte of a good answer, so an error answer never reaches it. */
struct unpack {
        char **argv;
        int fd;                 /* the pipe to tar's stdin, -1 before the first byte */
        pid_t pid;
};

static int unpack_bytes(void *userdata, const void *data, size_t len, berth_error *err) {
        struct unpack *u = userdata;
        int fds[2], r;

        if (u->fd < 0) {
                if (pipe2(fds, O_CLOEXEC) < 0)
                        return berth_err_errno(err, -errno, "cannot make a pipe");
                r = spawn_tar(u->argv, fds[0], STDIN_FILENO, &u->pid, err);
                close(fds[0]);
                if (r < 0) {
                        close(fds[1]);
                        return r;
                }
                u->fd = fds[1];
        }
        return write_fd(&u->fd, data, len, err);
}

static int copy_out(struct client *c, const char *ctr, const char *src, const char *dst) {
        _cleanup_free_ char *e = http_escape(src, NULL), *tail = xasprintf("/archive?path=%s", e);
        _cleanup_free_ char *path = container_path(ctr, tail), *s = xstrdup(src), *d1 = xstrdup(dst), *d2 = xstrdup(dst);
        _cleanup_free_ char *rule = NULL;
        struct stat st;
        struct unpack u = { .fd = -1 };
        int out = STDOUT_FILENO, r;

        if (strcmp(dst, "-") == 0)
                return client_request_download(c, path, write_fd, &out, &c->error);
        if (stat(dst, &st) == 0 && S_ISDIR(st.st_mode))
                rule = xstrdup("--transform=s,^,,");
        else {
                rule = rename_rule(basename(s), basename(d1));
                dst = dirname(d2);
        }
        char *argv[] = { "tar", "-x", "--no-same-owner", "-C", (char *) dst, rule, "-f", "-", NULL };
        u.argv = argv;
        r = client_request_download(c, path, unpack_bytes, &u, &c->error);
        if (u.fd < 0)
                return r;
        close(u.fd);
        return reap_tar(u.pid, r, &c->error);
}

/* Standard base64 (padding optional) into a NUL-terminated buffer. */
static char *base64_decode(const char *in) {
        static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        char *out = xmalloc(strlen(in) + 1), *w = out;
        unsigned bits = 0, value = 0;

        for (const char *p = in; *p && *p != '='; p++) {
                const char *at = strchr(alphabet, *p);
                if (!at)
                        break;
                value = value << 6 | (unsigned) (at - alphabet);
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        *w++ = (char) (value >> bits & 0xff);
                }
        }
        *w = '\0';
        return out;
}

/* 1 when the container path is a directory, 0 when it is something else, -ENOENT when
 * it does not exist. */
static int container_is_dir(struct client *c, const char *ctr, const char *p) {
        _cleanup_free_ char *e = http_escape(p, NULL), *tail = xasprintf("/archive?path=%s", e);
        _cleanup_free_ char *path = container_path(ctr, tail), *head = NULL, *encoded = NULL, *text = NULL;
        _cleanup_(json_decrefp) json_t *st = NULL;
        berth_error err = { 0 };
        int r = raw_request(c, "HEAD", path, -1, &head, &err);

        if (r < 0 && c->status == 404)
                return -ENOENT;
        if (r < 0)
                return c->error = err, r;
        encoded = head_header(head, "X-Docker-Container-Path-Stat");
        if (!encoded)
                return 0;
        text = base64_decode(encoded);
        st = json_loads(text, 0, NULL);
        /* Go's os.ModeDir is bit 31 of "mode". */
        return (json_integer_value(json_object_get(st, "mode")) >> 31 & 1) ? 1 : 0;
}

static int copy_in(struct client *c, const char *src, const char *ctr, const char *dst) {
        _cleanup_free_ char *s1 = xstrdup(src), *s2 = xstrdup(src), *d1 = xstrdup(dst), *d2 = xstrdup(dst);
        _cleanup_free_ char *target = NULL, *e = NULL, *tail = NULL, *path = NULL, *rule = NULL;
        int fds[2], r, dir;
        pid_t pid;

        if (strcmp(src, "-") == 0) {
                e = http_escape(dst, NULL);
                tail = xasprintf("/archive?path=%s", e);
                path = container_path(ctr, tail);
                return raw_request(c, "PUT", path, STDIN_FILENO, NULL, &c->error);
        }
        if (access(src, R_OK) < 0)
                return berth_err_errno(&c->error, -errno, "cannot read %s", src);
        dir = container_is_dir(c, ctr, dst);
        if (dir < 0 && dir != -ENOENT)
                return dir;
        if (dir == 1) {
                target = xstrdup(dst);
                rule = xstrdup("--transform=s,^,,");
        } else {
                target = xstrdup(dirname(d1));
                rule = rename_rule(basename(s1), basename(d2));
        }
        e = http_escape(target, NULL);
        tail = xasprintf("/archive?path=%s", e);
        path = container_path(ctr, tail);
        char *argv[] = { "tar", "-c", "-C", dirname(s2), rule, "-f", "-", basename(s1), NULL };
        if (pipe2(fds, O_CLOEXEC) < 0)
                return berth_err_errno(&c->error, -errno, "cannot make a pipe");
        r = spawn_tar(argv, fds[1], STDOUT_FILENO, &pid, &c->error);
        close(fds[1]);
        if (r < 0) {
                close(fds[0]);
                return r;
        }
        r = raw_request(c, "PUT", path, fds[0], NULL, &c->error);
        close(fds[0]);
        return reap_tar(pid, r, &c->error);
}

int cmd_cp(struct client *c, int argc, char **argv) {
        static const struct option options[] = {
                { "archive", optional_argument, NULL, 'a' },
                { "overwrite", no_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_free_ char *from = NULL, *to = NULL;
        const char *src_path = NULL, *dst_path = NULL;
        int opt, r;

        while ((opt = verb_getopt(argc, argv, "h", options, &c->error)) > 0)
                if (opt == 'h')
                        return verb_usage(cp_usage);
        if (opt < 0 || (r = verb_args(argc, 2, 2, &c->error)) < 0)
                return opt < 0 ? opt : r;
        from = container_of(argv[optind], &src_path);
        to = container_of(argv[optind + 1], &dst_path);
        if (from && to)
                return berth_err(&c->error, -EINVAL, "copying between containers is not supported");
        if (!from && !to)
                return berth_err(&c->error, -EINVAL, "invalid arguments %s, %s you must use just one container",
                                 argv[optind], argv[optind + 1]);
        if (from)
                return copy_out(c, from, src_path, argv[optind + 1]);
        return copy_in(c, argv[optind], to, dst_path);
}
