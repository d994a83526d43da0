/* libpod SpecGenerator -> Docker create body, field by field; a value of the wrong shape is
 * an error that names the field, a field berth does not know is ignored (podman sends many). */
#include "json/specgen.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

static inline void json_decrefp_specgen(json_t **j) {
        json_decref(*j);
}
#define _cleanup_json_ _cleanup_(json_decrefp_specgen)

struct out {
        json_t *cfg;  /* Docker's Config fields */
        json_t *host; /* Docker's HostConfig */
};

/* Go's decoder matches keys exactly first, then case-insensitively; null means absent. */
static json_t *get(const json_t *obj, const char *key) {
        json_t *v = json_object_get(obj, key), *x;
        const char *k;

        if (!v && json_is_object(obj))
                json_object_foreach ((json_t *) obj, k, x)
                        if (strcasecmp(k, key) == 0) {
                                v = x;
                                break;
                        }
        return json_is_null(v) ? NULL : v;
}

static int must(berth_error *err, const char *field, const char *what) {
        return berth_err(err, -EINVAL, "\"%s\" must be %s", field, what);
}

static bool all_strings(const json_t *v) {
        const char *k;
        json_t *x;
        size_t i;

        if (json_is_array(v)) {
                json_array_foreach (v, i, x)
                        if (!json_is_string(x))
                                return false;
                return true;
        }
        json_object_foreach ((json_t *) v, k, x)
                if (!json_is_string(x))
                        return false;
        return json_is_object(v);
}

enum kind { K_STRING, K_BOOL, K_INT, K_STRINGS, K_STRMAP };

static const char *kind_words(enum kind k) {
        switch (k) {
        case K_STRING: return "a string";
        case K_BOOL: return "a boolean";
        case K_INT: return "an integer";
        case K_STRINGS: return "an array of strings";
        case K_STRMAP: return "an object of strings";
        }
        return "?";
}

static bool is_kind(const json_t *v, enum kind k) {
        switch (k) {
        case K_STRING: return json_is_string(v);
        case K_BOOL: return json_is_boolean(v);
        case K_INT: return json_is_integer(v);
        case K_STRINGS: return json_is_array(v) && all_strings(v);
        case K_STRMAP: return json_is_object(v) && all_strings(v);
        }
        return false;
}

/* *ret = the value under key (NULL when absent) after checking its shape. */
static int read_kind(const json_t *obj, const char *key, const char *path, enum kind k, json_t **ret,
                     berth_error *err) {
        json_t *v = get(obj, key);
        *ret = NULL;
        if (v && !is_kind(v, k))
                return must(err, path ? path : key, kind_words(k));
        *ret = v;
        return 0;
}

/* Fields that move across unchanged, only renamed. */
static const struct simple {
        const char *from;
        enum kind kind;
        bool host;
        const char *to;
} simple_fields[] = {
        { "command", K_STRINGS, false, "Cmd" },
        { "entrypoint", K_STRINGS, false, "Entrypoint" },
        { "terminal", K_BOOL, false, "Tty" },
        { "stdin", K_BOOL, false, "OpenStdin" },
        { "labels", K_STRMAP, false, "Labels" },
        { "work_dir", K_STRING, false, "WorkingDir" },
        { "user", K_STRING, false, "User" },
        { "hostname", K_STRING, false, "Hostname" },
        { "stop_timeout", K_INT, false, "StopTimeout" },
        { "remove", K_BOOL, true, "AutoRemove" },
        { "cap_add", K_STRINGS, true, "CapAdd" },
        { "cap_drop", K_STRINGS, true, "CapDrop" },
        { "privileged", K_BOOL, true, "Privileged" },
        { "read_only_filesystem", K_BOOL, true, "ReadonlyRootfs" },
        { "dns_server", K_STRINGS, true, "Dns" },
        { "dns_search", K_STRINGS, true, "DnsSearch" },
        { "dns_option", K_STRINGS, true, "DnsOptions" },
        { "hostadd", K_STRINGS, true, "ExtraHosts" },
        { "init", K_BOOL, true, "Init" },
        { "shm_size", K_INT, true, "ShmSize" },
        { "groups", K_STRINGS, true, "GroupAdd" },
        { "oom_score_adj", K_INT, true, "OomScoreAdj" },
        { "sysctl", K_STRMAP, true, "Sysctls" },
        { "cgroup_parent", K_STRING, true, "CgroupParent" },
        { "oci_runtime", K_STRING, true, "Runtime" },
        { "publish_image_ports", K_BOOL, true, "PublishAllPorts" },
};

