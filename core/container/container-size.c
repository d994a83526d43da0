/* docker ps -s / inspect ?size=1: bytes written by the container (its overlay upper
 * directory) and the size of its whole root (that plus its image). */
#include "container-internal.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>

#include "berth/image.h"

static __thread uint64_t walk_total;

static int add_file(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void) path;
        (void) ftw;
        /* Regular files and links count by size, as Docker's directory.Size; hard links
         * are counted each time, which only overstates. */
        if (type == FTW_F || type == FTW_SL)
                walk_total += (uint64_t) st->st_size;
        return 0;
}

static uint64_t tree_size(const char *dir) {
        walk_total = 0;
        if (nftw(dir, add_file, 32, FTW_PHYS | FTW_MOUNT) < 0)
                return 0;
        return walk_total;
}

int berth_container_size(berth_engine *e, const berth_container *c, uint64_t *ret_rw, uint64_t *ret_rootfs) {
        _cleanup_(berth_image_freep) berth_image *img = NULL;
        uint64_t rw = tree_size(c->upper);

        *ret_rw = rw;
        *ret_rootfs = rw + (berth_image_lookup(e, c->image_id, &img, NULL) >= 0 ? img->size : 0);
        return 0;
}
