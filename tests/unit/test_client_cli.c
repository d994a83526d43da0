/* The berth binary end to end: help, exit statuses and "Error:" lines, and the
 * version/info output against a canned server process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef BERTH_BIN
#error "BERTH_BIN must name the berth binary"
#endif

struct run {
        int status;
        char out[65536], err[65536];
};

struct fixture {
        char dir[64], socket[96], url[128];
        pid_t server;
};

static void drain(int out_fd, int err_fd, struct run *r) {
        struct pollfd p[2] = { { .fd = out_fd, .events = POLLIN }, { .fd = err_fd, .events = POLLIN } };
        char *bufs[2] = { r->out, r->err };
        size_t lens[2] = { 0, 0 };

        while (p[0].fd >= 0 || p[1].fd >= 0) {
                if (poll(p, 2, -1) < 0)
                        break;
                for (int i = 0; i < 2; i++) {
                        if (p[i].fd < 0 || !p[i].revents)
                                continue;
                        ssize_t n = read(p[i].fd, bufs[i] + lens[i], sizeof(r->out) - 1 - lens[i]);
                        if (n <= 0)
                                p[i].fd = -1;
                        else
                                lens[i] += (size_t) n;
                }
        }
        r->out[lens[0]] = r->err[lens[1]] = '\0';
}

/* Runs berth with `args` and extra NAME=value settings over a cleaned environment. */
static void run(struct run *r, const char *const *args, const char *const *env) {
        int out[2], err[2], status;
        char *argv[32] = { (char *) BERTH_BIN };
        pid_t pid;

        for (size_t i = 0; args[i]; i++)
                argv[i + 1] = (char *) args[i];
        assert_int_equal(pipe2(out, O_CLOEXEC), 0);
        assert_int_equal(pipe2(err, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                dup2(out[1], 1);
                dup2(err[1], 2);
                unsetenv("CONTAINER_HOST");
                unsetenv("BERTH_SSH");
                unsetenv("BERTH_SSH_OPTS");
                setenv("TZ", "UTC", 1);
                for (size_t i = 0; env && env[i]; i++)
                        putenv((char *) env[i]);
                execv(argv[0], argv);
                _exit(127);
        }
        close(out[1]);
        close(err[1]);
        drain(out[0], err[0], r);
        close(out[0]);
        close(err[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        r->status = WEXITSTATUS(status);
}

static bool starts_with(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int setup(void **state) {
        struct fixture *fx = calloc(1, sizeof(*fx));

        snprintf(fx->dir, sizeof(fx->dir), "/tmp/berth-test-cli-XXXXXX");
        if (!fx || !mkdtemp(fx->dir))
                return -1;
        snprintf(fx->socket, sizeof(fx->socket), "%s/s.sock", fx->dir);
        snprintf(fx->url, sizeof(fx->url), "--url=unix://%s", fx->socket);
        *state = fx;
        return 0;
}

static int teardown(void **state) {
        struct fixture *fx = *state;
        char cmd[128];

        if (fx->server > 0) {
                kill(fx->server, SIGKILL);
                waitpid(fx->server, NULL, 0);
        }
        snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->dir);
        if (system(cmd) != 0)
                fprintf(stderr, "cannot remove %s\n", fx->dir);
        free(fx);
        return 0;
}

struct canned {
        const char *path;       /* answered when the request line contains it */
        int status;
        const char *body;
};

static void answer(int fd, const struct canned *answers) {
        char req[8192] = "", head[256];
        size_t len = 0;

        while (!strstr(req, "\r\n\r\n") && len < sizeof(req) - 1) {
                ssize_t n = read(fd, req + len, sizeof(req) - 1 - len);
                if (n <= 0)
                        return;
                len += (size_t) n;
        }
        for (; answers->path; answers++)
                if (strstr(req, answers->path))
                        break;
        const char *body = answers->path ? answers->body : "{\"message\":\"no such route\"}";
        snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                 answers->path ? answers->status : 404, strlen(body));
        if (write(fd, head, strlen(head)) < 0 || write(fd, body, strlen(body)) < 0)
                return;
}

/* A server process answering each connection with the matching canned response. */
static void start_server(struct fixture *fx, const struct canned *answers) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", fx->socket);
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        assert_int_equal(listen(fd, 8), 0);
        fx->server = fork();
        assert_true(fx->server >= 0);
        if (fx->server == 0) {
                signal(SIGPIPE, SIG_IGN);
                for (;;) {
                        int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
                        if (c >= 0) {
                                answer(c, answers);
                                close(c);
                        }
                }
        }
        close(fd);
}

static void test_help(void **state) {
        struct run r;
        (void) state;

        run(&r, (const char *[]) { "--help", NULL }, NULL);
        assert_int_equal(r.status, 0);
        assert_true(starts_with(r.out, "Usage: berth [options] COMMAND\n"));
        assert_non_null(strstr(r.out, "\nAvailable Commands:\n"));
        assert_non_null(strstr(r.out, "\n  info        Display berth system information\n"));
        assert_non_null(strstr(r.out, "\n  version     Display the berth version information\n"));
        assert_string_equal(r.err, "");

        run(&r, (const char *[]) { "version", "--help", NULL }, NULL);
        assert_int_equal(r.status, 0);
        assert_true(starts_with(r.out, "Usage: berth version [options]\n"));
        run(&r, (const char *[]) { "info", "-h", NULL }, NULL);
        assert_int_equal(r.status, 0);
        assert_true(starts_with(r.out, "Usage: berth info [options]\n"));
        run(&r, (const char *[]) { "help", "info", NULL }, NULL);
        assert_int_equal(r.status, 0);
        assert_true(starts_with(r.out, "Usage: berth info [options]\n"));
        run(&r, (const char *[]) { "help", NULL }, NULL);
        assert_int_equal(r.status, 0);
        assert_true(starts_with(r.out, "Usage: berth [options] COMMAND\n"));
        run(&r, (const char *[]) { "-v", NULL }, NULL);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.out, "berth version 0.1.0\n");
        /* Help never needs a valid target. */
        run(&r, (const char *[]) { "info", "--help", NULL }, (const char *[]) { "CONTAINER_HOST=bogus", NULL });
        assert_int_equal(r.status, 0);
}

