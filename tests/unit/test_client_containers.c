/* The pure parts of berth's container verbs: run/create flags -> SpecGenerator JSON,
 * sizes, signals and durations, the start-error exit statuses, the 8-byte frame demuxer
 * and the detach-key matcher. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach-session.h"
#include "container-create.h"

/* Parses a NULL-terminated argv as `berth run ...`. */
static int parse(struct create_flags *f, berth_error *err, const char *const *args) {
        char *argv[64];
        int argc = 0;

        argv[argc++] = (char *) "run";
        while (args[argc - 1])
                argv[argc] = (char *) args[argc - 1], argc++;
        argv[argc] = NULL;
        optind = 0;
        return create_flags_parse(argc, argv, true, f, err);
}

#define PARSE(f, err, ...) parse(f, err, (const char *const[]) { __VA_ARGS__, NULL })

static void assert_json(const json_t *v, const char *want) {
        json_t *w = json_loads(want, JSON_DECODE_ANY, NULL);

        assert_non_null(w);
        if (!json_equal((json_t *) v, w)) {
                char *got = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
                fail_msg("got %s, want %s", got, want);
        }
        json_decref(w);
}

static void test_basic_spec(void **state) {
        struct create_flags f;
        berth_error err = { 0 };

        (void) state;
        setenv("BERTH_TEST_FROM_ENV", "yes", 1);
        assert_int_equal(PARSE(&f, &err, "-d", "--rm", "--name", "web", "-e", "A=1", "-e", "BERTH_TEST_FROM_ENV",
                               "-e", "BERTH_TEST_UNSET_X", "-l", "k=v", "-l", "flag", "-u", "1000:1000", "-w", "/srv",
                               "-h", "box", "--entrypoint", "[\"/bin/sh\",\"-c\"]", "busybox", "ls", "-l", "/"),
                         0);
        assert_true(f.detach);
        assert_true(f.rm);
        assert_string_equal(f.image, "busybox");
        assert_json(f.spec, "{\"remove\":true,\"name\":\"web\",\"env\":{\"A\":\"1\",\"BERTH_TEST_FROM_ENV\":\"yes\"},"
                            "\"labels\":{\"k\":\"v\",\"flag\":\"\"},\"user\":\"1000:1000\",\"work_dir\":\"/srv\","
                            "\"hostname\":\"box\",\"entrypoint\":[\"/bin/sh\",\"-c\"],\"image\":\"busybox\","
                            "\"command\":[\"ls\",\"-l\",\"/\"]}");
        /* Without -a: stdout and stderr, stdin only with -i. */
        assert_true(f.attach_stdout && f.attach_stderr);
        assert_false(f.attach_stdin);
        assert_true(f.sig_proxy);
        assert_string_equal(f.pull, "missing");
        create_flags_done(&f);
}

static void test_resources_spec(void **state) {
        struct create_flags f;
        berth_error err = { 0 };

        (void) state;
        assert_int_equal(PARSE(&f, &err, "-m", "512m", "--memory-swap", "-1", "--cpus", "1.5", "--cpu-shares", "512",
                               "--cpuset-cpus", "0-1", "--pids-limit", "100", "--blkio-weight", "300", "--ulimit",
                               "nofile=1024:2048", "--ulimit", "RLIMIT_NPROC=50", "--shm-size", "1g", "--stop-signal",
                               "SIGUSR1", "--stop-timeout", "3", "--restart", "on-failure:4", "--init", "busybox"),
                         0);
        assert_json(f.spec,
                    "{\"resource_limits\":{\"memory\":{\"limit\":536870912,\"swap\":-1},"
                    "\"cpu\":{\"period\":100000,\"quota\":150000,\"shares\":512,\"cpus\":\"0-1\"},"
                    "\"pids\":{\"limit\":100},\"blockIO\":{\"weight\":300}},"
                    "\"r_limits\":[{\"type\":\"nofile\",\"soft\":1024,\"hard\":2048},"
                    "{\"type\":\"nproc\",\"soft\":50,\"hard\":50}],\"shm_size\":1073741824,"
                    "\"stop_signal\":10,\"stop_timeout\":3,\"restart_policy\":\"on-failure\",\"restart_tries\":4,"
                    "\"init\":true,\"image\":\"busybox\"}");
        create_flags_done(&f);
}

