/* Dockerfile instructions applied to an image config by import. Internal. */
#pragma once

#include <jansson.h>

#include "berth/error.h"

/* Applies each change ("CMD [\"sh\"]", "ENV A=b", podman's "CMD=sh") to `config`, the
 * config's "config" object. An instruction import cannot apply is -EINVAL naming it. */
int import_changes_apply(json_t *config, char *const *changes, berth_error *err);