static int map_simple(const json_t *in, struct out *o, berth_error *err) {
        for (size_t i = 0; i < ELEMENTSOF(simple_fields); i++) {
                const struct simple *f = &simple_fields[i];
                json_t *v;
                int r = read_kind(in, f->from, NULL, f->kind, &v, err);
                if (r < 0)
                        return r;
                if (v)
                        json_object_set(f->host ? o->host : o->cfg, f->to, v);
        }
        return 0;
}

static int map_env(const json_t *in, struct out *o, berth_error *err) {
        json_t *env, *v, *a;
        const char *k;
        int r = read_kind(in, "env", NULL, K_STRMAP, &env, err);

        if (r < 0 || !env)
                return r;
        a = json_array();
        json_object_foreach (env, k, v) {
                _cleanup_free_ char *kv = xasprintf("%s=%s", k, json_string_value(v));
                json_array_append_new(a, json_string(kv));
        }
        json_object_set_new(o->cfg, "Env", a);
        return 0;
}

/* Docker's StopSignal is a name; berth_signal_parse() reads "SIGRTMIN+n" too. */
static int map_stop_signal(const json_t *in, struct out *o, berth_error *err) {
        json_t *v = get(in, "stop_signal");
        json_int_t n = json_integer_value(v);
        const char *abbrev;

        if (!v)
                return 0;
        if (!json_is_integer(v) || n < 1 || n > SIGRTMAX)
                return must(err, "stop_signal", "a signal number");
        abbrev = n < SIGRTMIN ? sigabbrev_np((int) n) : NULL;
        if (!abbrev && n < SIGRTMIN) /* glibc's own real-time signals */
                return must(err, "stop_signal", "a signal number");
        _cleanup_free_ char *name = abbrev ? xasprintf("SIG%s", abbrev)
                                           : xasprintf("SIGRTMIN+%d", (int) n - SIGRTMIN);
        json_object_set_new(o->cfg, "StopSignal", json_string(name));
        return 0;
}

static int map_security(const json_t *in, struct out *o, berth_error *err) {
        json_t *nnp, *seccomp, *apparmor, *selinux, *opts = json_array(), *x;
        size_t i;
        int r;

        json_object_set_new(o->host, "SecurityOpt", opts);
        if ((r = read_kind(in, "no_new_privileges", NULL, K_BOOL, &nnp, err)) < 0 ||
            (r = read_kind(in, "seccomp_profile_path", NULL, K_STRING, &seccomp, err)) < 0 ||
            (r = read_kind(in, "apparmor_profile", NULL, K_STRING, &apparmor, err)) < 0 ||
            (r = read_kind(in, "selinux_opts", NULL, K_STRINGS, &selinux, err)) < 0)
                return r;
        if (json_is_true(nnp))
                json_array_append_new(opts, json_string("no-new-privileges"));
        if (seccomp && *json_string_value(seccomp)) {
                _cleanup_free_ char *s = xasprintf("seccomp=%s", json_string_value(seccomp));
                json_array_append_new(opts, json_string(s));
        }
        if (apparmor && *json_string_value(apparmor)) {
                _cleanup_free_ char *s = xasprintf("apparmor=%s", json_string_value(apparmor));
                json_array_append_new(opts, json_string(s));
        }
        json_array_foreach (selinux, i, x) {
                _cleanup_free_ char *s = xasprintf("label=%s", json_string_value(x));
                json_array_append_new(opts, json_string(s));
        }
        if (json_array_size(opts) == 0)
                json_object_del(o->host, "SecurityOpt");
        return 0;
}

