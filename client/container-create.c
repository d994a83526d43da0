/* run/create flags -> libpod SpecGenerator JSON (pkg/specgen's field names in Podman
 * 4.3): values are checked here only as far as podman's client checks them. */
#include "container-create.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "client.h"
#include "verb.h"

enum {
        O_ADD_HOST = 256, O_BLKIO, O_CAP_ADD, O_CAP_DROP, O_CPUS, O_CPU_SHARES, O_CPU_QUOTA, O_CPU_PERIOD,
        O_CPUSET, O_DETACH_KEYS, O_DEVICE, O_DNS, O_DNS_SEARCH, O_DNS_OPTION, O_ENV_FILE, O_ENTRYPOINT,
        O_GROUP_ADD, O_HEALTH_CMD, O_HELP, O_INIT, O_IPC, O_MEMORY_SWAP, O_MOUNT, O_NAME, O_NETWORK, O_PID,
        O_PIDS_LIMIT, O_PRIVILEGED, O_PULL, O_READ_ONLY, O_RESTART, O_RM, O_SECURITY_OPT, O_SHM_SIZE,
        O_SIG_PROXY, O_STOP_SIGNAL, O_STOP_TIMEOUT, O_TMPFS, O_ULIMIT, O_UTS,
};

static const struct option options[] = {
        { "attach", required_argument, NULL, 'a' },
        { "add-host", required_argument, NULL, O_ADD_HOST },
        { "blkio-weight", required_argument, NULL, O_BLKIO },
        { "cap-add", required_argument, NULL, O_CAP_ADD },
        { "cap-drop", required_argument, NULL, O_CAP_DROP },
        { "cpus", required_argument, NULL, O_CPUS },
        { "cpu-shares", required_argument, NULL, O_CPU_SHARES },
        { "cpu-quota", required_argument, NULL, O_CPU_QUOTA },
        { "cpu-period", required_argument, NULL, O_CPU_PERIOD },
        { "cpuset-cpus", required_argument, NULL, O_CPUSET },
        { "detach", no_argument, NULL, 'd' },
        { "detach-keys", required_argument, NULL, O_DETACH_KEYS },
        { "device", required_argument, NULL, O_DEVICE },
        { "dns", required_argument, NULL, O_DNS },
        { "dns-search", required_argument, NULL, O_DNS_SEARCH },
        { "dns-option", required_argument, NULL, O_DNS_OPTION },
        { "env", required_argument, NULL, 'e' },
        { "env-file", required_argument, NULL, O_ENV_FILE },
        { "entrypoint", required_argument, NULL, O_ENTRYPOINT },
        { "group-add", required_argument, NULL, O_GROUP_ADD },
        { "health-cmd", required_argument, NULL, O_HEALTH_CMD },
        { "help", no_argument, NULL, O_HELP },
        { "hostname", required_argument, NULL, 'h' },
        { "init", optional_argument, NULL, O_INIT },
        { "interactive", no_argument, NULL, 'i' },
        { "ipc", required_argument, NULL, O_IPC },
        { "label", required_argument, NULL, 'l' },
        { "memory", required_argument, NULL, 'm' },
        { "memory-swap", required_argument, NULL, O_MEMORY_SWAP },
        { "mount", required_argument, NULL, O_MOUNT },
        { "name", required_argument, NULL, O_NAME },
        { "network", required_argument, NULL, O_NETWORK },
        { "net", required_argument, NULL, O_NETWORK },
        { "pid", required_argument, NULL, O_PID },
        { "pids-limit", required_argument, NULL, O_PIDS_LIMIT },
        { "privileged", optional_argument, NULL, O_PRIVILEGED },
        { "pull", required_argument, NULL, O_PULL },
        { "read-only", optional_argument, NULL, O_READ_ONLY },
        { "restart", required_argument, NULL, O_RESTART },
        { "rm", optional_argument, NULL, O_RM },
        { "security-opt", required_argument, NULL, O_SECURITY_OPT },
        { "shm-size", required_argument, NULL, O_SHM_SIZE },
        { "sig-proxy", optional_argument, NULL, O_SIG_PROXY },
        { "stop-signal", required_argument, NULL, O_STOP_SIGNAL },
        { "stop-timeout", required_argument, NULL, O_STOP_TIMEOUT },
        { "tmpfs", required_argument, NULL, O_TMPFS },
        { "tty", no_argument, NULL, 't' },
        { "ulimit", required_argument, NULL, O_ULIMIT },
        { "user", required_argument, NULL, 'u' },
        { "uts", required_argument, NULL, O_UTS },
        { "volume", required_argument, NULL, 'v' },
        { "workdir", required_argument, NULL, 'w' },
        {},
};

