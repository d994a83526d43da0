/* Docker's container list filters (id, name, label, status, ancestor, exited, before,
 * since), applied to a listing; pure functions of the containers. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "berth/container.h"
#include "berth/error.h"

struct container_filter;

/* NULL, "" and "{}" mean no filter. */
bool container_filter_empty(const char *json);
/* Unknown keys and malformed values are -EINVAL naming them. */
int container_filter_parse(const char *json, struct container_filter **ret, berth_error *err);
void container_filter_free(struct container_filter *f);
/* before/since name containers: resolved against the listing itself. */
bool container_filter_match(const struct container_filter *f, const berth_container *c, berth_container *const *all);
/* Whether status or exited filters ask for stopped containers (they imply all=1). */
bool container_filter_wants_stopped(const struct container_filter *f);
int64_t container_filter_now_ns(void);