static void test_security_and_namespaces(void **state) {
        struct create_flags f;
        berth_error err = { 0 };

        (void) state;
        assert_int_equal(PARSE(&f, &err, "--cap-add", "NET_ADMIN", "--cap-drop", "ALL", "--privileged", "--read-only",
                               "--security-opt", "no-new-privileges", "--security-opt", "seccomp=unconfined",
                               "--network", "container:abc", "--pid", "host", "--ipc", "private", "--uts", "host",
                               "--add-host", "db:10.0.0.2", "--dns", "1.1.1.1", "--dns-search", "example.com",
                               "--dns-option", "ndots:2", "--device", "/dev/fuse", "--group-add", "wheel", "--health-cmd",
                               "true", "-it", "busybox"),
                         0);
        assert_json(f.spec,
                    "{\"cap_add\":[\"NET_ADMIN\"],\"cap_drop\":[\"ALL\"],\"privileged\":true,"
                    "\"read_only_filesystem\":true,\"no_new_privileges\":true,\"seccomp_profile_path\":\"unconfined\","
                    "\"netns\":{\"nsmode\":\"container\",\"value\":\"abc\"},\"pidns\":{\"nsmode\":\"host\"},"
                    "\"ipcns\":{\"nsmode\":\"private\"},\"utsns\":{\"nsmode\":\"host\"},\"hostadd\":[\"db:10.0.0.2\"],"
                    "\"dns_server\":[\"1.1.1.1\"],\"dns_search\":[\"example.com\"],\"dns_option\":[\"ndots:2\"],"
                    "\"devices\":[{\"path\":\"/dev/fuse\"}],\"groups\":[\"wheel\"],"
                    "\"healthconfig\":{\"Test\":[\"CMD-SHELL\",\"true\"],\"Interval\":30000000000,"
                    "\"Timeout\":30000000000,\"StartPeriod\":0,\"Retries\":3},"
                    "\"stdin\":true,\"terminal\":true,\"image\":\"busybox\"}");
        assert_true(f.tty && f.interactive && f.attach_stdin);
        create_flags_done(&f);
        assert_int_equal(PARSE(&f, &err, "--network", "none", "busybox"), 0);
        assert_json(json_object_get(f.spec, "netns"), "{\"nsmode\":\"none\"}");
        create_flags_done(&f);
        assert_int_equal(PARSE(&f, &err, "--network", "mynet", "busybox"), 0);
        assert_json(json_object_get(f.spec, "netns"), "{\"nsmode\":\"bridge\"}");
        assert_json(json_object_get(f.spec, "Networks"), "{\"mynet\":{}}");
        create_flags_done(&f);
}

static void test_mounts(void **state) {
        struct create_flags f;
        berth_error err = { 0 };

        (void) state;
        assert_int_equal(PARSE(&f, &err, "-v", "/host:/ctr:ro", "-v", "named:/data", "-v", "/anon", "--tmpfs",
                               "/run:size=1m", "--mount", "type=bind,source=/a,target=/b,readonly", "--mount",
                               "type=volume,source=v2,target=/v2", "busybox"),
                         0);
        assert_json(json_object_get(f.spec, "mounts"),
                    "[{\"destination\":\"/ctr\",\"type\":\"bind\",\"source\":\"/host\",\"options\":[\"ro\",\"rbind\"]},"
                    "{\"destination\":\"/run\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"size=1m\"]},"
                    "{\"destination\":\"/b\",\"type\":\"bind\",\"source\":\"/a\",\"options\":[\"ro\",\"rbind\"]}]");
        assert_json(json_object_get(f.spec, "volumes"),
                    "[{\"Name\":\"named\",\"Dest\":\"/data\",\"Options\":[]},"
                    "{\"Name\":\"\",\"Dest\":\"/anon\",\"Options\":[]},"
                    "{\"Name\":\"v2\",\"Dest\":\"/v2\",\"Options\":[]}]");
        create_flags_done(&f);
}

static void expect_error(const char *want, const char *const *args) {
        struct create_flags f;
        berth_error err = { 0 };
        int r = parse(&f, &err, args);

        assert_int_equal(r, -EINVAL);
        assert_string_equal(err.message, want);
        create_flags_done(&f);
}

#define EXPECT_ERROR(want, ...) expect_error(want, (const char *const[]) { __VA_ARGS__, NULL })