int parse_bytes(const char *s, int64_t *ret) {
        char *end;
        double v;
        int64_t mult = 1;

        errno = 0;
        v = strtod(s, &end);
        if (end == s || errno || v < 0 || !isfinite(v))
                return -EINVAL;
        switch (tolower((unsigned char) *end)) {
        case '\0': break;
        case 'b': mult = 1; break;
        case 'k': mult = 1LL << 10; break;
        case 'm': mult = 1LL << 20; break;
        case 'g': mult = 1LL << 30; break;
        case 't': mult = 1LL << 40; break;
        default: return -EINVAL;
        }
        if (*end) {
                end++;
                if (tolower((unsigned char) *end) == 'b' && end[-1] != 'b' && end[-1] != 'B')
                        end++;
                if (*end)
                        return -EINVAL;
        }
        if (v * (double) mult > (double) INT64_MAX)
                return -ERANGE;
        *ret = (int64_t) (v * (double) mult);
        return 0;
}

int parse_signal(const char *s) {
        char *end;
        long n = strtol(s, &end, 10);

        if (*s && !*end)
                return n > 0 && n < NSIG ? (int) n : -EINVAL;
        if (strncasecmp(s, "SIG", 3) == 0)
                s += 3;
        for (int i = 1; i < NSIG; i++) {
                const char *name = sigabbrev_np(i);
                if (name && strcasecmp(name, s) == 0)
                        return i;
        }
        return -EINVAL;
}

int parse_duration_ns(const char *s, int64_t *ret) {
        static const struct { const char *unit; double ns; } units[] = {
                { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
        };
        double total = 0;

        if (!*s)
                return -EINVAL;
        while (*s) {
                char *end;
                double v = strtod(s, &end);
                size_t best = 0, best_len = 0;
                if (end == s || v < 0)
                        return -EINVAL;
                for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                        size_t l = strlen(units[i].unit);
                        if (strncmp(end, units[i].unit, l) == 0 && l > best_len)
                                best = i, best_len = l;
                }
                if (best_len == 0)
                        return v == 0 && !*end ? (*ret = 0, 0) : -EINVAL;
                total += v * units[best].ns;
                s = end + best_len;
        }
        *ret = (int64_t) total;
        return 0;
}

/* The object or array under `key`, created on first use. */
static json_t *member(json_t *o, const char *key, bool array) {
        json_t *v = json_object_get(o, key);

        if (!v)
                json_object_set_new(o, key, v = array ? json_array() : json_object());
        return v;
}

static void append_string(json_t *spec, const char *key, const char *value) {
        json_array_append_new(member(spec, key, true), json_string(value));
}

static json_t *resources(json_t *spec, const char *group) {
        return member(member(spec, "resource_limits", false), group, false);
}

static int bad_value(berth_error *err, const char *flag, const char *value, const char *why) {
        return berth_err(err, -EINVAL, "invalid argument \"%s\" for \"%s\" flag: %s", value, flag, why);
}

