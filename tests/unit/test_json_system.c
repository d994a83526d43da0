/* The /version and /info encoders, Docker and libpod shapes, from made-up facts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "berth/version.h"
#include "json/system.h"

static char *controllers[] = { (char *) "cpu", (char *) "memory", (char *) "pids", NULL };
static char *insecure[] = { (char *) "localhost:5000", NULL };

static berth_host_facts facts = {
        .kernel = (char *) "6.1.0-test", .os_id = (char *) "debian", .os_version = (char *) "12",
        .os_codename = (char *) "bookworm", .os_name = (char *) "Debian GNU/Linux 12 (bookworm)",
        .arch = "amd64", .hostname = (char *) "host1", .ncpu = 2, .mem_total = 1ULL << 34,
        .cgroup_version = 1, .cgroup_hybrid = true, .cgroup_controllers = controllers,
        .seccomp_enabled = true, .backing_fs = (char *) "extfs", .memory_limit = true, .pids_limit = true,
};
static berth_program runc = { .name = (char *) "runc", .path = (char *) "/usr/sbin/runc",
                              .version = (char *) "runc version 1.1.5+ds1\ncommit: x" };
static berth_program conmon = { .name = (char *) "conmon", .path = (char *) "/usr/bin/conmon",
                                .version = (char *) "conmon version 2.1.6\ncommit: unknown" };
static berth_config config = { .socket_path = (char *) "/run/berth/berth.sock", .root = (char *) "/var/lib/berth",
                               .runroot = (char *) "/run/berth", .insecure_registries = insecure };

static struct system_report report(void) {
        return (struct system_report) { .facts = &facts, .runtime = &runc, .conmon = &conmon, .config = &config,
                                        .engine_id = "id-1", .now = { .tv_sec = 86400, .tv_nsec = 5 },
                                        .containers = 3, .running = 1, .stopped = 2, .images = 4,
                                        .usage = { .mem_free = 1000, .uptime_seconds = 3725 } };
}

static const char *str(json_t *o, const char *path) {
        /* "a.b.c" walks objects */
        char key[64];
        while (strchr(path, '.')) {
                size_t n = (size_t) (strchr(path, '.') - path);
                snprintf(key, sizeof(key), "%.*s", (int) n, path);
                o = json_object_get(o, key);
                path += n + 1;
        }
        return json_string_value(json_object_get(o, path));
}

static void test_docker_version(void **state) {
        struct system_report r = report();
        json_t *v = json_docker_version(&r);
        (void) state;
        assert_string_equal(str(v, "ApiVersion"), BERTH_DOCKER_API_VERSION);
        assert_string_equal(str(v, "MinAPIVersion"), "1.24");
        assert_string_equal(str(v, "Version"), BERTH_VERSION);
        assert_string_equal(str(v, "KernelVersion"), "6.1.0-test");
        assert_string_equal(str(v, "Platform.Name"), "linux/amd64/debian-12");
        json_t *components = json_object_get(v, "Components");
        assert_int_equal(json_array_size(components), 3);
        assert_string_equal(str(json_array_get(components, 0), "Name"), "Engine");
        assert_string_equal(str(json_array_get(components, 0), "Details.ApiVersion"), "1.41");
        assert_string_equal(str(json_array_get(components, 1), "Version"), "1.1.5+ds1");
        assert_string_equal(str(json_array_get(components, 2), "Version"), "2.1.6");
        json_decref(v);
}

static void test_libpod_version(void **state) {
        struct system_report r = report();
        r.runtime = NULL;       /* no runtime installed: still a valid answer */
        json_t *v = json_libpod_version(&r);
        (void) state;
        json_t *engine = json_array_get(json_object_get(v, "Components"), 0);
        assert_string_equal(str(engine, "Name"), "Podman Engine");
        assert_string_equal(str(engine, "Details.APIVersion"), BERTH_LIBPOD_API_VERSION);
        assert_null(json_object_get(json_object_get(engine, "Details"), "ApiVersion"));
        assert_int_equal(json_array_size(json_object_get(v, "Components")), 2);
        json_decref(v);
}

static void test_docker_info(void **state) {
        struct system_report r = report();
        json_t *i = json_docker_info(&r);
        (void) state;
        assert_string_equal(str(i, "ID"), "id-1");
        assert_int_equal(json_integer_value(json_object_get(i, "Containers")), 3);
        assert_int_equal(json_integer_value(json_object_get(i, "Images")), 4);
        assert_string_equal(str(i, "CgroupVersion"), "1");
        assert_string_equal(str(i, "OperatingSystem"), "Debian GNU/Linux 12 (bookworm)");
        assert_string_equal(str(i, "DockerRootDir"), "/var/lib/berth");
        assert_string_equal(str(i, "SystemTime"), "1970-01-02T00:00:00.000000005Z");
        assert_true(json_is_true(json_object_get(i, "MemoryLimit")));
        assert_true(json_is_false(json_object_get(i, "CPUSet")));
        assert_string_equal(str(i, "DefaultRuntime"), "runc");
        assert_string_equal(str(i, "Runtimes.runc.path"), "/usr/sbin/runc");
        assert_string_equal(str(i, "RegistryConfig.IndexConfigs.localhost:5000.Name"), "localhost:5000");
        assert_true(json_is_false(json_object_get(
                json_object_get(json_object_get(json_object_get(i, "RegistryConfig"), "IndexConfigs"), "localhost:5000"),
                "Secure")));
        assert_int_equal(json_integer_value(json_object_get(i, "MemTotal")), 1LL << 34);
        json_decref(i);
}

static void test_libpod_info(void **state) {
        struct system_report r = report();
        json_t *i = json_libpod_info(&r);
        (void) state;
        assert_string_equal(str(i, "host.cgroupVersion"), "v1");
        assert_string_equal(str(i, "host.ociRuntime.path"), "/usr/sbin/runc");
        assert_string_equal(str(i, "host.conmon.path"), "/usr/bin/conmon");
        assert_string_equal(str(i, "host.distribution.codename"), "bookworm");
        assert_string_equal(str(i, "host.uptime"), "1h 2m 5.00s");
        assert_string_equal(str(i, "host.remoteSocket.path"), "unix:///run/berth/berth.sock");
        assert_string_equal(str(i, "store.graphRoot"), "/var/lib/berth");
        assert_string_equal(str(i, "store.runRoot"), "/run/berth");
        assert_string_equal(str(i, "store.volumePath"), "/var/lib/berth/volumes");
        assert_string_equal(str(i, "version.APIVersion"), BERTH_LIBPOD_API_VERSION);
        assert_string_equal(str(i, "version.OsArch"), "linux/amd64");
        json_t *cg = json_object_get(json_object_get(i, "host"), "cgroupControllers");
        assert_int_equal(json_array_size(cg), 3);
        json_decref(i);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_docker_version), cmocka_unit_test(test_libpod_version),
                cmocka_unit_test(test_docker_info), cmocka_unit_test(test_libpod_info),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
