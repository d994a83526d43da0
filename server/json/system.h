/* Encoders for /version and /info in the Docker and libpod shapes; pure functions. */
#pragma once

#include <jansson.h>
#include <time.h>

#include "berth/config.h"
#include "berth/host.h"
#include "berth/runtime.h"

/* Everything the four encoders read, gathered by the handler from the engine. */
struct system_report {
        const berth_host_facts *facts;
        berth_host_usage usage;
        const berth_program *runtime;   /* NULL when none is installed */
        const berth_program *conmon;    /* NULL when not installed */
        const berth_config *config;
        const char *engine_id;
        struct timespec now;
        unsigned containers, running, paused, stopped, images;
        int open_fds;
        int threads;
};

json_t *json_docker_version(const struct system_report *r);
json_t *json_libpod_version(const struct system_report *r);
json_t *json_docker_info(const struct system_report *r);
json_t *json_libpod_info(const struct system_report *r);

/* RFC 3339 with nanoseconds in UTC, as Go prints times. */
void json_format_time(const struct timespec *ts, char *buf, size_t size);