static void expect_usage_error(const char *const *args, const char *err) {
        struct run r;

        run(&r, args, NULL);
        assert_int_equal(r.status, 125);
        assert_string_equal(r.err, err);
}

static void test_usage_errors(void **state) {
        struct run r;
        (void) state;

        expect_usage_error((const char *[]) { "bogus", NULL },
                           "Error: unknown command \"bogus\" for \"berth\"\nTry 'berth --help' for more information\n");
        expect_usage_error((const char *[]) { "help", "bogus", NULL },
                           "Error: unknown command \"bogus\" for \"berth\"\nTry 'berth --help' for more information\n");
        expect_usage_error((const char *[]) { "--bogus", "version", NULL }, "Error: unknown flag: --bogus\n");
        expect_usage_error((const char *[]) { "--url", NULL }, "Error: flag needs an argument: --url\n");
        expect_usage_error((const char *[]) { "version", "--bogus=1", NULL }, "Error: unknown flag: --bogus\n");
        expect_usage_error((const char *[]) { "info", "-x", NULL }, "Error: unknown shorthand flag: 'x' in -x\n");
        expect_usage_error((const char *[]) { "version", "--format", NULL },
                           "Error: flag needs an argument: --format\n");
        expect_usage_error((const char *[]) { "info", "-f", NULL }, "Error: flag needs an argument: 'f' in -f\n");
        expect_usage_error((const char *[]) { "version", "extra", NULL },
                           "Error: \"berth version\" takes no arguments\n");
        expect_usage_error((const char *[]) { "info", "--format", "{{.Host}}", NULL },
                           "Error: unsupported --format \"{{.Host}}\": berth knows only --format json\n");
        expect_usage_error((const char *[]) { "--url", "tcp://h:1", "info", NULL },
                           "Error: unsupported URL \"tcp://h:1\": berth connects to unix:///path/to/berth.sock or "
                           "ssh://[user@]host[:port]/path/to/berth.sock\n");

        /* The image group dispatches like the top level. */
        expect_usage_error((const char *[]) { "image", "bogus", NULL },
                           "Error: unrecognized command `berth image bogus`\n"
                           "Try 'berth image --help' for more information\n");
        expect_usage_error((const char *[]) { "image", "ls", "--bogus", NULL }, "Error: unknown flag: --bogus\n");
        expect_usage_error((const char *[]) { "history", NULL }, "Error: accepts 1 arg(s), received 0\n");
        expect_usage_error((const char *[]) { "tag", "a", NULL },
                           "Error: requires at least 2 arg(s), only received 1\n");
        expect_usage_error((const char *[]) { "rmi", "-a", "x", NULL },
                           "Error: when using the --all switch, you may not pass any images names or IDs\n");
        run(&r, (const char *[]) { "image", NULL }, NULL);
        assert_int_equal(r.status, 125);
        assert_true(starts_with(r.err, "Usage: berth image COMMAND\n"));
        assert_non_null(strstr(r.err, "\nError: missing command 'berth image COMMAND'\n"));
        run(&r, (const char *[]) { "help", "image", NULL }, NULL);
        assert_int_equal(r.status, 0);
        assert_true(starts_with(r.out, "Usage: berth image COMMAND\n"));
        assert_non_null(strstr(r.out, "\n  rm          Remove one or more images from local storage\n"));
        run(&r, (const char *[]) { "image", "rm", "--help", NULL }, NULL);
        assert_int_equal(r.status, 0);
        assert_true(starts_with(r.out, "Usage: berth rmi [options] IMAGE [IMAGE...]\n"));

        run(&r, (const char *[]) { NULL }, NULL);
        assert_int_equal(r.status, 125);
        assert_true(starts_with(r.err, "Usage: berth [options] COMMAND\n"));
        assert_non_null(strstr(r.err, "\nError: missing command 'berth COMMAND'\n"));
        assert_string_equal(r.out, "");
}

