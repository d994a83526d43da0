/* Seccomp profiles in Docker's format, checked and filtered for this host as moby's
 * profiles/seccomp does: a rule is kept when its includes hold and its excludes do not
 * (caps, architecture, kernel), and names libseccomp does not know are left out. */
#include "seccomp-profile.h"

#include <errno.h>
#include <limits.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "berth/cleanup.h"

/* This build's architecture: Docker's name for it (a Go arch mapped as moby's goToNative
 * does, which includes/excludes "arches" list) and its runtime-spec name. */
#if defined(__x86_64__) && defined(__ILP32__)
#define NATIVE_ARCH "x32", "SCMP_ARCH_X32"
#elif defined(__x86_64__)
#define NATIVE_ARCH "amd64", "SCMP_ARCH_X86_64"
#elif defined(__i386__)
#define NATIVE_ARCH "x86", "SCMP_ARCH_X86"
#elif defined(__aarch64__)
#define NATIVE_ARCH "arm64", "SCMP_ARCH_AARCH64"
#elif defined(__arm__)
#define NATIVE_ARCH "arm", "SCMP_ARCH_ARM"
#elif defined(__mips__) && _MIPS_SIM == _ABI64 && defined(__MIPSEL__)
#define NATIVE_ARCH "mipsel64", "SCMP_ARCH_MIPSEL64"
#elif defined(__mips__) && _MIPS_SIM == _ABI64
#define NATIVE_ARCH "mips64", "SCMP_ARCH_MIPS64"
#elif defined(__mips__) && _MIPS_SIM == _ABIN32 && defined(__MIPSEL__)
#define NATIVE_ARCH "mips3l64n32", "SCMP_ARCH_MIPSEL64N32" /* sic, moby's spelling */
#elif defined(__mips__) && _MIPS_SIM == _ABIN32
#define NATIVE_ARCH "mips64n32", "SCMP_ARCH_MIPS64N32"
#elif defined(__mips__) && defined(__MIPSEL__)
#define NATIVE_ARCH "mipsel", "SCMP_ARCH_MIPSEL"
#elif defined(__mips__)
#define NATIVE_ARCH "mips", "SCMP_ARCH_MIPS"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_ARCH "ppc64le", "SCMP_ARCH_PPC64LE"
#elif defined(__powerpc64__)
#define NATIVE_ARCH "ppc64", "SCMP_ARCH_PPC64"
#elif defined(__powerpc__)
#define NATIVE_ARCH "ppc", "SCMP_ARCH_PPC"
#elif defined(__s390x__)
#define NATIVE_ARCH "s390x", "SCMP_ARCH_S390X"
#elif defined(__s390__)
#define NATIVE_ARCH "s390", "SCMP_ARCH_S390"
#elif defined(__riscv) && __riscv_xlen == 64
#define NATIVE_ARCH "riscv64", "SCMP_ARCH_RISCV64"
#else
#define NATIVE_ARCH NULL, NULL
#endif

static const struct {
        const char *name, *spec;
} native = { NATIVE_ARCH };

/* The runtime spec's names (config-linux.md, seccomp). */
static const char *const actions[] = {
        "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
        "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW",        "SCMP_ACT_LOG",         "SCMP_ACT_NOTIFY", NULL,
};
static const char *const ops[] = {
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
        "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};
static const char *const arches[] = {
        "SCMP_ARCH_X86",      "SCMP_ARCH_X86_64",    "SCMP_ARCH_X32",       "SCMP_ARCH_ARM",
        "SCMP_ARCH_AARCH64",  "SCMP_ARCH_MIPS",      "SCMP_ARCH_MIPS64",    "SCMP_ARCH_MIPS64N32",
        "SCMP_ARCH_MIPSEL",   "SCMP_ARCH_MIPSEL64",  "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
        "SCMP_ARCH_PPC64",    "SCMP_ARCH_PPC64LE",   "SCMP_ARCH_S390",      "SCMP_ARCH_S390X",
        "SCMP_ARCH_PARISC",   "SCMP_ARCH_PARISC64",  "SCMP_ARCH_RISCV64",   NULL,
};

/* What a rule is tested against. */
struct host {
        char *const *caps;
        unsigned kernel, major; /* "6.1.0-13-amd64" -> 6, 1 */
};

/* A rule's "includes" or "excludes", checked. */
struct filter {
        json_t *caps, *arches;
        unsigned kernel, major; /* 0.0: no minKernel */
};

static bool in_list(const char *const *list, const char *s) {
        for (; list && *list; list++)
                if (strcmp(*list, s) == 0)
                        return true;
        return false;
}

static bool json_strings_contain(json_t *a, const char *s) {
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v)
                if (s && strcmp(json_string_value(v), s) == 0)
                        return true;
        return false;
}

