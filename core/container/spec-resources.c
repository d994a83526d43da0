/* The spec's cgroup resources (memory, CPU, pids, blkio, devices) and rlimits, with
 * Docker's checks on the values. */
#include "spec.h"

#include <errno.h>
#include <ftw.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

#define MIN_MEMORY (6 * 1024 * 1024)

static json_int_t int_at(json_t *o, const char *key) {
        json_t *v = json_object_get(o, key);
        return json_is_integer(v) ? json_integer_value(v) : 0;
}

static int memory(json_t *res, json_t *host, berth_error *err) {
        json_int_t mem = int_at(host, "Memory"), swap = int_at(host, "MemorySwap");
        json_int_t reservation = int_at(host, "MemoryReservation");
        json_t *m = json_object();

        json_object_set_new(res, "memory", m);
        if (mem < 0 || (mem > 0 && mem < MIN_MEMORY))
                return berth_err(err, -EINVAL, "Minimum memory limit allowed is 6MB");
        if (mem > 0)
                json_object_set_new(m, "limit", json_integer(mem));
        if (swap > 0 && mem > 0 && swap < mem)
                return berth_err(err, -EINVAL,
                                 "Minimum memoryswap limit should be larger than memory limit, see usage");
        if (swap > 0 && mem == 0)
                return berth_err(err, -EINVAL, "You should always set the Memory limit when using Memoryswap limit, see usage");
        if (access("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes", F_OK) == 0 ||
            access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0) {
                if (swap != 0)
                        json_object_set_new(m, "swap", json_integer(swap));
                else if (mem > 0)
                        json_object_set_new(m, "swap", json_integer(2 * mem));
        }
        if (reservation > 0)
                json_object_set_new(m, "reservation", json_integer(reservation));
        if (json_is_true(json_object_get(host, "OomKillDisable")))
                json_object_set_new(m, "disableOOMKiller", json_true());
        return 0;
}

static int cpu(json_t *res, json_t *host, berth_error *err) {
        json_int_t nano = int_at(host, "NanoCpus"), quota = int_at(host, "CpuQuota");
        json_int_t period = int_at(host, "CpuPeriod"), shares = int_at(host, "CpuShares");
        const char *cpus = json_string_value(json_object_get(host, "CpusetCpus"));
        const char *mems = json_string_value(json_object_get(host, "CpusetMems"));
        json_t *c = json_object();

        json_object_set_new(res, "cpu", c);
        if (nano && (quota || period))
                return berth_err(err, -EINVAL, "Conflicting options: Nano CPUs and CPU Period/Quota cannot both be set");
        if (nano < 0 || quota < 0 || period < 0 || shares < 0)
                return berth_err(err, -EINVAL, "CPU values must not be negative");
        if (nano) {
                period = 100000;
                quota = nano * period / 1000000000;
                if (quota < 1000)
                        return berth_err(err, -EINVAL, "Range of CPUs is from 0.01 to the number of CPUs available");
        }
        if (quota)
                json_object_set_new(c, "quota", json_integer(quota));
        if (period)
                json_object_set_new(c, "period", json_integer(period));
        if (shares)
                json_object_set_new(c, "shares", json_integer(shares));
        if (cpus && *cpus)
                json_object_set_new(c, "cpus", json_string(cpus));
        if (mems && *mems)
                json_object_set_new(c, "mems", json_string(mems));
        return 0;
}

static json_t *device_rule(bool allow, const char *type, long long major, long long minor, const char *access) {
        json_t *r = json_pack("{s:b, s:s, s:s}", "allow", allow, "type", type, "access", access);
        if (major >= 0)
                json_object_set_new(r, "major", json_integer(major));
        if (minor >= 0)
                json_object_set_new(r, "minor", json_integer(minor));
        return r;
}

