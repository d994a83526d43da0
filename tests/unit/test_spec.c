/* spec*.c: the OCI runtime spec built from Docker's Config and HostConfig with Docker's
 * defaults, and the errors create reports for bad HostConfig values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define CONFIG_BASE "\"Cmd\": [\"sh\", \"-c\", \"true\"], \"Env\": [\"A=1\"], \"Hostname\": \"0123456789ab\""

static struct spec_host host_facts(void) {
        struct spec_host h = { .hard_nofile = { 1024, 20000 }, .hard_nproc = { 1000, 96365 },
                               .has_unprivileged_port_start = true, .init_path = "/usr/bin/catatonit" };
        return h;
}

static int build(const char *config, const char *host_config, json_t **ret, berth_error *err) {
        struct spec_host h = host_facts();
        struct container_user user = { .uid = 1000, .gid = 1000 };
        struct spec_inputs in = { .id = ID, .cgroups_path = "/berth/" ID, .config = config, .host_config = host_config, .rootfs = "/r/merged",
                                  .bundle = "/r/userdata", .volumes_dir = "/r/volumes", .user = &user, .host = &h };
        return spec_build(&in, ret, err);
}

static json_t *built(const char *config, const char *host_config) {
        berth_error err = { 0 };
        json_t *spec = NULL;
        if (build(config, host_config, &spec, &err) < 0)
                fail_msg("%s", err.message);
        return spec;
}

static json_t *mount_at(json_t *spec, const char *dest) {
        size_t i;
        json_t *m;
        json_array_foreach (json_object_get(spec, "mounts"), i, m)
                if (strcmp(json_string_value(json_object_get(m, "destination")), dest) == 0)
                        return m;
        return NULL;
}

static bool has_string(json_t *array, const char *s) {
        size_t i;
        json_t *v;
        json_array_foreach (array, i, v)
                if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
                        return true;
        return false;
}

static bool has_namespace(json_t *spec, const char *type) {
        size_t i;
        json_t *ns;
        json_array_foreach (json_object_get(json_object_get(spec, "linux"), "namespaces"), i, ns)
                if (strcmp(json_string_value(json_object_get(ns, "type")), type) == 0)
                        return true;
        return false;
}

static void test_defaults(void **state) {
        (void) state;
        json_t *spec = built("{" CONFIG_BASE "}", "{}");
        json_t *p = json_object_get(spec, "process"), *lx = json_object_get(spec, "linux");
        json_t *caps = json_object_get(json_object_get(p, "capabilities"), "bounding");

        assert_string_equal(json_string_value(json_object_get(json_object_get(spec, "root"), "path")), "/r/merged");
        assert_string_equal(json_string_value(json_object_get(spec, "hostname")), "0123456789ab");
        assert_int_equal(json_array_size(json_object_get(p, "args")), 3);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(p, "user"), "uid")), 1000);
        assert_string_equal(json_string_value(json_object_get(p, "cwd")), "/");
        /* PATH and HOSTNAME first, the container's own after; no TERM without a TTY */
        assert_true(has_string(json_object_get(p, "env"),
                               "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
        assert_true(has_string(json_object_get(p, "env"), "HOSTNAME=0123456789ab"));
        assert_true(has_string(json_object_get(p, "env"), "A=1"));
        assert_false(has_string(json_object_get(p, "env"), "TERM=xterm"));
        /* Docker's 14 capabilities */
        assert_int_equal(json_array_size(caps), 14);
        assert_true(has_string(caps, "CAP_NET_BIND_SERVICE"));
        assert_false(has_string(caps, "CAP_SYS_ADMIN"));
        /* namespaces, masked and read-only paths, seccomp, cgroup path */
        for (const char *const *t = (const char *const[]) { "mount", "network", "uts", "pid", "ipc", NULL }; *t; t++)
                assert_true(has_namespace(spec, *t));
        assert_true(has_string(json_object_get(lx, "maskedPaths"), "/proc/kcore"));
        assert_true(has_string(json_object_get(lx, "readonlyPaths"), "/proc/sys"));
        assert_non_null(json_object_get(lx, "seccomp"));
        assert_string_equal(json_string_value(json_object_get(lx, "cgroupsPath")), "/berth/" ID);
        assert_string_equal(json_string_value(json_object_get(json_object_get(lx, "sysctl"), "net.ipv4.ping_group_range")),
                            "0 2147483647");
        /* mounts: /proc, /dev/shm at 64 MiB, the /etc files from the bundle */
        assert_non_null(mount_at(spec, "/proc"));
        assert_true(has_string(json_object_get(mount_at(spec, "/dev/shm"), "options"), "size=67108864"));
        assert_string_equal(json_string_value(json_object_get(mount_at(spec, "/etc/hosts"), "source")),
                            "/r/userdata/hosts");
        assert_true(has_string(json_object_get(mount_at(spec, "/sys"), "options"), "ro"));
        json_decref(spec);
}

static void test_tty_init_and_modes(void **state) {
        (void) state;
        json_t *spec = built("{" CONFIG_BASE ", \"Tty\": true, \"WorkingDir\": \"/w\"}",
                             "{\"Init\": true, \"NetworkMode\": \"host\", \"UTSMode\": \"host\", \"PidMode\": \"host\","
                             " \"ShmSize\": 1048576, \"ReadonlyRootfs\": true}");
        json_t *p = json_object_get(spec, "process");

        assert_true(json_is_true(json_object_get(p, "terminal")));
        assert_true(has_string(json_object_get(p, "env"), "TERM=xterm"));
        assert_string_equal(json_string_value(json_object_get(p, "cwd")), "/w");
        /* catatonit in front of the command, bind-mounted read-only */
        assert_string_equal(json_string_value(json_array_get(json_object_get(p, "args"), 0)), "/run/berth-init");
        assert_string_equal(json_string_value(json_array_get(json_object_get(p, "args"), 1)), "--");
        assert_non_null(mount_at(spec, "/run/berth-init"));
        /* host modes drop the namespaces; a shared UTS namespace gets no hostname */
        assert_false(has_namespace(spec, "network"));
        assert_false(has_namespace(spec, "uts"));
        assert_false(has_namespace(spec, "pid"));
        assert_null(json_object_get(spec, "hostname"));
        assert_null(json_object_get(json_object_get(json_object_get(spec, "linux"), "sysctl"),
                                    "net.ipv4.ping_group_range"));
        assert_true(has_string(json_object_get(mount_at(spec, "/dev/shm"), "options"), "size=1048576"));
        assert_true(json_is_true(json_object_get(json_object_get(spec, "root"), "readonly")));
        assert_true(has_string(json_object_get(mount_at(spec, "/etc/hostname"), "options"), "ro"));
        json_decref(spec);
}

static void test_user_mounts_and_volumes(void **state) {
        (void) state;
        json_t *spec = built("{" CONFIG_BASE ", \"Volumes\": {\"/data\": {}}}",
                             "{\"Binds\": [\"/host/a:/a:ro\", \"named:/n\"],"
                             " \"Mounts\": [{\"Type\": \"tmpfs\", \"Target\": \"/t\", \"TmpfsOptions\": {\"SizeBytes\": 4096}}],"
                             " \"Tmpfs\": {\"/run\": \"size=1m\"}}");
        json_t *a = mount_at(spec, "/a"), *n = mount_at(spec, "/n"), *t = mount_at(spec, "/t");

        assert_string_equal(json_string_value(json_object_get(a, "source")), "/host/a");
        assert_true(has_string(json_object_get(a, "options"), "rbind"));
        assert_true(has_string(json_object_get(a, "options"), "ro"));
        assert_string_equal(json_string_value(json_object_get(n, "source")), "/r/volumes/named/_data");
        assert_string_equal(json_string_value(json_object_get(t, "type")), "tmpfs");
        assert_true(has_string(json_object_get(t, "options"), "size=4096"));
        assert_true(has_string(json_object_get(mount_at(spec, "/run"), "options"), "size=1m"));
        /* the image's VOLUME gets an anonymous volume named after the container */
        char *anon = spec_anonymous_volume(ID, "/data");
        char *src = NULL;
        assert_int_equal(strncmp(anon, "0123456789ab_", 13), 0);
        assert_true(asprintf(&src, "/r/volumes/%s/_data", anon) > 0);
        assert_string_equal(json_string_value(json_object_get(mount_at(spec, "/data"), "source")), src);
        free(src);
        free(anon);
        json_decref(spec);
}

static void test_resources_and_rlimits(void **state) {
        (void) state;
        json_t *spec = built("{" CONFIG_BASE "}",
                             "{\"Memory\": 67108864, \"NanoCpus\": 500000000, \"CpuShares\": 512, \"PidsLimit\": 50,"
                             " \"BlkioWeight\": 300, \"CpusetCpus\": \"0\","
                             " \"Ulimits\": [{\"Name\": \"nofile\", \"Soft\": 100, \"Hard\": 200}]}");
        json_t *res = json_object_get(json_object_get(spec, "linux"), "resources");
        json_t *rl = json_array_get(json_object_get(json_object_get(spec, "process"), "rlimits"), 0);

        assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "memory"), "limit")), 67108864);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "cpu"), "quota")), 50000);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "cpu"), "period")), 100000);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "cpu"), "shares")), 512);
        assert_string_equal(json_string_value(json_object_get(json_object_get(res, "cpu"), "cpus")), "0");
        assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "pids"), "limit")), 50);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "blockIO"), "weight")), 300);
        assert_string_equal(json_string_value(json_object_get(rl, "type")), "RLIMIT_NOFILE");
        assert_int_equal(json_integer_value(json_object_get(rl, "hard")), 200);
        /* deny-all device rule first, then the standard devices */
        json_t *first = json_array_get(json_object_get(res, "devices"), 0);
        assert_false(json_is_true(json_object_get(first, "allow")));
        assert_string_equal(json_string_value(json_object_get(first, "access")), "rwm");
        json_decref(spec);
}