static int add_env(json_t *env, const char *arg) {
        const char *eq = strchr(arg, '=');

        if (eq) {
                _cleanup_free_ char *key = xstrndup(arg, (size_t) (eq - arg));
                json_object_set_new(env, key, json_string(eq + 1));
        } else if (getenv(arg))
                /* podman takes a bare KEY from the client's environment, or leaves it out. */
                json_object_set_new(env, arg, json_string(getenv(arg)));
        return 0;
}

static int add_env_file(json_t *env, const char *path, berth_error *err) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        ssize_t n;

        if (!f)
                return berth_err_errno(err, -errno, "cannot read the env file %s", path);
        while ((n = getline(&line, &cap, f)) >= 0) {
                char *s = line;
                while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
                        s[--n] = '\0';
                s += strspn(s, " \t");
                if (*s && *s != '#')
                        add_env(env, s);
        }
        return 0;
}

static int add_label(json_t *labels, const char *arg) {
        const char *eq = strchr(arg, '=');
        _cleanup_free_ char *key = xstrndup(arg, eq ? (size_t) (eq - arg) : strlen(arg));

        json_object_set_new(labels, key, json_string(eq ? eq + 1 : ""));
        return 0;
}

static json_t *split_options(const char *opts) {
        json_t *a = json_array();
        _cleanup_free_ char *copy = xstrdup(opts ? opts : "");
        char *save = NULL;

        for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save))
                json_array_append_new(a, json_string(o));
        return a;
}

/* -v SRC:DST[:OPTS]: a path is a bind mount, a name a named volume, DST alone an
 * anonymous volume. */
static int add_volume(json_t *spec, const char *arg, berth_error *err) {
        _cleanup_free_ char *copy = xstrdup(arg);
        char *parts[3] = { 0 };
        size_t n = 0;

        for (char *p = copy, *save = NULL, *t; n < 3 && (t = strtok_r(p, ":", &save)); p = NULL)
                parts[n++] = t;
        if (n == 0)
                return bad_value(err, "--volume", arg, "expected SRC:DST[:OPTS]");
        if (n == 1) {
                if (parts[0][0] != '/')
                        return bad_value(err, "--volume", arg, "the container path must be absolute");
                json_array_append_new(member(spec, "volumes", true),
                                      json_pack("{s:s, s:s, s:[]}", "Name", "", "Dest", parts[0], "Options"));
                return 0;
        }
        if (parts[1][0] != '/')
                return bad_value(err, "--volume", arg, "the container path must be absolute");
        if (parts[0][0] == '/' || parts[0][0] == '.') {
                json_t *o = split_options(parts[2]);
                json_array_append_new(o, json_string("rbind"));
                json_array_append_new(member(spec, "mounts", true),
                                      json_pack("{s:s, s:s, s:s, s:o}", "destination", parts[1], "type", "bind",
                                                "source", parts[0], "options", o));
        } else
                json_array_append_new(member(spec, "volumes", true),
                                      json_pack("{s:s, s:s, s:o}", "Name", parts[0], "Dest", parts[1], "Options",
                                                split_options(parts[2])));
        return 0;
}

static int add_tmpfs(json_t *spec, const char *arg, berth_error *err) {
        const char *colon = strchr(arg, ':');
        _cleanup_free_ char *dest = xstrndup(arg, colon ? (size_t) (colon - arg) : strlen(arg));
        json_t *o;

        if (dest[0] != '/')
                return bad_value(err, "--tmpfs", arg, "the container path must be absolute");
        o = colon ? split_options(colon + 1) : json_pack("[s,s,s,s]", "rw", "noexec", "nosuid", "nodev");
        json_array_append_new(member(spec, "mounts", true), json_pack("{s:s, s:s, s:s, s:o}", "destination", dest,
                                                                      "type", "tmpfs", "source", "tmpfs", "options", o));
        return 0;
}

