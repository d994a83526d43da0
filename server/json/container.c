/* Container encoders: Docker's ContainerJSON and Container summary, libpod's
 * InspectContainerData and ListContainer. */
#include "json/container.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

static json_t *parse(const char *text) {
        json_t *j = text ? json_loads(text, 0, NULL) : NULL;
        return j ? j : json_object();
}

void json_format_ns(int64_t ns, char *buf, size_t size) {
        struct tm tm;
        time_t s = (time_t) (ns / 1000000000);
        if (ns <= 0) {
                snprintf(buf, size, "0001-01-01T00:00:00Z");
                return;
        }
        gmtime_r(&s, &tm);
        snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec, (long long) (ns % 1000000000));
}

static json_t *time_json(int64_t ns) {
        char buf[64];
        json_format_ns(ns, buf, sizeof(buf));
        return json_string(buf);
}

void json_human_duration(int64_t ns, char *buf, size_t size) {
        int64_t s = ns / 1000000000, m = s / 60, h = m / 60;
        if (s < 1)
                snprintf(buf, size, "Less than a second");
        else if (s == 1)
                snprintf(buf, size, "1 second");
        else if (s < 60)
                snprintf(buf, size, "%lld seconds", (long long) s);
        else if (m == 1)
                snprintf(buf, size, "About a minute");
        else if (m < 60)
                snprintf(buf, size, "%lld minutes", (long long) m);
        else if (h == 1)
                snprintf(buf, size, "About an hour");
        else if (h < 48)
                snprintf(buf, size, "%lld hours", (long long) h);
        else if (h < 24 * 7 * 2)
                snprintf(buf, size, "%lld days", (long long) (h / 24));
        else if (h < 24 * 30 * 2)
                snprintf(buf, size, "%lld weeks", (long long) (h / 24 / 7));
        else if (h < 24 * 365 * 2)
                snprintf(buf, size, "%lld months", (long long) (h / 24 / 30));
        else
                snprintf(buf, size, "%lld years", (long long) (h / 24 / 365));
}

static void append_words(FILE *f, json_t *a, bool *first) {
        size_t i;
        json_t *x;
        json_array_foreach (a, i, x) {
                fprintf(f, "%s%s", *first ? "" : " ", json_string_value(x) ? json_string_value(x) : "");
                *first = false;
        }
}

char *json_container_command(const berth_container *c) {
        json_t *cfg = parse(c->config);
        bool first = true;
        char *out;
        size_t size;
        FILE *f = open_memstream(&out, &size);
        append_words(f, json_object_get(cfg, "Entrypoint"), &first);
        append_words(f, json_object_get(cfg, "Cmd"), &first);
        fclose(f);
        json_decref(cfg);
        return out;
}

/* Path and Args as Docker reports them: the first word and the rest. */
static void path_and_args(json_t *cfg, json_t **ret_path, json_t **ret_args) {
        json_t *all = json_array(), *args = json_array();
        if (json_is_array(json_object_get(cfg, "Entrypoint")))
                json_array_extend(all, json_object_get(cfg, "Entrypoint"));
        if (json_is_array(json_object_get(cfg, "Cmd")))
                json_array_extend(all, json_object_get(cfg, "Cmd"));
        for (size_t i = 1; i < json_array_size(all); i++)
                json_array_append(args, json_array_get(all, i));
        *ret_path = json_array_size(all) ? json_incref(json_array_get(all, 0)) : json_string("");
        *ret_args = args;
        json_decref(all);
}

static const char *status_word(const berth_container *c) {
        return berth_container_status_name(c->state.status);
}

static json_t *state_json(const berth_container *c) {
        berth_container_status s = c->state.status;
        bool running = s == BERTH_CONTAINER_RUNNING || s == BERTH_CONTAINER_PAUSED;
        return json_pack("{s:s, s:b, s:b, s:b, s:b, s:b, s:i, s:i, s:s, s:o, s:o}", "Status", status_word(c), "Running",
                         running, "Paused", s == BERTH_CONTAINER_PAUSED, "Restarting", s == BERTH_CONTAINER_RESTARTING,
                         "OOMKilled", c->state.oom_killed, "Dead", s == BERTH_CONTAINER_DEAD, "Pid", (int) c->state.pid,
                         "ExitCode", c->state.exit_code, "Error", c->state.error ? c->state.error : "", "StartedAt",
                         time_json(c->state.started_at), "FinishedAt", time_json(c->state.finished_at));
}