static void test_privileged(void **state) {
        (void) state;
        json_t *spec = built("{" CONFIG_BASE "}", "{\"Privileged\": true}");
        json_t *lx = json_object_get(spec, "linux");

        assert_null(json_object_get(lx, "maskedPaths"));
        assert_null(json_object_get(lx, "seccomp"));
        assert_true(json_array_size(json_object_get(json_object_get(json_object_get(spec, "process"), "capabilities"),
                                                    "bounding")) > 14);
        assert_true(has_string(json_object_get(mount_at(spec, "/sys"), "options"), "rw"));
        json_decref(spec);
}

static void test_errors(void **state) {
        static const struct {
                const char *config, *host, *message;
        } cases[] = {
                { "{\"Cmd\": null}", "{}", "No command specified" },
                { "{" CONFIG_BASE "}", "{\"Memory\": 1024}", "Minimum memory limit allowed is 6MB" },
                { "{" CONFIG_BASE "}", "{\"Memory\": 67108864, \"MemorySwap\": 1048576}",
                  "Minimum memoryswap limit should be larger than memory limit, see usage" },
                { "{" CONFIG_BASE "}", "{\"NanoCpus\": 1000000000, \"CpuQuota\": 1000}",
                  "Conflicting options: Nano CPUs and CPU Period/Quota cannot both be set" },
                { "{" CONFIG_BASE "}", "{\"BlkioWeight\": 5}", "Range of blkio weight is from 10 to 1000" },
                { "{" CONFIG_BASE "}", "{\"Ulimits\": [{\"Name\": \"bogus\", \"Soft\": 1, \"Hard\": 1}]}",
                  "invalid ulimit type: bogus" },
                { "{" CONFIG_BASE "}", "{\"Ulimits\": [{\"Name\": \"nofile\", \"Soft\": 30000, \"Hard\": 30000}]}",
                  "ulimit nofile: hard limit 30000 is above berthd's own hard limit 20000" },
                { "{" CONFIG_BASE "}", "{\"Ulimits\": [{\"Name\": \"nproc\", \"Soft\": 9, \"Hard\": 8}]}",
                  "ulimit nproc: soft limit 9 is above the hard limit 8" },
                { "{" CONFIG_BASE "}", "{\"CapAdd\": [\"NOPE\"]}", "unknown capability: \"CAP_NOPE\"" },
                { "{" CONFIG_BASE "}", "{\"Binds\": [\"/a:relative\"]}",
                  "invalid volume specification: '/a:relative': mount path must be absolute" },
                { "{" CONFIG_BASE "}", "{\"Binds\": [\"/a:/b:bogus\"]}", "invalid mode: bogus" },
                { "{" CONFIG_BASE "}", "{\"Binds\": [\"bad$name:/b\"]}",
                  "\"bad$name\" includes invalid characters for a local volume name, only "
                  "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed" },
                { "{" CONFIG_BASE "}", "{\"Mounts\": [{\"Type\": \"nfs\", \"Target\": \"/x\"}]}",
                  "invalid mount config: unknown mount type \"nfs\"" },
                { "{" CONFIG_BASE "}", "{\"SecurityOpt\": [\"seccomp={\\\"defaultAction\\\": \\\"SCMP_ACT_NOPE\\\"}\"]}",
                  "seccomp profile: \"defaultAction\": unknown action \"SCMP_ACT_NOPE\"" },
        };
        (void) state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                berth_error err = { 0 };
                json_t *spec = NULL;
                assert_int_equal(build(cases[i].config, cases[i].host, &spec, &err), -EINVAL);
                assert_null(spec);
                if (strcmp(err.message, cases[i].message) != 0)
                        fail_msg("case %zu: got \"%s\", want \"%s\"", i, err.message, cases[i].message);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),        cmocka_unit_test(test_tty_init_and_modes),
                cmocka_unit_test(test_user_mounts_and_volumes), cmocka_unit_test(test_resources_and_rlimits),
                cmocka_unit_test(test_privileged),      cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
