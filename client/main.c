/* berth: global options, then one verb from the table; exit statuses follow podman's. */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "berth/cleanup.h"
#include "berth/version.h"
#include "client.h"
#include "url.h"
#include "verb.h"

static int cmd_help(struct client *c, int argc, char **argv);

/* Sorted by name: `berth --help` lists them in this order. */
static const struct verb verbs[] = {
        { "attach", "Attach to a running container", cmd_attach },
        { "commit", "Create new image based on the changed container", cmd_commit },
        { "container", "Manage containers", cmd_container },
        { "cp", "Copy files/folders between a container and the local filesystem", cmd_cp },
        { "create", "Create but do not start a container", cmd_create },
        { "diff", "Inspect changes to the container's file systems", cmd_diff },
        { "exec", "Run a process in a running container", cmd_exec },
        { "export", "Export a container's filesystem contents as a tar archive", cmd_export },
        { "help", "Help about any command", cmd_help },
        { "history", "Show history of a specified image", cmd_history },
        { "image", "Manage images", cmd_image },
        { "images", "List images in local storage", cmd_images },
        { "import", "Import a tarball to create a filesystem image", cmd_import },
        { "info", "Display berth system information", cmd_info },
        { "inspect", "Display the configuration of an image", cmd_inspect },
        { "kill", "Kill one or more running containers with a specific signal", cmd_kill },
        { "load", "Load image(s) from a tar archive", cmd_load },
        { "login", "Log in to a container registry", cmd_login },
        { "logout", "Log out of a container registry", cmd_logout },
        { "logs", "Fetch the logs of one or more containers", cmd_logs },
        { "pause", "Pause all the processes in one or more containers", cmd_pause },
        { "ps", "List containers", cmd_ps },
        { "pull", "Pull an image from a registry", cmd_pull },
        { "push", "Push an image to a specified destination", cmd_push },
        { "rename", "Rename an existing container", cmd_rename },
        { "restart", "Restart one or more containers", cmd_restart },
        { "rm", "Remove one or more containers", cmd_rm },
        { "rmi", "Remove one or more images from local storage", cmd_rmi },
        { "run", "Run a command in a new container", cmd_run },
        { "save", "Save image(s) to an archive", cmd_save },
        { "start", "Start one or more containers", cmd_start },
        { "stats", "Display a live stream of container resource usage statistics", cmd_stats },
        { "stop", "Stop one or more containers", cmd_stop },
        { "system", "Manage berthd", cmd_system },
        { "tag", "Add an additional name to a local image", cmd_tag },
        { "top", "Display the running processes of a container", cmd_top },
        { "unpause", "Unpause the processes in one or more containers", cmd_unpause },
        { "untag", "Remove a name from a local image", cmd_untag },
        { "update", "Update resource limits of containers", cmd_update },
        { "version", "Display the berth version information", cmd_version },
        { "wait", "Block on one or more containers", cmd_wait },
};

static void usage(FILE *f) {
        fputs("Usage: berth [options] COMMAND\n"
              "\n"
              "Manage containers, pods and images through berthd.\n"
              "\n"
              "Options:\n"
              "  --url URL             berthd to talk to: unix:///path/to/berth.sock or\n"
              "                        ssh://[user@]host[:port]/path/to/berth.sock\n"
              "                        (default $CONTAINER_HOST, else " CLIENT_DEFAULT_URL ")\n"
              "  --identity KEYFILE    ssh key for ssh:// URLs (default $CONTAINER_SSHKEY)\n"
              "  -h, --help            print this help\n"
              "  -v, --version         print the version\n"
              "\n"
              "Available Commands:\n",
              f);
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                fprintf(f, "  %-12s%s\n", verbs[i].name, verbs[i].summary);
        fputs("\nRun 'berth COMMAND --help' for more information on a command.\n", f);
}

static const struct verb *find_verb(const char *name) {
        return verb_find(verbs, ELEMENTSOF(verbs), name);
}

static int unknown_verb(struct client *c, const char *name) {
        return berth_err(&c->error, -EINVAL, "unknown command \"%s\" for \"berth\"\n"
                         "Try 'berth --help' for more information", name);
}

static int cmd_help(struct client *c, int argc, char **argv) {
        static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
        char help_flag[] = "--help";
        const struct verb *v;
        int opt;

        while ((opt = verb_getopt(argc, argv, "h", options, &c->error)) > 0)
                ;
        if (opt < 0)
                return opt;
        if (optind >= argc || strcmp(argv[optind], "help") == 0) {
                usage(stdout);
                return 0;
        }
        v = find_verb(argv[optind]);
        if (!v)
                return unknown_verb(c, argv[optind]);
        return verb_run(c, v, 2, (char *[]) { argv[optind], help_flag, NULL });
}

struct globals {
        const char *url, *identity;
        bool help, version;
};

static int parse_globals(int argc, char **argv, struct globals *g, berth_error *err) {
        static const struct option options[] = {
                { "url", required_argument, NULL, 'u' },
                { "identity", required_argument, NULL, 'i' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'v' },
                {},
        };
        int opt;

        optind = 0;
        /* '+': options end at the verb, which parses its own. */
        while ((opt = verb_getopt(argc, argv, "+hv", options, err)) > 0) {
                switch (opt) {
                case 'u': g->url = optarg; break;
                case 'i': g->identity = optarg; break;
                case 'h': g->help = true; break;
                case 'v': g->version = true; break;
                }
        }
        return opt;
}

/* The verb's status, or 125 after printing what failed. */
static int dispatch(struct client *c, int argc, char **argv) {
        const struct verb *v;
        int r;

        if (argc < 1) {
                usage(stderr);
                r = berth_err(&c->error, -EINVAL, "missing command 'berth COMMAND'");
        } else if (!(v = find_verb(argv[0])))
                r = unknown_verb(c, argv[0]);
        else
                r = verb_run(c, v, argc, argv);
        if (r >= 0)
                return r;
        verb_print_error(&c->error);
        return CLIENT_EXIT_ERROR;
}

/* A write error on stdout is a failure, except a reader that went away early. */
static int finish_output(int status) {
        if (fflush(stdout) != 0 && errno != EPIPE) {
                fprintf(stderr, "Error: cannot write the output: %s\n", strerror(errno));
                return CLIENT_EXIT_ERROR;
        }
        return status;
}

int main(int argc, char **argv) {
        struct globals g = { 0 };
        struct client c;
        berth_error err = { 0 };
        int status;

        /* A closed pipe must not kill berth before it stops its ssh child. */
        signal(SIGPIPE, SIG_IGN);
        if (parse_globals(argc, argv, &g, &err) < 0) {
                fprintf(stderr, "Error: %s\n", err.message);
                return CLIENT_EXIT_ERROR;
        }
        if (g.help || g.version) {
                if (g.help)
                        usage(stdout);
                else
                        printf("berth version %s\n", BERTH_VERSION);
                return finish_output(0);
        }
        if (curl_global_init(CURL_GLOBAL_NOTHING) != CURLE_OK) {
                fputs("Error: cannot initialize libcurl\n", stderr);
                return CLIENT_EXIT_ERROR;
        }
        client_init(&c, g.url, g.identity);
        status = dispatch(&c, argc - optind, argv + optind);
        client_done(&c);
        curl_global_cleanup();
        return finish_output(status);
}