static json_t *mounts_json(json_t *host) {
        json_t *out = json_array(), *x;
        size_t i;
        json_array_foreach (json_object_get(host, "Binds"), i, x) {
                const char *s = json_string_value(x);
                _cleanup_free_ char *copy = s ? xstrdup(s) : NULL;
                char *dst = copy ? strchr(copy, ':') : NULL, *mode;
                if (!dst)
                        continue;
                *dst++ = '\0';
                mode = strchr(dst, ':');
                if (mode)
                        *mode++ = '\0';
                json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "Type", "bind", "Source", copy,
                                                     "Destination", dst, "Mode", mode ? mode : "", "RW",
                                                     !(mode && strstr(mode, "ro")), "Propagation", "rprivate"));
        }
        json_array_foreach (json_object_get(host, "Mounts"), i, x)
                json_array_append_new(
                        out, json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "Type",
                                       json_string_value(json_object_get(x, "Type")) ?: "", "Source",
                                       json_string_value(json_object_get(x, "Source")) ?: "", "Destination",
                                       json_string_value(json_object_get(x, "Target")) ?: "", "Mode", "", "RW",
                                       !json_is_true(json_object_get(x, "ReadOnly")), "Propagation", "rprivate"));
        return out;
}

static const char *network_name(json_t *host) {
        const char *mode = json_string_value(json_object_get(host, "NetworkMode"));
        if (!mode || !*mode || strcmp(mode, "default") == 0 || strcmp(mode, "bridge") == 0)
                return "none";
        return mode;
}

static json_t *endpoint_json(void) {
        return json_pack("{s:n, s:n, s:n, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:i, s:s, s:n}", "IPAMConfig", "Links",
                         "Aliases", "NetworkID", "", "EndpointID", "", "Gateway", "", "IPAddress", "", "IPPrefixLen", 0,
                         "IPv6Gateway", "", "GlobalIPv6Address", "", "GlobalIPv6PrefixLen", 0, "MacAddress", "",
                         "DriverOpts");
}

/* No bridges yet: a private namespace with loopback only, reported as Docker's "none". */
static json_t *network_settings(const berth_container *c, json_t *host) {
        const char *net = network_name(host);
        json_t *networks = json_object();
        char sandbox[64] = "";

        if (strncmp(net, "container:", 10) != 0)
                json_object_set_new(networks, net, endpoint_json());
        if (c->state.pid > 0)
                snprintf(sandbox, sizeof(sandbox), "/proc/%d/ns/net", (int) c->state.pid);
        return json_pack("{s:s, s:s, s:b, s:s, s:i, s:{}, s:s, s:n, s:n, s:s, s:s, s:s, s:i, s:s, s:i, s:s, s:s, s:o}",
                         "Bridge", "", "SandboxID", "", "HairpinMode", 0, "LinkLocalIPv6Address", "",
                         "LinkLocalIPv6PrefixLen", 0, "Ports", "SandboxKey", sandbox, "SecondaryIPAddresses",
                         "SecondaryIPv6Addresses", "EndpointID", "", "Gateway", "", "GlobalIPv6Address", "",
                         "GlobalIPv6PrefixLen", 0, "IPAddress", "", "IPPrefixLen", 0, "IPv6Gateway", "", "MacAddress",
                         "", "Networks", networks);
}

static json_t *graph_driver(const berth_container *c) {
        _cleanup_free_ char *dir = xstrdup(c->upper), *work = NULL;
        char *slash = strrchr(dir, '/');
        if (slash)
                *slash = '\0';
        work = xasprintf("%s/work", dir);
        return json_pack("{s:s, s:{s:s, s:s, s:s}}", "Name", "overlay", "Data", "MergedDir", c->rootfs, "UpperDir",
                         c->upper, "WorkDir", work);
}