static void test_no_daemon(void **state) {
        struct fixture *fx = *state;
        char want[512], env[160];
        struct run r;

        /* version still prints the client's half, as podman does. */
        run(&r, (const char *[]) { fx->url, "version", NULL }, NULL);
        assert_int_equal(r.status, 125);
        assert_true(starts_with(r.out, "Client:       berth\nVersion:      0.1.0\nAPI Version:  4.3.1\nBuilt:        "));
        assert_non_null(strstr(r.out, "\nOS/Arch:      linux/"));
        assert_null(strstr(r.out, "Server:"));
        snprintf(want, sizeof(want),
                 "Error: cannot connect to berthd at unix://%s: No such file or directory (is berthd running?)\n",
                 fx->socket);
        assert_string_equal(r.err, want);

        /* $CONTAINER_HOST is the target when --url is absent. */
        snprintf(env, sizeof(env), "CONTAINER_HOST=unix://%s", fx->socket);
        run(&r, (const char *[]) { "info", NULL }, (const char *[]) { env, NULL });
        assert_int_equal(r.status, 125);
        assert_string_equal(r.out, "");
        assert_string_equal(r.err, want);
        /* --url wins over it. */
        run(&r, (const char *[]) { "--url", "unix:///nonexistent/b.sock", "info", NULL }, (const char *[]) { env, NULL });
        assert_string_equal(r.err, "Error: cannot connect to berthd at unix:///nonexistent/b.sock: No such file or "
                                   "directory (is berthd running?)\n");
}

static void test_ssh_failure(void **state) {
        struct fixture *fx = *state;
        char script[128], env[160];
        struct run r;
        FILE *f;

        snprintf(script, sizeof(script), "%s/fake-ssh", fx->dir);
        f = fopen(script, "we");
        assert_non_null(f);
        fputs("#!/bin/sh\necho \"fake-ssh: $*\" >&2\nexit 255\n", f);
        fclose(f);
        assert_int_equal(chmod(script, 0755), 0);
        snprintf(env, sizeof(env), "BERTH_SSH=%s", script);
        run(&r, (const char *[]) { "--url", "ssh://me@example.invalid:2200/run/b.sock", "--identity", "/k/id", "info",
                                   NULL },
            (const char *[]) { env, "BERTH_SSH_OPTS=-o BatchMode=yes", NULL });
        assert_int_equal(r.status, 125);
        /* ssh's own words first, then berth's one line. */
        assert_true(starts_with(r.err, "fake-ssh: -N -o ExitOnForwardFailure=yes -o StreamLocalBindUnlink=yes "
                                       "-o BatchMode=yes -i /k/id -p 2200 -L /"));
        assert_non_null(strstr(r.err, "/berth.sock:/run/b.sock -- me@example.invalid\n"
                                      "Error: ssh exited with status 255\n"));
}

