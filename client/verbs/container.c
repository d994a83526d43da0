/* berth container: the group of container verbs (`berth container ls`, ...), each the
 * same function as its top-level twin as in podman, plus what the verbs share: paths,
 * inspect, wait, pulls before run, and container prune. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "http.h"
#include "progress.h"
#include "prompt.h"
#include "verb.h"
#include "verbs/container.h"
#include "verbs/image.h"

/* Sorted by name: `berth container --help` lists them in this order. */
static const struct verb container_verbs[] = {
        { "attach", "Attach to a running container", cmd_attach },
        { "commit", "Create new image based on the changed container", cmd_commit },
        { "cp", "Copy files/folders between a container and the local filesystem", cmd_cp },
        { "create", "Create but do not start a container", cmd_create },
        { "diff", "Inspect changes to the container's file systems", cmd_diff },
        { "exec", "Run a process in a running container", cmd_exec },
        { "exists", "Check if a container exists", cmd_container_exists },
        { "export", "Export a container's filesystem contents as a tar archive", cmd_export },
        { "inspect", "Display the configuration of a container", cmd_container_inspect },
        { "kill", "Kill one or more running containers with a specific signal", cmd_kill },
        { "list", "List containers", cmd_ps },
        { "logs", "Fetch the logs of one or more containers", cmd_logs },
        { "ls", "List containers", cmd_ps },
        { "pause", "Pause all the processes in one or more containers", cmd_pause },
        { "prune", "Remove all non running containers", container_prune },
        { "ps", "List containers", cmd_ps },
        { "rename", "Rename an existing container", cmd_rename },
        { "restart", "Restart one or more containers", cmd_restart },
        { "rm", "Remove one or more containers", cmd_rm },
        { "run", "Run a command in a new container", cmd_run },
        { "start", "Start one or more containers", cmd_start },
        { "stats", "Display a live stream of container resource usage statistics", cmd_stats },
        { "stop", "Stop one or more containers", cmd_stop },
        { "top", "Display the running processes of a container", cmd_top },
        { "unpause", "Unpause the processes in one or more containers", cmd_unpause },
        { "update", "Update resource limits of a container (Docker API)", cmd_update },
        { "wait", "Block on one or more containers", cmd_wait },
};

char *container_path(const char *id, const char *tail) {
        _cleanup_free_ char *escaped = http_escape(id, NULL);
        return xasprintf("/containers/%s%s", escaped, tail);
}

int container_inspect(struct client *c, const char *id, json_t **ret, berth_error *err) {
        _cleanup_free_ char *path = container_path(id, "/json");
        json_t *v = NULL;
        int r = client_get_json(c, path, &v, err);

        if (r < 0)
                return r;
        if (!json_is_object(v)) {
                json_decref(v);
                return berth_err(err, -EBADMSG, "berthd sent no inspect object for container %s", id);
        }
        *ret = v;
        return 0;
}

int container_wait(struct client *c, const char *id, const char *condition, int *ret_code, berth_error *err) {
        _cleanup_free_ char *tail = xasprintf("/wait?condition=%s", condition);
        _cleanup_free_ char *path = container_path(id, tail);
        _cleanup_(json_decrefp) json_t *v = NULL;
        int r = client_request_json(c, "POST", path, NULL, &v, err);

        if (r < 0)
                return r;
        /* libpod answers a bare number; Docker's shape {"StatusCode": N} is taken too. */
        if (json_is_object(v))
                v = json_incref(json_object_get(v, "StatusCode")), json_decref(v);
        if (!json_is_integer(v))
                return berth_err(err, -EBADMSG, "berthd sent no exit code for container %s", id);
        *ret_code = (int) json_integer_value(v);
        return 0;
}

int container_each(struct client *c, int argc, char **argv, container_each_fn fn, void *userdata) {
        berth_error held = { 0 };

        for (int i = optind; i < argc; i++) {
                berth_error err = { 0 };
                if (fn(c, argv[i], userdata, &err) >= 0)
                        continue;
                if (held.code < 0)
                        verb_print_error(&held);
                held = err;
        }
        if (held.code < 0) {
                c->error = held;
                return held.code;
        }
        return 0;
}

