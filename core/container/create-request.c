/* Docker's create body: shapes checked, image defaults merged in (as the Docker daemon's
 * merge of Config with the image config does). */
#include "container-create.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

enum field_kind { F_STRING, F_BOOL, F_INT, F_STRINGS, F_STRSLICE, F_OBJECT, F_STRMAP };

struct field {
        const char *name;
        enum field_kind kind;
};

static const struct field config_fields[] = {
        { "Hostname", F_STRING },     { "Domainname", F_STRING },  { "User", F_STRING },
        { "AttachStdin", F_BOOL },    { "AttachStdout", F_BOOL },  { "AttachStderr", F_BOOL },
        { "Tty", F_BOOL },            { "OpenStdin", F_BOOL },     { "StdinOnce", F_BOOL },
        { "Env", F_STRINGS },         { "Cmd", F_STRSLICE },       { "Entrypoint", F_STRSLICE },
        { "Image", F_STRING },        { "WorkingDir", F_STRING },  { "Labels", F_STRMAP },
        { "StopSignal", F_STRING },   { "StopTimeout", F_INT },    { "ExposedPorts", F_OBJECT },
        { "Volumes", F_OBJECT },      { "Healthcheck", F_OBJECT }, { "HostConfig", F_OBJECT },
        { "NetworkingConfig", F_OBJECT },
};

static const char *kind_words(enum field_kind k) {
        switch (k) {
        case F_STRING: return "a string";
        case F_BOOL: return "a boolean";
        case F_INT: return "an integer";
        case F_STRINGS: return "an array of strings";
        case F_STRSLICE: return "a string or an array of strings";
        case F_OBJECT: return "an object";
        case F_STRMAP: return "an object of strings";
        }
        return "?";
}

static bool all_strings(json_t *v, bool values) {
        const char *k;
        size_t i;
        json_t *x;
        if (values) {
                json_object_foreach (v, k, x)
                        if (!json_is_string(x))
                                return false;
                return true;
        }
        json_array_foreach (v, i, x)
                if (!json_is_string(x))
                        return false;
        return true;
}

static bool shape_ok(json_t *v, enum field_kind k) {
        switch (k) {
        case F_STRING: return json_is_string(v);
        case F_BOOL: return json_is_boolean(v);
        case F_INT: return json_is_integer(v);
        case F_STRINGS: return json_is_array(v) && all_strings(v, false);
        case F_STRSLICE: return json_is_string(v) || (json_is_array(v) && all_strings(v, false));
        case F_OBJECT: return json_is_object(v);
        case F_STRMAP: return json_is_object(v) && all_strings(v, true);
        }
        return false;
}

int create_request_parse(const char *text, json_t **ret_body, struct create_request *ret, berth_error *err) {
        json_error_t jerr;
        json_t *body = json_loads(text ? text : "", 0, &jerr);

        if (!body)
                return berth_err(err, -EINVAL, "invalid JSON in the create body: %s", jerr.text);
        if (!json_is_object(body)) {
                json_decref(body);
                return berth_err(err, -EINVAL, "the create body must be a JSON object");
        }
        for (size_t i = 0; i < ELEMENTSOF(config_fields); i++) {
                json_t *v = json_object_get(body, config_fields[i].name);
                if (v && !json_is_null(v) && !shape_ok(v, config_fields[i].kind)) {
                        json_decref(body);
                        return berth_err(err, -EINVAL, "%s must be %s", config_fields[i].name,
                                         kind_words(config_fields[i].kind));
                }
        }
        ret->body = body;
        ret->image = json_string_value(json_object_get(body, "Image"));
        if (!ret->image || !*ret->image) {
                json_decref(body);
                return berth_err(err, -EINVAL, "Config.Image is required: no image given");
        }
        *ret_body = body;
        return 0;
}

/* A string becomes a one-element array (Docker's strslice); null and [] are "unset". */
static json_t *strslice(json_t *v) {
        if (json_is_string(v))
                return json_pack("[O]", v);
        if (json_is_array(v) && json_array_size(v) > 0)
                return json_incref(v);
        return NULL;
}

static size_t env_key_len(const char *kv) {
        const char *eq = strchr(kv, '=');
        return eq ? (size_t) (eq - kv) : strlen(kv);
}

/* The image's variables, each replaced by the user's of the same name, then the rest. */
static json_t *merge_env(json_t *image_env, json_t *user_env) {
        json_t *out = json_array(), *v, *u;
        size_t i, j;

        json_array_foreach (image_env, i, v) {
                const char *kv = json_string_value(v);
                bool overridden = false;
                if (!kv)
                        continue;
                json_array_foreach (user_env, j, u) {
                        const char *ukv = json_string_value(u);
                        if (env_key_len(kv) == env_key_len(ukv) && strncmp(kv, ukv, env_key_len(kv)) == 0)
                                overridden = true;
                }
                if (!overridden)
                        json_array_append(out, v);
        }
        json_array_foreach (user_env, j, u)
                json_array_append(out, u);
        return out;
}

static void default_string(json_t *cfg, json_t *image, const char *key) {
        const char *mine = json_string_value(json_object_get(cfg, key));
        const char *theirs = json_string_value(json_object_get(image, key));
        if ((!mine || !*mine) && theirs)
                json_object_set_new(cfg, key, json_string(theirs));
        else if (!mine)
                json_object_set_new(cfg, key, json_string(""));
}

static void merge_objects(json_t *cfg, json_t *image, const char *key) {
        json_t *mine = json_object_get(cfg, key), *theirs = json_object_get(image, key);
        json_t *out = json_object();
        if (json_is_object(theirs))
                json_object_update(out, theirs);
        if (json_is_object(mine))
                json_object_update(out, mine);
        json_object_set_new(cfg, key, json_object_size(out) ? out : (json_decref(out), json_null()));
}

