/* berth version and berth info: what the client and the daemon are, in podman's layout. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "berth/cleanup.h"
#include "berth/version.h"
#include "http.h"
#include "output.h"
#include "verb.h"

#ifndef BERTH_BUILD_TIME
#define BERTH_BUILD_TIME "1970-01-01T00:00:00Z"
#endif

static const struct option format_options[] = {
        { "format", required_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        {},
};

static const char version_usage[] =
        "Usage: berth version [options]\n"
        "\n"
        "Display the berth version information of the client and of berthd.\n"
        "\n"
        "Options:\n"
        "  -f, --format FORMAT   json: print the versions as JSON\n"
        "  -h, --help            print this help\n";

static const char info_usage[] =
        "Usage: berth info [options]\n"
        "\n"
        "Display information about the host, the storage and the build of berthd.\n"
        "\n"
        "Options:\n"
        "  -f, --format FORMAT   json: print the report as JSON instead of YAML\n"
        "  -h, --help            print this help\n";

/* Go's GOARCH names, which podman prints in OS/Arch. */
static const char *go_arch(void) {
#if defined(__x86_64__)
        return "amd64";
#elif defined(__aarch64__)
        return "arm64";
#elif defined(__i386__)
        return "386";
#elif defined(__arm__)
        return "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        return "ppc64le";
#elif defined(__s390x__)
        return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
        return "riscv64";
#else
        return "unknown";
#endif
}

/* Parses --format and rejects arguments; returns 1 for JSON, 0 for the default, 2 for
 * --help (already printed), or a negative errno. */
static int parse_format_flags(struct client *c, int argc, char **argv, const char *usage) {
        const char *format = NULL;
        int opt;

        while ((opt = verb_getopt(argc, argv, "f:h", format_options, &c->error)) > 0) {
                if (opt == 'h') {
                        verb_usage(usage);
                        return 2;
                }
                format = optarg;
        }
        if (opt < 0)
                return opt;
        if (verb_no_args(argc, argv, &c->error) < 0)
                return c->error.code;
        return verb_format_json(format, &c->error);
}

/* define.Version's fields, as `podman version --format json` prints them. */
static json_t *version_side(const char *version, const char *api, const char *build_time, const char *os,
                            const char *arch) {
        char built[64], os_arch[128];
        time_t t = 0;

        if (build_time && output_parse_rfc3339(build_time, &t) == 0)
                output_time_ansic(t, built, sizeof(built));
        else
                snprintf(built, sizeof(built), "%s", build_time ? build_time : "");
        snprintf(os_arch, sizeof(os_arch), "%s/%s", os ? os : "", arch ? arch : "");
        return json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "APIVersion", api ? api : "", "Version",
                         version ? version : "", "BuiltTime", built, "Built", (json_int_t) t, "OsArch", os_arch,
                         "Os", os ? os : "");
}

/* As podman's bindings do: the top-level fields, and the API version of the
 * "Podman Engine" component. */
static json_t *server_side(const json_t *v) {
        const char *api = NULL;
        size_t i;
        json_t *component;

        json_array_foreach(json_object_get(v, "Components"), i, component)
                if (strcmp(json_string_value(json_object_get(component, "Name")) ?: "", "Podman Engine") == 0)
                        api = json_string_value(json_object_get(json_object_get(component, "Details"), "APIVersion"));
        return version_side(json_string_value(json_object_get(v, "Version")), api,
                            json_string_value(json_object_get(v, "BuildTime")),
                            json_string_value(json_object_get(v, "Os")), json_string_value(json_object_get(v, "Arch")));
}

static void print_side(const char *title, const json_t *side) {
        const struct output_kv rows[] = {
                { title, "berth" },
                { "Version:", json_string_value(json_object_get(side, "Version")) },
                { "API Version:", json_string_value(json_object_get(side, "APIVersion")) },
                { "Built:", json_string_value(json_object_get(side, "BuiltTime")) },
                { "OS/Arch:", json_string_value(json_object_get(side, "OsArch")) },
        };
        output_kv(stdout, rows, ELEMENTSOF(rows));
}

int cmd_version(struct client *c, int argc, char **argv) {
        _cleanup_(json_decrefp) json_t *report = NULL, *answer = NULL;
        int json, r;

        json = parse_format_flags(c, argc, argv, version_usage);
        if (json < 0 || json == 2)
                return json < 0 ? json : 0;
        report = json_pack("{s:o}", "Client",
                           version_side(BERTH_VERSION, BERTH_LIBPOD_API_VERSION, BERTH_BUILD_TIME, "linux", go_arch()));
        /* Like podman, the client's half is printed even when berthd cannot be reached. */
        r = client_get_json(c, "/version", &answer, &c->error);
        if (r >= 0)
                json_object_set_new(report, "Server", server_side(answer));
        if (json)
                output_json(stdout, report);
        else {
                print_side("Client:", json_object_get(report, "Client"));
                if (r >= 0) {
                        fputc('\n', stdout);
                        print_side("Server:", json_object_get(report, "Server"));
                }
        }
        return r < 0 ? r : 0;
}

int cmd_info(struct client *c, int argc, char **argv) {
        _cleanup_(json_decrefp) json_t *answer = NULL;
        int json, r;

        json = parse_format_flags(c, argc, argv, info_usage);
        if (json < 0 || json == 2)
                return json < 0 ? json : 0;
        r = client_get_json(c, "/info", &answer, &c->error);
        if (r < 0)
                return r;
        if (!answer)
                return berth_err(&c->error, -EBADMSG, "berthd sent an empty answer to GET /info");
        if (json)
                return output_json(stdout, answer) < 0 ? berth_err(&c->error, -EIO, "cannot write the report") : 0;
        output_yaml(stdout, answer);
        /* podman prints the YAML with Println, which adds a blank line. */
        fputc('\n', stdout);
        return 0;
}

static const char system_usage[] =
        "Usage: berth system COMMAND\n"
        "\n"
        "Manage berthd.\n"
        "\n"
        "Commands:\n"
        "  info        Display berth system information\n"
        "  wake        Reach berthd once (starts a socket-activated daemon); conmon runs it\n"
        "              when a container exits so the daemon records the exit\n";

int cmd_system(struct client *c, int argc, char **argv) {
        _cleanup_(json_decrefp) json_t *answer = NULL;

        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                fputs(system_usage, argc < 2 ? stderr : stdout);
                return argc < 2 ? berth_err(&c->error, -EINVAL, "missing command for \"berth system\"") : 0;
        }
        if (strcmp(argv[1], "info") == 0)
                return cmd_info(c, argc - 1, argv + 1);
        if (strcmp(argv[1], "wake") == 0)
                return client_get_json(c, "/version", &answer, &c->error);
        return berth_err(&c->error, -EINVAL, "unknown command \"%s\" for \"berth system\"", argv[1]);
}
