/* Events in Docker's Message shape and libpod's, and the since/until/filters values that
 * select them; pure functions. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "berth/error.h"
#include "berth/events.h"

/* {status, id, from, Type, Action, Actor{ID, Attributes}, scope, time, timeNano} */
json_t *json_docker_event(const berth_event *ev);
/* Podman 4.3.1's entities.Event: the same with Podman's status names, the attributes
 * image/name/containerExitCode/podId it expects, and HealthStatus. NULL for an action
 * Podman has no name for (its client drops what it cannot parse). */
json_t *json_libpod_event(const berth_event *ev);

/* A since/until value: seconds since the epoch with an optional fraction, an RFC 3339
 * date or time, or a Go duration ("10m", "1h30m") before now_ns. -EINVAL naming it. */
int json_event_time(const char *name, const char *text, int64_t now_ns, int64_t *ret_ns, berth_error *err);

/* The filters parameter (type, event, container, image, label) into f; libpod names its
 * events as Podman does ("died", "remove"), which are translated. -EINVAL naming the key. */
int json_event_filter(const char *text, bool libpod, berth_event_filter *f, berth_error *err);
