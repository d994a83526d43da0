/* berth run and berth create: flags to a SpecGenerator, a pull if needed, create; run
 * then attaches before it starts, as podman --remote does, and exits with the
 * container's code (125 for berth's own failures, 126/127 for a command that cannot run). */
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

static const char run_head[] =
        "Usage: berth run [options] IMAGE [COMMAND [ARG...]]\n"
        "\n"
        "Run a command in a new container. berth exits with the command's exit status;\n"
        "125 when berth or berthd failed, 126 when the command cannot be run, 127 when it\n"
        "is not found.\n"
        "\n";

static const char create_head[] =
        "Usage: berth create [options] IMAGE [COMMAND [ARG...]]\n"
        "\n"
        "Create a container, without starting it, and print its ID.\n"
        "\n";

static const char create_flags_help[] =
        "Options:\n"
        "  -a, --attach STREAM          attach to stdin, stdout or stderr (repeatable)\n"
        "      --add-host HOST:IP       add a line to /etc/hosts\n"
        "      --blkio-weight N         block IO weight (10-1000)\n"
        "      --cap-add CAP            add a capability; --cap-drop CAP drops one\n"
        "      --cpus N                 CPUs (a fraction: quota over a 100ms period)\n"
        "      --cpu-shares N, --cpu-quota N, --cpu-period N, --cpuset-cpus LIST\n"
        "  -d, --detach                 run in the background and print the container ID\n"
        "      --detach-keys KEYS       keys that detach (default ctrl-p,ctrl-q)\n"
        "      --device HOST[:CTR[:PERM]] add a host device\n"
        "      --dns IP, --dns-search DOMAIN, --dns-option OPT\n"
        "  -e, --env KEY[=VALUE]        set a variable (KEY alone: from berth's environment)\n"
        "      --env-file FILE          read KEY=VALUE lines from FILE\n"
        "      --entrypoint CMD         override the image's entrypoint (string or JSON array)\n"
        "      --group-add GROUP        additional groups\n"
        "      --health-cmd CMD         a health check command (stored)\n"
        "  -h, --hostname NAME          the container's host name\n"
        "      --help                   print this help\n"
        "  -i, --interactive            keep stdin open\n"
        "      --init                   run an init inside that forwards signals and reaps\n"
        "      --ipc MODE, --pid MODE, --uts MODE   host, private, container:ID, ns:PATH\n"
        "  -l, --label KEY[=VALUE]      set a label\n"
        "  -m, --memory SIZE            memory limit; --memory-swap SIZE (-1: unlimited)\n"
        "      --mount type=TYPE,...    bind, volume or tmpfs mounts\n"
        "      --name NAME              the container's name\n"
        "      --network MODE           none, host, container:ID, ns:PATH, bridge or NAME\n"
        "      --pids-limit N           process limit (-1: unlimited)\n"
        "      --privileged             every capability and device\n"
        "      --pull POLICY            missing (default), always, never, newer\n"
        "      --read-only              mount the root filesystem read-only\n"
        "      --restart POLICY         no, always, on-failure[:N], unless-stopped\n"
        "      --rm                     remove the container when it exits\n"
        "      --security-opt OPT       label=..., apparmor=..., seccomp=..., no-new-privileges\n"
        "      --shm-size SIZE          size of /dev/shm\n"
        "      --sig-proxy              forward signals to the container (default true)\n"
        "      --stop-signal SIG, --stop-timeout SECONDS\n"
        "  -t, --tty                    allocate a pseudo-TTY\n"
        "      --tmpfs DIR[:OPTS]       mount a tmpfs\n"
        "      --ulimit NAME=SOFT[:HARD] set a resource limit\n"
        "  -u, --user USER[:GROUP]      run as this user\n"
        "  -v, --volume SRC:DST[:OPTS]  bind-mount a path or mount a named volume\n"
        "  -w, --workdir DIR            the working directory\n";

static int usage(const char *head) {
        fputs(head, stdout);
        fputs(create_flags_help, stdout);
        return 0;
}