static const char version_json[] =
        "{\"Platform\":{\"Name\":\"linux/arm64/debian-12\"},\"Components\":[{\"Name\":\"Podman Engine\","
        "\"Version\":\"9.9.9\",\"Details\":{\"APIVersion\":\"4.3.1\",\"Arch\":\"arm64\","
        "\"BuildTime\":\"2026-12-07T20:15:49Z\",\"Os\":\"linux\",\"Product\":\"berth\"}},{\"Name\":\"runc\","
        "\"Version\":\"1.1.5\",\"Details\":{\"Path\":\"/usr/sbin/runc\"}}],\"Version\":\"9.9.9\","
        "\"ApiVersion\":\"1.41\",\"Os\":\"linux\",\"Arch\":\"arm64\",\"BuildTime\":\"2026-12-07T20:15:49Z\"}";

static const char info_json[] =
        "{\"host\":{\"arch\":\"arm64\",\"cgroupControllers\":[\"cpu\",\"pids\"],\"conmon\":{\"path\":\"/usr/bin/conmon\","
        "\"version\":\"conmon version 2.1.6\\ncommit: unknown\"},\"cpus\":2,\"distribution\":{\"version\":\"12\"}},"
        "\"store\":{\"graphOptions\":{},\"graphStatus\":{\"Supports d_type\":\"true\"}},\"registries\":{},"
        "\"plugins\":{\"authorization\":null,\"volume\":[\"local\"]},\"version\":{\"APIVersion\":\"4.3.1\"}}";

static void test_version_output(void **state) {
        static const struct canned answers[] = { { "GET /v4.3.1/libpod/version ", 200, version_json }, {} };
        struct fixture *fx = *state;
        json_t *v;
        struct run r;

        start_server(fx, answers);
        run(&r, (const char *[]) { fx->url, "version", NULL }, NULL);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.err, "");
        assert_true(starts_with(r.out, "Client:       berth\nVersion:      0.1.0\nAPI Version:  4.3.1\n"));
        assert_non_null(strstr(r.out, "\n\nServer:       berth\n"
                                      "Version:      9.9.9\n"
                                      "API Version:  4.3.1\n"
                                      "Built:        Mon Dec  7 20:15:49 2026\n"
                                      "OS/Arch:      linux/arm64\n"));

        run(&r, (const char *[]) { fx->url, "version", "--format", "json", NULL }, NULL);
        assert_int_equal(r.status, 0);
        v = json_loads(r.out, 0, NULL);
        assert_non_null(v);
        assert_string_equal(json_string_value(json_object_get(json_object_get(v, "Client"), "Version")), "0.1.0");
        assert_string_equal(json_string_value(json_object_get(json_object_get(v, "Server"), "OsArch")), "linux/arm64");
        assert_string_equal(json_string_value(json_object_get(json_object_get(v, "Server"), "BuiltTime")),
                            "Mon Dec  7 20:15:49 2026");
        assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "Server"), "Built")), 1796674549);
        json_decref(v);
}

static void test_info_output(void **state) {
        static const struct canned answers[] = { { "GET /v4.3.1/libpod/info ", 200, info_json }, {} };
        struct fixture *fx = *state;
        struct run r;

        start_server(fx, answers);
        run(&r, (const char *[]) { fx->url, "info", NULL }, NULL);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.err, "");
        assert_string_equal(r.out, "host:\n"
                                   "  arch: arm64\n"
                                   "  cgroupControllers:\n"
                                   "  - cpu\n"
                                   "  - pids\n"
                                   "  conmon:\n"
                                   "    path: /usr/bin/conmon\n"
                                   "    version: |-\n"
                                   "      conmon version 2.1.6\n"
                                   "      commit: unknown\n"
                                   "  cpus: 2\n"
                                   "  distribution:\n"
                                   "    version: \"12\"\n"
                                   "plugins:\n"
                                   "  authorization: null\n"
                                   "  volume:\n"
                                   "  - local\n"
                                   "registries: {}\n"
                                   "store:\n"
                                   "  graphOptions: {}\n"
                                   "  graphStatus:\n"
                                   "    Supports d_type: \"true\"\n"
                                   "version:\n"
                                   "  APIVersion: 4.3.1\n"
                                   "\n");

        run(&r, (const char *[]) { fx->url, "info", "--format", "{{ json . }}", NULL }, NULL);
        assert_int_equal(r.status, 0);
        assert_true(starts_with(r.out, "{\n  \"host\": {\n    \"arch\": \"arm64\",\n"));
        json_t *v = json_loads(r.out, 0, NULL);
        assert_non_null(v);
        json_decref(v);
}