/* A namespace {nsmode, value} as Docker's mode string; *ret NULL leaves Docker's default. */
static int ns_mode(const json_t *in, const char *key, const char *const *allowed, const char **ret,
                   char **ret_owned, berth_error *err) {
        json_t *ns = get(in, key), *mode, *value;
        _cleanup_free_ char *path = xasprintf("%s.nsmode", key);
        const char *m;
        int r;

        *ret = NULL;
        if (!ns)
                return 0;
        if (!json_is_object(ns))
                return must(err, key, "an object");
        if ((r = read_kind(ns, "nsmode", path, K_STRING, &mode, err)) < 0)
                return r;
        free(path);
        path = xasprintf("%s.value", key);
        if ((r = read_kind(ns, "value", path, K_STRING, &value, err)) < 0)
                return r;
        m = mode ? json_string_value(mode) : "";
        if (!*m || strcmp(m, "default") == 0)
                return 0;
        for (size_t i = 0; allowed[i]; i += 2)
                if (strcmp(m, allowed[i]) == 0) {
                        *ret = allowed[i + 1];
                        return 0;
                }
        if (strcmp(m, "container") == 0 && strcmp(key, "utsns") != 0) {
                if (!value || !*json_string_value(value))
                        return berth_err(err, -EINVAL, "\"%s.value\" must name a container", key);
                *ret = *ret_owned = xasprintf("container:%s", json_string_value(value));
                return 0;
        }
        return berth_err(err, -EINVAL, "\"%s.nsmode\" \"%s\" is not supported", key, m);
}

static int map_namespaces(const json_t *in, struct out *o, berth_error *err) {
        static const char *const net[] = { "none", "none", "host", "host", "private", "default",
                                           "bridge", "default", "slirp4netns", "default", NULL };
        static const char *const pid[] = { "host", "host", "private", NULL, NULL };
        static const char *const ipc[] = { "host", "host", "private", "private", "shareable", "shareable",
                                           "none", "none", NULL };
        static const char *const uts[] = { "host", "host", "private", NULL, NULL };
        static const char *const cgroup[] = { "host", "host", "private", "private", NULL };
        static const struct {
                const char *key, *to;
                const char *const *allowed;
        } spaces[] = { { "netns", "NetworkMode", net }, { "pidns", "PidMode", pid }, { "ipcns", "IpcMode", ipc },
                       { "utsns", "UTSMode", uts },     { "cgroupns", "CgroupnsMode", cgroup } };

        for (size_t i = 0; i < ELEMENTSOF(spaces); i++) {
                _cleanup_free_ char *owned = NULL;
                const char *mode;
                int r = ns_mode(in, spaces[i].key, spaces[i].allowed, &mode, &owned, err);
                if (r < 0)
                        return r;
                if (mode)
                        json_object_set_new(o->host, spaces[i].to, json_string(mode));
        }
        return 0;
}

/* Networks {"name": {aliases}}: with the bridge mode, the first names NetworkMode. */
static int map_networks(const json_t *in, struct out *o, berth_error *err) {
        json_t *nets = get(in, "Networks"), *opts, *eps;
        const char *name, *mode = json_string_value(json_object_get(o->host, "NetworkMode"));

        if (!nets)
                return 0;
        if (!json_is_object(nets))
                return must(err, "Networks", "an object");
        if (json_object_size(nets) == 0 || !mode || strcmp(mode, "default") != 0)
                return 0;
        eps = json_object();
        json_object_set_new(o->cfg, "NetworkingConfig", json_pack("{s:o}", "EndpointsConfig", eps));
        json_object_foreach (nets, name, opts) {
                json_t *aliases = NULL;
                _cleanup_free_ char *path = xasprintf("Networks.%s.aliases", name);
                int r = json_is_object(opts) ? read_kind(opts, "aliases", path, K_STRINGS, &aliases, err) : 0;
                if (r < 0)
                        return r;
                if (json_object_size(eps) == 0)
                        json_object_set_new(o->host, "NetworkMode", json_string(name));
                json_object_set_new(eps, name, aliases ? json_pack("{s:O}", "Aliases", aliases) : json_object());
        }
        return 0;
}

/* One protocol of a port mapping, range ports long. */
static void add_ports(struct out *o, const char *ip, json_int_t cport, json_int_t hport, json_int_t range,
                      const char *proto, size_t plen) {
        json_t *exposed = json_object_get(o->cfg, "ExposedPorts"), *bindings = json_object_get(o->host, "PortBindings");

        for (json_int_t k = 0; k < range; k++) {
                _cleanup_free_ char *key = xasprintf("%lld/%.*s", (long long) (cport + k), (int) plen, proto);
                _cleanup_free_ char *hp = hport ? xasprintf("%lld", (long long) (hport + k)) : xstrdup("");
                json_t *list = json_object_get(bindings, key);
                json_object_set_new(exposed, key, json_object());
                if (!list)
                        json_object_set_new(bindings, key, list = json_array());
                json_array_append_new(list, json_pack("{s:s, s:s}", "HostIp", ip, "HostPort", hp));
        }
}