/* `key` of `o`, or NULL when absent or null (Go's decoder treats both alike). */
static json_t *member(json_t *o, const char *key) {
        json_t *v = json_object_get(o, key);
        return json_is_null(v) ? NULL : v;
}

static int bad_shape(berth_error *err, const char *path, const char *key, const char *shape) {
        return berth_err(err, -EINVAL, "seccomp profile: \"%s%s%s\" must be %s", path, *path ? "." : "", key, shape);
}

static int get_string(json_t *o, const char *path, const char *key, const char **ret, berth_error *err) {
        json_t *v = member(o, key);
        if (v && !json_is_string(v))
                return bad_shape(err, path, key, "a string");
        *ret = json_string_value(v);
        return 0;
}

static int get_strings(json_t *o, const char *path, const char *key, json_t **ret, berth_error *err) {
        json_t *a = member(o, key), *v;
        size_t i;
        if (a && !json_is_array(a))
                return bad_shape(err, path, key, "an array of strings");
        json_array_foreach(a, i, v)
                if (!json_is_string(v))
                        return bad_shape(err, path, key, "an array of strings");
        *ret = a;
        return 0;
}

/* An optional integer in [0, max]; *ret is -1 when absent. */
static int get_uint(json_t *o, const char *path, const char *key, json_int_t max, json_int_t *ret, berth_error *err) {
        json_t *v = member(o, key);
        if (v && (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max))
                return berth_err(err, -EINVAL, "seccomp profile: \"%s%s%s\" must be an integer from 0 to %lld", path,
                                 *path ? "." : "", key, (long long) max);
        *ret = v ? json_integer_value(v) : -1;
        return 0;
}

static int check_name(const char *const *known, const char *what, const char *path, const char *key,
                      const char *value, berth_error *err) {
        if (!in_list(known, value))
                return berth_err(err, -EINVAL, "seccomp profile: \"%s%s%s\": unknown %s \"%s\"", path,
                                 *path ? "." : "", key, what, value);
        return 0;
}

/* Decimal digits up to 255, as Go's strconv.ParseUint(s, 10, 8). */
static bool parse_u8(const char **p, unsigned *ret) {
        const char *s = *p;
        unsigned v = 0;
        if (*s < '0' || *s > '9')
                return false;
        for (; *s >= '0' && *s <= '9'; s++)
                if ((v = v * 10 + (unsigned) (*s - '0')) > 255)
                        return false;
        *p = s;
        *ret = v;
        return true;
}

/* "<kernel>.<major>" as moby reads it: two numbers below 256, not 0.0. */
static int parse_min_kernel(const char *text, const char *path, unsigned *ret_kernel, unsigned *ret_major,
                            berth_error *err) {
        const char *p = text;
        unsigned kernel = 0, major = 0;
        bool ok = parse_u8(&p, &kernel) && *p++ == '.' && parse_u8(&p, &major) && !*p && (kernel || major);
        if (!ok)
                return berth_err(err, -EINVAL,
                                 "seccomp profile: \"%s.minKernel\": invalid kernel version \"%s\", expected "
                                 "\"<kernel>.<major>\"",
                                 path, text);
        *ret_kernel = kernel;
        *ret_major = major;
        return 0;
}

static int parse_filter(json_t *rule, const char *rule_path, const char *key, struct filter *ret, berth_error *err) {
        json_t *o = member(rule, key);
        char path[64];
        const char *min_kernel = NULL;
        int r;

        *ret = (struct filter){ 0 };
        if (!o)
                return 0;
        if (!json_is_object(o))
                return bad_shape(err, rule_path, key, "an object");
        snprintf(path, sizeof(path), "%s.%s", rule_path, key);
        if ((r = get_strings(o, path, "caps", &ret->caps, err)) < 0 ||
            (r = get_strings(o, path, "arches", &ret->arches, err)) < 0 ||
            (r = get_string(o, path, "minKernel", &min_kernel, err)) < 0)
                return r;
        if (min_kernel && *min_kernel)
                return parse_min_kernel(min_kernel, path, &ret->kernel, &ret->major, err);
        return 0;
}

static bool kernel_at_least(const struct host *host, const struct filter *f) {
        return host->kernel > f->kernel || (host->kernel == f->kernel && host->major >= f->major);
}

static bool holds(const struct host *host, const char *cap) {
        return in_list((const char *const *) host->caps, cap);
}

/* moby's setupSeccomp: excludes first (any match drops the rule), then includes (all must hold). */
static bool rule_applies(const struct host *host, const struct filter *inc, const struct filter *exc) {
        size_t i;
        json_t *v;
        if (json_strings_contain(exc->arches, native.name))
                return false;
        json_array_foreach(exc->caps, i, v)
                if (holds(host, json_string_value(v)))
                        return false;
        if ((exc->kernel || exc->major) && kernel_at_least(host, exc))
                return false;
        if (json_array_size(inc->arches) > 0 && !json_strings_contain(inc->arches, native.name))
                return false;
        json_array_foreach(inc->caps, i, v)
                if (!holds(host, json_string_value(v)))
                        return false;
        return !(inc->kernel || inc->major) || kernel_at_least(host, inc);
}