static void test_server_error(void **state) {
        static const struct canned answers[] = {
                { "/libpod/info ", 500, "{\"message\":\"cannot read the store: disk on fire\",\"response\":500}" },
                {},
        };
        struct fixture *fx = *state;
        struct run r;

        start_server(fx, answers);
        run(&r, (const char *[]) { fx->url, "info", NULL }, NULL);
        assert_int_equal(r.status, 125);
        assert_string_equal(r.out, "");
        assert_string_equal(r.err, "Error: cannot read the store: disk on fire\n");
        /* A route the server lacks: its 404 message comes through. */
        run(&r, (const char *[]) { fx->url, "version", NULL }, NULL);
        assert_int_equal(r.status, 125);
        assert_string_equal(r.err, "Error: no such route\n");
}

#define IMAGE_ID "9fefd897ce44a312c77aa4079f84865b62e69fc8c0f08656db1bcedbdbf75606"

static void test_pull_stream(void **state) {
        static const struct canned answers[] = {
                { "POST /v4.3.1/libpod/images/pull?reference=busybox", 200,
                  "{\"stream\":\"Trying to pull busybox...\\n\"}\n{\"stream\":\"Copying blob abc\\n\"}\n"
                  "{\"images\":[\"" IMAGE_ID "\"],\"id\":\"" IMAGE_ID "\"}\n" },
                { "POST /v4.3.1/libpod/images/pull?reference=bad", 200,
                  "{\"stream\":\"Trying to pull bad...\\n\"}\n{\"error\":\"reading manifest: manifest unknown\"}\n" },
                { "POST /v4.3.1/libpod/images/pull?reference=garbled", 200, "{\"stream\":\"x\\n\"}\nnot json\n" },
                { "POST /v4.3.1/libpod/images/pull?reference=mute", 200, "{\"stream\":\"x\\n\"}\n" },
                {},
        };
        struct fixture *fx = *state;
        struct run r;

        start_server(fx, answers);
        /* Progress on stderr as it comes, the ID alone on stdout: podman --remote's split. */
        run(&r, (const char *[]) { fx->url, "pull", "busybox", NULL }, NULL);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.out, IMAGE_ID "\n");
        assert_string_equal(r.err, "Trying to pull busybox...\nCopying blob abc\n");
        run(&r, (const char *[]) { fx->url, "pull", "-q", "busybox", NULL }, NULL);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.out, IMAGE_ID "\n");
        assert_string_equal(r.err, "");
        /* An error in the stream is the verb's error. */
        run(&r, (const char *[]) { fx->url, "pull", "bad", NULL }, NULL);
        assert_int_equal(r.status, 125);
        assert_string_equal(r.out, "");
        assert_string_equal(r.err, "Trying to pull bad...\nError: reading manifest: manifest unknown\n");
        run(&r, (const char *[]) { fx->url, "pull", "garbled", NULL }, NULL);
        assert_int_equal(r.status, 125);
        assert_true(starts_with(r.err, "x\nError: berthd sent an invalid line in the pull stream: "));
        run(&r, (const char *[]) { fx->url, "pull", "mute", NULL }, NULL);
        assert_int_equal(r.status, 125);
        assert_string_equal(r.err, "x\nError: berthd ended the pull of mute without naming the image\n");
        /* Several images: each failure is printed, the last one by main. */
        run(&r, (const char *[]) { fx->url, "pull", "-q", "bad", "busybox", "mute", NULL }, NULL);
        assert_int_equal(r.status, 125);
        assert_string_equal(r.out, IMAGE_ID "\n");
        assert_string_equal(r.err, "Error: reading manifest: manifest unknown\n"
                                   "Error: berthd ended the pull of mute without naming the image\n");
}

