/* libpod SpecGenerator -> Docker create body: real podman 4.3.1 bodies, each mapping, each error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "berth/cleanup.h"
#include "json/specgen.h"

/* Captured from `podman --remote create` 4.3.1 through a logging proxy (see the flags in
 * each body's containerCreateCommand). */
static const char FIXTURE_FULL[] =
        "{\"name\":\"full\",\"entrypoint\":[\"/bin/sh\"],\"command\":[\"-c\",\"echo hi\"],\"httpproxy\":true,"
        "\"env\":{\"FOO\":\"bar\",\"X\":\"1\"},\"terminal\":true,\"stdin\":true,\"labels\":{\"a\":\"b\"},\"an"
        "notations\":{\"io.kubernetes.cri-o.TTY\":\"true\"},\"stop_signal\":2,\"stop_timeout\":7,\"log_config"
        "uration\":{},\"raw_image_name\":\"localhost/bb\",\"systemd\":\"true\",\"sdnotifyMode\":\"container\""
        ",\"pidns\":{},\"utsns\":{},\"hostname\":\"myhost\",\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},\"remo"
        "ve\":true,\"containerCreateCommand\":[\"podman\",\"--remote\",\"--url\",\"unix:///tmp/h5-cap/proxy.s"
        "ock\",\"create\",\"--name\",\"full\",\"-it\",\"--rm\",\"-e\",\"FOO=bar\",\"-e\",\"X=1\",\"--label\","
        "\"a=b\",\"-w\",\"/tmp\",\"-u\",\"1000:1000\",\"-h\",\"myhost\",\"--stop-signal\",\"SIGINT\",\"--stop"
        "-timeout\",\"7\",\"--cap-add\",\"NET_ADMIN\",\"--cap-drop\",\"MKNOD\",\"--read-only\",\"--security-o"
        "pt\",\"no-new-privileges\",\"--mount\",\"type=bind,src=/tmp,dst=/mnt,ro\",\"--mount\",\"type=tmpfs,d"
        "st=/scratch,tmpfs-size=1m,tmpfs-mode=1777\",\"-v\",\"myvol:/data:ro\",\"--network\",\"none\",\"--add"
        "-host\",\"h:1.2.3.4\",\"-m\",\"64m\",\"--memory-swap\",\"128m\",\"--memory-reservation\",\"32m\",\"-"
        "-cpu-shares\",\"512\",\"--cpu-quota\",\"50000\",\"--cpu-period\",\"100000\",\"--cpuset-cpus\",\"0\","
        "\"--cpuset-mems\",\"0\",\"--pids-limit\",\"100\",\"--blkio-weight\",\"300\",\"--ulimit\",\"nofile=10"
        "0:200\",\"--init\",\"--shm-size\",\"32m\",\"--device\",\"/dev/null:/dev/mynull:rw\",\"--group-add\","
        "\"10\",\"--oom-score-adj\",\"100\",\"--health-cmd\",\"true\",\"--health-interval\",\"10s\",\"--healt"
        "h-timeout\",\"3s\",\"--health-retries\",\"2\",\"--health-start-period\",\"1s\",\"--sysctl\",\"net.ip"
        "v4.ip_forward=1\",\"--entrypoint\",\"/bin/sh\",\"localhost/bb\",\"-c\",\"echo hi\"],\"init_container"
        "_type\":\"\",\"manage_password\":true,\"image\":\"localhost/bb\",\"image_volume_mode\":\"anonymous\""
        ",\"init\":true,\"mounts\":[{\"destination\":\"/mnt\",\"type\":\"bind\",\"source\":\"/tmp\",\"options"
        "\":[\"ro\"]},{\"destination\":\"/scratch\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"si"
        "ze=1m\",\"mode=1777\"]},{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\""
        ":[\"rw\",\"rprivate\",\"nosuid\",\"nodev\",\"tmpcopyup\"]},{\"destination\":\"/var/tmp\",\"type\":\""
        "tmpfs\",\"source\":\"tmpfs\",\"options\":[\"rw\",\"rprivate\",\"nosuid\",\"nodev\",\"tmpcopyup\"]},{"
        "\"destination\":\"/run\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"rw\",\"rprivate\",\""
        "nosuid\",\"nodev\",\"tmpcopyup\"]}],\"volumes\":[{\"Name\":\"myvol\",\"Dest\":\"/data\",\"Options\":"
        "[\"ro\"],\"IsAnonymous\":false}],\"devices\":[{\"path\":\"/dev/null:/dev/mynull:rw\",\"type\":\"\",\""
        "major\":0,\"minor\":0}],\"ipcns\":{},\"shm_size\":33554432,\"work_dir\":\"/tmp\",\"volatile\":true,\""
        "user\":\"1000:1000\",\"groups\":[\"10\"],\"cap_add\":[\"NET_ADMIN\"],\"cap_drop\":[\"MKNOD\"],\"secc"
        "omp_policy\":\"default\",\"no_new_privileges\":true,\"userns\":{},\"idmappings\":{\"HostUIDMapping\""
        ":true,\"HostGIDMapping\":true,\"UIDMap\":null,\"GIDMap\":null,\"AutoUserNs\":false,\"AutoUserNsOpts\""
        ":{\"Size\":0,\"InitialSize\":0,\"PasswdFile\":\"\",\"GroupFile\":\"\",\"AdditionalUIDMappings\":null"
        ",\"AdditionalGIDMappings\":null}},\"read_only_filesystem\":true,\"umask\":\"0022\",\"cgroupns\":{},\""
        "cgroups_mode\":\"enabled\",\"netns\":{\"nsmode\":\"none\"},\"Networks\":{},\"use_image_hosts\":false"
        ",\"hostadd\":[\"h:1.2.3.4\"],\"resource_limits\":{\"memory\":{\"limit\":67108864,\"reservation\":335"
        "54432,\"swap\":134217728},\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000,\"cpus\":\"0\",\""
        "mems\":\"0\"},\"pids\":{\"limit\":100},\"blockIO\":{\"weight\":300}},\"r_limits\":[{\"type\":\"nofil"
        "e\",\"hard\":200,\"soft\":100}],\"oom_score_adj\":100,\"healthconfig\":{\"Test\":[\"CMD-SHELL\",\"tr"
        "ue\"],\"StartPeriod\":1000000000,\"Interval\":10000000000,\"Timeout\":3000000000,\"Retries\":2}}";