static int map_port(struct out *o, json_t *pm, size_t idx, berth_error *err) {
        static const char *const keys[] = { "host_ip", "protocol", "container_port", "host_port", "range" };
        json_t *v[ELEMENTSOF(keys)];

        if (!json_is_object(pm))
                return berth_err(err, -EINVAL, "\"portmappings[%zu]\" must be an object", idx);
        for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
                _cleanup_free_ char *path = xasprintf("portmappings[%zu].%s", idx, keys[k]);
                int r = read_kind(pm, keys[k], path, k < 2 ? K_STRING : K_INT, &v[k], err);
                if (r < 0)
                        return r;
        }
        json_int_t cport = json_integer_value(v[2]), hport = json_integer_value(v[3]);
        json_int_t range = v[4] ? json_integer_value(v[4]) : 1;
        const char *proto = v[1] && *json_string_value(v[1]) ? json_string_value(v[1]) : "tcp";
        if (cport < 1 || cport > 65535 || hport < 0 || hport > 65535 || range < 1 || cport + range > 65536 ||
            (hport && hport + range > 65536))
                return berth_err(err, -EINVAL, "\"portmappings[%zu]\" must hold ports between 1 and 65535", idx);
        /* "tcp,udp" maps both */
        for (const char *p = proto; *p;) {
                size_t n = strcspn(p, ",");
                add_ports(o, v[0] ? json_string_value(v[0]) : "", cport, hport, range, p, n);
                p += n + (p[n] == ',');
        }
        return 0;
}

static int map_ports(const json_t *in, struct out *o, berth_error *err) {
        json_t *pms = get(in, "portmappings"), *expose = get(in, "expose"), *x;
        const char *k;
        size_t i;

        if (pms && !json_is_array(pms))
                return must(err, "portmappings", "an array");
        if (expose && !(json_is_object(expose) && all_strings(expose)))
                return must(err, "expose", "an object of strings");
        json_object_set_new(o->cfg, "ExposedPorts", json_object());
        json_object_set_new(o->host, "PortBindings", json_object());
        json_array_foreach (pms, i, x) {
                int r = map_port(o, x, i, err);
                if (r < 0)
                        return r;
        }
        json_object_foreach (expose, k, x) {
                const char *proto = *json_string_value(x) ? json_string_value(x) : "tcp";
                for (const char *p = proto; *p;) {
                        size_t n = strcspn(p, ",");
                        _cleanup_free_ char *key = xasprintf("%s/%.*s", k, (int) n, p);
                        json_object_set_new(json_object_get(o->cfg, "ExposedPorts"), key, json_object());
                        p += n + (p[n] == ',');
                }
        }
        if (json_object_size(json_object_get(o->cfg, "ExposedPorts")) == 0)
                json_object_del(o->cfg, "ExposedPorts");
        if (json_object_size(json_object_get(o->host, "PortBindings")) == 0)
                json_object_del(o->host, "PortBindings");
        return 0;
}

/* LinuxResources paths -> HostConfig fields. */
static const struct resource {
        const char *group, *key;
        enum kind kind;
        const char *to;
} resources[] = {
        { "memory", "limit", K_INT, "Memory" },
        { "memory", "swap", K_INT, "MemorySwap" },
        { "memory", "reservation", K_INT, "MemoryReservation" },
        { "memory", "swappiness", K_INT, "MemorySwappiness" },
        { "memory", "disableOOMKiller", K_BOOL, "OomKillDisable" },
        { "cpu", "shares", K_INT, "CpuShares" },
        { "cpu", "quota", K_INT, "CpuQuota" },
        { "cpu", "period", K_INT, "CpuPeriod" },
        { "cpu", "cpus", K_STRING, "CpusetCpus" },
        { "cpu", "mems", K_STRING, "CpusetMems" },
        { "pids", "limit", K_INT, "PidsLimit" },
        { "blockIO", "weight", K_INT, "BlkioWeight" },
};