/* --mount type=bind|volume|tmpfs,source=,target=,readonly,KEY=VALUE... */
static int add_mount(json_t *spec, const char *arg, berth_error *err) {
        _cleanup_free_ char *copy = xstrdup(arg), *type = NULL, *src = NULL, *dst = NULL;
        _cleanup_(json_decrefp) json_t *opts = json_array();
        char *save = NULL;

        for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(kv, '=');
                const char *v = eq ? eq + 1 : "";
                if (eq)
                        *eq = '\0';
                if (strcmp(kv, "type") == 0)
                        free(type), type = xstrdup(v);
                else if (strcmp(kv, "source") == 0 || strcmp(kv, "src") == 0)
                        free(src), src = xstrdup(v);
                else if (strcmp(kv, "target") == 0 || strcmp(kv, "destination") == 0 || strcmp(kv, "dst") == 0)
                        free(dst), dst = xstrdup(v);
                else if ((strcmp(kv, "readonly") == 0 || strcmp(kv, "ro") == 0) && strcmp(v, "false") != 0)
                        json_array_append_new(opts, json_string("ro"));
                else if (strcmp(kv, "tmpfs-size") == 0)
                        json_array_append_new(opts, json_sprintf("size=%s", v));
                else if (strcmp(kv, "tmpfs-mode") == 0)
                        json_array_append_new(opts, json_sprintf("mode=%s", v));
                else if (strcmp(kv, "bind-propagation") == 0 || strcmp(kv, "relabel") == 0)
                        json_array_append_new(opts, json_string(v));
                else
                        return bad_value(err, "--mount", arg, "unknown option");
        }
        if (!type)
                return bad_value(err, "--mount", arg, "type= is required");
        if (!dst || dst[0] != '/')
                return bad_value(err, "--mount", arg, "target= must be an absolute path");
        if (strcmp(type, "volume") == 0) {
                json_array_append_new(member(spec, "volumes", true),
                                      json_pack("{s:s, s:s, s:O}", "Name", src ?: "", "Dest", dst, "Options", opts));
                return 0;
        }
        if (strcmp(type, "bind") == 0) {
                if (!src)
                        return bad_value(err, "--mount", arg, "source= is required for a bind mount");
                json_array_append_new(opts, json_string("rbind"));
        } else if (strcmp(type, "tmpfs") != 0)
                return bad_value(err, "--mount", arg, "type must be bind, volume or tmpfs");
        json_array_append_new(member(spec, "mounts", true),
                              json_pack("{s:s, s:s, s:s, s:O}", "destination", dst, "type", type, "source",
                                        src ?: "tmpfs", "options", opts));
        return 0;
}

/* --network, --pid, --ipc, --uts: libpod's Namespace {nsmode, value}. */
static int namespace(json_t *spec, const char *key, const char *flag, const char *arg, berth_error *err) {
        static const char *const plain[] = { "host", "private", "none", "bridge", "slirp4netns", "shareable" };
        const char *colon = strchr(arg, ':');

        for (size_t i = 0; i < ELEMENTSOF(plain); i++)
                if (strcmp(arg, plain[i]) == 0) {
                        json_object_set_new(spec, key, json_pack("{s:s}", "nsmode", arg));
                        return 0;
                }
        if (colon && colon[1] && strncmp(arg, "container:", 10) == 0)
                json_object_set_new(spec, key, json_pack("{s:s, s:s}", "nsmode", "container", "value", colon + 1));
        else if (colon && colon[1] && strncmp(arg, "ns:", 3) == 0)
                json_object_set_new(spec, key, json_pack("{s:s, s:s}", "nsmode", "path", "value", colon + 1));
        else if (strcmp(key, "netns") == 0 && *arg && !colon) {
                json_object_set_new(spec, key, json_pack("{s:s}", "nsmode", "bridge"));
                json_object_set_new(member(spec, "Networks", false), arg, json_object());
        } else
                return bad_value(err, flag, arg, "expected host, private, container:ID or ns:PATH");
        return 0;
}

static int parse_int64(const char *flag, const char *s, int64_t *ret, berth_error *err) {
        char *end;
        long long v;

        errno = 0;
        v = strtoll(s, &end, 10);
        if (!*s || *end || errno)
                return bad_value(err, flag, s, "not an integer");
        *ret = v;
        return 0;
}

