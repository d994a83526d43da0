/* What the image verbs share: the path of one image in libpod's API, --filter. */
#pragma once

#include <jansson.h>

#include "berth/error.h"

/* "/images/<name><tail>" with the name escaped for a path but its '/', ':' and '@' kept:
 * berthd takes the longest match, so a name may hold slashes. */
char *image_path(const char *name, const char *tail);

/* Adds podman's --filter KEY=VALUE to libpod's {"KEY":["VALUE",...]}: several may be
 * comma-separated in one flag, as pflag's string slices allow; berthd judges the keys
 * and values. */
int image_filters_add(json_t *filters, const char *arg, berth_error *err);