static const char FIXTURE_HOST[] =
        "{\"name\":\"r2\",\"command\":[\"sh\"],\"httpproxy\":true,\"annotations\":{\"io.kubernetes.cri-o.TTY\""
        ":\"false\"},\"stop_timeout\":10,\"log_configuration\":{},\"raw_image_name\":\"localhost/bb\",\"resta"
        "rt_policy\":\"on-failure\",\"restart_tries\":3,\"systemd\":\"true\",\"sdnotifyMode\":\"container\",\""
        "pidns\":{\"nsmode\":\"host\"},\"utsns\":{\"nsmode\":\"host\"},\"containerCreateCommand\":[\"podman\""
        ",\"--remote\",\"--url\",\"unix:///tmp/h5-cap/proxy.sock\",\"create\",\"--name\",\"r2\",\"--restart\""
        ",\"on-failure:3\",\"--pid\",\"host\",\"--ipc\",\"host\",\"--uts\",\"host\",\"--privileged\",\"--netw"
        "ork\",\"host\",\"-v\",\"/tmp:/hosttmp:rw,z\",\"--tmpfs\",\"/run:size=1m\",\"localhost/bb\",\"sh\"],\""
        "init_container_type\":\"\",\"manage_password\":true,\"image\":\"localhost/bb\",\"image_volume_mode\""
        ":\"anonymous\",\"mounts\":[{\"destination\":\"/hosttmp\",\"type\":\"bind\",\"source\":\"/tmp\",\"opt"
        "ions\":[\"rw\",\"z\"]},{\"destination\":\"/run\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\""
        ":[\"size=1m\"]}],\"ipcns\":{\"nsmode\":\"host\"},\"privileged\":true,\"seccomp_policy\":\"default\","
        "\"userns\":{},\"idmappings\":{\"HostUIDMapping\":true,\"HostGIDMapping\":true,\"UIDMap\":null,\"GIDM"
        "ap\":null,\"AutoUserNs\":false,\"AutoUserNsOpts\":{\"Size\":0,\"InitialSize\":0,\"PasswdFile\":\"\","
        "\"GroupFile\":\"\",\"AdditionalUIDMappings\":null,\"AdditionalGIDMappings\":null}},\"umask\":\"0022\""
        ",\"cgroupns\":{},\"cgroups_mode\":\"enabled\",\"netns\":{\"nsmode\":\"host\"},\"Networks\":{},\"use_"
        "image_hosts\":false}";