static int add_ulimit(json_t *spec, const char *arg, berth_error *err) {
        _cleanup_free_ char *name = NULL, *upper = NULL;
        const char *eq = strchr(arg, '=');
        long long soft, hard;
        char *end;

        if (!eq || eq == arg)
                return bad_value(err, "--ulimit", arg, "expected NAME=SOFT[:HARD]");
        name = xstrndup(arg, (size_t) (eq - arg));
        soft = strtoll(eq + 1, &end, 10);
        if (end == eq + 1 || (*end && *end != ':'))
                return bad_value(err, "--ulimit", arg, "expected NAME=SOFT[:HARD]");
        hard = *end ? strtoll(end + 1, &end, 10) : soft;
        if (*end || soft > hard)
                return bad_value(err, "--ulimit", arg, "the soft limit must be a number not above the hard one");
        /* libpod wants the short name ("nofile") and adds RLIMIT_ itself. */
        upper = xstrdup(strncasecmp(name, "RLIMIT_", 7) == 0 ? name + 7 : name);
        for (char *p = upper; *p; p++)
                *p = (char) tolower((unsigned char) *p);
        json_array_append_new(member(spec, "r_limits", true),
                              json_pack("{s:s, s:I, s:I}", "type", upper, "hard", (json_int_t) hard, "soft",
                                        (json_int_t) soft));
        return 0;
}

static int set_restart(json_t *spec, const char *arg, berth_error *err) {
        const char *colon = strchr(arg, ':');
        _cleanup_free_ char *policy = xstrndup(arg, colon ? (size_t) (colon - arg) : strlen(arg));
        int64_t tries = 0;

        if (strcmp(policy, "no") != 0 && strcmp(policy, "always") != 0 && strcmp(policy, "on-failure") != 0 &&
            strcmp(policy, "unless-stopped") != 0)
                return bad_value(err, "--restart", arg, "expected no, always, on-failure[:N] or unless-stopped");
        json_object_set_new(spec, "restart_policy", json_string(policy));
        if (!colon)
                return 0;
        if (strcmp(policy, "on-failure") != 0)
                return bad_value(err, "--restart", arg, "only on-failure takes a retry count");
        if (parse_int64("--restart", colon + 1, &tries, err) < 0 || tries < 0)
                return bad_value(err, "--restart", arg, "the retry count must be a number >= 0");
        json_object_set_new(spec, "restart_tries", json_integer(tries));
        return 0;
}

static int security_opt(json_t *spec, const char *arg, berth_error *err) {
        const char *eq = strchr(arg, '=');
        const char *v = eq ? eq + 1 : "";

        if (strcmp(arg, "no-new-privileges") == 0 || strcmp(arg, "no-new-privileges=true") == 0)
                json_object_set_new(spec, "no_new_privileges", json_true());
        else if (strncmp(arg, "label=", 6) == 0)
                append_string(spec, "selinux_opts", v);
        else if (strncmp(arg, "apparmor=", 9) == 0)
                json_object_set_new(spec, "apparmor_profile", json_string(v));
        else if (strncmp(arg, "seccomp=", 8) == 0)
                json_object_set_new(spec, "seccomp_profile_path", json_string(v));
        else if (strncmp(arg, "mask=", 5) == 0)
                append_string(spec, "mask", v);
        else if (strncmp(arg, "unmask=", 7) == 0)
                append_string(spec, "unmask", v);
        else
                return bad_value(err, "--security-opt", arg, "unknown option");
        return 0;
}

static json_t *entrypoint(const char *arg) {
        json_t *v;

        /* A JSON array is taken as it is; any other string is one word (podman's rule). */
        if (arg[0] == '[' && (v = json_loads(arg, 0, NULL)) && json_is_array(v))
                return v;
        return *arg ? json_pack("[s]", arg) : json_array();
}