static void test_images_table(void **state) {
        static const struct canned answers[] = {
                { "GET /v4.3.1/libpod/images/json ", 200,
                  "[{\"Id\":\"0123456789abcdef\",\"RepoTags\":[],\"Created\":0,\"Size\":999},"
                  "{\"Id\":\"" IMAGE_ID "\",\"RepoTags\":[\"docker.io/library/busybox:latest\","
                  "\"localhost:5000/team/app:v1\"],\"Created\":1,\"Size\":4860000}]" },
                {},
        };
        struct fixture *fx = *state;
        char want[1024], ago0[64], ago1[64];
        struct run r;

        start_server(fx, answers);
        /* Created 0 and 1 are decades ago: the wording only changes once a year. */
        snprintf(ago0, sizeof(ago0), "%lld years ago", (long long) time(NULL) / 3600 / 24 / 365);
        snprintf(ago1, sizeof(ago1), "%lld years ago", ((long long) time(NULL) - 1) / 3600 / 24 / 365);
        run(&r, (const char *[]) { fx->url, "images", NULL }, NULL);
        assert_int_equal(r.status, 0);
        snprintf(want, sizeof(want),
                 "REPOSITORY                 TAG         IMAGE ID      CREATED       SIZE\n"
                 "docker.io/library/busybox  latest      9fefd897ce44  %-12s  4.86 MB\n"
                 "localhost:5000/team/app    v1          9fefd897ce44  %-12s  4.86 MB\n"
                 "<none>                     <none>      0123456789ab  %-12s  999 B\n",
                 ago1, ago1, ago0);
        assert_string_equal(r.out, want);
        run(&r, (const char *[]) { fx->url, "images", "-q", NULL }, NULL);
        assert_string_equal(r.out, "9fefd897ce44\n0123456789ab\n");
        run(&r, (const char *[]) { fx->url, "image", "ls", "--quiet", "--no-trunc", NULL }, NULL);
        assert_string_equal(r.out, "sha256:" IMAGE_ID "\nsha256:0123456789abcdef\n");
}

static void test_image_statuses(void **state) {
        static const struct canned answers[] = {
                { "DELETE /v4.3.1/libpod/images/ok ", 200,
                  "{\"Deleted\":[\"" IMAGE_ID "\"],\"Untagged\":[\"docker.io/library/ok:latest\"],"
                  "\"Errors\":null,\"ExitCode\":0}" },
                { "DELETE /v4.3.1/libpod/images/busy ", 409, "{\"message\":\"image busy is in use\"}" },
                { "DELETE /v4.3.1/libpod/images/boom ", 500, "{\"message\":\"disk on fire\"}" },
                { "GET /v4.3.1/libpod/images/there/exists ", 204, "" },
                { "GET /v4.3.1/libpod/images/boom/exists ", 500, "{\"message\":\"disk on fire\"}" },
                {},
        };
        struct fixture *fx = *state;
        struct run r;

        start_server(fx, answers);
        /* podman-rmi(1): 1 when an image was missing, and nothing worse happened. */
        run(&r, (const char *[]) { fx->url, "rmi", "nosuch", "ok", NULL }, NULL);
        assert_int_equal(r.status, 1);
        assert_string_equal(r.out, "Untagged: docker.io/library/ok:latest\nDeleted: " IMAGE_ID "\n");
        assert_string_equal(r.err, "Error: no such route\n");
        run(&r, (const char *[]) { fx->url, "rmi", "-i", "nosuch", NULL }, NULL);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.err, "");
        run(&r, (const char *[]) { fx->url, "image", "rm", "nosuch", "busy", "ok", NULL }, NULL);
        assert_int_equal(r.status, 2);
        assert_string_equal(r.err, "Error: no such route\nError: image busy is in use\n");
        run(&r, (const char *[]) { fx->url, "rmi", "nosuch", "boom", NULL }, NULL);
        assert_int_equal(r.status, 125);
        /* podman image exists: 0, 1, or 125 when the answer says neither. */
        run(&r, (const char *[]) { fx->url, "image", "exists", "there", NULL }, NULL);
        assert_int_equal(r.status, 0);
        run(&r, (const char *[]) { fx->url, "image", "exists", "nosuch", NULL }, NULL);
        assert_int_equal(r.status, 1);
        assert_string_equal(r.err, "");
        run(&r, (const char *[]) { fx->url, "image", "exists", "boom", NULL }, NULL);
        assert_int_equal(r.status, 125);
        assert_string_equal(r.err, "Error: disk on fire\n");
}