/* Docker's merge: without an entrypoint of the user's own, the image's Cmd fills an
 * empty Cmd and the image's Entrypoint an absent one ([] or [""] clears it). */
static int merge_command(json_t *cfg, json_t *image, berth_error *err) {
        json_t *given = json_object_get(cfg, "Entrypoint");
        json_t *entry = strslice(given), *cmd = strslice(json_object_get(cfg, "Cmd"));

        if (entry && json_array_size(entry) == 1 && !*json_string_value(json_array_get(entry, 0))) {
                json_decref(entry);
                entry = NULL;
        }
        if (!entry) {
                if (!cmd)
                        cmd = strslice(json_object_get(image, "Cmd"));
                if (!given || json_is_null(given))
                        entry = strslice(json_object_get(image, "Entrypoint"));
        }
        if (!entry && !cmd)
                return berth_err(err, -EINVAL, "No command specified");
        json_object_set_new(cfg, "Entrypoint", entry ? entry : json_null());
        json_object_set_new(cfg, "Cmd", cmd ? cmd : json_null());
        return 0;
}

static json_t *host_config_defaults(json_t *given) {
        json_t *h = json_is_object(given) ? json_deep_copy(given) : json_object();
        const char *mode = json_string_value(json_object_get(h, "NetworkMode"));

        if (!mode || !*mode)
                json_object_set_new(h, "NetworkMode", json_string("default"));
        if (!json_is_object(json_object_get(h, "RestartPolicy")))
                json_object_set_new(h, "RestartPolicy", json_pack("{s:s, s:i}", "Name", "no", "MaximumRetryCount", 0));
        else if (!json_is_string(json_object_get(json_object_get(h, "RestartPolicy"), "Name")))
                json_object_set_new(json_object_get(h, "RestartPolicy"), "Name", json_string("no"));
        /* Clients (docker-py) read logs only from the drivers they know; ours reads like json-file. */
        if (!json_is_object(json_object_get(h, "LogConfig")))
                json_object_set_new(h, "LogConfig", json_pack("{s:s, s:{}}", "Type", "json-file", "Config"));
        const char *driver = json_string_value(json_object_get(json_object_get(h, "LogConfig"), "Type"));
        if (!driver || !*driver)
                json_object_set_new(json_object_get(h, "LogConfig"), "Type", json_string("json-file"));
        return h;
}

/* Docker's checks (daemon/container.go verifyContainerSettings). */
static int check_restart_policy(json_t *host, berth_error *err) {
        json_t *p = json_object_get(host, "RestartPolicy");
        const char *name = json_string_value(json_object_get(p, "Name"));
        json_int_t max = json_integer_value(json_object_get(p, "MaximumRetryCount"));
        static const char *const known[] = { "", "no", "always", "unless-stopped", "on-failure" };
        size_t i;

        for (i = 0; i < ELEMENTSOF(known); i++)
                if (name && strcmp(name, known[i]) == 0)
                        break;
        if (i == ELEMENTSOF(known))
                return berth_err(err, -EINVAL, "invalid restart policy '%s'", name ? name : "");
        if (max < 0)
                return berth_err(err, -EINVAL, "maximum retry count cannot be negative");
        if (max > 0 && strcmp(name, "on-failure") != 0)
                return berth_err(err, -EINVAL, "maximum retry count cannot be used with restart policy '%s'", name);
        if (*name && strcmp(name, "no") != 0 && json_is_true(json_object_get(host, "AutoRemove")))
                return berth_err(err, -EINVAL, "can't create 'AutoRemove' container with restart policy");
        return 0;
}

int create_request_merge(const struct create_request *cr, const char *image_config, char **ret_config,
                         char **ret_host_config, berth_error *err) {
        _cleanup_(json_decrefp) json_t *img = json_loads(image_config ? image_config : "{}", 0, NULL);
        _cleanup_(json_decrefp) json_t *cfg = json_deep_copy(cr->body), *host = NULL;
        json_t *icfg = json_object_get(img, "config");
        int r;

        json_object_del(cfg, "HostConfig");
        json_object_del(cfg, "NetworkingConfig");
        r = merge_command(cfg, icfg, err);
        if (r < 0)
                return r;
        json_object_set_new(cfg, "Env", merge_env(json_object_get(icfg, "Env"), json_object_get(cfg, "Env")));
        default_string(cfg, icfg, "WorkingDir");
        default_string(cfg, icfg, "User");
        default_string(cfg, icfg, "StopSignal");
        default_string(cfg, cfg, "Hostname");
        default_string(cfg, cfg, "Domainname");
        merge_objects(cfg, icfg, "Labels");
        merge_objects(cfg, icfg, "ExposedPorts");
        merge_objects(cfg, icfg, "Volumes");
        if (!json_is_object(json_object_get(cfg, "Labels")))
                json_object_set_new(cfg, "Labels", json_object());
        for (const char *const *b = (const char *const[]) { "AttachStdin", "AttachStdout", "AttachStderr", "Tty",
                                                              "OpenStdin", "StdinOnce", NULL };
             *b; b++)
                if (!json_is_boolean(json_object_get(cfg, *b)))
                        json_object_set_new(cfg, *b, json_false());
        host = host_config_defaults(json_object_get(cr->body, "HostConfig"));
        r = check_restart_policy(host, err);
        if (r < 0)
                return r;
        *ret_config = json_dumps(cfg, JSON_COMPACT);
        *ret_host_config = json_dumps(host, JSON_COMPACT);
        return 0;
}