static int map_resources(const json_t *in, struct out *o, berth_error *err) {
        json_t *rl = get(in, "resource_limits"), *v;
        int r;

        /* the top-level cpu_period/cpu_quota, overridden by resource_limits.cpu */
        if ((r = read_kind(in, "cpu_period", NULL, K_INT, &v, err)) < 0)
                return r;
        if (v && json_integer_value(v))
                json_object_set(o->host, "CpuPeriod", v);
        if ((r = read_kind(in, "cpu_quota", NULL, K_INT, &v, err)) < 0)
                return r;
        if (v && json_integer_value(v))
                json_object_set(o->host, "CpuQuota", v);
        if (!rl)
                return 0;
        if (!json_is_object(rl))
                return must(err, "resource_limits", "an object");
        for (size_t i = 0; i < ELEMENTSOF(resources); i++) {
                const struct resource *f = &resources[i];
                json_t *group = get(rl, f->group);
                _cleanup_free_ char *path = xasprintf("resource_limits.%s.%s", f->group, f->key);
                if (group && !json_is_object(group)) {
                        path[strlen("resource_limits.") + strlen(f->group)] = '\0';
                        return must(err, path, "an object");
                }
                if ((r = read_kind(group, f->key, path, f->kind, &v, err)) < 0)
                        return r;
                if (v)
                        json_object_set(o->host, f->to, v);
        }
        return 0;
}

static int map_rlimits(const json_t *in, struct out *o, berth_error *err) {
        json_t *rls = get(in, "r_limits"), *x, *type, *hard, *soft, *out;
        size_t i;

        if (!rls)
                return 0;
        if (!json_is_array(rls))
                return must(err, "r_limits", "an array");
        out = json_array();
        json_object_set_new(o->host, "Ulimits", out);
        json_array_foreach (rls, i, x) {
                _cleanup_free_ char *pt = xasprintf("r_limits[%zu].type", i), *ph = xasprintf("r_limits[%zu].hard", i),
                                    *ps = xasprintf("r_limits[%zu].soft", i);
                int r;
                if (!json_is_object(x))
                        return berth_err(err, -EINVAL, "\"r_limits[%zu]\" must be an object", i);
                if ((r = read_kind(x, "type", pt, K_STRING, &type, err)) < 0 ||
                    (r = read_kind(x, "hard", ph, K_INT, &hard, err)) < 0 ||
                    (r = read_kind(x, "soft", ps, K_INT, &soft, err)) < 0)
                        return r;
                if (!type || !*json_string_value(type))
                        return berth_err(err, -EINVAL, "\"%s\" is required", pt);
                /* "RLIMIT_NOFILE" and "nofile" are both seen; Docker wants "nofile" */
                const char *t = json_string_value(type);
                _cleanup_free_ char *name = xstrdup(strncasecmp(t, "RLIMIT_", 7) == 0 ? t + 7 : t);
                for (char *c = name; *c; c++)
                        *c = (char) (*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
                json_array_append_new(out, json_pack("{s:s, s:I, s:I}", "Name", name, "Hard",
                                                     json_integer_value(hard), "Soft", json_integer_value(soft)));
        }
        return 0;
}

static int map_restart(const json_t *in, struct out *o, berth_error *err) {
        json_t *policy, *tries;
        int r;

        if ((r = read_kind(in, "restart_policy", NULL, K_STRING, &policy, err)) < 0 ||
            (r = read_kind(in, "restart_tries", NULL, K_INT, &tries, err)) < 0)
                return r;
        if (!policy || !*json_string_value(policy))
                return 0;
        json_object_set_new(o->host, "RestartPolicy", json_pack("{s:O, s:I}", "Name", policy, "MaximumRetryCount",
                                                                  tries ? json_integer_value(tries) : 0));
        return 0;
}

static bool is_perms(const char *s) {
        return *s && strspn(s, "rwm") == strlen(s);
}

/* podman --remote sends each --device unparsed: "host[:ctr][:perms]". */
static int map_devices(const json_t *in, struct out *o, berth_error *err) {
        json_t *devs = get(in, "devices"), *x, *path = NULL, *out;
        size_t i;

        if (!devs)
                return 0;
        if (!json_is_array(devs))
                return must(err, "devices", "an array");
        out = json_array();
        json_object_set_new(o->host, "Devices", out);
        json_array_foreach (devs, i, x) {
                _cleanup_free_ char *p = xasprintf("devices[%zu].path", i);
                int r = json_is_object(x) ? read_kind(x, "path", p, K_STRING, &path, err)
                                          : berth_err(err, -EINVAL, "\"devices[%zu]\" must be an object", i);
                if (r < 0)
                        return r;
                if (!path || *json_string_value(path) != '/')
                        return must(err, p, "an absolute path");
                _cleanup_free_ char *host = xstrdup(json_string_value(path));
                char *ctr = strchr(host, ':'), *perms = NULL;
                if (ctr) {
                        *ctr++ = '\0';
                        perms = strchr(ctr, ':');
                        if (perms)
                                *perms++ = '\0';
                        else if (is_perms(ctr))
                                perms = ctr, ctr = NULL;
                }
                if ((ctr && *ctr != '/') || (perms && !is_perms(perms)))
                        return berth_err(err, -EINVAL, "\"%s\": invalid device \"%s\", expected HOST[:CONTAINER][:PERMISSIONS]",
                                         p, json_string_value(path));
                json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "PathOnHost", host, "PathInContainer",
                                                     ctr ? ctr : host, "CgroupPermissions", perms ? perms : "rwm"));
        }
        return 0;
}

