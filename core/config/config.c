/* The daemon's configuration: a JSON file under flags, over defaults. */
#include "berth/config.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/fileio.h"

void berth_config_init(berth_config *cfg) {
        *cfg = (berth_config) { .idle_timeout = -1, .log_level = -1 };
}

static void set_default(char **field, const char *value) {
        if (!*field)
                *field = xstrdup(value);
}

void berth_config_apply_defaults(berth_config *cfg) {
        set_default(&cfg->socket_path, BERTH_DEFAULT_SOCKET);
        set_default(&cfg->root, BERTH_DEFAULT_ROOT);
        set_default(&cfg->runroot, BERTH_DEFAULT_RUNROOT);
        set_default(&cfg->cgroup_manager, "cgroupfs");
        if (cfg->log_level < 0)
                cfg->log_level = BERTH_LOG_INFO;
}

void berth_config_done(berth_config *cfg) {
        free(cfg->socket_path);
        free(cfg->root);
        free(cfg->runroot);
        free(cfg->runtime);
        free(cfg->cgroup_manager);
        strv_freep(&cfg->insecure_registries);
        berth_config_init(cfg);
}

void berth_config_add_insecure_registry(berth_config *cfg, const char *registry) {
        size_t n = 0;
        while (cfg->insecure_registries && cfg->insecure_registries[n])
                n++;
        cfg->insecure_registries = xrealloc(cfg->insecure_registries, (n + 2) * sizeof(char *));
        cfg->insecure_registries[n] = xstrdup(registry);
        cfg->insecure_registries[n + 1] = NULL;
}

int berth_config_set_idle_timeout(berth_config *cfg, const char *value, berth_error *err) {
        char *end;
        long v;

        errno = 0;
        v = strtol(value, &end, 10);
        if (errno || end == value || *end || v < 0 || v > INT_MAX)
                return berth_err(err, -EINVAL, "idle-timeout: '%s' is not a number of seconds", value);
        cfg->idle_timeout = (int) v;
        return 0;
}

int berth_config_set_log_level(berth_config *cfg, const char *value, berth_error *err) {
        berth_log_level level;
        if (berth_log_level_parse(value, &level) < 0)
                return berth_err(err, -EINVAL, "log-level: '%s' is not one of error, warn, info, debug", value);
        cfg->log_level = (int) level;
        return 0;
}

static bool cgroup_manager_valid(const char *value) {
        return strcmp(value, "cgroupfs") == 0 || strcmp(value, "systemd") == 0;
}

int berth_config_set_cgroup_manager(berth_config *cfg, const char *value, berth_error *err) {
        if (!cgroup_manager_valid(value))
                return berth_err(err, -EINVAL, "cgroup-manager: '%s' is not cgroupfs or systemd", value);
        free(cfg->cgroup_manager);
        cfg->cgroup_manager = xstrdup(value);
        return 0;
}

static int take_string(char **field, json_t *value, const char *key, const char *origin, berth_error *err) {
        if (!json_is_string(value) || json_string_length(value) == 0)
                return berth_err(err, -EINVAL, "%s: \"%s\" must be a non-empty string", origin, key);
        if (!*field)
                *field = xstrdup(json_string_value(value));
        return 0;
}

static int take_registries(berth_config *cfg, json_t *value, const char *origin, berth_error *err) {
        size_t i;
        json_t *item;

        if (!json_is_array(value))
                return berth_err(err, -EINVAL, "%s: \"insecure-registry\" must be an array of strings", origin);
        json_array_foreach(value, i, item)
                if (!json_is_string(item) || json_string_length(item) == 0)
                        return berth_err(err, -EINVAL, "%s: \"insecure-registry\"[%zu] must be a non-empty string",
                                         origin, i);
        json_array_foreach(value, i, item)
                berth_config_add_insecure_registry(cfg, json_string_value(item));
        return 0;
}

static int take_key(berth_config *cfg, const char *key, json_t *value, const char *origin, berth_error *err) {
        if (strcmp(key, "socket") == 0)
                return take_string(&cfg->socket_path, value, key, origin, err);
        if (strcmp(key, "root") == 0)
                return take_string(&cfg->root, value, key, origin, err);
        if (strcmp(key, "runroot") == 0)
                return take_string(&cfg->runroot, value, key, origin, err);
        if (strcmp(key, "runtime") == 0)
                return take_string(&cfg->runtime, value, key, origin, err);
        if (strcmp(key, "cgroup-manager") == 0) {
                if (!json_is_string(value) || !cgroup_manager_valid(json_string_value(value)))
                        return berth_err(err, -EINVAL, "%s: \"cgroup-manager\" must be \"cgroupfs\" or \"systemd\"",
                                         origin);
                return take_string(&cfg->cgroup_manager, value, key, origin, err);
        }
        if (strcmp(key, "insecure-registry") == 0)
                return take_registries(cfg, value, origin, err);
        if (strcmp(key, "idle-timeout") == 0) {
                if (!json_is_integer(value) || json_integer_value(value) < 0 || json_integer_value(value) > INT_MAX)
                        return berth_err(err, -EINVAL, "%s: \"idle-timeout\" must be a whole number of seconds",
                                         origin);
                if (cfg->idle_timeout < 0)
                        cfg->idle_timeout = (int) json_integer_value(value);
                return 0;
        }
        if (strcmp(key, "log-level") == 0) {
                berth_log_level level;
                if (!json_is_string(value) || berth_log_level_parse(json_string_value(value), &level) < 0)
                        return berth_err(err, -EINVAL, "%s: \"log-level\" must be one of error, warn, info, debug",
                                         origin);
                if (cfg->log_level < 0)
                        cfg->log_level = (int) level;
                return 0;
        }
        return berth_err(err, -EINVAL, "%s: unknown key \"%s\"", origin, key);
}

int berth_config_load_string(berth_config *cfg, const char *json, const char *origin, berth_error *err) {
        json_error_t jerr;
        json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
        const char *key;
        json_t *value;
        int r = 0;

        if (!root)
                return berth_err(err, -EINVAL, "%s: invalid JSON at line %d column %d: %s", origin, jerr.line,
                                 jerr.column, jerr.text);
        if (!json_is_object(root)) {
                json_decref(root);
                return berth_err(err, -EINVAL, "%s: the configuration must be a JSON object", origin);
        }
        json_object_foreach(root, key, value) {
                r = take_key(cfg, key, value, origin, err);
                if (r < 0)
                        break;
        }
        json_decref(root);
        return r;
}

int berth_config_load_file(berth_config *cfg, const char *path, berth_error *err) {
        _cleanup_free_ char *data = NULL;
        int r = berth_read_file(path, 1 << 20, &data, NULL, err);
        if (r < 0)
                return r;
        return berth_config_load_string(cfg, data, path, err);
}