static void read_back(const char *path, char *buf, size_t n) {
        FILE *f = fopen(path, "re");
        size_t len;

        assert_non_null(f);
        len = fread(buf, 1, n - 1, f);
        buf[len] = '\0';
        fclose(f);
}

static void test_save_push_prune(void **state) {
        static const struct canned answers[] = {
                { "GET /v4.3.1/libpod/images/export?references=busybox&references=localhost:5000/a:1"
                  "&format=oci-archive ", 200, "oci tar bytes" },
                { "GET /v4.3.1/libpod/images/export?references=busybox&format=docker-archive ", 200, "tar bytes" },
                { "GET /v4.3.1/libpod/images/export?references=nosuch&", 404, "{\"message\":\"No such image: nosuch\"}" },
                { "POST /v4.3.1/libpod/images/busybox/push?quiet=false&destination=localhost:5000/b:1 ", 200,
                  "{\"stream\":\"Getting image source signatures\\n\"}\n{\"stream\":\"Storing signatures\\n\"}\n" },
                { "POST /v4.3.1/libpod/images/busybox/push?quiet=true ", 200, "" },
                { "POST /v4.3.1/libpod/images/bad/push?quiet=false ", 200,
                  "{\"stream\":\"Getting image source signatures\\n\"}\n{\"error\":\"pushing bad: denied\"}\n" },
                { "POST /v4.3.1/libpod/images/prune?all=true&filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D ", 200,
                  "[{\"Id\":\"sha256:" IMAGE_ID "\",\"Err\":null,\"Size\":0},"
                  "{\"Id\":\"0123\",\"Err\":\"image 0123 is in use\",\"Size\":0}]" },
                { "POST /v4.3.1/libpod/images/prune?all=false ", 200, "[]" },
                {},
        };
        struct fixture *fx = *state;
        char path[128], text[64];
        struct run r;

        start_server(fx, answers);
        /* The archive as it comes, on stdout (a pipe here) or in -o FILE. */
        run(&r, (const char *[]) { fx->url, "save", "busybox", NULL }, NULL);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.out, "tar bytes");
        snprintf(path, sizeof(path), "%s/out.tar", fx->dir);
        run(&r, (const char *[]) { fx->url, "image", "save", "--format=oci-archive", "-o", path, "busybox",
                                   "localhost:5000/a:1", NULL },
            NULL);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.out, "");
        read_back(path, text, sizeof(text));
        assert_string_equal(text, "oci tar bytes");
        /* A refused save creates no file. */
        snprintf(path, sizeof(path), "%s/none.tar", fx->dir);
        run(&r, (const char *[]) { fx->url, "save", "-o", path, "nosuch", NULL }, NULL);
        assert_int_equal(r.status, 125);
        assert_string_equal(r.err, "Error: No such image: nosuch\n");
        assert_int_equal(access(path, F_OK), -1);

        /* push: progress on stderr, nothing on stdout; an error in the stream is 125. */
        run(&r, (const char *[]) { fx->url, "push", "busybox", "localhost:5000/b:1", NULL }, NULL);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.out, "");
        assert_string_equal(r.err, "Getting image source signatures\nStoring signatures\n");
        run(&r, (const char *[]) { fx->url, "image", "push", "-q", "busybox", NULL }, NULL);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.err, "");
        run(&r, (const char *[]) { fx->url, "push", "bad", NULL }, NULL);
        assert_int_equal(r.status, 125);
        assert_string_equal(r.err, "Getting image source signatures\nError: pushing bad: denied\n");
        expect_usage_error((const char *[]) { "push", "a", "b", "c", NULL }, "Error: accepts at most 2 arg(s), received 3\n");

        /* prune: podman's bare IDs on stdout, failures on stderr. */
        run(&r, (const char *[]) { fx->url, "image", "prune", "-af", "--filter", "label=a=b", NULL }, NULL);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.out, IMAGE_ID "\n0123\n");
        assert_string_equal(r.err, "image 0123 is in use\n");
        run(&r, (const char *[]) { fx->url, "image", "prune", "--force", NULL }, NULL);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.out, "");
        expect_usage_error((const char *[]) { "image", "prune", "-f", "x", NULL },
                           "Error: \"berth image prune\" takes no arguments\n");
}

#define BERTH_SECRET_AUTH "eyJ1c2VybmFtZSI6ImJlcnRoIiwicGFzc3dvcmQiOiJzZWNyZXQifQ=="