static int parse_bool_arg(const char *flag, const char *arg, bool *ret, berth_error *err) {
        if (!arg || strcmp(arg, "true") == 0)
                *ret = true;
        else if (strcmp(arg, "false") == 0)
                *ret = false;
        else
                return bad_value(err, flag, arg, "expected true or false");
        return 0;
}

static int set_int(json_t *o, const char *key, const char *flag, const char *arg, berth_error *err) {
        int64_t v = 0;
        int r = parse_int64(flag, arg, &v, err);

        if (r < 0)
                return r;
        json_object_set_new(o, key, json_integer(v));
        return 0;
}

static int set_size(json_t *o, const char *key, const char *flag, const char *arg, berth_error *err) {
        int64_t v = 0;

        if (strcmp(arg, "-1") == 0)
                v = -1;
        else if (parse_bytes(arg, &v) < 0)
                return bad_value(err, flag, arg, "expected a size such as 512m or 1g");
        json_object_set_new(o, key, json_integer(v));
        return 0;
}

static int set_cpus(json_t *spec, const char *arg, berth_error *err) {
        char *end;
        double cpus = strtod(arg, &end);

        if (end == arg || *end || cpus <= 0 || !isfinite(cpus))
                return bad_value(err, "--cpus", arg, "expected a positive number of CPUs");
        /* podman: the quota over its default 100ms period. */
        json_object_set_new(resources(spec, "cpu"), "period", json_integer(100000));
        json_object_set_new(resources(spec, "cpu"), "quota", json_integer((json_int_t) (cpus * 100000 + 0.5)));
        return 0;
}

static int health_cmd(json_t *spec, const char *arg) {
        json_t *test = arg[0] == '[' ? json_loads(arg, 0, NULL) : NULL;

        if (json_is_array(test))
                json_array_insert_new(test, 0, json_string("CMD"));
        else {
                json_decref(test);
                test = json_pack("[s,s]", "CMD-SHELL", arg);
        }
        /* podman's defaults: every 30s, 30s timeout, 3 retries. */
        json_object_set_new(spec, "healthconfig",
                            json_pack("{s:o, s:I, s:I, s:I, s:i}", "Test", test, "Interval", (json_int_t) 30000000000,
                                      "Timeout", (json_int_t) 30000000000, "StartPeriod", (json_int_t) 0, "Retries",
                                      3));
        return 0;
}

/* Flags about limits and resources; 1 when `opt` is not one of them. */
static int resource_flag(json_t *spec, int opt, const char *arg, berth_error *err) {
        int64_t v = 0;
        int s;

        switch (opt) {
        case 'm': return set_size(resources(spec, "memory"), "limit", "--memory", arg, err);
        case O_MEMORY_SWAP: return set_size(resources(spec, "memory"), "swap", "--memory-swap", arg, err);
        case O_CPUS: return set_cpus(spec, arg, err);
        case O_CPU_SHARES: return set_int(resources(spec, "cpu"), "shares", "--cpu-shares", arg, err);
        case O_CPU_QUOTA: return set_int(resources(spec, "cpu"), "quota", "--cpu-quota", arg, err);
        case O_CPU_PERIOD: return set_int(resources(spec, "cpu"), "period", "--cpu-period", arg, err);
        case O_CPUSET: json_object_set_new(resources(spec, "cpu"), "cpus", json_string(arg)); return 0;
        case O_PIDS_LIMIT: return set_int(resources(spec, "pids"), "limit", "--pids-limit", arg, err);
        case O_BLKIO:
                if (parse_int64("--blkio-weight", arg, &v, err) < 0 || (v != 0 && (v < 10 || v > 1000)))
                        return bad_value(err, "--blkio-weight", arg, "must be between 10 and 1000");
                json_object_set_new(resources(spec, "blockIO"), "weight", json_integer(v));
                return 0;
        case O_ULIMIT: return add_ulimit(spec, arg, err);
        case O_SHM_SIZE: return set_size(spec, "shm_size", "--shm-size", arg, err);
        case O_STOP_SIGNAL:
                s = parse_signal(arg);
                if (s < 0)
                        return bad_value(err, "--stop-signal", arg, "unknown signal");
                json_object_set_new(spec, "stop_signal", json_integer(s));
                return 0;
        case O_STOP_TIMEOUT:
                if (parse_int64("--stop-timeout", arg, &v, err) < 0 || v < 0)
                        return bad_value(err, "--stop-timeout", arg, "expected seconds >= 0");
                json_object_set_new(spec, "stop_timeout", json_integer(v));
                return 0;
        case O_RESTART: return set_restart(spec, arg, err);
        case O_HEALTH_CMD: return health_cmd(spec, arg);
        }
        return 1;
}

