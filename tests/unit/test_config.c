/* Config file parsing and its layering under the daemon's flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "berth/config.h"
#include "options.h"

static void test_file_keys(void **state) {
        berth_config c;
        berth_error err;
        (void) state;

        berth_config_init(&c);
        assert_int_equal(berth_config_load_string(&c,
                                                  "{\"socket\":\"/s\",\"root\":\"/r\",\"runroot\":\"/rr\","
                                                  "\"runtime\":\"crun\",\"insecure-registry\":[\"a:5000\",\"b\"],"
                                                  "\"idle-timeout\":7,\"log-level\":\"debug\","
                                                  "\"cgroup-manager\":\"systemd\"}",
                                                  "test", &err),
                         0);
        assert_string_equal(c.socket_path, "/s");
        assert_string_equal(c.root, "/r");
        assert_string_equal(c.runroot, "/rr");
        assert_string_equal(c.runtime, "crun");
        assert_string_equal(c.insecure_registries[0], "a:5000");
        assert_string_equal(c.insecure_registries[1], "b");
        assert_null(c.insecure_registries[2]);
        assert_int_equal(c.idle_timeout, 7);
        assert_int_equal(c.log_level, BERTH_LOG_DEBUG);
        assert_string_equal(c.cgroup_manager, "systemd");
        berth_config_done(&c);
}

static void expect_error(const char *json, const char *needle) {
        berth_config c;
        berth_error err;
        berth_config_init(&c);
        assert_int_equal(berth_config_load_string(&c, json, "f.json", &err), -EINVAL);
        if (!strstr(err.message, needle))
                fail_msg("message '%s' lacks '%s'", err.message, needle);
        berth_config_done(&c);
}

static void test_file_errors(void **state) {
        (void) state;
        expect_error("{\"sockett\":\"/s\"}", "unknown key \"sockett\"");
        expect_error("{\"root\":5}", "\"root\" must be a non-empty string");
        expect_error("{\"root\":\"\"}", "\"root\" must be a non-empty string");
        expect_error("{\"idle-timeout\":\"5\"}", "\"idle-timeout\" must be a whole number");
        expect_error("{\"idle-timeout\":-1}", "\"idle-timeout\" must be a whole number");
        expect_error("{\"insecure-registry\":\"a\"}", "must be an array of strings");
        expect_error("{\"insecure-registry\":[1]}", "\"insecure-registry\"[0]");
        expect_error("{\"log-level\":\"loud\"}", "\"log-level\" must be one of");
        expect_error("{\"cgroup-manager\":\"cgroupv1\"}", "\"cgroup-manager\" must be \"cgroupfs\" or \"systemd\"");
        expect_error("{\"cgroup-manager\":1}", "\"cgroup-manager\" must be");
        expect_error("[1,2]", "must be a JSON object");
        expect_error("{\"root\":", "f.json: invalid JSON at line 1");
        expect_error("{\"root\":\"/a\",\"root\":\"/b\"}", "invalid JSON");
}

static int parse(struct options *o, berth_error *err, ...) {
        char *argv[16] = { (char *) "berthd" };
        int argc = 1;
        va_list ap;
        va_start(ap, err);
        for (char *a; (a = va_arg(ap, char *));)
                argv[argc++] = a;
        va_end(ap);
        return options_parse(argc, argv, o, err);
}

static void test_flags_over_file(void **state) {
        char path[] = "/tmp/berth-test-config-XXXXXX";
        int fd = mkstemp(path);
        const char *json = "{\"root\":\"/from-file\",\"socket\":\"/file.sock\",\"insecure-registry\":[\"f:1\"]}";
        struct options o;
        berth_config c;
        berth_error err;
        (void) state;

        assert_true(fd >= 0);
        assert_int_equal(write(fd, json, strlen(json)), (ssize_t) strlen(json));
        close(fd);
        assert_int_equal(parse(&o, &err, "--config", path, "--root", "/from-flag", "--insecure-registry", "x:2",
                               "--idle-timeout", "3", NULL),
                         0);
        assert_int_equal(options_resolve(&o, &c, &err), 0);
        assert_string_equal(c.root, "/from-flag");
        assert_string_equal(c.socket_path, "/file.sock");
        assert_string_equal(c.runroot, BERTH_DEFAULT_RUNROOT);
        assert_string_equal(c.insecure_registries[0], "x:2");
        assert_string_equal(c.insecure_registries[1], "f:1");
        assert_int_equal(c.idle_timeout, 3);
        assert_int_equal(c.log_level, BERTH_LOG_INFO);
        assert_string_equal(c.cgroup_manager, "cgroupfs");
        berth_config_done(&c);
        options_done(&o);
        unlink(path);
}

static void test_flag_errors(void **state) {
        struct options o;
        berth_error err;
        (void) state;

        assert_int_equal(parse(&o, &err, "--bogus", NULL), -EINVAL);
        assert_non_null(strstr(err.message, "unknown option --bogus"));
        options_done(&o);
        assert_int_equal(parse(&o, &err, "--root", NULL), -EINVAL);
        assert_non_null(strstr(err.message, "needs a value"));
        options_done(&o);
        assert_int_equal(parse(&o, &err, "--idle-timeout", "soon", NULL), -EINVAL);
        assert_non_null(strstr(err.message, "'soon' is not a number of seconds"));
        options_done(&o);
        assert_int_equal(parse(&o, &err, "--log-level", "loud", NULL), -EINVAL);
        options_done(&o);
        assert_int_equal(parse(&o, &err, "--cgroup-manager", "sysd", NULL), -EINVAL);
        assert_non_null(strstr(err.message, "'sysd' is not cgroupfs or systemd"));
        options_done(&o);
        assert_int_equal(parse(&o, &err, "--cgroup-manager", "systemd", NULL), 0);
        assert_string_equal(o.config.cgroup_manager, "systemd");
        options_done(&o);
        assert_int_equal(parse(&o, &err, "extra", NULL), -EINVAL);
        assert_non_null(strstr(err.message, "unexpected argument 'extra'"));
        options_done(&o);

        assert_int_equal(parse(&o, &err, "--config", "/nonexistent/berth.json", NULL), 0);
        berth_config c;
        assert_int_equal(options_resolve(&o, &c, &err), -ENOENT);
        assert_non_null(strstr(err.message, "/nonexistent/berth.json"));
        options_done(&o);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_file_keys), cmocka_unit_test(test_file_errors),
                cmocka_unit_test(test_flags_over_file), cmocka_unit_test(test_flag_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
