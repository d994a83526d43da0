/* /info: Docker's Info object and libpod's host/store/version report. */
#include <stdio.h>
#include <string.h>

#include "berth/host.h"
#include "berth/version.h"
#include "json/system.h"

static json_t *string_array(char *const *v) {
        json_t *a = json_array();
        for (; v && *v; v++)
                json_array_append_new(a, json_string(*v));
        return a;
}

static const char *cgroup_manager(const berth_config *c) {
        return c && c->cgroup_manager ? c->cgroup_manager : "cgroupfs";
}

static json_t *docker_registry_config(const berth_config *c) {
        json_t *indexes = json_pack("{s:{s:s, s:[], s:b, s:b}}", "docker.io", "Name", "docker.io", "Mirrors",
                                    "Secure", 1, "Official", 1);
        for (char **reg = c->insecure_registries; reg && *reg; reg++)
                json_object_set_new(indexes, *reg,
                                    json_pack("{s:s, s:[], s:b, s:b}", "Name", *reg, "Mirrors", "Secure", 0,
                                              "Official", 0));
        return json_pack("{s:[], s:[], s:[s], s:o, s:[]}", "AllowNondistributableArtifactsCIDRs",
                         "AllowNondistributableArtifactsHostnames", "InsecureRegistryCIDRs", "127.0.0.0/8",
                         "IndexConfigs", indexes, "Mirrors");
}

static json_t *docker_runtimes(const struct system_report *r) {
        json_t *runtimes = json_object();
        if (r->runtime)
                json_object_set_new(runtimes, r->runtime->name, json_pack("{s:s}", "path", r->runtime->path));
        return runtimes;
}

static json_t *docker_warnings(const berth_host_facts *f) {
        json_t *w = json_array();
        if (!f->swap_limit)
                json_array_append_new(w, json_string("WARNING: No swap limit support"));
        if (!f->bridge_nf_iptables)
                json_array_append_new(w, json_string("WARNING: bridge-nf-call-iptables is disabled"));
        return w;
}

static json_t *docker_limits(const berth_host_facts *f) {
        return json_pack("{s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "MemoryLimit",
                         f->memory_limit, "SwapLimit", f->swap_limit, "KernelMemory", 0, "KernelMemoryTCP", 0,
                         "CpuCfsPeriod", f->cpu_cfs, "CpuCfsQuota", f->cpu_cfs, "CPUShares", f->cpu_shares,
                         "CPUSet", f->cpuset, "PidsLimit", f->pids_limit, "OomKillDisable", f->oom_kill_disable,
                         "IPv4Forwarding", f->ipv4_forwarding, "BridgeNfIptables", f->bridge_nf_iptables);
}

json_t *json_docker_info(const struct system_report *r) {
        const berth_host_facts *f = r->facts;
        char now[64], cgroup_version[4], runtime_version[64] = "";
        json_t *info;

        if (r->runtime)
                berth_program_short_version(r->runtime, runtime_version, sizeof(runtime_version));
        json_format_time(&r->now, now, sizeof(now));
        snprintf(cgroup_version, sizeof(cgroup_version), "%d", f->cgroup_version);
        info = json_pack(
                "{s:s, s:i, s:i, s:i, s:i, s:i, s:s, s:[[s,s],[s,s]], s:{s:[s], s:[s,s], s:n, s:[s]}, s:b,"
                " s:i, s:i, s:s, s:s, s:s, s:s, s:i}",
                "ID", r->engine_id, "Containers", r->containers, "ContainersRunning", r->running,
                "ContainersPaused", r->paused, "ContainersStopped", r->stopped, "Images", r->images, "Driver",
                "overlay", "DriverStatus", "Backing Filesystem", f->backing_fs, "Supports d_type", "true", "Plugins",
                "Volume", "local", "Network", "none", "host", "Authorization", "Log", "k8s-file", "Debug", 0,
                "NFd", r->open_fds, "NGoroutines", r->threads, "SystemTime", now, "LoggingDriver", "k8s-file",
                "CgroupDriver", cgroup_manager(r->config), "CgroupVersion", cgroup_version, "NEventsListener", 0);
        json_object_update_new(info, docker_limits(f));
        json_object_update_new(
                info, json_pack("{s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:I, s:n, s:s, s:s, s:s, s:s, s:s}",
                                "BridgeNfIp6tables", f->bridge_nf_ip6tables, "KernelVersion", f->kernel,
                                "OperatingSystem", f->os_name, "OSVersion", f->os_version, "OSType", "linux",
                                "Architecture", f->arch, "IndexServerAddress", "https://index.docker.io/v1/",
                                "RegistryConfig", docker_registry_config(r->config), "NCPU", f->ncpu, "MemTotal",
                                (json_int_t) f->mem_total, "GenericResources", "DockerRootDir", r->config->root,
                                "HttpProxy", "", "HttpsProxy", "", "NoProxy", "", "Name", f->hostname));
        json_object_update_new(
                info,
                json_pack("{s:[], s:b, s:s, s:o, s:s, s:{s:s, s:s, s:s, s:b, s:s, s:n}, s:b, s:s, s:s,"
                          " s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}, s:o, s:o}",
                          "Labels", "ExperimentalBuild", 0, "ServerVersion", BERTH_VERSION, "Runtimes",
                          docker_runtimes(r), "DefaultRuntime", r->runtime ? r->runtime->name : "", "Swarm",
                          "NodeID", "", "NodeAddr", "", "LocalNodeState", "inactive", "ControlAvailable", 0,
                          "Error", "", "RemoteManagers", "LiveRestoreEnabled", 1, "Isolation", "", "InitBinary",
                          "catatonit", "ContainerdCommit", "ID", "", "Expected", "", "RuncCommit", "ID", runtime_version,
                          "Expected", "", "InitCommit", "ID", "", "Expected", "", "SecurityOptions",
                          f->seccomp_enabled ? json_pack("[s]", "name=seccomp,profile=builtin") : json_array(),
                          "Warnings", docker_warnings(f)));
        return info;
}