static int create(struct client *c, struct create_flags *f, char **ret_id) {
        _cleanup_(json_decrefp) json_t *answer = NULL;
        const char *id;
        size_t i;
        json_t *w;
        int r;

        r = container_pull_image(c, f->image, f->pull, &c->error);
        if (r < 0)
                return r;
        r = client_request_json(c, "POST", "/containers/create", f->spec, &answer, &c->error);
        if (r < 0)
                return r;
        id = json_string_value(json_object_get(answer, "Id"));
        if (!id)
                return berth_err(&c->error, -EBADMSG, "berthd sent no ID for the created container");
        json_array_foreach(json_object_get(answer, "Warnings"), i, w)
                fprintf(stderr, "WARNING: %s\n", json_string_value(w) ?: "");
        *ret_id = xstrdup(id);
        return 0;
}

static int start(struct client *c, const char *id) {
        _cleanup_free_ char *path = container_path(id, "/start");
        int r = client_request_json(c, "POST", path, NULL, NULL, &c->error);

        /* 304: already started, which is not a failure of run. */
        return r < 0 && c->status == 304 ? 0 : r;
}

/* A start that failed: the message as usual, the status from its text. */
static int start_failed(struct client *c) {
        verb_print_error(&c->error);
        return create_start_error_status(c->error.message);
}

static int run_detached(struct client *c, const char *id) {
        int r = start(c, id);

        if (r < 0)
                return start_failed(c);
        printf("%s\n", id);
        return 0;
}

/* The exit code once the attached stream has ended. */
static int exit_code(struct client *c, const char *id, const struct create_flags *f) {
        berth_error err = { 0 };
        int code = 0, r = container_wait(c, id, "stopped", &code, &err);

        if (r < 0 && !(f->rm && c->status == 404)) {
                c->error = err;
                return r;
        }
        return code;
}

static int run_attached(struct client *c, const char *id, const struct create_flags *f) {
        struct attach_request a = {
                .id = id, .tty = f->tty, .stdin = f->attach_stdin, .stdout = f->attach_stdout,
                .stderr = f->attach_stderr, .sig_proxy = f->sig_proxy, .detach_keys = f->detach_keys,
        };
        int fd, r;

        /* libpod's attach prepares a created container (runc create), so a command that
         * cannot run may already fail here. */
        r = container_attach_open(c, &a, &fd, &c->error);
        if (r < 0)
                return start_failed(c);
        /* The size is set before the command starts, so it never sees 0x0. */
        if (f->tty)
                container_resize_tty(c, id);
        r = start(c, id);
        if (r < 0) {
                close(fd);
                return start_failed(c);
        }
        r = container_attach_session(c, &a, fd, &c->error);
        if (r == ATTACH_DETACHED)
                return 0;
        if (r != ATTACH_ENDED)
                return r;
        return exit_code(c, id, f);
}

static int parse(struct client *c, int argc, char **argv, bool run, struct create_flags *f) {
        struct detach_keys check;
        int r = create_flags_parse(argc, argv, run, f, &c->error);

        if (r != 0)
                return r;
        if (f->detach_keys && detach_keys_parse(f->detach_keys, &check, &c->error) < 0)
                return c->error.code;
        return 0;
}

int cmd_run(struct client *c, int argc, char **argv) {
        struct create_flags f;
        _cleanup_free_ char *id = NULL;
        int r = parse(c, argc, argv, true, &f);

        if (r == 0)
                r = create(c, &f, &id);
        if (r == 0)
                r = f.detach ? run_detached(c, id) : run_attached(c, id, &f);
        else if (r > 0)
                r = usage(run_head);
        create_flags_done(&f);
        return r;
}

int cmd_create(struct client *c, int argc, char **argv) {
        struct create_flags f;
        _cleanup_free_ char *id = NULL;
        int r = parse(c, argc, argv, false, &f);

        if (r == 0 && (r = create(c, &f, &id)) == 0)
                printf("%s\n", id);
        else if (r > 0)
                r = usage(create_head);
        create_flags_done(&f);
        return r;
}
