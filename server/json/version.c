/* /version: Docker's Version object, with libpod's "Podman Engine" component. */
#include <stdio.h>

#include "berth/version.h"
#include "json/system.h"

#ifndef BERTH_BUILD_TIME
#define BERTH_BUILD_TIME "1970-01-01T00:00:00Z"
#endif

static json_t *program_component(const berth_program *p) {
        char short_version[64];
        return json_pack("{s:s, s:s, s:{s:s}}", "Name", p->name, "Version",
                         berth_program_short_version(p, short_version, sizeof(short_version)), "Details",
                         "Path", p->path);
}

static json_t *engine_details(const struct system_report *r, const char *api, const char *min_api) {
        return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ApiVersion", api, "Arch",
                         r->facts->arch, "BuildTime", BERTH_BUILD_TIME, "Experimental", "false", "GitCommit", "",
                         "GoVersion", "", "KernelVersion", r->facts->kernel, "MinAPIVersion", min_api, "Os",
                         "linux");
}

static json_t *version_object(const struct system_report *r, json_t *components) {
        char platform[256];

        snprintf(platform, sizeof(platform), "linux/%s/%s-%s", r->facts->arch, r->facts->os_id,
                 r->facts->os_version);
        if (r->runtime)
                json_array_append_new(components, program_component(r->runtime));
        if (r->conmon)
                json_array_append_new(components, program_component(r->conmon));
        return json_pack("{s:{s:s}, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Platform", "Name",
                         platform, "Components", components, "Version", BERTH_VERSION, "ApiVersion",
                         BERTH_DOCKER_API_VERSION, "MinAPIVersion", BERTH_DOCKER_API_MIN_VERSION, "GitCommit", "",
                         "GoVersion", "", "Os", "linux", "Arch", r->facts->arch, "KernelVersion", r->facts->kernel,
                         "BuildTime", BERTH_BUILD_TIME);
}

json_t *json_docker_version(const struct system_report *r) {
        json_t *components = json_pack(
                "[{s:s, s:s, s:o}]", "Name", "Engine", "Version", BERTH_VERSION, "Details",
                engine_details(r, BERTH_DOCKER_API_VERSION, BERTH_DOCKER_API_MIN_VERSION));
        return version_object(r, components);
}

json_t *json_libpod_version(const struct system_report *r) {
        /* podman --remote shows the server's part from the component with this name. */
        json_t *details = engine_details(r, BERTH_LIBPOD_API_VERSION, BERTH_LIBPOD_API_MIN_VERSION);
        json_object_del(details, "ApiVersion");
        json_object_set_new(details, "APIVersion", json_string(BERTH_LIBPOD_API_VERSION));
        json_object_set_new(details, "Product", json_string("berth"));
        json_t *components = json_pack("[{s:s, s:s, s:o}]", "Name", "Podman Engine", "Version", BERTH_VERSION,
                                       "Details", details);
        return version_object(r, components);
}

void json_format_time(const struct timespec *ts, char *buf, size_t size) {
        struct tm tm;
        gmtime_r(&ts->tv_sec, &tm);
        snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec, ts->tv_nsec);
}