/* The runtime spec's args, checked. */
static int parse_args(json_t *rule, const char *rule_path, json_t **ret, berth_error *err) {
        json_t *args = member(rule, "args"), *arg;
        _cleanup_(json_decrefp) json_t *out = json_array();
        size_t i;

        if (args && !json_is_array(args))
                return bad_shape(err, rule_path, "args", "an array");
        json_array_foreach(args, i, arg) {
                char path[64];
                json_int_t index = 0, value = 0, value_two = 0;
                const char *op = NULL;
                int r;

                snprintf(path, sizeof(path), "%s.args[%zu]", rule_path, i);
                if (!json_is_object(arg))
                        return berth_err(err, -EINVAL, "seccomp profile: \"%s\" must be an object", path);
                if ((r = get_uint(arg, path, "index", 5, &index, err)) < 0 ||
                    (r = get_uint(arg, path, "value", LLONG_MAX, &value, err)) < 0 ||
                    (r = get_uint(arg, path, "valueTwo", LLONG_MAX, &value_two, err)) < 0 ||
                    (r = get_string(arg, path, "op", &op, err)) < 0)
                        return r;
                if (!op)
                        return bad_shape(err, path, "op", "a string");
                if ((r = check_name(ops, "op", path, "op", op, err)) < 0)
                        return r;
                json_array_append_new(out, json_pack("{s:I, s:I, s:I, s:s}", "index", index < 0 ? 0 : index, "value",
                                                     value < 0 ? 0 : value, "valueTwo",
                                                     value_two < 0 ? 0 : value_two, "op", op));
        }
        *ret = TAKE_PTR(out);
        return 0;
}

/* "names", or the old single "name", less the names libseccomp does not know. */
static int parse_names(json_t *rule, const char *path, json_t **ret, berth_error *err) {
        json_t *names, *v;
        const char *name = NULL;
        size_t i;
        int r;

        if ((r = get_strings(rule, path, "names", &names, err)) < 0 ||
            (r = get_string(rule, path, "name", &name, err)) < 0)
                return r;
        if (name && json_array_size(names) > 0)
                return berth_err(err, -EINVAL, "seccomp profile: \"%s\" has both \"name\" and \"names\"; use one",
                                 path);
        *ret = json_array();
        if (name && seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR)
                json_array_append_new(*ret, json_string(name));
        json_array_foreach(names, i, v)
                if (seccomp_syscall_resolve_name(json_string_value(v)) != __NR_SCMP_ERROR)
                        json_array_append(*ret, v);
        return 0;
}

/* Appends `rule` to `out` in the runtime spec's form when it applies on this host. */
static int rule_apply(json_t *rule, size_t index, const struct host *host, json_t *out, berth_error *err) {
        _cleanup_(json_decrefp) json_t *names = NULL, *args = NULL;
        struct filter includes, excludes;
        const char *action = NULL;
        json_int_t errno_ret = 0;
        char path[32];
        int r;

        snprintf(path, sizeof(path), "syscalls[%zu]", index);
        if (!json_is_object(rule))
                return berth_err(err, -EINVAL, "seccomp profile: \"%s\" must be an object", path);
        if ((r = get_string(rule, path, "action", &action, err)) < 0)
                return r;
        if (!action)
                return bad_shape(err, path, "action", "a string");
        if ((r = check_name(actions, "action", path, "action", action, err)) < 0 ||
            (r = get_uint(rule, path, "errnoRet", UINT32_MAX, &errno_ret, err)) < 0 ||
            (r = parse_names(rule, path, &names, err)) < 0 || (r = parse_args(rule, path, &args, err)) < 0 ||
            (r = parse_filter(rule, path, "includes", &includes, err)) < 0 ||
            (r = parse_filter(rule, path, "excludes", &excludes, err)) < 0)
                return r;
        if (!rule_applies(host, &includes, &excludes) || json_array_size(names) == 0)
                return 0;

        json_t *o = json_pack("{s:O, s:s}", "names", names, "action", action);
        if (errno_ret >= 0)
                json_object_set_new(o, "errnoRet", json_integer(errno_ret));
        if (json_array_size(args) > 0)
                json_object_set(o, "args", args);
        json_array_append_new(out, o);
        return 0;
}

static json_t *arch_entry(const char *arch, json_t *subs) {
        json_t *a = json_pack("[s]", arch);
        json_array_extend(a, subs);
        return a;
}

