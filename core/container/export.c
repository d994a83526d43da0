/* docker export: the merged root of a container (mounted for the call when it does not
 * run) packed as one tar, sorted by name. */
#include "berth/container-fs.h"

#include "container-root.h"

struct export_job {
        berth_write_fn write;
        void *cls;
};

static int do_export(berth_engine *e, const berth_container *c, int root_fd, void *cls, berth_error *err) {
        struct export_job *j = cls;
        berth_layer_digests digests;
        int r;

        (void) e, (void) root_fd;
        /* The merged view has no whiteouts left to turn into ".wh." members. */
        r = berth_layer_pack(c->rootfs, j->write, j->cls, &digests, err);
        if (r < 0)
                berth_err_prefix(err, "exporting container %s", c->id);
        return r;
}

int berth_container_export(berth_engine *e, const char *name, berth_write_fn write, void *cls, berth_error *err) {
        struct export_job j = { .write = write, .cls = cls };
        return ctr_with_root(e, name, do_export, &j, err);
}