static int map_healthcheck(const json_t *in, struct out *o, berth_error *err) {
        static const char *const ints[] = { "Interval", "Timeout", "StartPeriod", "Retries" };
        json_t *hc = get(in, "healthconfig"), *v, *out;
        int r;

        if (!hc)
                return 0;
        if (!json_is_object(hc))
                return must(err, "healthconfig", "an object");
        out = json_object();
        json_object_set_new(o->cfg, "Healthcheck", out);
        if ((r = read_kind(hc, "Test", "healthconfig.Test", K_STRINGS, &v, err)) < 0)
                return r;
        if (v)
                json_object_set(out, "Test", v);
        for (size_t i = 0; i < ELEMENTSOF(ints); i++) {
                _cleanup_free_ char *p = xasprintf("healthconfig.%s", ints[i]);
                if ((r = read_kind(hc, ints[i], p, K_INT, &v, err)) < 0)
                        return r;
                if (v)
                        json_object_set(out, ints[i], v);
        }
        return 0;
}

static int map_log(const json_t *in, struct out *o, berth_error *err) {
        json_t *lc = get(in, "log_configuration"), *driver, *opts;
        int r;

        if (!lc)
                return 0;
        if (!json_is_object(lc))
                return must(err, "log_configuration", "an object");
        if ((r = read_kind(lc, "driver", "log_configuration.driver", K_STRING, &driver, err)) < 0 ||
            (r = read_kind(lc, "options", "log_configuration.options", K_STRMAP, &opts, err)) < 0)
                return r;
        if (driver && *json_string_value(driver))
                json_object_set_new(o->host, "LogConfig", json_pack("{s:O, s:o}", "Type", driver, "Config",
                                                                    opts ? json_incref(opts) : json_object()));
        return 0;
}

/* tmpfs "size=" as the kernel reads it: bytes with an optional k/m/g suffix. */
static int parse_size(const char *s, json_int_t *ret) {
        char *end;
        unsigned long long n;

        if (*s < '0' || *s > '9')
                return -EINVAL;
        n = strtoull(s, &end, 10);
        switch (*end) {
        case 'k': case 'K': n <<= 10, end++; break;
        case 'm': case 'M': n <<= 20, end++; break;
        case 'g': case 'G': n <<= 30, end++; break;
        default: break;
        }
        if (*end || n > (1ULL << 62))
                return -EINVAL;
        *ret = (json_int_t) n;
        return 0;
}

static bool is_propagation(const char *s) {
        static const char *const modes[] = { "rprivate", "private", "rshared", "shared", "rslave", "slave" };
        for (size_t i = 0; i < ELEMENTSOF(modes); i++)
                if (strcmp(s, modes[i]) == 0)
                        return true;
        return false;
}