static json_t *libpod_program(const berth_program *p) {
        if (!p)
                return json_pack("{s:s, s:s, s:s, s:s}", "name", "", "package", "", "path", "", "version", "");
        return json_pack("{s:s, s:s, s:s, s:s}", "name", p->name, "package", "", "path", p->path, "version",
                         p->version ? p->version : "");
}

static json_t *libpod_security(const berth_host_facts *f) {
        char caps[512] = "";
        for (const char *const *c = berth_default_capabilities; *c; c++) {
                if (caps[0])
                        strncat(caps, ",", sizeof(caps) - strlen(caps) - 1);
                strncat(caps, *c, sizeof(caps) - strlen(caps) - 1);
        }
        return json_pack("{s:b, s:s, s:b, s:b, s:s, s:b}", "apparmorEnabled", f->apparmor_enabled, "capabilities",
                         caps, "rootless", f->rootless, "seccompEnabled", f->seccomp_enabled, "seccompProfilePath",
                         "", "selinuxEnabled", f->selinux_enabled);
}

static void format_uptime(uint64_t seconds, char *buf, size_t size) {
        snprintf(buf, size, "%luh %lum %lu.00s", (unsigned long) (seconds / 3600),
                 (unsigned long) (seconds / 60 % 60), (unsigned long) (seconds % 60));
}

static json_t *libpod_host(const struct system_report *r) {
        const berth_host_facts *f = r->facts;
        char cgroup_version[4], uptime[64], socket[4200];
        json_t *host;

        snprintf(cgroup_version, sizeof(cgroup_version), "v%d", f->cgroup_version);
        format_uptime(r->usage.uptime_seconds, uptime, sizeof(uptime));
        snprintf(socket, sizeof(socket), "unix://%s", r->config->socket_path);
        host = json_pack("{s:s, s:s, s:s, s:o, s:o, s:i, s:{s:s, s:s, s:s}, s:s, s:s, s:{s:n, s:n}, s:s, s:s}",
                         "arch", f->arch, "cgroupManager", cgroup_manager(r->config), "cgroupVersion", cgroup_version,
                         "cgroupControllers", string_array(f->cgroup_controllers), "conmon", libpod_program(r->conmon),
                         "cpus", f->ncpu, "distribution", "distribution", f->os_id, "version", f->os_version,
                         "codename", f->os_codename, "eventLogger", "memory", "hostname", f->hostname,
                         "idMappings", "gidmap", "uidmap", "kernel", f->kernel, "logDriver", "k8s-file");
        json_object_update_new(
                host, json_pack("{s:I, s:I, s:s, s:o, s:s, s:{s:s, s:b}, s:b, s:o, s:I, s:I, s:s, s:s}", "memFree",
                                (json_int_t) r->usage.mem_free, "memTotal", (json_int_t) f->mem_total,
                                "networkBackend", "none", "ociRuntime", libpod_program(r->runtime), "os", "linux",
                                "remoteSocket", "path", socket, "exists", 1, "serviceIsRemote", 0, "security",
                                libpod_security(f), "swapFree", (json_int_t) r->usage.swap_free, "swapTotal",
                                (json_int_t) f->swap_total, "uptime", uptime, "linkmode", "dynamic"));
        return host;
}

static json_t *libpod_store(const struct system_report *r) {
        return json_pack("{s:s, s:{s:i, s:i, s:i, s:i}, s:s, s:{}, s:s, s:I, s:I,"
                         " s:{s:s, s:s, s:s, s:s}, s:s, s:{s:i}, s:s, s:s}",
                         "configFile", "", "containerStore", "number", r->containers, "paused", r->paused,
                         "running", r->running, "stopped", r->stopped, "graphDriverName", "overlay",
                         "graphOptions", "graphRoot", r->config->root, "graphRootAllocated",
                         (json_int_t) r->usage.root_size, "graphRootUsed", (json_int_t) r->usage.root_used,
                         "graphStatus", "Backing Filesystem", r->facts->backing_fs, "Native Overlay Diff", "true",
                         "Supports d_type", "true", "Using metacopy", "false", "imageCopyTmpDir", r->config->root,
                         "imageStore", "number", r->images, "runRoot", r->config->runroot, "volumePath",
                         r->config->root);
}

static json_t *libpod_registries(const berth_config *c) {
        json_t *regs = json_object();
        if (c->insecure_registries)
                json_object_set_new(regs, "insecure", string_array(c->insecure_registries));
        return regs;
}

json_t *json_libpod_info(const struct system_report *r) {
        char os_arch[64], volume_path[4200];

        snprintf(os_arch, sizeof(os_arch), "linux/%s", r->facts->arch);
        snprintf(volume_path, sizeof(volume_path), "%s/volumes", r->config->root);
        json_t *store = libpod_store(r);
        json_object_set_new(store, "volumePath", json_string(volume_path));
        return json_pack("{s:o, s:o, s:o, s:{s:[s], s:[s,s], s:[s], s:n},"
                         " s:{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s}}",
                         "host", libpod_host(r), "store", store, "registries", libpod_registries(r->config),
                         "plugins", "volume", "local", "network", "none", "host", "log", "k8s-file",
                         "authorization", "version", "APIVersion", BERTH_LIBPOD_API_VERSION, "Version",
                         BERTH_VERSION, "GoVersion", "", "GitCommit", "", "BuiltTime", "", "Built", (json_int_t) 0,
                         "OsArch", os_arch, "Os", "linux");
}
