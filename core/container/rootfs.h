/* A container's root: overlayfs of the image's layers under its own upper directory. */
#pragma once

#include "berth/container.h"
#include "berth/engine.h"

/* Mounts c->rootfs (creating diff/ and work/ as needed). Layer paths are given relative
 * to ROOT/layers from a thread that moved there, so many layers fit in the one page
 * mount options may take. Already mounted is fine. */
int rootfs_mount(berth_engine *e, const berth_container *c, berth_error *err);
/* Unmounts it (lazily when busy); not mounted is fine. */
int rootfs_unmount(const berth_container *c, berth_error *err);