/* Docker's device cgroup: deny all, allow the standard devices and pts, deny fuse. */
static json_t *default_device_rules(void) {
        static const int std[][2] = { { 1, 5 }, { 1, 3 }, { 1, 9 }, { 1, 8 }, { 5, 0 }, { 5, 1 } };
        json_t *rules = json_array();
        json_array_append_new(rules, device_rule(false, "a", -1, -1, "rwm"));
        for (size_t i = 0; i < ELEMENTSOF(std); i++)
                json_array_append_new(rules, device_rule(true, "c", std[i][0], std[i][1], "rwm"));
        json_array_append_new(rules, device_rule(true, "c", 136, -1, "rwm"));
        json_array_append_new(rules, device_rule(true, "c", 5, 2, "rwm"));
        json_array_append_new(rules, device_rule(false, "c", 10, 229, "rwm"));
        return rules;
}

static int user_device(json_t *linux_, json_t *rules, json_t *d, berth_error *err) {
        const char *host_path = json_string_value(json_object_get(d, "PathOnHost"));
        const char *ctr_path = json_string_value(json_object_get(d, "PathInContainer"));
        const char *perms = json_string_value(json_object_get(d, "CgroupPermissions"));
        struct stat st;

        if (!host_path || !*host_path)
                return berth_err(err, -EINVAL, "HostConfig.Devices entries need PathOnHost");
        if (stat(host_path, &st) < 0)
                return berth_err_errno(err, -errno, "error gathering device information while adding custom device \"%s\"",
                                       host_path);
        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
                return berth_err(err, -EINVAL, "%s is not a device node", host_path);
        const char *type = S_ISCHR(st.st_mode) ? "c" : "b";
        json_array_append_new(json_object_get(linux_, "devices"),
                              json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "path", ctr_path && *ctr_path ? ctr_path : host_path,
                                        "type", type, "major", (json_int_t) major(st.st_rdev), "minor",
                                        (json_int_t) minor(st.st_rdev), "fileMode", (json_int_t) (st.st_mode & 07777),
                                        "uid", (json_int_t) 0, "gid", (json_int_t) 0));
        json_array_append_new(rules, device_rule(true, type, major(st.st_rdev), minor(st.st_rdev),
                                                 perms && *perms ? perms : "rwm"));
        return 0;
}

static json_t *device_entry(const char *path, const struct stat *st) {
        return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "path", path, "type", S_ISCHR(st->st_mode) ? "c" : "b",
                         "major", (json_int_t) major(st->st_rdev), "minor", (json_int_t) minor(st->st_rdev),
                         "fileMode", (json_int_t) (st->st_mode & 07777), "uid", (json_int_t) st->st_uid, "gid",
                         (json_int_t) st->st_gid);
}

static __thread json_t *host_device_list;

static int add_host_device(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        /* runc makes these itself; pts, shm and mqueue are mounts of the container's own. */
        static const char *const own[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
                                           "/dev/tty", "/dev/console", "/dev/ptmx" };
        (void) ftw;
        if (type == FTW_D && (strcmp(path, "/dev/pts") == 0 || strcmp(path, "/dev/shm") == 0 ||
                              strcmp(path, "/dev/mqueue") == 0))
                return FTW_SKIP_SUBTREE;
        if (type != FTW_F || (!S_ISCHR(st->st_mode) && !S_ISBLK(st->st_mode)))
                return FTW_CONTINUE;
        for (size_t i = 0; i < ELEMENTSOF(own); i++)
                if (strcmp(path, own[i]) == 0)
                        return FTW_CONTINUE;
        json_array_append_new(host_device_list, device_entry(path, st));
        return FTW_CONTINUE;
}

/* --privileged: the host's devices, as Docker gives them. */
static void add_host_devices(json_t *list) {
        host_device_list = list;
        nftw("/dev", add_host_device, 16, FTW_PHYS | FTW_MOUNT | FTW_ACTIONRETVAL);
        host_device_list = NULL;
}

