/* exec-spec.c: the OCI process of an exec session, derived from the container's running
 * process as Docker does (args, env merge, cwd, terminal, user, capabilities). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "exec-spec.h"

/* A container process as spec.c writes it: Tty container, no-new-privileges, rlimits. */
static const char *container_process_text =
        "{\"terminal\": true, \"user\": {\"uid\": 1000, \"gid\": 1000}, \"args\": [\"sleep\", \"100\"],"
        " \"env\": [\"PATH=/custom/bin\", \"HOSTNAME=myhost\", \"TERM=xterm\", \"FOO=container\"],"
        " \"cwd\": \"/work\", \"consoleSize\": {\"height\": 5, \"width\": 6},"
        " \"capabilities\": {\"bounding\": [\"CAP_CHOWN\"], \"effective\": [\"CAP_CHOWN\"], \"permitted\": [\"CAP_CHOWN\"]},"
        " \"noNewPrivileges\": true, \"oomScoreAdj\": 7,"
        " \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 100, \"soft\": 100}]}";
static const char *container_config =
        "{\"Env\": [\"PATH=/custom/bin\", \"FOO=container\", \"KEEP=1\"], \"WorkingDir\": \"/work\", \"Tty\": true}";

static json_t *build(const struct exec_spec_request *r, const char *config) {
        json_t *process = json_loads(container_process_text, 0, NULL), *out = NULL;
        berth_error err = { 0 };
        assert_non_null(process);
        if (exec_process_build(process, config, r, &out, &err) < 0)
                fail_msg("%s", err.message);
        json_decref(process);
        return out;
}

static const char *str_at(json_t *o, const char *key) {
        return json_string_value(json_object_get(o, key));
}

/* The env as one "A|B|C" string, easy to compare. */
static char *env_line(json_t *p) {
        static char buf[1024];
        size_t i;
        json_t *x;
        buf[0] = '\0';
        json_array_foreach (json_object_get(p, "env"), i, x) {
                if (i)
                        strcat(buf, "|");
                strcat(buf, json_string_value(x));
        }
        return buf;
}

static void test_defaults_follow_the_container(void **state) {
        (void) state;
        char *cmd[] = { "echo", "hi", NULL };
        struct exec_spec_request r = { .cmd = cmd };
        json_t *p = build(&r, container_config);

        assert_int_equal(json_array_size(json_object_get(p, "args")), 2);
        assert_string_equal(json_string_value(json_array_get(json_object_get(p, "args"), 0)), "echo");
        assert_string_equal(json_string_value(json_array_get(json_object_get(p, "args"), 1)), "hi");
        /* Docker: no TERM without an exec TTY, even in a TTY container. */
        assert_string_equal(env_line(p), "PATH=/custom/bin|HOSTNAME=myhost|FOO=container|KEEP=1");
        assert_string_equal(str_at(p, "cwd"), "/work");
        assert_false(json_is_true(json_object_get(p, "terminal")));
        assert_null(json_object_get(p, "consoleSize"));
        /* The container's user, capabilities, no-new-privileges, rlimits, oomScoreAdj. */
        assert_int_equal(json_integer_value(json_object_get(json_object_get(p, "user"), "uid")), 1000);
        assert_int_equal(json_array_size(json_object_get(json_object_get(p, "capabilities"), "bounding")), 1);
        assert_true(json_is_true(json_object_get(p, "noNewPrivileges")));
        assert_int_equal(json_integer_value(json_object_get(p, "oomScoreAdj")), 7);
        assert_int_equal(json_array_size(json_object_get(p, "rlimits")), 1);
        json_decref(p);
}

static void test_env_merge_and_tty(void **state) {
        (void) state;
        char *cmd[] = { "sh", NULL };
        char *env[] = { "FOO=exec", "NEW=2", "KEEP", "", NULL };
        struct exec_spec_request r = { .cmd = cmd, .env = env, .tty = true, .cwd = "/tmp" };
        json_t *p = build(&r, container_config);

        /* Exec Env replaces the container's, "K" alone unsets, TERM=xterm with a TTY. */
        assert_string_equal(env_line(p), "PATH=/custom/bin|HOSTNAME=myhost|TERM=xterm|FOO=exec|NEW=2");
        assert_true(json_is_true(json_object_get(p, "terminal")));
        assert_string_equal(str_at(p, "cwd"), "/tmp");
        json_decref(p);
}

static void test_default_path_and_root_cwd(void **state) {
        (void) state;
        char *cmd[] = { "true", NULL };
        struct exec_spec_request r = { .cmd = cmd };
        json_t *p = build(&r, "{\"Env\": null}");

        assert_string_equal(env_line(p),
                            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|HOSTNAME=myhost");
        assert_string_equal(str_at(p, "cwd"), "/");
        json_decref(p);
}

static void test_user_and_privileged(void **state) {
        (void) state;
        char *cmd[] = { "id", NULL };
        uint32_t gids[] = { 20, 30 };
        struct container_user u = { .uid = 5, .gid = 6, .additional_gids = gids, .n_additional_gids = 2 };
        char *caps[] = { "CAP_CHOWN", "CAP_SYS_ADMIN", NULL };
        struct exec_spec_request r = { .cmd = cmd, .user = &u, .caps = caps };
        json_t *p = build(&r, container_config), *user = json_object_get(p, "user");
        json_t *c = json_object_get(p, "capabilities");

        assert_int_equal(json_integer_value(json_object_get(user, "uid")), 5);
        assert_int_equal(json_integer_value(json_object_get(user, "gid")), 6);
        assert_int_equal(json_array_size(json_object_get(user, "additionalGids")), 2);
        assert_int_equal(json_integer_value(json_array_get(json_object_get(user, "additionalGids"), 1)), 30);
        for (const char *const *set = (const char *const[]) { "bounding", "effective", "permitted", NULL }; *set; set++) {
                assert_int_equal(json_array_size(json_object_get(c, *set)), 2);
                assert_string_equal(json_string_value(json_array_get(json_object_get(c, *set), 1)), "CAP_SYS_ADMIN");
        }
        /* --privileged does not lift the container's no-new-privileges (Docker neither). */
        assert_true(json_is_true(json_object_get(p, "noNewPrivileges")));
        json_decref(p);
}

static void test_errors(void **state) {
        (void) state;
        char *cmd[] = { "true", NULL }, *empty[] = { NULL };
        json_t *process = json_loads(container_process_text, 0, NULL), *out = NULL;
        berth_error err = { 0 };
        struct exec_spec_request r = { .cmd = empty };

        assert_int_equal(exec_process_build(process, container_config, &r, &out, &err), -EINVAL);
        assert_string_equal(err.message, "No exec command specified");
        r.cmd = NULL;
        assert_int_equal(exec_process_build(process, container_config, &r, &out, &err), -EINVAL);
        r.cmd = cmd;
        assert_int_equal(exec_process_build(NULL, container_config, &r, &out, &err), -EINVAL);
        assert_string_equal(err.message, "damaged container configuration: cannot derive the exec process");
        assert_int_equal(exec_process_build(process, "not json", &r, &out, &err), -EINVAL);
        json_t *array = json_array();
        assert_int_equal(exec_process_build(array, container_config, &r, &out, &err), -EINVAL);
        assert_null(out);
        json_decref(array);
        json_decref(process);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults_follow_the_container),
                cmocka_unit_test(test_env_merge_and_tty),
                cmocka_unit_test(test_default_path_and_root_cwd),
                cmocka_unit_test(test_user_and_privileged),
                cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