static void test_login_logout(void **state) {
        static const struct canned answers[] = {
                { "\"password\":\"wrong\"", 401,
                  "{\"message\":\"unauthorized: registry h:1: login failed: unauthorized\"}" },
                { "POST /v1.41/auth ", 200, "{\"Status\":\"Login Succeeded\",\"IdentityToken\":\"\"}" },
                /* A pull carries the stored login only for its own registry. */
                { "X-Registry-Auth: " BERTH_SECRET_AUTH, 200, "{\"images\":[\"" IMAGE_ID "\"]}\n" },
                { "POST /v4.3.1/libpod/images/pull", 200, "{\"error\":\"no credentials\"}\n" },
                {},
        };
        struct fixture *fx = *state;
        char auth_env[160], home_env[160], auth_file[128], text[512];
        const char *env[] = { auth_env, home_env, NULL };
        struct stat st;
        struct run r;

        snprintf(auth_file, sizeof(auth_file), "%s/containers/auth.json", fx->dir);
        snprintf(auth_env, sizeof(auth_env), "REGISTRY_AUTH_FILE=%s", auth_file);
        snprintf(home_env, sizeof(home_env), "HOME=%s", fx->dir);
        start_server(fx, answers);
        run(&r, (const char *[]) { fx->url, "login", "-u", "berth", "-p", "wrong", "https://H:1/v2/", NULL }, env);
        assert_int_equal(r.status, 125);
        assert_string_equal(r.err, "Error: logging into \"h:1\": unauthorized: registry h:1: login failed: unauthorized\n");
        assert_int_equal(access(auth_file, F_OK), -1);
        run(&r, (const char *[]) { fx->url, "login", "--username=berth", "--password=secret", "h:1", NULL }, env);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.out, "Login Succeeded!\n");
        assert_int_equal(stat(auth_file, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        read_back(auth_file, text, sizeof(text));
        /* containers-auth.json: base64("berth:secret"). */
        assert_non_null(strstr(text, "\"h:1\": {"));
        assert_non_null(strstr(text, "\"auth\": \"YmVydGg6c2VjcmV0\""));
        run(&r, (const char *[]) { fx->url, "login", "--get-login", "h:1", NULL }, env);
        assert_string_equal(r.out, "berth\n");

        run(&r, (const char *[]) { fx->url, "pull", "-q", "h:1/app", NULL }, env);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.out, IMAGE_ID "\n");
        run(&r, (const char *[]) { fx->url, "pull", "-q", "other:2/app", NULL }, env);
        assert_int_equal(r.status, 125);
        assert_string_equal(r.err, "Error: no credentials\n");

        run(&r, (const char *[]) { fx->url, "logout", "h:1", NULL }, env);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.out, "Removed login credentials for h:1\n");
        run(&r, (const char *[]) { fx->url, "pull", "-q", "h:1/app", NULL }, env);
        assert_int_equal(r.status, 125);
        run(&r, (const char *[]) { fx->url, "logout", "h:1", NULL }, env);
        assert_int_equal(r.status, 125);
        assert_string_equal(r.err, "Error: not logged into h:1\n");
        run(&r, (const char *[]) { fx->url, "logout", "--all", NULL }, env);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.out, "Removed login credentials for all registries\n");
        expect_usage_error((const char *[]) { "login", "--password-stdin", "h:1", NULL },
                           "Error: Must provide --username with --password-stdin\n");
        expect_usage_error((const char *[]) { "logout", NULL }, "Error: registry must be given\n");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_help),
                cmocka_unit_test(test_usage_errors),
                cmocka_unit_test_setup_teardown(test_no_daemon, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ssh_failure, setup, teardown),
                cmocka_unit_test_setup_teardown(test_version_output, setup, teardown),
                cmocka_unit_test_setup_teardown(test_info_output, setup, teardown),
                cmocka_unit_test_setup_teardown(test_server_error, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pull_stream, setup, teardown),
                cmocka_unit_test_setup_teardown(test_images_table, setup, teardown),
                cmocka_unit_test_setup_teardown(test_image_statuses, setup, teardown),
                cmocka_unit_test_setup_teardown(test_save_push_prune, setup, teardown),
                cmocka_unit_test_setup_teardown(test_login_logout, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