static const char FIXTURE_DNS_PORTS[] =
        "{\"name\":\"r3\",\"command\":[\"sh\"],\"httpproxy\":true,\"annotations\":{\"io.kubernetes.cri-o.TTY\""
        ":\"false\",\"io.podman.annotations.seccomp\":\"/tmp/h5-cap/sec.json\"},\"stop_timeout\":10,\"log_con"
        "figuration\":{},\"raw_image_name\":\"localhost/bb\",\"restart_policy\":\"always\",\"systemd\":\"true"
        "\",\"sdnotifyMode\":\"container\",\"pidns\":{},\"utsns\":{},\"containerCreateCommand\":[\"podman\",\""
        "--remote\",\"--url\",\"unix:///tmp/h5-cap/proxy.sock\",\"create\",\"--name\",\"r3\",\"--dns\",\"1.1."
        "1.1\",\"--dns-search\",\"example.com\",\"--dns-option\",\"ndots:2\",\"-p\",\"8080:80\",\"--security-"
        "opt\",\"seccomp=/tmp/h5-cap/sec.json\",\"--restart\",\"always\",\"localhost/bb\",\"sh\"],\"init_cont"
        "ainer_type\":\"\",\"manage_password\":true,\"image\":\"localhost/bb\",\"image_volume_mode\":\"anonym"
        "ous\",\"ipcns\":{},\"seccomp_policy\":\"default\",\"seccomp_profile_path\":\"/tmp/h5-cap/sec.json\","
        "\"userns\":{},\"idmappings\":{\"HostUIDMapping\":true,\"HostGIDMapping\":true,\"UIDMap\":null,\"GIDM"
        "ap\":null,\"AutoUserNs\":false,\"AutoUserNsOpts\":{\"Size\":0,\"InitialSize\":0,\"PasswdFile\":\"\","
        "\"GroupFile\":\"\",\"AdditionalUIDMappings\":null,\"AdditionalGIDMappings\":null}},\"umask\":\"0022\""
        ",\"cgroupns\":{},\"cgroups_mode\":\"enabled\",\"netns\":{},\"portmappings\":[{\"host_ip\":\"\",\"con"
        "tainer_port\":80,\"host_port\":8080,\"range\":1,\"protocol\":\"\"}],\"Networks\":null,\"dns_server\""
        ":[\"1.1.1.1\"],\"dns_search\":[\"example.com\"],\"dns_option\":[\"ndots:2\"],\"use_image_hosts\":fal"
        "se}";

static json_t *convert(const char *body) {
        berth_error err = { 0 };
        _cleanup_free_ char *out = NULL;
        json_t *j;

        if (specgen_to_docker(body, strlen(body), &out, &err) < 0)
                fail_msg("specgen_to_docker: %s", err.message);
        j = json_loads(out, 0, NULL);
        assert_non_null(j);
        assert_true(json_is_object(json_object_get(j, "HostConfig")));
        return j;
}

/* obj[key] equals the JSON text want ("null" for absent). */
static void expect(const json_t *obj, const char *key, const char *want) {
        json_t *w = json_loads(want, JSON_DECODE_ANY, NULL);
        json_t *got = json_object_get(obj, key);
        assert_non_null(w);
        if (!json_equal(got ? got : json_null(), w)) {
                char *g = got ? json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("(absent)");
                json_decref(w);
                fail_msg("%s: got %s, want %s", key, g, want);
        }
        json_decref(w);
}

static void expect_error(const char *body, const char *message) {
        berth_error err = { 0 };
        char *out = NULL;

        assert_int_equal(specgen_to_docker(body, strlen(body), &out, &err), -EINVAL);
        assert_null(out);
        assert_int_equal(err.code, -EINVAL);
        assert_string_equal(err.message, message);
}