/* Options Docker's Mounts can carry; the rest (z, Z, U, nosuid, ...) have no field there. */
static int mount_options(json_t *m, const char *type, json_t *opts, const char *path, berth_error *err) {
        json_t *x, *bind = json_object(), *tmpfs = json_object();
        size_t i;

        /* owned by m from here, so an early return leaks nothing */
        json_object_set_new(m, "BindOptions", bind);
        json_object_set_new(m, "TmpfsOptions", tmpfs);
        json_array_foreach (opts, i, x) {
                const char *s = json_string_value(x);
                char *end;
                if (strcmp(s, "ro") == 0 || strcmp(s, "readonly") == 0)
                        json_object_set_new(m, "ReadOnly", json_true());
                else if (strcmp(type, "bind") == 0 && strcmp(s, "bind") == 0)
                        json_object_set_new(bind, "NonRecursive", json_true());
                else if (strcmp(type, "bind") == 0 && is_propagation(s))
                        json_object_set_new(bind, "Propagation", json_string(s));
                else if (strcmp(type, "tmpfs") == 0 && strncmp(s, "size=", 5) == 0) {
                        json_int_t n;
                        if (parse_size(s + 5, &n) < 0)
                                return berth_err(err, -EINVAL, "\"%s\": invalid tmpfs size \"%s\"", path, s + 5);
                        json_object_set_new(tmpfs, "SizeBytes", json_integer(n));
                } else if (strcmp(type, "tmpfs") == 0 && strncmp(s, "mode=", 5) == 0) {
                        unsigned long mode = strtoul(s + 5, &end, 8);
                        if (!s[5] || *end || mode > 07777)
                                return berth_err(err, -EINVAL, "\"%s\": invalid tmpfs mode \"%s\"", path, s + 5);
                        json_object_set_new(tmpfs, "Mode", json_integer((json_int_t) mode));
                }
        }
        if (json_object_size(bind) == 0)
                json_object_del(m, "BindOptions");
        if (json_object_size(tmpfs) == 0)
                json_object_del(m, "TmpfsOptions");
        return 0;
}

/* An OCI mount {destination, type, source, options} as a Docker Mounts entry. */
static int map_mount(json_t *out, const json_t *x, size_t i, berth_error *err) {
        static const char *const keys[] = { "destination", "type", "source" };
        json_t *v[ELEMENTSOF(keys)], *opts, *m;
        _cleanup_free_ char *path = xasprintf("mounts[%zu]", i), *popts = xasprintf("%s.options", path);
        int r;

        if (!json_is_object(x))
                return must(err, path, "an object");
        for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
                _cleanup_free_ char *p = xasprintf("%s.%s", path, keys[k]);
                if ((r = read_kind(x, keys[k], p, K_STRING, &v[k], err)) < 0)
                        return r;
        }
        if ((r = read_kind(x, "options", popts, K_STRINGS, &opts, err)) < 0)
                return r;
        const char *dst = v[0] ? json_string_value(v[0]) : "", *type = v[1] ? json_string_value(v[1]) : "bind";
        const char *src = v[2] ? json_string_value(v[2]) : "";
        if (*dst != '/')
                return berth_err(err, -EINVAL, "\"%s.destination\" must be an absolute path", path);
        if (strcmp(type, "bind") != 0 && strcmp(type, "tmpfs") != 0)
                return berth_err(err, -EINVAL, "\"%s.type\" \"%s\" is not supported (bind and tmpfs are)", path, type);
        if (strcmp(type, "bind") == 0 && *src != '/')
                return berth_err(err, -EINVAL, "\"%s.source\" must be an absolute path", path);
        m = json_pack("{s:s, s:s}", "Type", type, "Target", dst);
        if (strcmp(type, "bind") == 0)
                json_object_set_new(m, "Source", json_string(src));
        json_array_append_new(out, m);
        return mount_options(m, type, opts, popts, err);
}

/* Named volumes become Binds "name:dest[:opts]", anonymous ones Config.Volumes. */
static int map_volume(struct out *o, const json_t *x, size_t i, berth_error *err) {
        static const char *const keys[] = { "Name", "Dest" };
        json_t *v[2], *opts, *anon, *s;
        _cleanup_free_ char *path = xasprintf("volumes[%zu]", i), *popts = xasprintf("%s.Options", path);
        _cleanup_free_ char *joined = xstrdup("");
        size_t k;
        int r;

        if (!json_is_object(x))
                return must(err, path, "an object");
        for (k = 0; k < 2; k++) {
                _cleanup_free_ char *p = xasprintf("%s.%s", path, keys[k]);
                if ((r = read_kind(x, keys[k], p, K_STRING, &v[k], err)) < 0)
                        return r;
        }
        _cleanup_free_ char *pa = xasprintf("%s.IsAnonymous", path);
        if ((r = read_kind(x, "Options", popts, K_STRINGS, &opts, err)) < 0 ||
            (r = read_kind(x, "IsAnonymous", pa, K_BOOL, &anon, err)) < 0)
                return r;
        const char *name = v[0] ? json_string_value(v[0]) : "", *dst = v[1] ? json_string_value(v[1]) : "";
        if (*dst != '/')
                return berth_err(err, -EINVAL, "\"%s.Dest\" must be an absolute path", path);
        if (json_is_true(anon) || !*name) {
                json_object_set_new(json_object_get(o->cfg, "Volumes"), dst, json_object());
                return 0;
        }
        json_array_foreach (opts, k, s) {
                char *j = xasprintf("%s%s%s", joined, *joined ? "," : "", json_string_value(s));
                free(joined);
                joined = j;
        }
        _cleanup_free_ char *bind = xasprintf("%s:%s%s%s", name, dst, *joined ? ":" : "", joined);
        json_array_append_new(json_object_get(o->host, "Binds"), json_string(bind));
        return 0;
}

