/* Which cgroup hierarchy the host mounts, and its controllers. */
#pragma once

#include <stdbool.h>

/* Version 2 for a unified /sys/fs/cgroup, else 1 (hybrid when a cgroup2 "unified"
 * mount sits beside the v1 controllers). Never fails: unknown hosts read as v1. */
void cgroup_probe(int *ret_version, bool *ret_hybrid, char ***ret_controllers);