/* "architectures" as given, else the native entry of "archMap" with its sub-architectures. */
static int parse_arches(json_t *profile, json_t **ret, berth_error *err) {
        json_t *list, *map = member(profile, "archMap"), *v, *entry;
        size_t i, j;
        int r;

        if ((r = get_strings(profile, "", "architectures", &list, err)) < 0)
                return r;
        if (map && !json_is_array(map))
                return bad_shape(err, "", "archMap", "an array");
        if (json_array_size(list) > 0 && json_array_size(map) > 0)
                return berth_err(err, -EINVAL,
                                 "seccomp profile: both \"architectures\" and \"archMap\" are set; use one");
        json_array_foreach(list, i, v)
                if ((r = check_name(arches, "architecture", "", "architectures", json_string_value(v), err)) < 0)
                        return r;
        *ret = NULL;
        json_array_foreach(map, i, entry) {
                char path[32];
                const char *arch = NULL;
                json_t *subs;

                snprintf(path, sizeof(path), "archMap[%zu]", i);
                if (!json_is_object(entry))
                        return berth_err(err, -EINVAL, "seccomp profile: \"%s\" must be an object", path);
                if ((r = get_string(entry, path, "architecture", &arch, err)) < 0 ||
                    (r = get_strings(entry, path, "subArchitectures", &subs, err)) < 0)
                        return r;
                if (!arch)
                        return bad_shape(err, path, "architecture", "a string");
                if ((r = check_name(arches, "architecture", path, "architecture", arch, err)) < 0)
                        return r;
                json_array_foreach(subs, j, v) {
                        r = check_name(arches, "architecture", path, "subArchitectures", json_string_value(v), err);
                        if (r < 0)
                                return r;
                }
                if (!*ret && native.spec && strcmp(arch, native.spec) == 0)
                        *ret = arch_entry(arch, subs);
        }
        if (!*ret && json_array_size(list) > 0)
                *ret = json_deep_copy(list);
        return 0;
}

static struct host host_now(char *const *caps) {
        struct host host = { .caps = caps };
        struct utsname u;
        /* an unreadable release leaves 0.0: no minKernel rule then applies */
        if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &host.kernel, &host.major) != 2)
                host.kernel = host.major = 0;
        return host;
}

int container_seccomp_apply(json_t *profile, char *const *caps, json_t **ret_seccomp, berth_error *err) {
        _cleanup_(json_decrefp) json_t *out = NULL, *archs = NULL, *syscalls = NULL;
        const struct host host = host_now(caps);
        json_t *rules, *rule;
        const char *default_action = NULL;
        json_int_t default_errno = 0;
        size_t i;
        int r;

        if (!json_is_object(profile))
                return berth_err(err, -EINVAL, "seccomp profile: not a JSON object");
        if ((r = get_string(profile, "", "defaultAction", &default_action, err)) < 0)
                return r;
        rules = member(profile, "syscalls");
        if (rules && !json_is_array(rules))
                return bad_shape(err, "", "syscalls", "an array");
        if (!default_action && json_array_size(rules) == 0) {
                /* Docker: nothing to filter with means no filter */
                *ret_seccomp = NULL;
                return 0;
        }
        if (!default_action)
                return bad_shape(err, "", "defaultAction", "a string");
        if ((r = check_name(actions, "action", "", "defaultAction", default_action, err)) < 0 ||
            (r = get_uint(profile, "", "defaultErrnoRet", UINT32_MAX, &default_errno, err)) < 0 ||
            (r = parse_arches(profile, &archs, err)) < 0)
                return r;
        syscalls = json_array();
        json_array_foreach(rules, i, rule)
                if ((r = rule_apply(rule, i, &host, syscalls, err)) < 0)
                        return r;

        out = json_pack("{s:s}", "defaultAction", default_action);
        if (default_errno >= 0)
                json_object_set_new(out, "defaultErrnoRet", json_integer(default_errno));
        if (archs)
                json_object_set(out, "architectures", archs);
        json_object_set(out, "syscalls", syscalls);
        *ret_seccomp = TAKE_PTR(out);
        return 0;
}

int container_seccomp_default(char *const *caps, json_t **ret_seccomp, berth_error *err) {
        _cleanup_(json_decrefp) json_t *profile = seccomp_default_profile();
        return container_seccomp_apply(profile, caps, ret_seccomp, err);
}

int container_seccomp_profile(const char *json_text, size_t size, char *const *caps, json_t **ret_seccomp,
                              berth_error *err) {
        _cleanup_(json_decrefp) json_t *profile = NULL;
        json_error_t jerr;

        profile = json_loadb(json_text, size, 0, &jerr);
        if (!profile)
                return berth_err(err, -EINVAL, "seccomp profile: invalid JSON at line %d, column %d: %s", jerr.line,
                                 jerr.column, jerr.text);
        return container_seccomp_apply(profile, caps, ret_seccomp, err);
}