static void test_full_body(void **state) {
        json_t *j = convert(FIXTURE_FULL), *h = json_object_get(j, "HostConfig");
        (void) state;

        expect(j, "Image", "\"localhost/bb\"");
        expect(j, "Entrypoint", "[\"/bin/sh\"]");
        expect(j, "Cmd", "[\"-c\", \"echo hi\"]");
        expect(j, "Env", "[\"FOO=bar\", \"X=1\"]");
        expect(j, "Tty", "true");
        expect(j, "OpenStdin", "true");
        expect(j, "AttachStdin", "null");
        expect(j, "StdinOnce", "null");
        expect(j, "Labels", "{\"a\": \"b\"}");
        expect(j, "WorkingDir", "\"/tmp\"");
        expect(j, "User", "\"1000:1000\"");
        expect(j, "Hostname", "\"myhost\"");
        expect(j, "StopSignal", "\"SIGINT\"");
        expect(j, "StopTimeout", "7");
        expect(j, "Volumes", "null");
        expect(j, "Annotations", "null");
        expect(j, "Healthcheck", "{\"Test\": [\"CMD-SHELL\", \"true\"], \"StartPeriod\": 1000000000,"
                                 " \"Interval\": 10000000000, \"Timeout\": 3000000000, \"Retries\": 2}");
        expect(h, "AutoRemove", "true");
        expect(h, "CapAdd", "[\"NET_ADMIN\"]");
        expect(h, "CapDrop", "[\"MKNOD\"]");
        expect(h, "ReadonlyRootfs", "true");
        expect(h, "SecurityOpt", "[\"no-new-privileges\"]");
        expect(h, "Mounts", "[{\"Type\": \"bind\", \"Target\": \"/mnt\", \"Source\": \"/tmp\", \"ReadOnly\": true},"
                            " {\"Type\": \"tmpfs\", \"Target\": \"/scratch\","
                            "  \"TmpfsOptions\": {\"SizeBytes\": 1048576, \"Mode\": 1023}},"
                            " {\"Type\": \"tmpfs\", \"Target\": \"/tmp\"}, {\"Type\": \"tmpfs\", \"Target\": \"/var/tmp\"},"
                            " {\"Type\": \"tmpfs\", \"Target\": \"/run\"}]");
        expect(h, "Binds", "[\"myvol:/data:ro\"]");
        expect(h, "NetworkMode", "\"none\"");
        expect(h, "PidMode", "null");
        expect(h, "IpcMode", "null");
        expect(h, "UTSMode", "null");
        expect(h, "ExtraHosts", "[\"h:1.2.3.4\"]");
        expect(h, "Memory", "67108864");
        expect(h, "MemorySwap", "134217728");
        expect(h, "MemoryReservation", "33554432");
        expect(h, "CpuShares", "512");
        expect(h, "CpuQuota", "50000");
        expect(h, "CpuPeriod", "100000");
        expect(h, "CpusetCpus", "\"0\"");
        expect(h, "CpusetMems", "\"0\"");
        expect(h, "PidsLimit", "100");
        expect(h, "BlkioWeight", "300");
        expect(h, "Ulimits", "[{\"Name\": \"nofile\", \"Hard\": 200, \"Soft\": 100}]");
        expect(h, "Init", "true");
        expect(h, "ShmSize", "33554432");
        expect(h, "Devices", "[{\"PathOnHost\": \"/dev/null\", \"PathInContainer\": \"/dev/mynull\","
                             " \"CgroupPermissions\": \"rw\"}]");
        expect(h, "GroupAdd", "[\"10\"]");
        expect(h, "OomScoreAdj", "100");
        expect(h, "Sysctls", "{\"net.ipv4.ip_forward\": \"1\"}");
        expect(h, "RestartPolicy", "null");
        expect(h, "LogConfig", "null");
        json_decref(j);
}

static void test_host_namespaces_body(void **state) {
        json_t *j = convert(FIXTURE_HOST), *h = json_object_get(j, "HostConfig");
        (void) state;

        expect(j, "Cmd", "[\"sh\"]");
        expect(j, "Entrypoint", "null");
        expect(j, "StopTimeout", "10");
        expect(j, "Tty", "null");
        expect(h, "RestartPolicy", "{\"Name\": \"on-failure\", \"MaximumRetryCount\": 3}");
        expect(h, "NetworkMode", "\"host\"");
        expect(h, "PidMode", "\"host\"");
        expect(h, "IpcMode", "\"host\"");
        expect(h, "UTSMode", "\"host\"");
        expect(h, "Privileged", "true");
        expect(h, "Mounts", "[{\"Type\": \"bind\", \"Target\": \"/hosttmp\", \"Source\": \"/tmp\"},"
                            " {\"Type\": \"tmpfs\", \"Target\": \"/run\", \"TmpfsOptions\": {\"SizeBytes\": 1048576}}]");
        expect(h, "Binds", "null");
        expect(h, "SecurityOpt", "null");
        json_decref(j);
}

static void test_dns_ports_seccomp_body(void **state) {
        json_t *j = convert(FIXTURE_DNS_PORTS), *h = json_object_get(j, "HostConfig");
        (void) state;

        expect(h, "Dns", "[\"1.1.1.1\"]");
        expect(h, "DnsSearch", "[\"example.com\"]");
        expect(h, "DnsOptions", "[\"ndots:2\"]");
        expect(h, "SecurityOpt", "[\"seccomp=/tmp/h5-cap/sec.json\"]");
        expect(h, "RestartPolicy", "{\"Name\": \"always\", \"MaximumRetryCount\": 0}");
        expect(h, "NetworkMode", "null");
        expect(h, "PortBindings", "{\"80/tcp\": [{\"HostIp\": \"\", \"HostPort\": \"8080\"}]}");
        expect(j, "ExposedPorts", "{\"80/tcp\": {}}");
        expect(j, "NetworkingConfig", "null");
        json_decref(j);
}

