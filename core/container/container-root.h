/* Running an operation on a container's mounted root under its op lock: the glue that
 * archive (cp), export and commit share. Internal. */
#pragma once

#include "berth/container.h"
#include "berth/engine.h"
#include "berth/error.h"

/* Called with the op lock held, the root mounted and open as root_fd (a directory);
 * `c` is a snapshot. */
typedef int (*ctr_root_fn)(berth_engine *e, const berth_container *c, int root_fd, void *cls, berth_error *err);

/* Finds `name`, locks it, mounts its root unless it runs (then unmounts it after), and
 * calls fn. */
int ctr_with_root(berth_engine *e, const char *name, ctr_root_fn fn, void *cls, berth_error *err);
