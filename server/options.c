/* Flag parsing and layering: flags over the JSON config file over defaults. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "berth/alloc.h"

const char options_usage[] =
        "Usage: berthd [OPTIONS]\n"
        "\n"
        "The berth container engine daemon: serves the Docker Engine API and a\n"
        "libpod-compatible API on a Unix socket.\n"
        "\n"
        "Options:\n"
        "  --socket PATH               socket to create (default " BERTH_DEFAULT_SOCKET ")\n"
        "  --root DIR                  persistent state (default " BERTH_DEFAULT_ROOT ")\n"
        "  --runroot DIR               runtime state (default " BERTH_DEFAULT_RUNROOT ")\n"
        "  --runtime NAME|PATH         OCI runtime (default: runc if installed, else crun)\n"
        "  --cgroup-manager cgroupfs|systemd\n"
        "                              who makes containers' cgroups (default cgroupfs)\n"
        "  --insecure-registry HOST[:PORT]\n"
        "                              allow plain HTTP to this registry (repeatable)\n"
        "  --idle-timeout SECONDS      exit after this long without connections or work\n"
        "                              (default 5 when socket-activated, else never; 0 never)\n"
        "  --log-level LEVEL           error, warn, info or debug (default info)\n"
        "  --config FILE               JSON file with the same keys as these flags\n"
        "                              (default " BERTH_DEFAULT_CONFIG " if present)\n"
        "  --version                   print the version and exit\n"
        "  --help                      print this help and exit\n";

enum { OPT_SOCKET = 256, OPT_ROOT, OPT_RUNROOT, OPT_RUNTIME, OPT_CGROUP_MANAGER, OPT_INSECURE, OPT_IDLE, OPT_LOG,
       OPT_CONFIG };

static const struct option long_options[] = {
        { "socket", required_argument, NULL, OPT_SOCKET },
        { "root", required_argument, NULL, OPT_ROOT },
        { "runroot", required_argument, NULL, OPT_RUNROOT },
        { "runtime", required_argument, NULL, OPT_RUNTIME },
        { "cgroup-manager", required_argument, NULL, OPT_CGROUP_MANAGER },
        { "insecure-registry", required_argument, NULL, OPT_INSECURE },
        { "idle-timeout", required_argument, NULL, OPT_IDLE },
        { "log-level", required_argument, NULL, OPT_LOG },
        { "config", required_argument, NULL, OPT_CONFIG },
        { "version", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        {},
};

static int set_path(char **field, const char *value, const char *flag, berth_error *err) {
        if (!*value)
                return berth_err(err, -EINVAL, "--%s needs a non-empty value", flag);
        free(*field);
        *field = xstrdup(value);
        return 0;
}

static int take(struct options *o, int opt, const char *arg, berth_error *err) {
        berth_config *c = &o->config;
        switch (opt) {
        case OPT_SOCKET: return set_path(&c->socket_path, arg, "socket", err);
        case OPT_ROOT: return set_path(&c->root, arg, "root", err);
        case OPT_RUNROOT: return set_path(&c->runroot, arg, "runroot", err);
        case OPT_RUNTIME: return set_path(&c->runtime, arg, "runtime", err);
        case OPT_CONFIG: return set_path(&o->config_path, arg, "config", err);
        case OPT_CGROUP_MANAGER: return berth_config_set_cgroup_manager(c, arg, err);
        case OPT_INSECURE:
                if (!*arg)
                        return berth_err(err, -EINVAL, "--insecure-registry needs a HOST[:PORT]");
                berth_config_add_insecure_registry(c, arg);
                return 0;
        case OPT_IDLE: return berth_config_set_idle_timeout(c, arg, err);
        case OPT_LOG: return berth_config_set_log_level(c, arg, err);
        case 'v': o->version = true; return 0;
        case 'h': o->help = true; return 0;
        default: return berth_err(err, -EINVAL, "unknown option");
        }
}

int options_parse(int argc, char **argv, struct options *o, berth_error *err) {
        int opt, r;

        *o = (struct options) { 0 };
        berth_config_init(&o->config);
        opterr = 0;
        optind = 0;     /* also resets getopt's state between calls */
        while ((opt = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
                if (opt == '?')
                        return berth_err(err, -EINVAL, "unknown option %s (see berthd --help)", argv[optind - 1]);
                if (opt == ':')
                        return berth_err(err, -EINVAL, "option %s needs a value", argv[optind - 1]);
                r = take(o, opt, optarg, err);
                if (r < 0)
                        return r;
        }
        if (optind < argc)
                return berth_err(err, -EINVAL, "unexpected argument '%s' (see berthd --help)", argv[optind]);
        return 0;
}

void options_done(struct options *o) {
        berth_config_done(&o->config);
        free(o->config_path);
        o->config_path = NULL;
}

int options_resolve(struct options *o, berth_config *ret, berth_error *err) {
        const char *file = o->config_path ? o->config_path : BERTH_DEFAULT_CONFIG;
        int r;

        if (o->config_path || access(file, F_OK) == 0) {
                r = berth_config_load_file(&o->config, file, err);
                if (r < 0)
                        return r;
        }
        berth_config_apply_defaults(&o->config);
        *ret = o->config;
        berth_config_init(&o->config);
        return 0;
}
