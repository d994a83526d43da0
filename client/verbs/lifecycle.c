/* berth start, stop, kill, restart, pause, unpause, rm, wait, rename and container
 * exists: one libpod request per container, the argument echoed as podman does. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "attach-session.h"
#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "container-create.h"
#include "http.h"
#include "verb.h"
#include "verbs/container.h"

/* One action on many containers: the query after the action, and whether --all is on. */
struct action {
        const char *method, *tail;      /* "POST", "/stop?timeout=10" */
        bool all;
        bool echo_id;                   /* print what the user named (else nothing) */
        bool ignore_missing;            /* rm --ignore/--force: a 404 is no failure */
};

static int act(struct client *c, const char *name, void *userdata, berth_error *err) {
        const struct action *a = userdata;
        _cleanup_free_ char *path = container_path(name, a->tail);
        _cleanup_(json_decrefp) json_t *answer = NULL;
        int r = client_request_json(c, a->method, path, NULL, &answer, err);

        if (r < 0 && c->status == 404 && a->ignore_missing)
                return 0;
        /* 304: already in that state, which podman reports as done. */
        if (r < 0 && c->status != 304) {
                if (strstr(err->message, "state improper"))
                        err->code = -EBUSY;
                return r;
        }
        /* rm answers a report per container (none for one --ignore skipped); the first
         * one's error is the failure. */
        if (json_is_array(answer) && json_array_size(answer) == 0)
                return 0;
        if (json_is_array(answer)) {
                const char *e = json_string_value(json_object_get(json_array_get(answer, 0), "Err"));
                if (e && *e)
                        return berth_err(err, strstr(e, "no such container") ? -ENOENT
                                              : strstr(e, "state improper") ? -EBUSY : -EIO, "%s", e);
        }
        if (a->echo_id)
                printf("%s\n", name);
        return 0;
}

/* With --all: every container's ID as the arguments. */
static int act_all(struct client *c, struct action *a, const char *filter) {
        _cleanup_(json_decrefp) json_t *list = NULL;
        _cleanup_free_ char *path = NULL;
        berth_error held = { 0 };
        size_t i;
        json_t *ctr;
        int r;

        path = filter ? xasprintf("/containers/json?all=true&filters=%s", filter) : xstrdup("/containers/json?all=true");
        r = client_get_json(c, path, &list, &c->error);
        if (r < 0)
                return r;
        json_array_foreach(list, i, ctr) {
                berth_error err = { 0 };
                if (act(c, json_string_value(json_object_get(ctr, "Id")) ?: "", a, &err) >= 0)
                        continue;
                if (held.code < 0)
                        verb_print_error(&held);
                held = err;
        }
        if (held.code < 0)
                return c->error = held, held.code;
        return 0;
}

static int run_action(struct client *c, int argc, char **argv, struct action *a, const char *all_filter) {
        if (a->all) {
                if (optind < argc)
                        return berth_err(&c->error, -EINVAL, "--all and containers cannot be used together");
                return act_all(c, a, all_filter);
        }
        if (optind >= argc)
                return berth_err(&c->error, -EINVAL, "you must provide at least one container name or id");
        return container_each(c, argc, argv, act, a);
}

static int simple_usage(const char *verb, const char *what, const char *extra) {
        printf("Usage: berth %s [options] CONTAINER [CONTAINER...]\n\n%s\n\nOptions:\n%s"
               "  -a, --all             act on every container\n"
               "  -h, --help            print this help\n",
               verb, what, extra);
        return 0;
}