static int map_mounts(const json_t *in, struct out *o, berth_error *err) {
        json_t *mounts = get(in, "mounts"), *vols = get(in, "volumes"), *x;
        static const char *const unsupported[] = { "overlay_volumes", "image_volumes", "volumes_from" };
        size_t i;
        int r;

        for (i = 0; i < ELEMENTSOF(unsupported); i++)
                if (json_array_size(get(in, unsupported[i])) > 0)
                        return berth_err(err, -EINVAL, "\"%s\" is not supported", unsupported[i]);
        if (mounts && !json_is_array(mounts))
                return must(err, "mounts", "an array");
        if (vols && !json_is_array(vols))
                return must(err, "volumes", "an array");
        json_object_set_new(o->host, "Mounts", json_array());
        json_object_set_new(o->host, "Binds", json_array());
        json_object_set_new(o->cfg, "Volumes", json_object());
        json_array_foreach (mounts, i, x)
                if ((r = map_mount(json_object_get(o->host, "Mounts"), x, i, err)) < 0)
                        return r;
        json_array_foreach (vols, i, x)
                if ((r = map_volume(o, x, i, err)) < 0)
                        return r;
        if (json_array_size(json_object_get(o->host, "Mounts")) == 0)
                json_object_del(o->host, "Mounts");
        if (json_array_size(json_object_get(o->host, "Binds")) == 0)
                json_object_del(o->host, "Binds");
        if (json_object_size(json_object_get(o->cfg, "Volumes")) == 0)
                json_object_del(o->cfg, "Volumes");
        return 0;
}

static int translate(const json_t *in, struct out *o, berth_error *err) {
        json_t *image;
        int r;

        if ((r = read_kind(in, "image", NULL, K_STRING, &image, err)) < 0)
                return r;
        if (!image || !*json_string_value(image))
                return berth_err(err, -EINVAL, "image is required");
        json_object_set(o->cfg, "Image", image);
        if ((r = map_simple(in, o, err)) < 0 || (r = map_env(in, o, err)) < 0 || (r = map_stop_signal(in, o, err)) < 0 ||
            (r = map_security(in, o, err)) < 0 || (r = map_namespaces(in, o, err)) < 0 ||
            (r = map_networks(in, o, err)) < 0 || (r = map_ports(in, o, err)) < 0 ||
            (r = map_resources(in, o, err)) < 0 || (r = map_rlimits(in, o, err)) < 0 ||
            (r = map_restart(in, o, err)) < 0 || (r = map_devices(in, o, err)) < 0 ||
            (r = map_healthcheck(in, o, err)) < 0 || (r = map_log(in, o, err)) < 0)
                return r;
        return map_mounts(in, o, err);
}

int specgen_to_docker(const char *body, size_t size, char **ret_docker_json, berth_error *err) {
        json_error_t jerr;
        _cleanup_json_ json_t *in = json_loadb(body ? body : "", body ? size : 0, 0, &jerr);
        _cleanup_json_ json_t *cfg = json_object(), *host = json_object();
        int r;

        if (!in)
                return berth_err(err, -EINVAL, "invalid JSON in the create body: %s", jerr.text);
        if (!json_is_object(in))
                return berth_err(err, -EINVAL, "the create body must be a JSON object");
        r = translate(in, &(struct out) { cfg, host }, err);
        if (r < 0)
                return r;
        json_object_set(cfg, "HostConfig", host);
        *ret_docker_json = json_dumps(cfg, JSON_COMPACT);
        if (!*ret_docker_json)
                abort();
        return 0;
}

char *specgen_name(const char *body, size_t size) {
        _cleanup_json_ json_t *in = body ? json_loadb(body, size, 0, NULL) : NULL;
        const char *name = json_string_value(get(in, "name"));
        return name && *name ? xstrdup(name) : NULL;
}