static int pull(struct client *c, const char *image, berth_error *err) {
        _cleanup_free_ char *escaped = http_escape(image, "/:@");
        _cleanup_free_ char *path = xasprintf("/images/pull?reference=%s", escaped);
        struct progress p = { .what = "pull" };
        int r = client_request_stream(c, "POST", path, NULL, progress_on_line, &p, err);

        if (r >= 0 && p.error)
                r = berth_err(err, -EIO, "%s", p.error);
        progress_done(&p);
        return r;
}

int container_pull_image(struct client *c, const char *image, const char *policy, berth_error *err) {
        _cleanup_free_ char *path = NULL;
        int r;

        if (strcmp(policy, "always") != 0 && strcmp(policy, "newer") != 0) {
                path = image_path(image, "/exists");
                r = client_get_json(c, path, NULL, err);
                if (r >= 0 || c->status != 404)
                        return r;
                if (strcmp(policy, "never") == 0)
                        return berth_err(err, -ENOENT, "%s: image not known", image);
        }
        return pull(c, image, err);
}

static const char prune_usage[] =
        "Usage: berth container prune [options]\n"
        "\n"
        "Remove every container that is not running. Asks first unless -f is given; prints\n"
        "the IDs of the removed containers.\n"
        "\n"
        "Options:\n"
        "      --filter KEY=VALUE   only containers that match (label=, until=)\n"
        "  -f, --force              do not ask for confirmation\n"
        "  -h, --help               print this help\n";

static int prune_confirm(berth_error *err) {
        _cleanup_free_ char *answer = NULL;
        int r = prompt_read(STDIN_FILENO, stdout,
                            "WARNING! This will remove all non running containers.\n"
                            "Are you sure you want to continue? [y/N] ",
                            false, &answer, err);

        if (r == -ENODATA)
                return berth_err(err, r, "no answer on standard input: use --force to prune without asking");
        return r < 0 ? r : prompt_is_yes(answer);
}

int container_prune(struct client *c, int argc, char **argv) {
        static const struct option options[] = {
                { "filter", required_argument, NULL, 'F' },
                { "force", no_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_(json_decrefp) json_t *filters = json_object(), *reports = NULL;
        _cleanup_free_ char *path = NULL, *text = NULL, *escaped = NULL;
        bool force = false;
        size_t i;
        json_t *report;
        int opt, r;

        while ((opt = verb_getopt(argc, argv, "fh", options, &c->error)) > 0) {
                if (opt == 'h')
                        return verb_usage(prune_usage);
                if (opt == 'f')
                        force = true;
                else if (image_filters_add(filters, optarg, &c->error) < 0)
                        return c->error.code;
        }
        if (opt < 0 || (r = verb_no_args(argc, argv, &c->error)) < 0)
                return opt < 0 ? opt : r;
        if (!force && (r = prune_confirm(&c->error)) <= 0)
                return r;
        text = json_dumps(filters, JSON_COMPACT);
        escaped = http_escape(text ?: "{}", NULL);
        path = xasprintf("/containers/prune?filters=%s", escaped);
        r = client_request_json(c, "POST", path, NULL, &reports, &c->error);
        if (r < 0)
                return r;
        json_array_foreach(reports, i, report) {
                const char *e = json_string_value(json_object_get(report, "Err"));
                if (e && *e) {
                        fflush(stdout);
                        fprintf(stderr, "Error: %s\n", e);
                } else
                        printf("%s\n", json_string_value(json_object_get(report, "Id")) ?: "");
        }
        return 0;
}

int cmd_container(struct client *c, int argc, char **argv) {
        return verb_group_run(c, "container", "Manage containers.", container_verbs, ELEMENTSOF(container_verbs),
                              argc, argv);
}