/* stop and restart: -t/--time SECONDS before SIGKILL. */
static int timed(struct client *c, int argc, char **argv, const char *what, const char *param, const char *filter) {
        static const struct option options[] = {
                { "all", no_argument, NULL, 'a' },
                { "time", required_argument, NULL, 't' },
                { "timeout", required_argument, NULL, 't' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_free_ char *tail = NULL;
        struct action a = { .method = "POST", .echo_id = true };
        const char *seconds = NULL;
        int opt;

        while ((opt = verb_getopt(argc, argv, "at:h", options, &c->error)) > 0) {
                switch (opt) {
                case 'a': a.all = true; break;
                case 't': seconds = optarg; break;
                case 'h':
                        return simple_usage(argv[0], what, "  -t, --time SECONDS    seconds to wait before killing\n");
                }
        }
        if (opt < 0)
                return opt;
        if (seconds && strspn(seconds, "0123456789") != strlen(seconds))
                return berth_err(&c->error, -EINVAL, "invalid argument \"%s\" for \"-t, --time\" flag", seconds);
        tail = seconds ? xasprintf("/%s?%s=%s", argv[0], param, seconds) : xasprintf("/%s", argv[0]);
        a.tail = tail;
        return run_action(c, argc, argv, &a, filter);
}

int cmd_stop(struct client *c, int argc, char **argv) {
        return timed(c, argc, argv, "Stop containers: SIGTERM (or their stop signal), then SIGKILL.", "timeout",
                     NULL);
}

int cmd_restart(struct client *c, int argc, char **argv) {
        return timed(c, argc, argv, "Restart containers.", "t", NULL);
}

int cmd_kill(struct client *c, int argc, char **argv) {
        static const struct option options[] = {
                { "all", no_argument, NULL, 'a' },
                { "signal", required_argument, NULL, 's' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_free_ char *tail = NULL, *escaped = NULL;
        struct action a = { .method = "POST", .echo_id = true };
        const char *sig = "KILL";
        int opt;

        while ((opt = verb_getopt(argc, argv, "as:h", options, &c->error)) > 0) {
                switch (opt) {
                case 'a': a.all = true; break;
                case 's': sig = optarg; break;
                case 'h':
                        return simple_usage("kill", "Send a signal (default SIGKILL) to running containers.",
                                            "  -s, --signal SIGNAL   the signal to send\n");
                }
        }
        if (opt < 0)
                return opt;
        if (parse_signal(sig) < 0)
                return berth_err(&c->error, -EINVAL, "invalid signal: %s", sig);
        escaped = http_escape(sig, NULL);
        tail = xasprintf("/kill?signal=%s", escaped);
        a.tail = tail;
        return run_action(c, argc, argv, &a, "%7B%22status%22%3A%5B%22running%22%5D%7D");
}

static int plain(struct client *c, int argc, char **argv, const char *what, const char *filter) {
        static const struct option options[] = {
                { "all", no_argument, NULL, 'a' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_free_ char *tail = xasprintf("/%s", argv[0]);
        struct action a = { .method = "POST", .tail = tail, .echo_id = true };
        int opt;

        while ((opt = verb_getopt(argc, argv, "ah", options, &c->error)) > 0) {
                if (opt == 'h')
                        return simple_usage(argv[0], what, "");
                a.all = true;
        }
        if (opt < 0)
                return opt;
        return run_action(c, argc, argv, &a, filter);
}

int cmd_pause(struct client *c, int argc, char **argv) {
        return plain(c, argc, argv, "Pause every process in containers (the freezer cgroup).",
                     "%7B%22status%22%3A%5B%22running%22%5D%7D");
}

int cmd_unpause(struct client *c, int argc, char **argv) {
        return plain(c, argc, argv, "Resume the processes of paused containers.",
                     "%7B%22status%22%3A%5B%22paused%22%5D%7D");
}

int cmd_rm(struct client *c, int argc, char **argv) {
        static const struct option options[] = {
                { "all", no_argument, NULL, 'a' },
                { "force", no_argument, NULL, 'f' },
                { "volumes", no_argument, NULL, 'v' },
                { "ignore", no_argument, NULL, 'i' },
                { "time", required_argument, NULL, 't' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_free_ char *tail = NULL;
        struct action a = { .method = "DELETE", .echo_id = true };
        bool force = false, volumes = false, ignore = false;
        const char *seconds = NULL;
        int opt, r;

        while ((opt = verb_getopt(argc, argv, "afvit:h", options, &c->error)) > 0) {
                switch (opt) {
                case 'a': a.all = true; break;
                case 'f': force = true; break;
                case 'v': volumes = true; break;
                case 'i': ignore = true; break;
                case 't': seconds = optarg; break;
                case 'h':
                        return simple_usage("rm", "Remove containers; running ones only with --force.",
                                            "  -f, --force           stop running containers first\n"
                                            "  -i, --ignore          ignore containers that do not exist\n"
                                            "  -t, --time SECONDS    seconds to wait before killing (with -f)\n"
                                            "  -v, --volumes         remove their anonymous volumes too\n");
                }
        }
        if (opt < 0)
                return opt;
        /* As podman, --force also ignores containers that do not exist. */
        tail = xasprintf("?force=%s&v=%s&ignore=%s%s%s", force ? "true" : "false", volumes ? "true" : "false",
                         ignore || force ? "true" : "false", seconds ? "&timeout=" : "", seconds ?: "");
        a.tail = tail;
        a.ignore_missing = ignore || force;
        r = run_action(c, argc, argv, &a, NULL);
        /* podman's statuses: 1 for no such container, 2 for one running without --force. */
        if (r < 0 && (c->error.code == -ENOENT || c->error.code == -EBUSY)) {
                verb_print_error(&c->error);
                return c->error.code == -ENOENT ? 1 : 2;
        }
        return r;
}

static int wait_one(struct client *c, const char *name, void *userdata, berth_error *err) {
        int code, r = container_wait(c, name, userdata, &code, err);

        if (r < 0)
                return r;
        printf("%d\n", code);
        return 0;
}

int cmd_wait(struct client *c, int argc, char **argv) {
        static const struct option options[] = {
                { "condition", required_argument, NULL, 'c' },
                { "interval", required_argument, NULL, 'i' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_free_ char *condition = NULL;
        int opt, r;

        while ((opt = verb_getopt(argc, argv, "i:h", options, &c->error)) > 0) {
                if (opt == 'h') {
                        fputs("Usage: berth wait [options] CONTAINER [CONTAINER...]\n\n"
                              "Wait for containers to reach a state and print their exit codes.\n\nOptions:\n"
                              "      --condition STATE  stopped (default), exited, running, created, paused...\n"
                              "  -i, --interval TIME    accepted for podman's sake\n"
                              "  -h, --help             print this help\n",
                              stdout);
                        return 0;
                }
                if (opt == 'c') {
                        _cleanup_free_ char *e = http_escape(optarg, NULL);
                        free(condition);
                        condition = xstrdup(e);
                }
        }
        if (opt < 0 || (r = verb_args(argc, 1, -1, &c->error)) < 0)
                return opt < 0 ? opt : r;
        return container_each(c, argc, argv, wait_one, condition ?: (char *) "stopped");
}

int cmd_rename(struct client *c, int argc, char **argv) {
        static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
        _cleanup_free_ char *name = NULL, *tail = NULL, *path = NULL;
        int opt = verb_getopt(argc, argv, "h", options, &c->error), r;

        if (opt == 'h') {
                fputs("Usage: berth rename CONTAINER NAME\n\nGive a container a new name.\n", stdout);
                return 0;
        }
        if (opt < 0 || (r = verb_args(argc, 2, 2, &c->error)) < 0)
                return opt < 0 ? opt : r;
        name = http_escape(argv[optind + 1], NULL);
        tail = xasprintf("/rename?name=%s", name);
        path = container_path(argv[optind], tail);
        return client_request_json(c, "POST", path, NULL, NULL, &c->error);
}

int cmd_container_exists(struct client *c, int argc, char **argv) {
        static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
        _cleanup_free_ char *path = NULL;
        int opt = verb_getopt(argc, argv, "h", options, &c->error), r;

        if (opt == 'h') {
                fputs("Usage: berth container exists CONTAINER\n\nExit status 0 if the container exists, 1 if "
                      "not.\n", stdout);
                return 0;
        }
        if (opt < 0 || (r = verb_args(argc, 1, 1, &c->error)) < 0)
                return opt < 0 ? opt : r;
        path = container_path(argv[optind], "/exists");
        r = client_get_json(c, path, NULL, &c->error);
        if (r < 0 && c->status == 404)
                return 1;
        return r < 0 ? r : 0;
}

/* start -a: attach first, then start, then the session and the exit code, as run. */
static int start_attached(struct client *c, const char *id, bool interactive, const char *keys, bool sig_proxy) {
        _cleanup_(json_decrefp) json_t *info = NULL;
        _cleanup_free_ char *path = container_path(id, "/start");
        struct attach_request a = { .id = id, .stdout = true, .stderr = true, .sig_proxy = sig_proxy,
                                    .detach_keys = keys };
        int fd, r, code = 0;

        r = container_inspect(c, id, &info, &c->error);
        if (r < 0)
                return r;
        a.tty = json_is_true(json_object_get(json_object_get(info, "Config"), "Tty"));
        a.stdin = interactive && json_is_true(json_object_get(json_object_get(info, "Config"), "OpenStdin"));
        r = container_attach_open(c, &a, &fd, &c->error);
        if (r < 0)
                return r;
        r = client_request_json(c, "POST", path, NULL, NULL, &c->error);
        if (r < 0 && c->status != 304) {
                close(fd);
                return r;
        }
        r = container_attach_session(c, &a, fd, &c->error);
        if (r != ATTACH_ENDED)
                return r == ATTACH_DETACHED ? 0 : r;
        r = container_wait(c, id, "stopped", &code, &c->error);
        return r < 0 ? r : code;
}

int cmd_start(struct client *c, int argc, char **argv) {
        static const struct option options[] = {
                { "all", no_argument, NULL, 'A' },
                { "attach", no_argument, NULL, 'a' },
                { "interactive", no_argument, NULL, 'i' },
                { "detach-keys", required_argument, NULL, 'k' },
                { "sig-proxy", optional_argument, NULL, 's' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        struct action a = { .method = "POST", .tail = "/start", .echo_id = true };
        bool attach = false, interactive = false, sig_proxy = true;
        const char *keys = NULL;
        int opt;

        while ((opt = verb_getopt(argc, argv, "aih", options, &c->error)) > 0) {
                switch (opt) {
                case 'A': a.all = true; break;
                case 'a': attach = true; break;
                case 'i': interactive = true; break;
                case 'k': keys = optarg; break;
                case 's': sig_proxy = !optarg || strcmp(optarg, "false") != 0; break;
                case 'h':
                        return simple_usage("start", "Start containers.",
                                            "  -a, --attach          attach to the container's output (one only)\n"
                                            "  -i, --interactive     attach its standard input too\n"
                                            "      --detach-keys KEYS  keys that detach (default ctrl-p,ctrl-q)\n"
                                            "      --sig-proxy       forward signals (default true with -a)\n");
                }
        }
        if (opt < 0)
                return opt;
        if (attach || interactive) {
                if (a.all || argc - optind != 1)
                        return berth_err(&c->error, -EINVAL, "you cannot start and attach multiple containers at once");
                return start_attached(c, argv[optind], interactive, keys, sig_proxy);
        }
        return run_action(c, argc, argv, &a, NULL);
}