static void test_flag_errors(void **state) {
        (void) state;
        EXPECT_ERROR("requires at least 1 arg(s), only received 0", "--rm");
        EXPECT_ERROR("invalid argument \"lots\" for \"--memory\" flag: expected a size such as 512m or 1g", "-m", "lots",
                     "busybox");
        EXPECT_ERROR("invalid argument \"sometimes\" for \"--restart\" flag: expected no, always, on-failure[:N] or "
                     "unless-stopped", "--restart", "sometimes", "busybox");
        EXPECT_ERROR("invalid argument \"always:3\" for \"--restart\" flag: only on-failure takes a retry count",
                     "--restart", "always:3", "busybox");
        EXPECT_ERROR("invalid argument \"nofile=9:1\" for \"--ulimit\" flag: the soft limit must be a number not above "
                     "the hard one", "--ulimit", "nofile=9:1", "busybox");
        EXPECT_ERROR("invalid stream \"stdio\" for --attach - must be one of stdin, stdout, or stderr", "-a", "stdio",
                     "busybox");
        EXPECT_ERROR("invalid argument \"sometimes\" for \"--pull\" flag: expected missing, always, never or newer",
                     "--pull", "sometimes", "busybox");
        EXPECT_ERROR("invalid argument \"/h:rel\" for \"--volume\" flag: the container path must be absolute", "-v",
                     "/h:rel", "busybox");
        EXPECT_ERROR("invalid argument \"container:\" for \"--network\" flag: expected host, private, container:ID or "
                     "ns:PATH", "--network", "container:", "busybox");
        EXPECT_ERROR("invalid argument \"SIGNOPE\" for \"--stop-signal\" flag: unknown signal", "--stop-signal",
                     "SIGNOPE", "busybox");
        EXPECT_ERROR("-d and -a cannot be used together", "-d", "-a", "stdout", "busybox");
        EXPECT_ERROR("unknown flag: --bogus", "--bogus", "busybox");
        EXPECT_ERROR("invalid argument \"2000\" for \"--blkio-weight\" flag: must be between 10 and 1000",
                     "--blkio-weight", "2000", "busybox");
}

static void test_attach_and_client_flags(void **state) {
        struct create_flags f;
        berth_error err = { 0 };

        (void) state;
        assert_int_equal(PARSE(&f, &err, "-a", "stdout", "--sig-proxy=false", "--detach-keys", "ctrl-x",
                               "--pull", "never", "busybox"), 0);
        assert_true(f.attach_set && f.attach_stdout);
        assert_false(f.attach_stderr || f.attach_stdin || f.sig_proxy);
        assert_string_equal(f.detach_keys, "ctrl-x");
        assert_string_equal(f.pull, "never");
        /* None of them reach the server. */
        assert_json(f.spec, "{\"image\":\"busybox\"}");
        create_flags_done(&f);
        /* --help stops the parse. */
        assert_int_equal(PARSE(&f, &err, "--help"), 1);
        create_flags_done(&f);
}

static void test_units(void **state) {
        int64_t v;

        (void) state;
        assert_int_equal(parse_bytes("1024", &v), 0), assert_int_equal(v, 1024);
        assert_int_equal(parse_bytes("100k", &v), 0), assert_int_equal(v, 102400);
        assert_int_equal(parse_bytes("1.5g", &v), 0), assert_int_equal(v, 1610612736);
        assert_int_equal(parse_bytes("64MB", &v), 0), assert_int_equal(v, 64 << 20);
        assert_int_equal(parse_bytes("12q", &v), -EINVAL);
        assert_int_equal(parse_bytes("", &v), -EINVAL);
        assert_int_equal(parse_bytes("-5", &v), -EINVAL);
        assert_int_equal(parse_signal("SIGKILL"), SIGKILL);
        assert_int_equal(parse_signal("term"), SIGTERM);
        assert_int_equal(parse_signal("9"), 9);
        assert_int_equal(parse_signal("0"), -EINVAL);
        assert_int_equal(parse_signal("SIGBOGUS"), -EINVAL);
        assert_int_equal(parse_duration_ns("30s", &v), 0), assert_int_equal(v, 30000000000LL);
        assert_int_equal(parse_duration_ns("1m30s", &v), 0), assert_int_equal(v, 90000000000LL);
        assert_int_equal(parse_duration_ns("500ms", &v), 0), assert_int_equal(v, 500000000LL);
        assert_int_equal(parse_duration_ns("5x", &v), -EINVAL);
}

static void test_start_error_status(void **state) {
        (void) state;
        assert_int_equal(create_start_error_status("runc create failed: unable to start container process: exec: "
                                                   "\"x\": executable file not found in $PATH"), 127);
        assert_int_equal(create_start_error_status("exec: \"/nope\": stat /nope: no such file or directory"), 127);
        assert_int_equal(create_start_error_status("exec: \"/etc\": permission denied"), 126);
        assert_int_equal(create_start_error_status("exec: \"/etc\": is a directory"), 126);
        assert_int_equal(create_start_error_status("cgroup limit exceeded"), 125);
        assert_int_equal(create_start_error_status(NULL), 125);
}

struct captured {
        char out[256], err[256];
        size_t out_len, err_len;
        int calls;
};

