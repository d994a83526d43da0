/* Facts about the machine berthd runs on, as `docker info` and `podman info` show them. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "berth/cleanup.h"
#include "berth/error.h"

/* What does not change while the daemon runs; computed once, owned by the engine. */
typedef struct berth_host_facts {
        char *kernel;            /* uname release */
        char *os_id;             /* os-release ID, e.g. debian */
        char *os_version;        /* os-release VERSION_ID */
        char *os_codename;       /* os-release VERSION_CODENAME */
        char *os_name;           /* os-release PRETTY_NAME */
        const char *arch;        /* Go/OCI name: amd64, arm64, ... */
        char *hostname;
        int ncpu;
        uint64_t mem_total;
        uint64_t swap_total;
        int cgroup_version;      /* 1 or 2 */
        bool cgroup_hybrid;      /* v1 with a cgroup2 "unified" mount */
        char **cgroup_controllers;
        bool seccomp_enabled;
        bool apparmor_enabled;
        bool selinux_enabled;
        bool rootless;
        char *backing_fs;        /* of --root: extfs, xfs, btrfs, tmpfs, ... */
        /* Resource controls the kernel offers containers (docker info's booleans). */
        bool memory_limit, swap_limit, cpu_cfs, cpu_shares, cpuset, pids_limit, oom_kill_disable;
        bool ipv4_forwarding, bridge_nf_iptables, bridge_nf_ip6tables;
} berth_host_facts;

/* What changes; read on every request. */
typedef struct berth_host_usage {
        uint64_t mem_free;
        uint64_t swap_free;
        uint64_t uptime_seconds;
        uint64_t root_size;      /* bytes of the filesystem holding --root */
        uint64_t root_used;
} berth_host_usage;

int berth_host_facts_read(const char *root, berth_host_facts **ret, berth_error *err);
berth_host_facts *berth_host_facts_free(berth_host_facts *facts);
DEFINE_TRIVIAL_CLEANUP_FUNC(berth_host_facts *, berth_host_facts_free);

int berth_host_usage_read(const char *root, berth_host_usage *ret, berth_error *err);

/* Docker's default capability set, the one containers get. */
extern const char *const berth_default_capabilities[];

/* uname machine -> Go/OCI architecture name. */
const char *berth_arch_from_machine(const char *machine);
