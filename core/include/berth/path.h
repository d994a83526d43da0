/* Paths and programs on disk. */
#pragma once

#include <sys/types.h>

#include "berth/error.h"

/* Creates `path` and its missing parents with `mode`; existing directories are fine. */
int berth_mkdir_p(const char *path, mode_t mode, berth_error *err);

/* Finds an executable: a name containing '/' is checked as given, else $PATH and the
 * sbin directories (runc lives in /usr/sbin on Debian) are searched. */
int berth_find_program(const char *name, char **ret_path, berth_error *err);

/* Removes a tree without following symlinks or crossing into other mounts. A missing
 * path is success. */
int berth_rm_rf(const char *path, berth_error *err);
