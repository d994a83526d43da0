/* The OCI runtime spec: process, root, hostname, namespaces, masked paths, security. */
#include "spec.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/fileio.h"
#include "berth/strv.h"
#include "caps.h"
#include "seccomp-profile.h"

#define SPEC_INIT_PATH "/run/berth-init"
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

#define _cleanup_json_ _cleanup_(json_decrefp)

static const char *const masked_paths[] = {
        "/proc/asound",     "/proc/acpi",        "/proc/kcore",       "/proc/keys",
        "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
        "/proc/scsi",       "/sys/firmware",     "/sys/devices/virtual/powercap", NULL,
};
static const char *const readonly_paths[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static json_t *strings(const char *const *v) {
        json_t *a = json_array();
        for (; v && *v; v++)
                json_array_append_new(a, json_string(*v));
        return a;
}

static char **json_strv(json_t *a) {
        char **v = xnew0(char *, 1);
        size_t i;
        json_t *x;
        json_array_foreach (a, i, x)
                if (json_is_string(x))
                        strv_push(&v, json_string_value(x));
        return v;
}

static bool env_has(json_t *env, const char *key) {
        size_t i, len = strlen(key);
        json_t *x;
        json_array_foreach (env, i, x) {
                const char *kv = json_string_value(x);
                if (kv && strncmp(kv, key, len) == 0 && kv[len] == '=')
                        return true;
        }
        return false;
}

static json_t *process_env(json_t *cfg, const char *hostname) {
        json_t *env = json_array(), *given = json_object_get(cfg, "Env");
        if (!env_has(given, "PATH"))
                json_array_append_new(env, json_string("PATH=" DEFAULT_PATH));
        if (!env_has(given, "HOSTNAME"))
                json_array_append_new(env, json_sprintf("HOSTNAME=%s", hostname));
        if (json_is_true(json_object_get(cfg, "Tty")) && !env_has(given, "TERM"))
                json_array_append_new(env, json_string("TERM=xterm"));
        if (json_is_array(given))
                json_array_extend(env, given);
        return env;
}

static json_t *process_args(json_t *cfg, json_t *host, const struct spec_host *h) {
        json_t *args = json_array();
        if (json_is_true(json_object_get(host, "Init")) && h->init_path) {
                json_array_append_new(args, json_string(SPEC_INIT_PATH));
                json_array_append_new(args, json_string("--"));
        }
        if (json_is_array(json_object_get(cfg, "Entrypoint")))
                json_array_extend(args, json_object_get(cfg, "Entrypoint"));
        if (json_is_array(json_object_get(cfg, "Cmd")))
                json_array_extend(args, json_object_get(cfg, "Cmd"));
        return args;
}

static json_t *user_json(const struct container_user *u) {
        json_t *o = json_pack("{s:I, s:I}", "uid", (json_int_t) (u ? u->uid : 0), "gid", (json_int_t) (u ? u->gid : 0));
        if (u && u->n_additional_gids) {
                json_t *gids = json_array();
                for (size_t i = 0; i < u->n_additional_gids; i++)
                        json_array_append_new(gids, json_integer(u->additional_gids[i]));
                json_object_set_new(o, "additionalGids", gids);
        }
        return o;
}

static int security_opt(json_t *host, const char *key, const char **ret_value) {
        size_t i, len = strlen(key);
        json_t *x;
        *ret_value = NULL;
        json_array_foreach (json_object_get(host, "SecurityOpt"), i, x) {
                const char *s = json_string_value(x);
                if (!s)
                        continue;
                if (strcmp(s, key) == 0 && strcmp(key, "no-new-privileges") == 0) {
                        *ret_value = "true";
                        return 1;
                }
                if (strncmp(s, key, len) == 0 && (s[len] == '=' || s[len] == ':')) {
                        *ret_value = s + len + 1;
                        return 1;
                }
        }
        return 0;
}

static int resolve_caps(json_t *host, bool privileged, char ***ret, berth_error *err) {
        _cleanup_strv_free_ char **add = json_strv(json_object_get(host, "CapAdd"));
        _cleanup_strv_free_ char **drop = json_strv(json_object_get(host, "CapDrop"));
        return container_caps_resolve(add, drop, privileged, ret, err);
}

/* Docker's default profile for a capability set, built once per set: resolving its
 * syscall names with libseccomp is most of the cost of a spec. */
#define SECCOMP_CACHE_SLOTS 8
static struct {
        pthread_mutex_t lock;
        char *keys[SECCOMP_CACHE_SLOTS];
        json_t *values[SECCOMP_CACHE_SLOTS];
        unsigned next;
} seccomp_cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static char *caps_key(char **caps) {
        size_t len = 1;
        for (char **c = caps; c && *c; c++)
                len += strlen(*c) + 1;
        char *key = xmalloc(len), *p = key;
        *p = '\0';
        for (char **c = caps; c && *c; c++)
                p += sprintf(p, "%s,", *c);
        return key;
}

static int seccomp_default_cached(char **caps, json_t **ret, berth_error *err) {
        _cleanup_free_ char *key = caps_key(caps);
        json_t *built;
        int r;

        pthread_mutex_lock(&seccomp_cache.lock);
        for (unsigned i = 0; i < SECCOMP_CACHE_SLOTS; i++)
                if (seccomp_cache.keys[i] && strcmp(seccomp_cache.keys[i], key) == 0) {
                        *ret = json_deep_copy(seccomp_cache.values[i]);
                        pthread_mutex_unlock(&seccomp_cache.lock);
                        return 0;
                }
        pthread_mutex_unlock(&seccomp_cache.lock);
        r = container_seccomp_default(caps, &built, err);
        if (r < 0)
                return r;
        pthread_mutex_lock(&seccomp_cache.lock);
        unsigned slot = seccomp_cache.next++ % SECCOMP_CACHE_SLOTS;
        free(seccomp_cache.keys[slot]);
        json_decref(seccomp_cache.values[slot]);
        seccomp_cache.keys[slot] = TAKE_PTR(key);
        seccomp_cache.values[slot] = json_deep_copy(built);
        pthread_mutex_unlock(&seccomp_cache.lock);
        *ret = built;
        return 0;
}

static int build_seccomp(json_t *host, char **caps, bool privileged, json_t **ret, berth_error *err) {
        _cleanup_free_ char *text = NULL;
        const char *profile;
        size_t size;
        int r;

        *ret = NULL;
        security_opt(host, "seccomp", &profile);
        if (privileged || (profile && strcmp(profile, "unconfined") == 0))
                return 0;
        if (!profile || strcmp(profile, "default") == 0 || strcmp(profile, "builtin") == 0)
                return seccomp_default_cached(caps, ret, err);
        /* The API carries the profile's text (the docker CLI reads the file); a path is
         * accepted too, for configurations written by hand. */
        if (profile[strspn(profile, " \t\r\n")] == '{')
                return container_seccomp_profile(profile, strlen(profile), caps, ret, err);
        r = berth_read_file(profile, 4 << 20, &text, &size, err);
        if (r < 0)
                return berth_err(err, -EINVAL, "opening seccomp profile (%s) failed: %s", profile, err->message);
        return container_seccomp_profile(text, size, caps, ret, err);
}

static json_t *caps_json(char **caps) {
        json_t *a = strings((const char *const *) caps);
        return json_pack("{s:O, s:O, s:o}", "bounding", a, "effective", a, "permitted", a);
}

static int build_process(json_t *spec, json_t *cfg, json_t *host, const struct spec_inputs *in, char **caps,
                         const char *hostname, berth_error *err) {
        const char *cwd = json_string_value(json_object_get(cfg, "WorkingDir")), *nnp;
        json_t *args = process_args(cfg, host, in->host);
        json_t *p = json_pack("{s:b, s:o, s:o, s:o, s:s, s:o}", "terminal", json_is_true(json_object_get(cfg, "Tty")),
                              "user", user_json(in->user), "args", args, "env", process_env(cfg, hostname), "cwd",
                              cwd && *cwd ? cwd : "/", "capabilities", caps_json(caps));
        int r;

        json_object_set_new(spec, "process", p);
        if (json_array_size(args) == 0)
                return berth_err(err, -EINVAL, "No command specified");
        if (security_opt(host, "no-new-privileges", &nnp) && strcmp(nnp, "false") != 0)
                json_object_set_new(p, "noNewPrivileges", json_true());
        if (json_is_integer(json_object_get(host, "OomScoreAdj")) && json_integer_value(json_object_get(host, "OomScoreAdj")))
                json_object_set(p, "oomScoreAdj", json_object_get(host, "OomScoreAdj"));
        r = spec_add_rlimits(p, host, in->host, err);
        return r;
}

static json_t *namespace(const char *type, const char *path) {
        return path ? json_pack("{s:s, s:s}", "type", type, "path", path) : json_pack("{s:s}", "type", type);
}

bool spec_mode_is(json_t *host, const char *key, const char *mode) {
        const char *v = json_string_value(json_object_get(host, key));
        return v && strcmp(v, mode) == 0;
}

static json_t *namespaces(json_t *host, const struct spec_inputs *in) {
        json_t *ns = json_array();
        json_array_append_new(ns, namespace("mount", NULL));
        if (!spec_mode_is(host, "NetworkMode", "host"))
                json_array_append_new(ns, namespace("network", in->joins.net));
        if (!spec_mode_is(host, "UTSMode", "host"))
                json_array_append_new(ns, namespace("uts", NULL));
        if (!spec_mode_is(host, "PidMode", "host"))
                json_array_append_new(ns, namespace("pid", in->joins.pid));
        if (!spec_mode_is(host, "IpcMode", "host"))
                json_array_append_new(ns, namespace("ipc", in->joins.ipc));
        if (in->host->cgroup_v2)
                json_array_append_new(ns, namespace("cgroup", NULL));
        return ns;
}

static json_t *sysctls(json_t *host, const struct spec_inputs *in) {
        json_t *s = json_object(), *given = json_object_get(host, "Sysctls");
        bool own_net = !spec_mode_is(host, "NetworkMode", "host") && !in->joins.net;
        if (own_net) {
                json_object_set_new(s, "net.ipv4.ping_group_range", json_string("0 2147483647"));
                if (in->host->has_unprivileged_port_start)
                        json_object_set_new(s, "net.ipv4.ip_unprivileged_port_start", json_string("0"));
        }
        if (json_is_object(given))
                json_object_update(s, given);
        return s;
}

char *spec_hostname(json_t *cfg, json_t *host, const char *id) {
        const char *h = json_string_value(json_object_get(cfg, "Hostname"));
        char buf[256] = "";
        if (h && *h)
                return xstrdup(h);
        if (spec_mode_is(host, "NetworkMode", "host") && gethostname(buf, sizeof(buf) - 1) == 0)
                return xstrdup(buf);
        return xstrndup(id, 12);
}

static int build_linux(json_t *spec, json_t *host, const struct spec_inputs *in, char **caps, bool privileged,
                       berth_error *err) {
        json_t *lx = json_pack("{s:o, s:o}", "namespaces", namespaces(host, in), "sysctl", sysctls(host, in));
        json_t *seccomp;
        int r;

        json_object_set_new(spec, "linux", lx);
        if (in->cgroups_path)
                json_object_set_new(lx, "cgroupsPath", json_string(in->cgroups_path));
        if (!privileged) {
                json_object_set_new(lx, "maskedPaths", strings(masked_paths));
                json_object_set_new(lx, "readonlyPaths", strings(readonly_paths));
        }
        r = spec_add_resources(lx, host, privileged, err);
        if (r < 0)
                return r;
        r = build_seccomp(host, caps, privileged, &seccomp, err);
        if (r < 0)
                return r;
        if (seccomp)
                json_object_set_new(lx, "seccomp", seccomp);
        return 0;
}

int spec_build(const struct spec_inputs *in, json_t **ret, berth_error *err) {
        _cleanup_json_ json_t *cfg = json_loads(in->config, 0, NULL), *host = json_loads(in->host_config, 0, NULL);
        _cleanup_json_ json_t *spec = NULL;
        _cleanup_strv_free_ char **caps = NULL;
        _cleanup_free_ char *hostname = NULL;
        bool privileged;
        const char *domain;
        int r;

        if (!json_is_object(cfg) || !json_is_object(host))
                return berth_err(err, -EINVAL, "damaged container configuration");
        privileged = json_is_true(json_object_get(host, "Privileged"));
        r = resolve_caps(host, privileged, &caps, err);
        if (r < 0)
                return r;
        hostname = spec_hostname(cfg, host, in->id);
        spec = json_pack("{s:s, s:{s:s, s:b}}", "ociVersion", "1.0.2-dev", "root", "path", in->rootfs, "readonly",
                         json_is_true(json_object_get(host, "ReadonlyRootfs")));
        /* A shared UTS namespace keeps the host's name; runc refuses to set one there. */
        if (!spec_mode_is(host, "UTSMode", "host"))
                json_object_set_new(spec, "hostname", json_string(hostname));
        domain = json_string_value(json_object_get(cfg, "Domainname"));
        if (domain && *domain && !spec_mode_is(host, "UTSMode", "host"))
                json_object_set_new(spec, "domainname", json_string(domain));
        r = build_process(spec, cfg, host, in, caps, hostname, err);
        if (r < 0)
                return r;
        r = spec_add_mounts(spec, cfg, host, in, privileged, err);
        if (r < 0)
                return r;
        if (json_is_true(json_object_get(host, "Init")) && in->host->init_path)
                json_array_append_new(json_object_get(spec, "mounts"),
                                      json_pack("{s:s, s:s, s:s, s:[sss]}", "destination", SPEC_INIT_PATH, "type",
                                                "bind", "source", in->host->init_path, "options", "bind", "ro",
                                                "nosuid"));
        r = build_linux(spec, host, in, caps, privileged, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(spec);
        return 0;
}

int spec_validate(const char *config, const char *host_config, berth_error *err) {
        struct spec_host h;
        struct spec_inputs in = { .id = "0000000000000000000000000000000000000000000000000000000000000000",
                                  .config = config,
                                  .host_config = host_config,
                                  .rootfs = "/nonexistent",
                                  .bundle = "/nonexistent",
                                  .volumes_dir = "/nonexistent",
                                  .host = &h };
        _cleanup_json_ json_t *spec = NULL, *host = json_loads(host_config, 0, NULL);
        int r;

        spec_host_probe(&h);
        r = spec_check_mounts(host, err);
        if (r < 0)
                return r;
        return spec_build(&in, &spec, err);
}

void spec_host_probe(struct spec_host *ret) {
        *ret = (struct spec_host) {};
        getrlimit(RLIMIT_NOFILE, &ret->hard_nofile);
        getrlimit(RLIMIT_NPROC, &ret->hard_nproc);
        ret->cgroup_v2 = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
        ret->has_unprivileged_port_start = access("/proc/sys/net/ipv4/ip_unprivileged_port_start", F_OK) == 0;
        ret->init_path = access("/usr/bin/catatonit", X_OK) == 0 ? "/usr/bin/catatonit"
                         : access("/usr/libexec/podman/catatonit", X_OK) == 0 ? "/usr/libexec/podman/catatonit"
                                                                              : NULL;
}