static int devices(json_t *linux_, json_t *res, json_t *host, bool privileged, berth_error *err) {
        json_t *rules = privileged ? json_pack("[{s:b, s:s}]", "allow", 1, "access", "rwm") : default_device_rules();
        size_t i;
        json_t *d;
        int r;

        json_object_set_new(res, "devices", rules);
        json_object_set_new(linux_, "devices", json_array());
        if (privileged)
                add_host_devices(json_object_get(linux_, "devices"));
        json_array_foreach (json_object_get(host, "Devices"), i, d) {
                r = user_device(linux_, rules, d, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int spec_add_resources(json_t *linux_, json_t *host, bool privileged, berth_error *err) {
        json_t *res = json_object();
        json_int_t pids = int_at(host, "PidsLimit"), weight = int_at(host, "BlkioWeight");
        int r;

        json_object_set_new(linux_, "resources", res);
        r = memory(res, host, err);
        if (r >= 0)
                r = cpu(res, host, err);
        if (r >= 0)
                r = devices(linux_, res, host, privileged, err);
        if (r < 0)
                return r;
        if (pids > 0)
                json_object_set_new(res, "pids", json_pack("{s:I}", "limit", pids));
        if (weight && (weight < 10 || weight > 1000))
                return berth_err(err, -EINVAL, "Range of blkio weight is from 10 to 1000");
        if (weight)
                json_object_set_new(res, "blockIO", json_pack("{s:I}", "weight", weight));
        return 0;
}

static const struct {
        const char *name, *type;
} rlimit_names[] = {
        { "as", "RLIMIT_AS" },           { "core", "RLIMIT_CORE" },         { "cpu", "RLIMIT_CPU" },
        { "data", "RLIMIT_DATA" },       { "fsize", "RLIMIT_FSIZE" },       { "locks", "RLIMIT_LOCKS" },
        { "memlock", "RLIMIT_MEMLOCK" }, { "msgqueue", "RLIMIT_MSGQUEUE" }, { "nice", "RLIMIT_NICE" },
        { "nofile", "RLIMIT_NOFILE" },   { "nproc", "RLIMIT_NPROC" },       { "rss", "RLIMIT_RSS" },
        { "rtprio", "RLIMIT_RTPRIO" },   { "rttime", "RLIMIT_RTTIME" },     { "sigpending", "RLIMIT_SIGPENDING" },
        { "stack", "RLIMIT_STACK" },
};

static int check_ceiling(const char *name, json_int_t hard, const struct spec_host *h, berth_error *err) {
        const struct rlimit *own = strcmp(name, "nofile") == 0   ? &h->hard_nofile
                                   : strcmp(name, "nproc") == 0 ? &h->hard_nproc
                                                                : NULL;
        if (own && own->rlim_max != RLIM_INFINITY && (rlim_t) hard > own->rlim_max)
                return berth_err(err, -EINVAL, "ulimit %s: hard limit %lld is above berthd's own hard limit %llu",
                                 name, (long long) hard, (unsigned long long) own->rlim_max);
        return 0;
}

int spec_add_rlimits(json_t *process, json_t *host, const struct spec_host *h, berth_error *err) {
        json_t *limits = json_array(), *u;
        size_t i, k;
        int r;

        json_object_set_new(process, "rlimits", limits);
        json_array_foreach (json_object_get(host, "Ulimits"), i, u) {
                const char *name = json_string_value(json_object_get(u, "Name"));
                json_int_t soft = int_at(u, "Soft"), hard = int_at(u, "Hard");
                for (k = 0; name && k < ELEMENTSOF(rlimit_names); k++)
                        if (strcmp(rlimit_names[k].name, name) == 0)
                                break;
                if (!name || k == ELEMENTSOF(rlimit_names))
                        return berth_err(err, -EINVAL, "invalid ulimit type: %s", name ? name : "(none)");
                if (soft > hard)
                        return berth_err(err, -EINVAL, "ulimit %s: soft limit %lld is above the hard limit %lld", name,
                                         (long long) soft, (long long) hard);
                r = check_ceiling(name, hard, h, err);
                if (r < 0)
                        return r;
                json_array_append_new(limits, json_pack("{s:s, s:I, s:I}", "type", rlimit_names[k].type, "hard", hard,
                                                        "soft", soft));
        }
        return 0;
}