static void test_namespace_modes(void **state) {
        static const struct {
                const char *ns, *key, *want;
        } cases[] = {
                { "\"netns\":{\"nsmode\":\"private\"}", "NetworkMode", "\"default\"" },
                { "\"netns\":{\"nsmode\":\"bridge\"}", "NetworkMode", "\"default\"" },
                { "\"netns\":{\"nsmode\":\"container\",\"value\":\"abc\"}", "NetworkMode", "\"container:abc\"" },
                { "\"netns\":{\"nsmode\":\"default\"}", "NetworkMode", "null" },
                { "\"pidns\":{\"nsmode\":\"container\",\"value\":\"r2\"}", "PidMode", "\"container:r2\"" },
                { "\"pidns\":{\"nsmode\":\"private\"}", "PidMode", "null" },
                { "\"ipcns\":{\"nsmode\":\"private\"}", "IpcMode", "\"private\"" },
                { "\"ipcns\":{\"nsmode\":\"shareable\"}", "IpcMode", "\"shareable\"" },
                { "\"ipcns\":{\"nsmode\":\"none\"}", "IpcMode", "\"none\"" },
                { "\"ipcns\":{\"nsmode\":\"container\",\"value\":\"x\"}", "IpcMode", "\"container:x\"" },
                { "\"utsns\":{\"nsmode\":\"private\"}", "UTSMode", "null" },
                { "\"cgroupns\":{\"nsmode\":\"host\"}", "CgroupnsMode", "\"host\"" },
                { "\"netns\":{\"nsmode\":\"bridge\"},\"Networks\":{\"mynet\":{\"aliases\":[\"web\"]}}", "NetworkMode",
                  "\"mynet\"" },
        };
        (void) state;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *body = NULL;
                assert_true(asprintf(&body, "{\"image\":\"i\",%s}", cases[i].ns) > 0);
                json_t *j = convert(body);
                expect(json_object_get(j, "HostConfig"), cases[i].key, cases[i].want);
                json_decref(j);
        }
        json_t *j = convert("{\"image\":\"i\",\"netns\":{\"nsmode\":\"bridge\"},\"Networks\":{\"mynet\":{\"aliases\":[\"web\"]}}}");
        expect(j, "NetworkingConfig", "{\"EndpointsConfig\": {\"mynet\": {\"Aliases\": [\"web\"]}}}");
        json_decref(j);
}

static void test_devices_signals_volumes(void **state) {
        json_t *j = convert("{\"image\":\"i\",\"devices\":[{\"path\":\"/dev/null\"},{\"path\":\"/dev/zero:r\"},"
                            "{\"path\":\"/dev/a:/dev/b\"}],\"stop_signal\":35,\"volumes\":[{\"Name\":\"\",\"Dest\":\"/anon\","
                            "\"IsAnonymous\":true},{\"Name\":\"v\",\"Dest\":\"/v\",\"Options\":[\"ro\",\"nocopy\"]},"
                            "{\"Name\":\"w\",\"Dest\":\"/w\"}],\"r_limits\":[{\"type\":\"RLIMIT_NPROC\",\"hard\":5,\"soft\":4}],"
                            "\"mounts\":[{\"destination\":\"/b\",\"type\":\"bind\",\"source\":\"/s\","
                            "\"options\":[\"bind\",\"rshared\",\"nosuid\"]}],\"expose\":{\"53\":\"tcp,udp\"},"
                            "\"portmappings\":[{\"host_ip\":\"127.0.0.1\",\"container_port\":80,\"host_port\":0,"
                            "\"range\":2,\"protocol\":\"udp\"}],\"resource_limits\":{\"memory\":{\"swappiness\":10,"
                            "\"disableOOMKiller\":true}},\"log_configuration\":{\"driver\":\"k8s-file\","
                            "\"options\":{\"max-size\":\"1m\"}},\"seccomp_profile_path\":\"unconfined\","
                            "\"apparmor_profile\":\"p\",\"selinux_opts\":[\"disable\"],\"IMAGE\":\"ignored\"}");
        json_t *h = json_object_get(j, "HostConfig");
        (void) state;

        expect(j, "Image", "\"i\"");
        expect(h, "Devices", "[{\"PathOnHost\": \"/dev/null\", \"PathInContainer\": \"/dev/null\", \"CgroupPermissions\": \"rwm\"},"
                             " {\"PathOnHost\": \"/dev/zero\", \"PathInContainer\": \"/dev/zero\", \"CgroupPermissions\": \"r\"},"
                             " {\"PathOnHost\": \"/dev/a\", \"PathInContainer\": \"/dev/b\", \"CgroupPermissions\": \"rwm\"}]");
        expect(j, "StopSignal", "\"SIGRTMIN+1\"");
        expect(j, "Volumes", "{\"/anon\": {}}");
        expect(h, "Binds", "[\"v:/v:ro,nocopy\", \"w:/w\"]");
        expect(h, "Ulimits", "[{\"Name\": \"nproc\", \"Hard\": 5, \"Soft\": 4}]");
        expect(h, "Mounts", "[{\"Type\": \"bind\", \"Target\": \"/b\", \"Source\": \"/s\","
                            " \"BindOptions\": {\"NonRecursive\": true, \"Propagation\": \"rshared\"}}]");
        expect(j, "ExposedPorts", "{\"80/udp\": {}, \"81/udp\": {}, \"53/tcp\": {}, \"53/udp\": {}}");
        expect(h, "PortBindings", "{\"80/udp\": [{\"HostIp\": \"127.0.0.1\", \"HostPort\": \"\"}],"
                                  " \"81/udp\": [{\"HostIp\": \"127.0.0.1\", \"HostPort\": \"\"}]}");
        expect(h, "MemorySwappiness", "10");
        expect(h, "OomKillDisable", "true");
        expect(h, "LogConfig", "{\"Type\": \"k8s-file\", \"Config\": {\"max-size\": \"1m\"}}");
        expect(h, "SecurityOpt", "[\"seccomp=unconfined\", \"apparmor=p\", \"label=disable\"]");
        json_decref(j);

        /* Go's decoder matches keys case-insensitively when no exact key exists */
        j = convert("{\"Image\":\"x\",\"Command\":[\"true\"],\"STOP_SIGNAL\":15,\"cpu_period\":1000,\"cpu_quota\":500}");
        expect(j, "Image", "\"x\"");
        expect(j, "Cmd", "[\"true\"]");
        expect(j, "StopSignal", "\"SIGTERM\"");
        expect(json_object_get(j, "HostConfig"), "CpuPeriod", "1000");
        expect(json_object_get(j, "HostConfig"), "CpuQuota", "500");
        json_decref(j);
}

