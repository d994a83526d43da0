/* The OCI runtime spec (config.json) of a container, built from Docker's Config and
 * HostConfig with Docker's defaults. Pure: every fact about the host comes in `spec_host`. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>

#include "berth/error.h"
#include "user.h"

struct spec_host {
        struct rlimit hard_nofile, hard_nproc;   /* the daemon's own limits */
        bool cgroup_v2;
        bool has_unprivileged_port_start;        /* net.ipv4.ip_unprivileged_port_start exists */
        const char *init_path;                   /* catatonit, or NULL */
        const char *seccomp_profile_dir;         /* NULL: profiles are read by path as given */
};

/* Namespaces joined from elsewhere (container:ID modes), as /proc/PID/ns/X paths. */
struct spec_joins {
        const char *net, *pid, *ipc;
};

struct spec_inputs {
        const char *id;
        const char *cgroups_path;    /* linux.cgroupsPath; NULL: the runtime's default */
        const char *config;          /* Docker Config (merged) */
        const char *host_config;     /* Docker HostConfig */
        const char *rootfs;          /* the mounted root */
        const char *bundle;          /* holds hostname, hosts, resolv.conf */
        const char *volumes_dir;     /* ROOT/volumes: named volumes are NAME/_data there */
        const struct container_user *user;
        struct spec_joins joins;
        const struct spec_host *host;
};

int spec_build(const struct spec_inputs *in, json_t **ret, berth_error *err);

/* What create can check before anything runs: shapes, caps, ulimits, devices, mounts,
 * seccomp profile, modes. Errors name the field. */
int spec_validate(const char *config, const char *host_config, berth_error *err);

/* Config.Hostname, else the host's name with the host's network, else the short ID
 * (Docker's rule; create fills Config.Hostname with it). */
char *spec_hostname(json_t *cfg, json_t *host, const char *id);
/* Whether HostConfig's `key` (NetworkMode, PidMode, ...) is `mode`. */
bool spec_mode_is(json_t *host, const char *key, const char *mode);

/* The host facts above for this process. */
void spec_host_probe(struct spec_host *ret);

/* Pieces (spec-mounts.c, spec-resources.c). */
int spec_add_mounts(json_t *spec, json_t *cfg, json_t *host, const struct spec_inputs *in, bool privileged,
                    berth_error *err);
/* The name of the anonymous volume a container gets for `path` (image VOLUMEs, -v /path):
 * "<first 12 of the id>_<hash of the path>". */
char *spec_anonymous_volume(const char *id, const char *path);
int spec_add_resources(json_t *linux_, json_t *host, bool privileged, berth_error *err);
int spec_add_rlimits(json_t *process, json_t *host, const struct spec_host *h, berth_error *err);
/* A "--mount type=bind" source that does not exist is an error; "-v" creates it. */
int spec_check_mounts(json_t *host, berth_error *err);
