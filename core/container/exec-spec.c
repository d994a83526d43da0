/* The OCI process of an exec session: the container's running process with the exec's
 * command, environment, directory, terminal, user and capabilities. Pure. */
#include "exec-spec.h"

#include <errno.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static inline void json_decrefp_exec(json_t **j) {
        json_decref(*j);
}
#define _cleanup_json_ _cleanup_(json_decrefp_exec)

static size_t key_len(const char *kv) {
        const char *eq = strchr(kv, '=');
        return eq ? (size_t) (eq - kv) : strlen(kv);
}

static long env_find(json_t *env, const char *key, size_t len) {
        size_t i;
        json_t *x;
        json_array_foreach (env, i, x) {
                const char *kv = json_string_value(x);
                if (kv && key_len(kv) == len && strncmp(kv, key, len) == 0)
                        return (long) i;
        }
        return -1;
}

/* Docker's ReplaceOrAppendEnvValues: "K=V" replaces K or is appended; "K" removes K. */
static void env_apply(json_t *env, const char *kv) {
        size_t len = key_len(kv);
        long at = env_find(env, kv, len);
        if (!kv[len]) {
                if (at >= 0)
                        json_array_remove(env, (size_t) at);
                return;
        }
        if (at >= 0)
                json_array_set_new(env, (size_t) at, json_string(kv));
        else
                json_array_append_new(env, json_string(kv));
}

static const char *env_value(json_t *env, const char *key) {
        long at = env_find(env, key, strlen(key));
        return at < 0 ? NULL : strchr(json_string_value(json_array_get(env, (size_t) at)), '=') + 1;
}

static json_t *exec_env(json_t *process, json_t *cfg, const struct exec_spec_request *r) {
        json_t *env = json_array(), *given = json_object_get(cfg, "Env"), *x;
        const char *hostname = env_value(json_object_get(process, "env"), "HOSTNAME");
        size_t i;

        json_array_append_new(env, json_string("PATH=" DEFAULT_PATH));
        if (hostname)
                json_array_append_new(env, json_sprintf("HOSTNAME=%s", hostname));
        if (r->tty)
                json_array_append_new(env, json_string("TERM=xterm"));
        json_array_foreach (given, i, x)
                if (json_is_string(x))
                        env_apply(env, json_string_value(x));
        for (char *const *kv = r->env; kv && *kv; kv++)
                if (**kv)
                        env_apply(env, *kv);
        return env;
}

static json_t *strv_json(char *const *v) {
        json_t *a = json_array();
        for (; v && *v; v++)
                json_array_append_new(a, json_string(*v));
        return a;
}

static json_t *user_json(const struct container_user *u) {
        json_t *o = json_pack("{s:I, s:I}", "uid", (json_int_t) u->uid, "gid", (json_int_t) u->gid);
        if (u->n_additional_gids) {
                json_t *gids = json_array();
                for (size_t i = 0; i < u->n_additional_gids; i++)
                        json_array_append_new(gids, json_integer(u->additional_gids[i]));
                json_object_set_new(o, "additionalGids", gids);
        }
        return o;
}

int exec_process_build(json_t *container_process, const char *container_config, const struct exec_spec_request *r,
                       json_t **ret, berth_error *err) {
        _cleanup_json_ json_t *cfg = container_config ? json_loads(container_config, 0, NULL) : NULL;
        _cleanup_json_ json_t *p = NULL;
        const char *cwd = r->cwd;

        if (!json_is_object(container_process) || !json_is_object(cfg))
                return berth_err(err, -EINVAL, "damaged container configuration: cannot derive the exec process");
        if (!r->cmd || !r->cmd[0])
                return berth_err(err, -EINVAL, "No exec command specified");
        p = json_deep_copy(container_process);
        if (!cwd || !*cwd)
                cwd = json_string_value(json_object_get(cfg, "WorkingDir"));
        json_object_set_new(p, "args", strv_json(r->cmd));
        json_object_set_new(p, "env", exec_env(container_process, cfg, r));
        json_object_set_new(p, "cwd", json_string(cwd && *cwd ? cwd : "/"));
        json_object_set_new(p, "terminal", json_boolean(r->tty));
        json_object_del(p, "consoleSize");
        if (r->user)
                json_object_set_new(p, "user", user_json(r->user));
        if (r->caps) {
                json_t *a = strv_json(r->caps);
                json_object_set_new(p, "capabilities",
                                    json_pack("{s:O, s:O, s:o}", "bounding", a, "effective", a, "permitted", a));
        }
        *ret = TAKE_PTR(p);
        return 0;
}