static char *name_with_slash(const berth_container *c) {
        return xasprintf("/%s", c->name);
}

json_t *json_docker_container_inspect(const berth_container *c) {
        json_t *cfg = parse(c->config), *host = parse(c->host_config), *path, *args;
        _cleanup_free_ char *name = name_with_slash(c), *resolv = xasprintf("%s/resolv.conf", c->bundle);
        _cleanup_free_ char *hostname = xasprintf("%s/hostname", c->bundle), *hosts = xasprintf("%s/hosts", c->bundle);

        path_and_args(cfg, &path, &args);
        json_t *o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s}",
                              "Id", c->id, "Created", time_json(c->created), "Path", path, "Args", args, "State",
                              state_json(c), "Image", c->image_id, "ResolvConfPath", resolv, "HostnamePath", hostname,
                              "HostsPath", hosts, "LogPath", c->log_path, "Name", name, "RestartCount",
                              (json_int_t) c->state.restart_count, "Driver", "overlay", "Platform", "linux",
                              "MountLabel", "", "ProcessLabel", "", "AppArmorProfile", "");
        json_object_set_new(o, "ExecIDs", json_null());
        json_object_set_new(o, "HostConfig", json_incref(host));
        json_object_set_new(o, "GraphDriver", graph_driver(c));
        json_object_set_new(o, "Mounts", mounts_json(host));
        json_object_set_new(o, "Config", json_incref(cfg));
        json_object_set_new(o, "NetworkSettings", network_settings(c, host));
        json_decref(cfg);
        json_decref(host);
        return o;
}

/* HumanDuration's text holds for a second under a minute, then for a minute, an hour,
 * a day: the next multiple of that unit is when it changes. */
int64_t json_container_status_expiry(const berth_container *c, int64_t now_ns) {
        int64_t since;
        switch (c->state.status) {
        case BERTH_CONTAINER_RUNNING:
        case BERTH_CONTAINER_PAUSED:
                since = c->state.started_at;
                break;
        case BERTH_CONTAINER_EXITED:
                since = c->state.finished_at;
                break;
        default:
                return 0;
        }
        if (since <= 0)
                return 0;
        int64_t age = now_ns - since, s = 1000000000, unit = age < 60 * s ? s : age < 3600 * s ? 60 * s
                                                                  : age < 48 * 3600 * s ? 3600 * s
                                                                                         : 86400 * s;
        if (age < 0)
                return now_ns + s;
        return since + (age / unit + 1) * unit;
}

static char *docker_status(const berth_container *c, int64_t now) {
        char d[64];
        switch (c->state.status) {
        case BERTH_CONTAINER_RUNNING:
        case BERTH_CONTAINER_PAUSED:
                json_human_duration(now - c->state.started_at, d, sizeof(d));
                return xasprintf("Up %s%s", d, c->state.status == BERTH_CONTAINER_PAUSED ? " (Paused)" : "");
        case BERTH_CONTAINER_EXITED:
                if (!c->state.finished_at)
                        return xstrdup("Created");
                json_human_duration(now - c->state.finished_at, d, sizeof(d));
                return xasprintf("Exited (%d) %s ago", c->state.exit_code, d);
        case BERTH_CONTAINER_CREATED:
                return xstrdup("Created");
        case BERTH_CONTAINER_RESTARTING:
                return xstrdup("Restarting");
        case BERTH_CONTAINER_REMOVING:
                return xstrdup("Removal In Progress");
        case BERTH_CONTAINER_DEAD:
                return xstrdup("Dead");
        }
        return xstrdup("");
}

