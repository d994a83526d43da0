/* Encoders for containers in the Docker and libpod shapes; pure functions of
 * berth_container (and of the time, for Docker's "Up 5 minutes"). */
#pragma once

#include <jansson.h>
#include <stdint.h>

#include "berth/container.h"

/* GET /containers/json entries. now_ns: the time "Status" is relative to. */
json_t *json_docker_container_summary(const berth_container *c, int64_t now_ns);
json_t *json_libpod_container_summary(const berth_container *c);
/* GET /containers/{id}/json. */
json_t *json_docker_container_inspect(const berth_container *c);
json_t *json_libpod_container_inspect(const berth_container *c);

/* When the summary's "Status" ("Up 5 minutes", "Exited (0) 2 hours ago") next changes,
 * or 0 when it does not depend on the time. */
int64_t json_container_status_expiry(const berth_container *c, int64_t now_ns);
/* Docker's units.HumanDuration: "Less than a second", "5 minutes", "About an hour". */
void json_human_duration(int64_t ns, char *buf, size_t size);
/* RFC 3339 with nanoseconds, Docker's zero time for 0. */
void json_format_ns(int64_t ns, char *buf, size_t size);
/* "sh -c 'exit 7'" style: the entrypoint and command joined by spaces. */
char *json_container_command(const berth_container *c);