static void test_errors(void **state) {
        static const struct {
                const char *body, *message;
        } cases[] = {
                { "{\"image\":", "invalid JSON in the create body: unexpected token near end of file" },
                { "[]", "the create body must be a JSON object" },
                { "{}", "image is required" },
                { "{\"image\":\"\"}", "image is required" },
                { "{\"image\":7}", "\"image\" must be a string" },
                { "{\"image\":\"i\",\"command\":\"ls\"}", "\"command\" must be an array of strings" },
                { "{\"image\":\"i\",\"entrypoint\":[1]}", "\"entrypoint\" must be an array of strings" },
                { "{\"image\":\"i\",\"terminal\":1}", "\"terminal\" must be a boolean" },
                { "{\"image\":\"i\",\"labels\":{\"a\":1}}", "\"labels\" must be an object of strings" },
                { "{\"image\":\"i\",\"stop_timeout\":\"7\"}", "\"stop_timeout\" must be an integer" },
                { "{\"image\":\"i\",\"env\":[\"A=B\"]}", "\"env\" must be an object of strings" },
                { "{\"image\":\"i\",\"stop_signal\":\"TERM\"}", "\"stop_signal\" must be a signal number" },
                { "{\"image\":\"i\",\"stop_signal\":0}", "\"stop_signal\" must be a signal number" },
                { "{\"image\":\"i\",\"stop_signal\":32}", "\"stop_signal\" must be a signal number" },
                { "{\"image\":\"i\",\"stop_signal\":65}", "\"stop_signal\" must be a signal number" },
                { "{\"image\":\"i\",\"portmappings\":[{\"container_port\":80,\"host_port\":65535,\"range\":2}]}",
                  "\"portmappings[0]\" must hold ports between 1 and 65535" },
                { "{\"image\":\"i\",\"no_new_privileges\":\"yes\"}", "\"no_new_privileges\" must be a boolean" },
                { "{\"image\":\"i\",\"seccomp_profile_path\":1}", "\"seccomp_profile_path\" must be a string" },
                { "{\"image\":\"i\",\"netns\":\"host\"}", "\"netns\" must be an object" },
                { "{\"image\":\"i\",\"netns\":{\"nsmode\":1}}", "\"netns.nsmode\" must be a string" },
                { "{\"image\":\"i\",\"pidns\":{\"nsmode\":\"container\",\"value\":2}}", "\"pidns.value\" must be a string" },
                { "{\"image\":\"i\",\"netns\":{\"nsmode\":\"container\"}}", "\"netns.value\" must name a container" },
                { "{\"image\":\"i\",\"netns\":{\"nsmode\":\"path\",\"value\":\"/x\"}}", "\"netns.nsmode\" \"path\" is not supported" },
                { "{\"image\":\"i\",\"utsns\":{\"nsmode\":\"container\",\"value\":\"c\"}}", "\"utsns.nsmode\" \"container\" is not supported" },
                { "{\"image\":\"i\",\"pidns\":{\"nsmode\":\"none\"}}", "\"pidns.nsmode\" \"none\" is not supported" },
                { "{\"image\":\"i\",\"Networks\":[]}", "\"Networks\" must be an object" },
                { "{\"image\":\"i\",\"netns\":{\"nsmode\":\"bridge\"},\"Networks\":{\"n\":{\"aliases\":\"a\"}}}",
                  "\"Networks.n.aliases\" must be an array of strings" },
                { "{\"image\":\"i\",\"portmappings\":{}}", "\"portmappings\" must be an array" },
                { "{\"image\":\"i\",\"portmappings\":[1]}", "\"portmappings[0]\" must be an object" },
                { "{\"image\":\"i\",\"portmappings\":[{\"container_port\":\"80\"}]}",
                  "\"portmappings[0].container_port\" must be an integer" },
                { "{\"image\":\"i\",\"portmappings\":[{\"container_port\":0}]}",
                  "\"portmappings[0]\" must hold ports between 1 and 65535" },
                { "{\"image\":\"i\",\"expose\":{\"80\":1}}", "\"expose\" must be an object of strings" },
                { "{\"image\":\"i\",\"cpu_period\":\"1\"}", "\"cpu_period\" must be an integer" },
                { "{\"image\":\"i\",\"cpu_quota\":true}", "\"cpu_quota\" must be an integer" },
                { "{\"image\":\"i\",\"resource_limits\":[]}", "\"resource_limits\" must be an object" },
                { "{\"image\":\"i\",\"resource_limits\":{\"memory\":5}}", "\"resource_limits.memory\" must be an object" },
                { "{\"image\":\"i\",\"resource_limits\":{\"memory\":{\"limit\":\"1g\"}}}",
                  "\"resource_limits.memory.limit\" must be an integer" },
                { "{\"image\":\"i\",\"resource_limits\":{\"cpu\":{\"cpus\":0}}}", "\"resource_limits.cpu.cpus\" must be a string" },
                { "{\"image\":\"i\",\"r_limits\":{}}", "\"r_limits\" must be an array" },
                { "{\"image\":\"i\",\"r_limits\":[\"nofile\"]}", "\"r_limits[0]\" must be an object" },
                { "{\"image\":\"i\",\"r_limits\":[{\"type\":\"nofile\",\"hard\":\"1\"}]}", "\"r_limits[0].hard\" must be an integer" },
                { "{\"image\":\"i\",\"r_limits\":[{\"hard\":1,\"soft\":1}]}", "\"r_limits[0].type\" is required" },
                { "{\"image\":\"i\",\"restart_policy\":1}", "\"restart_policy\" must be a string" },
                { "{\"image\":\"i\",\"restart_tries\":\"3\"}", "\"restart_tries\" must be an integer" },
                { "{\"image\":\"i\",\"devices\":{}}", "\"devices\" must be an array" },
                { "{\"image\":\"i\",\"devices\":[\"/dev/null\"]}", "\"devices[0]\" must be an object" },
                { "{\"image\":\"i\",\"devices\":[{\"path\":\"null\"}]}", "\"devices[0].path\" must be an absolute path" },
                { "{\"image\":\"i\",\"devices\":[{\"path\":\"/dev/a:b\"}]}",
                  "\"devices[0].path\": invalid device \"/dev/a:b\", expected HOST[:CONTAINER][:PERMISSIONS]" },
                { "{\"image\":\"i\",\"devices\":[{\"path\":\"/dev/a:/dev/b:rwx\"}]}",
                  "\"devices[0].path\": invalid device \"/dev/a:/dev/b:rwx\", expected HOST[:CONTAINER][:PERMISSIONS]" },
                { "{\"image\":\"i\",\"healthconfig\":[]}", "\"healthconfig\" must be an object" },
                { "{\"image\":\"i\",\"healthconfig\":{\"Test\":\"true\"}}", "\"healthconfig.Test\" must be an array of strings" },
                { "{\"image\":\"i\",\"healthconfig\":{\"Interval\":\"10s\"}}", "\"healthconfig.Interval\" must be an integer" },
                { "{\"image\":\"i\",\"log_configuration\":1}", "\"log_configuration\" must be an object" },
                { "{\"image\":\"i\",\"log_configuration\":{\"driver\":1}}", "\"log_configuration.driver\" must be a string" },
                { "{\"image\":\"i\",\"log_configuration\":{\"options\":{\"a\":1}}}",
                  "\"log_configuration.options\" must be an object of strings" },
                { "{\"image\":\"i\",\"mounts\":{}}", "\"mounts\" must be an array" },
                { "{\"image\":\"i\",\"mounts\":[1]}", "\"mounts[0]\" must be an object" },
                { "{\"image\":\"i\",\"mounts\":[{\"destination\":1}]}", "\"mounts[0].destination\" must be a string" },
                { "{\"image\":\"i\",\"mounts\":[{\"destination\":\"/a\",\"options\":\"ro\"}]}",
                  "\"mounts[0].options\" must be an array of strings" },
                { "{\"image\":\"i\",\"mounts\":[{\"destination\":\"a\",\"type\":\"tmpfs\"}]}",
                  "\"mounts[0].destination\" must be an absolute path" },
                { "{\"image\":\"i\",\"mounts\":[{\"destination\":\"/a\",\"type\":\"devpts\"}]}",
                  "\"mounts[0].type\" \"devpts\" is not supported (bind and tmpfs are)" },
                { "{\"image\":\"i\",\"mounts\":[{\"destination\":\"/a\",\"type\":\"bind\",\"source\":\"rel\"}]}",
                  "\"mounts[0].source\" must be an absolute path" },
                { "{\"image\":\"i\",\"mounts\":[{\"destination\":\"/a\",\"type\":\"tmpfs\",\"options\":[\"size=50%\"]}]}",
                  "\"mounts[0].options\": invalid tmpfs size \"50%\"" },
                { "{\"image\":\"i\",\"mounts\":[{\"destination\":\"/a\",\"type\":\"tmpfs\",\"options\":[\"mode=9\"]}]}",
                  "\"mounts[0].options\": invalid tmpfs mode \"9\"" },
                { "{\"image\":\"i\",\"volumes\":{}}", "\"volumes\" must be an array" },
                { "{\"image\":\"i\",\"volumes\":[null]}", "\"volumes[0]\" must be an object" },
                { "{\"image\":\"i\",\"volumes\":[{\"Name\":1}]}", "\"volumes[0].Name\" must be a string" },
                { "{\"image\":\"i\",\"volumes\":[{\"Name\":\"v\",\"Dest\":\"/d\",\"Options\":[1]}]}",
                  "\"volumes[0].Options\" must be an array of strings" },
                { "{\"image\":\"i\",\"volumes\":[{\"Name\":\"v\",\"Dest\":\"/d\",\"IsAnonymous\":1}]}",
                  "\"volumes[0].IsAnonymous\" must be a boolean" },
                { "{\"image\":\"i\",\"volumes\":[{\"Name\":\"v\",\"Dest\":\"d\"}]}", "\"volumes[0].Dest\" must be an absolute path" },
                { "{\"image\":\"i\",\"overlay_volumes\":[{\"destination\":\"/o\"}]}", "\"overlay_volumes\" is not supported" },
                { "{\"image\":\"i\",\"image_volumes\":[{\"Destination\":\"/o\"}]}", "\"image_volumes\" is not supported" },
                { "{\"image\":\"i\",\"volumes_from\":[\"c\"]}", "\"volumes_from\" is not supported" },
                { "{\"image\":\"i\",\"apparmor_profile\":[]}", "\"apparmor_profile\" must be a string" },
                { "{\"image\":\"i\",\"selinux_opts\":\"x\"}", "\"selinux_opts\" must be an array of strings" },
        };
        (void) state;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                expect_error(cases[i].body, cases[i].message);
        expect_error("", "invalid JSON in the create body: '[' or '{' expected near end of file");
}

