/* berth update: new resource limits and restart policy for a container. libpod 4.3 has
 * no route with Docker's fields, so this is the Docker API's POST /containers/{id}/update. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "container-create.h"
#include "http.h"
#include "verb.h"
#include "verbs/container.h"

static const char update_usage[] =
        "Usage: berth update [options] CONTAINER [CONTAINER...]\n"
        "\n"
        "Change the resource limits and the restart policy of containers (through the\n"
        "Docker API's update route).\n"
        "\n"
        "Options:\n"
        "      --blkio-weight N     block IO weight (10-1000)\n"
        "      --cpus N             CPUs (a fraction)\n"
        "      --cpu-shares N, --cpu-quota N, --cpu-period N, --cpuset-cpus LIST\n"
        "  -m, --memory SIZE        memory limit\n"
        "      --memory-swap SIZE   memory plus swap limit (-1: unlimited)\n"
        "      --pids-limit N       process limit (-1: unlimited)\n"
        "      --restart POLICY     no, always, on-failure[:N], unless-stopped\n"
        "  -h, --help               print this help\n";

enum { U_BLKIO = 256, U_CPUS, U_SHARES, U_QUOTA, U_PERIOD, U_CPUSET, U_SWAP, U_PIDS, U_RESTART, U_HELP };

static int integer(json_t *body, const char *key, const char *flag, const char *arg, bool size, berth_error *err) {
        int64_t v;
        char *end;

        if (size && strcmp(arg, "-1") != 0) {
                if (parse_bytes(arg, &v) < 0)
                        return berth_err(err, -EINVAL, "invalid argument \"%s\" for \"%s\" flag", arg, flag);
        } else {
                v = strtoll(arg, &end, 10);
                if (!*arg || *end)
                        return berth_err(err, -EINVAL, "invalid argument \"%s\" for \"%s\" flag", arg, flag);
        }
        json_object_set_new(body, key, json_integer(v));
        return 0;
}

static int restart(json_t *body, const char *arg, berth_error *err) {
        const char *colon = strchr(arg, ':');
        _cleanup_free_ char *name = xstrndup(arg, colon ? (size_t) (colon - arg) : strlen(arg));

        if (strcmp(name, "no") && strcmp(name, "always") && strcmp(name, "on-failure") && strcmp(name, "unless-stopped"))
                return berth_err(err, -EINVAL, "invalid restart policy: %s", arg);
        json_object_set_new(body, "RestartPolicy", json_pack("{s:s, s:i}", "Name", name, "MaximumRetryCount",
                                                             colon ? atoi(colon + 1) : 0));
        return 0;
}

static int option(json_t *body, int opt, const char *arg, berth_error *err) {
        char *end;
        double cpus;

        switch (opt) {
        case 'm': return integer(body, "Memory", "--memory", arg, true, err);
        case U_SWAP: return integer(body, "MemorySwap", "--memory-swap", arg, true, err);
        case U_BLKIO: return integer(body, "BlkioWeight", "--blkio-weight", arg, false, err);
        case U_SHARES: return integer(body, "CpuShares", "--cpu-shares", arg, false, err);
        case U_QUOTA: return integer(body, "CpuQuota", "--cpu-quota", arg, false, err);
        case U_PERIOD: return integer(body, "CpuPeriod", "--cpu-period", arg, false, err);
        case U_PIDS: return integer(body, "PidsLimit", "--pids-limit", arg, false, err);
        case U_CPUSET: json_object_set_new(body, "CpusetCpus", json_string(arg)); return 0;
        case U_RESTART: return restart(body, arg, err);
        case U_CPUS:
                cpus = strtod(arg, &end);
                if (end == arg || *end || cpus <= 0)
                        return berth_err(err, -EINVAL, "invalid argument \"%s\" for \"--cpus\" flag", arg);
                json_object_set_new(body, "NanoCpus", json_integer((json_int_t) (cpus * 1e9 + 0.5)));
                return 0;
        }
        return 0;
}

static int update_one(struct client *c, const char *name, void *userdata, berth_error *err) {
        _cleanup_free_ char *path = container_path(name, "/update");
        _cleanup_(json_decrefp) json_t *answer = NULL;
        size_t i;
        json_t *w;
        int r = client_request_compat_json(c, "POST", path, userdata, &answer, err);

        if (r < 0)
                return r;
        json_array_foreach(json_object_get(answer, "Warnings"), i, w)
                fprintf(stderr, "WARNING: %s\n", json_string_value(w) ?: "");
        printf("%s\n", name);
        return 0;
}

int cmd_update(struct client *c, int argc, char **argv) {
        static const struct option options[] = {
                { "blkio-weight", required_argument, NULL, U_BLKIO },
                { "cpus", required_argument, NULL, U_CPUS },
                { "cpu-shares", required_argument, NULL, U_SHARES },
                { "cpu-quota", required_argument, NULL, U_QUOTA },
                { "cpu-period", required_argument, NULL, U_PERIOD },
                { "cpuset-cpus", required_argument, NULL, U_CPUSET },
                { "memory", required_argument, NULL, 'm' },
                { "memory-swap", required_argument, NULL, U_SWAP },
                { "pids-limit", required_argument, NULL, U_PIDS },
                { "restart", required_argument, NULL, U_RESTART },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_(json_decrefp) json_t *body = json_object();
        int opt, r;

        while ((opt = verb_getopt(argc, argv, "m:h", options, &c->error)) > 0) {
                if (opt == 'h')
                        return verb_usage(update_usage);
                if ((r = option(body, opt, optarg, &c->error)) < 0)
                        return r;
        }
        if (opt < 0 || (r = verb_args(argc, 1, -1, &c->error)) < 0)
                return opt < 0 ? opt : r;
        if (json_object_size(body) == 0)
                return berth_err(&c->error, -EINVAL, "you must provide at least one flag to change a limit");
        return container_each(c, argc, argv, update_one, body);
}
