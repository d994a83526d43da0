/* Where a container's cgroup is. With cgroupfs, the runtime makes /berth/ID in every
 * hierarchy; with systemd, it asks systemd for a scope berth-ID.scope in machine.slice
 * (the runtimes' "slice:prefix:name" form of cgroupsPath), as Podman does with libpod-ID. */
#include "container-internal.h"

#include <string.h>

#include "berth/alloc.h"

#define SYSTEMD_SLICE "machine.slice"
#define SYSTEMD_PREFIX "berth"

bool container_manager_is_systemd(berth_engine *e) {
        const char *manager = berth_engine_config(e)->cgroup_manager;
        return manager && strcmp(manager, "systemd") == 0;
}

char *container_cgroups_path(const berth_container *c) {
        if (c->systemd_cgroup)
                return xasprintf("%s:%s:%s", SYSTEMD_SLICE, SYSTEMD_PREFIX, c->id);
        return xasprintf("/berth/%s", c->id);
}

char *container_cgroup(const berth_container *c) {
        if (c->systemd_cgroup)
                return xasprintf("/%s/%s-%s.scope", SYSTEMD_SLICE, SYSTEMD_PREFIX, c->id);
        return xasprintf("/berth/%s", c->id);
}
