/* Where a container's files live under --root. */
#include "container-internal.h"

#include "berth/alloc.h"

char *container_dir(berth_engine *e, const char *id) {
        return xasprintf("%s/containers/%s", berth_engine_config(e)->root, id);
}

char *container_exit_dir(berth_engine *e) {
        return xasprintf("%s/exits", berth_engine_config(e)->root);
}

char *container_runtime_root(berth_engine *e) {
        return xasprintf("%s/runc", berth_engine_config(e)->runroot);
}