/* Flags about the process, the filesystem, security and namespaces; 1 when `opt` is not
 * one of them. */
static int config_flag(json_t *spec, int opt, const char *arg, berth_error *err) {
        switch (opt) {
        case 'e': return add_env(member(spec, "env", false), arg);
        case O_ENV_FILE: return add_env_file(member(spec, "env", false), arg, err);
        case 'l': return add_label(member(spec, "labels", false), arg);
        case 'u': json_object_set_new(spec, "user", json_string(arg)); return 0;
        case 'w': json_object_set_new(spec, "work_dir", json_string(arg)); return 0;
        case 'h': json_object_set_new(spec, "hostname", json_string(arg)); return 0;
        case O_NAME: json_object_set_new(spec, "name", json_string(arg)); return 0;
        case O_ENTRYPOINT: json_object_set_new(spec, "entrypoint", entrypoint(arg)); return 0;
        case 'v': return add_volume(spec, arg, err);
        case O_MOUNT: return add_mount(spec, arg, err);
        case O_TMPFS: return add_tmpfs(spec, arg, err);
        case O_CAP_ADD: append_string(spec, "cap_add", arg); return 0;
        case O_CAP_DROP: append_string(spec, "cap_drop", arg); return 0;
        case O_SECURITY_OPT: return security_opt(spec, arg, err);
        case O_NETWORK: return namespace(spec, "netns", "--network", arg, err);
        case O_PID: return namespace(spec, "pidns", "--pid", arg, err);
        case O_IPC: return namespace(spec, "ipcns", "--ipc", arg, err);
        case O_UTS: return namespace(spec, "utsns", "--uts", arg, err);
        case O_ADD_HOST:
                if (!strchr(arg, ':'))
                        return bad_value(err, "--add-host", arg, "expected HOST:IP");
                append_string(spec, "hostadd", arg);
                return 0;
        case O_DNS: append_string(spec, "dns_server", arg); return 0;
        case O_DNS_SEARCH: append_string(spec, "dns_search", arg); return 0;
        case O_DNS_OPTION: append_string(spec, "dns_option", arg); return 0;
        case O_DEVICE:
                json_array_append_new(member(spec, "devices", true), json_pack("{s:s}", "path", arg));
                return 0;
        case O_GROUP_ADD: append_string(spec, "groups", arg); return 0;
        }
        return resource_flag(spec, opt, arg, err);
}

static int set_bool(json_t *spec, const char *key, const char *flag, const char *arg, bool *ret, berth_error *err) {
        bool v = false;
        int r = parse_bool_arg(flag, arg, &v, err);

        if (r < 0)
                return r;
        if (key)
                json_object_set_new(spec, key, json_boolean(v));
        if (ret)
                *ret = v;
        return 0;
}

static int attach_flag(struct create_flags *f, const char *arg, berth_error *err) {
        f->attach_set = true;
        if (strcasecmp(arg, "stdin") == 0)
                f->attach_stdin = true;
        else if (strcasecmp(arg, "stdout") == 0)
                f->attach_stdout = true;
        else if (strcasecmp(arg, "stderr") == 0)
                f->attach_stderr = true;
        else
                return berth_err(err, -EINVAL, "invalid stream \"%s\" for --attach - must be one of stdin, stdout, "
                                 "or stderr", arg);
        return 0;
}

