/* Host facts: kernel, distribution, CPUs, memory, cgroups, security modules, storage. */
#include "berth/host.h"

#include <errno.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/fileio.h"
#include "cgroup-probe.h"

const char *const berth_default_capabilities[] = {
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_MKNOD",
        "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
        "CAP_SETUID", "CAP_SYS_CHROOT", "CAP_AUDIT_WRITE", NULL,
};

const char *berth_arch_from_machine(const char *machine) {
        static const struct { const char *machine, *arch; } table[] = {
                { "x86_64", "amd64" }, { "aarch64", "arm64" }, { "armv7l", "arm" },  { "i686", "386" },
                { "i386", "386" },     { "ppc64le", "ppc64le" }, { "s390x", "s390x" }, { "riscv64", "riscv64" },
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (strcmp(machine, table[i].machine) == 0)
                        return table[i].arch;
        return "unknown";
}

/* os-release values may be quoted; returns a copy without quotes, or NULL. */
static char *os_release_value(const char *data, const char *key) {
        size_t klen = strlen(key);
        for (const char *line = data; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
                if (strncmp(line, key, klen) != 0 || line[klen] != '=')
                        continue;
                const char *v = line + klen + 1;
                size_t len = strcspn(v, "\n");
                if (len >= 2 && (v[0] == '"' || v[0] == '\'') && v[len - 1] == v[0])
                        return xstrndup(v + 1, len - 2);
                return xstrndup(v, len);
        }
        return NULL;
}

static void read_os_release(berth_host_facts *f) {
        _cleanup_free_ char *data = NULL;
        if (berth_read_file("/etc/os-release", 65536, &data, NULL, NULL) < 0 &&
            berth_read_file("/usr/lib/os-release", 65536, &data, NULL, NULL) < 0)
                data = xstrdup("");
        f->os_id = os_release_value(data, "ID");
        f->os_version = os_release_value(data, "VERSION_ID");
        f->os_codename = os_release_value(data, "VERSION_CODENAME");
        f->os_name = os_release_value(data, "PRETTY_NAME");
        if (!f->os_id)
                f->os_id = xstrdup("linux");
        if (!f->os_version)
                f->os_version = xstrdup("");
        if (!f->os_codename)
                f->os_codename = xstrdup("");
        if (!f->os_name)
                f->os_name = xstrdup("Linux");
}

static bool file_says_yes(const char *path) {
        _cleanup_free_ char *line = NULL;
        return berth_read_line(path, &line) >= 0 && (line[0] == 'Y' || line[0] == '1');
}

static bool seccomp_available(void) {
        _cleanup_free_ char *status = NULL;
        return berth_read_file("/proc/self/status", 1 << 16, &status, NULL, NULL) >= 0 &&
               strstr(status, "\nSeccomp:") != NULL;
}

static const char *fs_name(long type) {
        switch (type) {
        case EXT4_SUPER_MAGIC: return "extfs";
        case XFS_SUPER_MAGIC: return "xfs";
        case BTRFS_SUPER_MAGIC: return "btrfs";
        case TMPFS_MAGIC: return "tmpfs";
        case OVERLAYFS_SUPER_MAGIC: return "overlayfs";
        case 0x2fc12fc1: return "zfs";
        default: return "unknown";
        }
}

static bool has_controller(char **controllers, const char *name) {
        for (char **c = controllers; c && *c; c++)
                if (strcmp(*c, name) == 0)
                        return true;
        return false;
}

static void read_resource_support(berth_host_facts *f) {
        char **c = f->cgroup_controllers;
        bool v1 = f->cgroup_version == 1;

        f->memory_limit = has_controller(c, "memory");
        f->swap_limit = f->memory_limit &&
                        (v1 ? access("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes", F_OK) == 0 : true);
        f->oom_kill_disable = v1 && f->memory_limit;
        f->cpu_cfs = has_controller(c, "cpu");
        f->cpu_shares = f->cpu_cfs;
        f->cpuset = has_controller(c, "cpuset");
        f->pids_limit = has_controller(c, "pids");
        f->ipv4_forwarding = file_says_yes("/proc/sys/net/ipv4/ip_forward");
        f->bridge_nf_iptables = file_says_yes("/proc/sys/net/bridge/bridge-nf-call-iptables");
        f->bridge_nf_ip6tables = file_says_yes("/proc/sys/net/bridge/bridge-nf-call-ip6tables");
}

int berth_host_facts_read(const char *root, berth_host_facts **ret, berth_error *err) {
        _cleanup_(berth_host_facts_freep) berth_host_facts *f = xnew0(berth_host_facts, 1);
        struct utsname u;
        struct sysinfo si;
        struct statfs sf;
        char host[256];

        if (uname(&u) < 0)
                return berth_err_errno(err, -errno, "uname");
        f->kernel = xstrdup(u.release);
        f->arch = berth_arch_from_machine(u.machine);
        read_os_release(f);
        f->hostname = xstrdup(gethostname(host, sizeof(host)) == 0 ? host : u.nodename);
        f->ncpu = (int) sysconf(_SC_NPROCESSORS_ONLN);
        if (sysinfo(&si) == 0) {
                f->mem_total = (uint64_t) si.totalram * si.mem_unit;
                f->swap_total = (uint64_t) si.totalswap * si.mem_unit;
        }
        cgroup_probe(&f->cgroup_version, &f->cgroup_hybrid, &f->cgroup_controllers);
        read_resource_support(f);
        f->seccomp_enabled = seccomp_available();
        f->apparmor_enabled = file_says_yes("/sys/module/apparmor/parameters/enabled");
        f->selinux_enabled = access("/sys/fs/selinux/enforce", F_OK) == 0;
        f->rootless = geteuid() != 0;
        f->backing_fs = xstrdup(statfs(root, &sf) == 0 ? fs_name((long) sf.f_type) : "unknown");
        *ret = TAKE_PTR(f);
        return 0;
}

berth_host_facts *berth_host_facts_free(berth_host_facts *f) {
        if (!f)
                return NULL;
        free(f->kernel);
        free(f->os_id);
        free(f->os_version);
        free(f->os_codename);
        free(f->os_name);
        free(f->hostname);
        strv_freep(&f->cgroup_controllers);
        free(f->backing_fs);
        free(f);
        return NULL;
}

int berth_host_usage_read(const char *root, berth_host_usage *ret, berth_error *err) {
        struct sysinfo si;
        struct statvfs sv;
        berth_host_usage u = { 0 };

        if (sysinfo(&si) < 0)
                return berth_err_errno(err, -errno, "sysinfo");
        u.mem_free = (uint64_t) si.freeram * si.mem_unit;
        u.swap_free = (uint64_t) si.freeswap * si.mem_unit;
        u.uptime_seconds = (uint64_t) si.uptime;
        if (statvfs(root, &sv) == 0) {
                u.root_size = (uint64_t) sv.f_blocks * sv.f_frsize;
                u.root_used = (uint64_t) (sv.f_blocks - sv.f_bfree) * sv.f_frsize;
        }
        *ret = u;
        return 0;
}
