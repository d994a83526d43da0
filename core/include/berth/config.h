/* berthd's settings: defaults, the JSON config file, and flags layered on top. */
#pragma once

#include <stdbool.h>

#include "berth/error.h"
#include "berth/log.h"

#define BERTH_DEFAULT_SOCKET "/run/berth/berth.sock"
#define BERTH_DEFAULT_ROOT "/var/lib/berth"
#define BERTH_DEFAULT_RUNROOT "/run/berth"
#define BERTH_DEFAULT_CONFIG "/etc/berth/berth.json"

/* Seconds of idleness before a socket-activated daemon exits when none is configured. */
#define BERTH_DEFAULT_ACTIVATED_IDLE_TIMEOUT 5

typedef struct berth_config {
        char *socket_path;
        char *root;
        char *runroot;
        char *runtime;               /* NULL: runc if installed, else crun */
        char *cgroup_manager;        /* "cgroupfs" (default) or "systemd" */
        char **insecure_registries;  /* NULL-terminated; NULL when empty */
        int idle_timeout;            /* seconds; 0 never; -1 unset (see above) */
        int log_level;               /* a berth_log_level; -1 unset */
} berth_config;

/* An empty config: every field unset. */
void berth_config_init(berth_config *cfg);
/* Fills every unset field with its default. */
void berth_config_apply_defaults(berth_config *cfg);
void berth_config_done(berth_config *cfg);

/* Parses a JSON object with the flags' names as keys: "socket", "root", "runroot",
 * "runtime", "cgroup-manager", "insecure-registry" (array of strings), "idle-timeout"
 * (integer seconds), "log-level". Unknown keys and wrong types are -EINVAL naming the key. Only fields
 * still unset in cfg are taken, so flags parsed first win. */
int berth_config_load_string(berth_config *cfg, const char *json, const char *origin, berth_error *err);
int berth_config_load_file(berth_config *cfg, const char *path, berth_error *err);

void berth_config_add_insecure_registry(berth_config *cfg, const char *registry);
int berth_config_set_idle_timeout(berth_config *cfg, const char *value, berth_error *err);
int berth_config_set_log_level(berth_config *cfg, const char *value, berth_error *err);
int berth_config_set_cgroup_manager(berth_config *cfg, const char *value, berth_error *err);
