/* The values of one key of a `filters` query parameter, as Docker accepts them. */
#pragma once

#include <jansson.h>

#include "berth/error.h"

/* ["a","b"] or {"a":true,"b":true}: appends each value to *ret; -EINVAL naming the key. */
int filter_values(json_t *v, const char *key, char ***ret, berth_error *err);