static void test_null_means_absent(void **state) {
        json_t *j = convert("{\"image\":\"i\",\"command\":null,\"env\":null,\"netns\":null,\"Networks\":null,"
                            "\"mounts\":null,\"resource_limits\":null,\"stop_signal\":null}");
        (void) state;

        expect(j, "Cmd", "null");
        expect(j, "Env", "null");
        expect(json_object_get(j, "HostConfig"), "NetworkMode", "null");
        expect(json_object_get(j, "HostConfig"), "Mounts", "null");
        json_decref(j);
}

static void test_name(void **state) {
        (void) state;
        char *n = specgen_name(FIXTURE_FULL, strlen(FIXTURE_FULL));
        assert_string_equal(n, "full");
        free(n);
        assert_null(specgen_name("{\"image\":\"i\"}", 13));
        assert_null(specgen_name("{\"name\":\"\"}", 11));
        assert_null(specgen_name("{\"name\":5}", 10));
        assert_null(specgen_name("not json", 8));
        assert_null(specgen_name(NULL, 0));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_full_body),
                cmocka_unit_test(test_host_namespaces_body),
                cmocka_unit_test(test_dns_ports_seccomp_body),
                cmocka_unit_test(test_namespace_modes),
                cmocka_unit_test(test_devices_signals_volumes),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_null_means_absent),
                cmocka_unit_test(test_name),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