/* Flags the client acts on; 1 when `opt` is not one of them. */
static int client_flag(struct create_flags *f, int opt, const char *arg, berth_error *err) {
        switch (opt) {
        case 'd': f->detach = true; return 0;
        case 'i': f->interactive = true; json_object_set_new(f->spec, "stdin", json_true()); return 0;
        case 't': f->tty = true; json_object_set_new(f->spec, "terminal", json_true()); return 0;
        case 'a': return attach_flag(f, arg, err);
        case O_RM: return set_bool(f->spec, "remove", "--rm", arg, &f->rm, err);
        case O_INIT: return set_bool(f->spec, "init", "--init", arg, NULL, err);
        case O_PRIVILEGED: return set_bool(f->spec, "privileged", "--privileged", arg, NULL, err);
        case O_READ_ONLY: return set_bool(f->spec, "read_only_filesystem", "--read-only", arg, NULL, err);
        case O_SIG_PROXY: return set_bool(f->spec, NULL, "--sig-proxy", arg, &f->sig_proxy, err);
        case O_DETACH_KEYS: f->detach_keys = arg; return 0;
        case O_PULL:
                if (strcmp(arg, "missing") != 0 && strcmp(arg, "always") != 0 && strcmp(arg, "never") != 0 &&
                    strcmp(arg, "newer") != 0)
                        return bad_value(err, "--pull", arg, "expected missing, always, never or newer");
                f->pull = arg;
                return 0;
        }
        return 1;
}

static int finish(int argc, char **argv, bool run, struct create_flags *f, berth_error *err) {
        json_t *command;

        if (optind >= argc)
                return berth_err(err, -EINVAL, "requires at least 1 arg(s), only received 0");
        if (f->detach && !run)
                return berth_err(err, -EINVAL, "unknown shorthand flag: 'd' in -d");
        if (f->detach && f->attach_set)
                return berth_err(err, -EINVAL, "-d and -a cannot be used together");
        f->image = argv[optind++];
        json_object_set_new(f->spec, "image", json_string(f->image));
        if (optind < argc) {
                command = json_array();
                for (int i = optind; i < argc; i++)
                        json_array_append_new(command, json_string(argv[i]));
                json_object_set_new(f->spec, "command", command);
        }
        if (!f->attach_set) {
                f->attach_stdin = f->interactive;
                f->attach_stdout = f->attach_stderr = true;
        }
        return 0;
}

int create_flags_parse(int argc, char **argv, bool run, struct create_flags *f, berth_error *err) {
        int opt, r;

        *f = (struct create_flags) { .spec = json_object(), .sig_proxy = true, .pull = "missing" };
        /* '+': the options end at the image; what follows is the command's. */
        while ((opt = verb_getopt(argc, argv, "+a:de:h:il:m:tu:v:w:", options, err)) > 0) {
                if (opt == O_HELP)
                        return 1;
                r = client_flag(f, opt, optarg, err);
                if (r > 0)
                        r = config_flag(f->spec, opt, optarg, err);
                if (r < 0)
                        return r;
        }
        if (opt < 0)
                return opt;
        return finish(argc, argv, run, f, err);
}

void create_flags_done(struct create_flags *f) {
        json_decref(f->spec);
        *f = (struct create_flags) { 0 };
}

int create_start_error_status(const char *message) {
        if (!message)
                return CLIENT_EXIT_ERROR;
        if (strstr(message, "executable file not found") || strstr(message, "no such file or directory") ||
            strstr(message, "No such file or directory") || strstr(message, "not found in $PATH"))
                return 127;
        if (strstr(message, "permission denied") || strstr(message, "Permission denied") ||
            strstr(message, "is a directory"))
                return 126;
        return CLIENT_EXIT_ERROR;
}