json_t *json_docker_container_summary(const berth_container *c, int64_t now_ns) {
        json_t *cfg = parse(c->config), *host = parse(c->host_config);
        _cleanup_free_ char *name = name_with_slash(c), *command = json_container_command(c);
        char *status = docker_status(c, now_ns);
        json_t *labels = json_object_get(cfg, "Labels"), *ns = network_settings(c, host);
        json_t *networks = json_incref(json_object_get(ns, "Networks"));
        json_t *o = json_pack("{s:s, s:[s], s:s, s:s, s:s, s:I, s:[], s:o, s:s, s:s, s:{s:s}, s:{s:o}, s:o}", "Id", c->id,
                              "Names", name, "Image", c->image, "ImageID", c->image_id, "Command", command, "Created",
                              (json_int_t) (c->created / 1000000000), "Ports", "Labels",
                              json_is_object(labels) ? json_incref(labels) : json_object(), "State", status_word(c), "Status",
                              status, "HostConfig", "NetworkMode",
                              json_string_value(json_object_get(host, "NetworkMode")) ?: "default", "NetworkSettings",
                              "Networks", networks, "Mounts", mounts_json(host));
        free(status);
        json_decref(ns);
        json_decref(cfg);
        json_decref(host);
        return o;
}

static json_t *libpod_state(const berth_container *c) {
        json_t *s = state_json(c);
        json_object_set_new(s, "ConmonPid", json_integer(c->state.conmon_pid));
        json_object_set_new(s, "OciVersion", json_string("1.0.2-dev"));
        return s;
}

static json_t *libpod_config(const berth_container *c, json_t *cfg) {
        json_t *o = json_deep_copy(cfg);
        const char *sig = json_string_value(json_object_get(cfg, "StopSignal"));
        int num = 15;
        /* libpod's StopSignal is a number. */
        if (sig && *sig)
                berth_signal_parse(sig, &num);
        json_object_set_new(o, "StopSignal", json_integer(num));
        json_object_set_new(o, "Image", json_string(c->image));
        json_object_set_new(o, "Annotations", json_object());
        return o;
}

json_t *json_libpod_container_inspect(const berth_container *c) {
        json_t *o = json_docker_container_inspect(c), *cfg = parse(c->config);
        json_object_set_new(o, "State", libpod_state(c));
        json_object_set_new(o, "ImageName", json_string(c->image));
        json_object_set_new(o, "Rootfs", json_string(""));
        json_object_set_new(o, "Pod", json_string(""));
        json_object_set_new(o, "OCIRuntime", json_string(c->runtime ? c->runtime : ""));
        json_object_set_new(o, "RestartCount", json_integer(c->state.restart_count));
        json_object_set_new(o, "Config", libpod_config(c, cfg));
        json_object_set_new(o, "Name", json_string(c->name));
        json_object_set_new(o, "IsInfra", json_false());
        json_decref(cfg);
        return o;
}

json_t *json_libpod_container_summary(const berth_container *c) {
        json_t *cfg = parse(c->config), *host = parse(c->host_config), *command = json_array();
        json_t *labels = json_object_get(cfg, "Labels");
        char created[64];

        json_format_ns(c->created, created, sizeof(created));
        if (json_is_array(json_object_get(cfg, "Entrypoint")))
                json_array_extend(command, json_object_get(cfg, "Entrypoint"));
        if (json_is_array(json_object_get(cfg, "Cmd")))
                json_array_extend(command, json_object_get(cfg, "Cmd"));
        json_t *o = json_pack("{s:b, s:o, s:s, s:s, s:b, s:I, s:i, s:s, s:s, s:s, s:b, s:o, s:[], s:[s], s:{}, s:[], "
                              "s:i, s:s, s:s, s:n, s:I, s:s, s:s}",
                              "AutoRemove", json_is_true(json_object_get(host, "AutoRemove")), "Command", command,
                              "Created", created, "CreatedAt", "", "Exited",
                              c->state.status == BERTH_CONTAINER_EXITED, "ExitedAt",
                              (json_int_t) (c->state.finished_at / 1000000000), "ExitCode", c->state.exit_code, "Id",
                              c->id, "Image", c->image, "ImageID", c->image_id, "IsInfra", 0, "Labels",
                              json_is_object(labels) ? json_incref(labels) : json_object(), "Mounts", "Names", c->name,
                              "Namespaces", "Networks", "Pid", (int) c->state.pid, "Pod", "", "PodName", "", "Ports",
                              "StartedAt", (json_int_t) (c->state.started_at / 1000000000), "State", status_word(c),
                              "Status", "");
        json_decref(cfg);
        json_decref(host);
        return o;
}
