/* berth exec: an exec session created on the container, then started on a hijacked
 * stream (or detached); berth exits with the command's exit code. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attach-session.h"
#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "container-create.h"
#include "hijack.h"
#include "http.h"
#include "verb.h"
#include "verbs/container.h"

static const char exec_usage[] =
        "Usage: berth exec [options] CONTAINER COMMAND [ARG...]\n"
        "\n"
        "Run a command in a running container; berth exits with its exit status (126: it\n"
        "cannot be run, 127: not found).\n"
        "\n"
        "Options:\n"
        "  -d, --detach             run in the background and print the exec session's ID\n"
        "      --detach-keys KEYS   keys that detach (default ctrl-p,ctrl-q)\n"
        "  -e, --env KEY[=VALUE]    set a variable (KEY alone: from berth's environment)\n"
        "  -i, --interactive        keep stdin open\n"
        "      --privileged         give the process every capability\n"
        "  -t, --tty                allocate a pseudo-TTY\n"
        "  -u, --user USER[:GROUP]  run as this user\n"
        "  -w, --workdir DIR        the working directory\n"
        "  -h, --help               print this help\n";

struct exec_flags {
        bool detach, interactive, tty, privileged;
        const char *user, *workdir, *detach_keys;
        json_t *env;
};

static int parse(struct client *c, int argc, char **argv, struct exec_flags *f) {
        static const struct option options[] = {
                { "detach", no_argument, NULL, 'd' },
                { "detach-keys", required_argument, NULL, 'k' },
                { "env", required_argument, NULL, 'e' },
                { "interactive", no_argument, NULL, 'i' },
                { "privileged", no_argument, NULL, 'p' },
                { "tty", no_argument, NULL, 't' },
                { "user", required_argument, NULL, 'u' },
                { "workdir", required_argument, NULL, 'w' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        struct detach_keys check;
        int opt;

        while ((opt = verb_getopt(argc, argv, "+de:itu:w:h", options, &c->error)) > 0) {
                switch (opt) {
                case 'd': f->detach = true; break;
                case 'k': f->detach_keys = optarg; break;
                case 'e':
                        if (strchr(optarg, '='))
                                json_array_append_new(f->env, json_string(optarg));
                        else if (getenv(optarg))
                                json_array_append_new(f->env, json_sprintf("%s=%s", optarg, getenv(optarg)));
                        break;
                case 'i': f->interactive = true; break;
                case 'p': f->privileged = true; break;
                case 't': f->tty = true; break;
                case 'u': f->user = optarg; break;
                case 'w': f->workdir = optarg; break;
                case 'h': return 1;
                }
        }
        if (opt < 0)
                return opt;
        if (f->detach_keys && detach_keys_parse(f->detach_keys, &check, &c->error) < 0)
                return c->error.code;
        return verb_args(argc, 2, -1, &c->error);
}

static json_t *exec_body(const struct exec_flags *f, int argc, char **argv) {
        json_t *cmd = json_array();
        json_t *body;

        for (int i = optind + 1; i < argc; i++)
                json_array_append_new(cmd, json_string(argv[i]));
        body = json_pack("{s:b, s:b, s:b, s:o, s:O, s:b, s:b}", "AttachStdin", f->interactive && !f->detach,
                         "AttachStdout", !f->detach, "AttachStderr", !f->detach, "Cmd", cmd, "Env", f->env, "Tty",
                         f->tty, "Privileged", f->privileged);
        if (f->user)
                json_object_set_new(body, "User", json_string(f->user));
        if (f->workdir)
                json_object_set_new(body, "WorkingDir", json_string(f->workdir));
        if (f->detach_keys)
                json_object_set_new(body, "DetachKeys", json_string(f->detach_keys));
        return body;
}

static int exec_resize(void *userdata, unsigned rows, unsigned cols) {
        void **ud = userdata;
        _cleanup_free_ char *path = xasprintf("/exec/%s/resize?h=%u&w=%u", (char *) ud[1], rows, cols);
        berth_error ignored = { 0 };

        return client_request_json(ud[0], "POST", path, NULL, NULL, &ignored);
}

/* The exit code once the session has ended; libpod may need a moment to record it. */
static int exit_code(struct client *c, const char *exec_id) {
        _cleanup_free_ char *path = xasprintf("/exec/%s/json", exec_id);

        for (int i = 0; i < 500; i++) {
                _cleanup_(json_decrefp) json_t *info = NULL;
                int r = client_get_json(c, path, &info, &c->error);
                if (r < 0)
                        return r;
                if (!json_is_true(json_object_get(info, "Running")))
                        return (int) json_integer_value(json_object_get(info, "ExitCode"));
                nanosleep(&(struct timespec) { .tv_nsec = 10000000 }, NULL);
        }
        return berth_err(&c->error, -ETIMEDOUT, "the exec session %s did not report its end", exec_id);
}

static int start(struct client *c, const struct exec_flags *f, const char *exec_id) {
        _cleanup_free_ char *path = xasprintf("/exec/%s/start", exec_id);
        _cleanup_(json_decrefp) json_t *body = json_pack("{s:b, s:b}", "Detach", f->detach, "Tty", f->tty);
        _cleanup_close_ int fd = -1;
        void *ud[2] = { c, (void *) exec_id };
        struct attach_session s = { .tty = f->tty, .stdin = f->interactive, .resize = exec_resize, .userdata = ud };
        int r;

        if (f->detach) {
                r = client_request_json(c, "POST", path, body, NULL, &c->error);
                if (r >= 0)
                        printf("%s\n", exec_id);
                return r;
        }
        r = hijack_open(c, "POST", path, body, &fd, &c->error);
        if (r < 0)
                return r;
        r = detach_keys_parse(f->detach_keys ? f->detach_keys : DETACH_KEYS_DEFAULT, &s.keys, &c->error);
        if (r < 0)
                return r;
        s.fd = fd;
        r = attach_session_run(&s, &c->error);
        if (r != ATTACH_ENDED)
                return r == ATTACH_DETACHED ? 0 : r;
        return exit_code(c, exec_id);
}

int cmd_exec(struct client *c, int argc, char **argv) {
        _cleanup_(json_decrefp) json_t *env = json_array(), *body = NULL, *answer = NULL;
        _cleanup_free_ char *path = NULL, *exec_id = NULL;
        struct exec_flags f = { .env = env };
        int r = parse(c, argc, argv, &f);

        if (r != 0)
                return r > 0 ? verb_usage(exec_usage) : r;
        body = exec_body(&f, argc, argv);
        path = container_path(argv[optind], "/exec");
        r = client_request_json(c, "POST", path, body, &answer, &c->error);
        if (r < 0)
                return r;
        if (!json_string_value(json_object_get(answer, "Id")))
                return berth_err(&c->error, -EBADMSG, "berthd sent no exec session ID");
        exec_id = xstrdup(json_string_value(json_object_get(answer, "Id")));
        r = start(c, &f, exec_id);
        /* A start refused with the runtime's words: podman's 126/127 mapping. */
        if (r < 0 && c->status >= 400 && create_start_error_status(c->error.message) != CLIENT_EXIT_ERROR) {
                verb_print_error(&c->error);
                return create_start_error_status(c->error.message);
        }
        return r;
}
