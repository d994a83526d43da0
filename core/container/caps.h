/* The capability set of a container: Docker's default set and --cap-add/--cap-drop/
 * --privileged resolved to "CAP_X" names. Internal. */
#pragma once

#include <stdbool.h>

#include "berth/error.h"

/* Docker's default capabilities, "CAP_CHOWN" ... "CAP_AUDIT_WRITE", in Docker's order, as
 * a NULL-terminated array the caller frees with strv_freep() (or _cleanup_strv_free_). */
char **container_caps_default(void);

/* The capabilities a container gets, as Docker computes them: `add` and `drop` (either may
 * be NULL) name capabilities in any case, with or without "CAP_", or "ALL"; `privileged`
 * means every capability the kernel and libcap know, whatever add and drop say.
 * *ret_caps gets sorted unique "CAP_X" names (free with strv_freep()). An unknown name is
 * -EINVAL: `unknown capability: "CAP_NAME"`. */
int container_caps_resolve(char *const *add, char *const *drop, bool privileged, char ***ret_caps,
                           berth_error *err);