static int capture(void *userdata, int stream, const char *data, size_t len) {
        struct captured *c = userdata;

        c->calls++;
        if (stream == 2) {
                memcpy(c->err + c->err_len, data, len);
                c->err_len += len;
        } else {
                memcpy(c->out + c->out_len, data, len);
                c->out_len += len;
        }
        return 0;
}

static void test_frame_demux(void **state) {
        static const char stream[] = "\1\0\0\0\0\0\0\5hello\2\0\0\0\0\0\0\3err\1\0\0\0\0\0\0\0\1\0\0\0\0\0\0\1!";
        struct captured c = { 0 };
        struct frame_demux d = { 0 };

        (void) state;
        /* Byte by byte: heads and data split anywhere. */
        for (size_t i = 0; i < sizeof(stream) - 1; i++)
                assert_int_equal(frame_demux_feed(&d, stream + i, 1, capture, &c), 0);
        assert_true(frame_demux_idle(&d));
        assert_int_equal(c.out_len, 6);
        assert_memory_equal(c.out, "hello!", 6);
        assert_int_equal(c.err_len, 3);
        assert_memory_equal(c.err, "err", 3);
        /* All at once gives the same. */
        c = (struct captured) { 0 };
        d = (struct frame_demux) { 0 };
        assert_int_equal(frame_demux_feed(&d, stream, sizeof(stream) - 1, capture, &c), 0);
        assert_int_equal(c.out_len, 6);
        /* A partial frame is not idle. */
        assert_int_equal(frame_demux_feed(&d, "\1\0\0\0\0\0\0\4ab", 10, capture, &c), 0);
        assert_false(frame_demux_idle(&d));
        /* Not a frame head: a raw stream taken for a framed one. */
        d = (struct frame_demux) { 0 };
        assert_int_equal(frame_demux_feed(&d, "hello world", 11, capture, &c), -EBADMSG);
        d = (struct frame_demux) { 0 };
        assert_int_equal(frame_demux_feed(&d, "\7\0\0\0\0\0\0\1x", 9, capture, &c), -EBADMSG);
}

static void feed(struct detach_keys *k, const char *in, size_t len, const char *want_out, size_t want_len,
                 int want) {
        unsigned char out[64];
        size_t n = 99;

        assert_int_equal(detach_keys_feed(k, (const unsigned char *) in, len, out, &n), want);
        assert_int_equal(n, want_len);
        assert_memory_equal(out, want_out, want_len);
}

static void test_detach_keys(void **state) {
        struct detach_keys k;
        berth_error err = { 0 };

        (void) state;
        assert_int_equal(detach_keys_parse(DETACH_KEYS_DEFAULT, &k, &err), 0);
        assert_int_equal(k.n, 2);
        assert_int_equal(k.seq[0], 16);
        assert_int_equal(k.seq[1], 17);
        feed(&k, "ab", 2, "ab", 2, 0);
        /* ctrl-p is held back until it is known not to start the sequence... */
        feed(&k, "x\x10", 2, "x", 1, 0);
        feed(&k, "y", 1, "\x10y", 2, 0);
        /* ...and a sequence split across reads still detaches. */
        feed(&k, "\x10", 1, "", 0, 0);
        feed(&k, "\x11tail", 5, "", 0, 1);
        /* ctrl-p ctrl-p ctrl-q: the first is data, the second starts the match. */
        assert_int_equal(detach_keys_parse("ctrl-p,ctrl-q", &k, &err), 0);
        feed(&k, "\x10\x10\x11", 3, "\x10", 1, 1);
        assert_int_equal(detach_keys_parse("ctrl-a,x,ctrl-@,ctrl-_", &k, &err), 0);
        assert_int_equal(k.n, 4);
        assert_memory_equal(k.seq, "\x01x\x00\x1f", 4);
        /* "" turns detaching off: everything passes. */
        assert_int_equal(detach_keys_parse("", &k, &err), 0);
        feed(&k, "\x10\x11", 2, "\x10\x11", 2, 0);
        assert_int_equal(detach_keys_parse("ctrl-1", &k, &err), -EINVAL);
        assert_string_equal(err.message, "invalid detach keys \"ctrl-1\": expected comma-separated "
                                         "ctrl-<a-z@[\\]^_> or single characters");
        assert_int_equal(detach_keys_parse("ab", &k, &err), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_basic_spec),        cmocka_unit_test(test_resources_spec),
                cmocka_unit_test(test_security_and_namespaces), cmocka_unit_test(test_mounts),
                cmocka_unit_test(test_flag_errors),       cmocka_unit_test(test_attach_and_client_flags),
                cmocka_unit_test(test_units),             cmocka_unit_test(test_start_error_status),
                cmocka_unit_test(test_frame_demux),       cmocka_unit_test(test_detach_keys),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
