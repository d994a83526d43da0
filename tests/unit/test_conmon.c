/* conmon.c: the command line conmon gets, and the sync pipe's report lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "berth/cleanup.h"
#include "conmon.h"

/* The value after `flag`, or NULL. */
static const char *after(char **argv, const char *flag) {
        for (char **a = argv; *a; a++)
                if (strcmp(*a, flag) == 0)
                        return a[1];
        return NULL;
}

static bool has(char **argv, const char *word) {
        for (char **a = argv; *a; a++)
                if (strcmp(*a, word) == 0)
                        return true;
        return false;
}

static void test_container_argv(void **state) {
        (void) state;
        char *exit_args[] = { "--url", "unix:///s", "system", "wake", NULL };
        struct conmon_options o = { .conmon = "/usr/bin/conmon", .runtime = "/usr/sbin/runc", .runtime_root = "/run/b/runc",
                                    .id = "abc", .name = "web", .bundle = "/b", .pidfile = "/b/pidfile",
                                    .conmon_pidfile = "/b/conmon.pid", .exit_dir = "/x", .log_path = "/b/ctr.log",
                                    .stdin = true, .exit_command = "/usr/bin/berth", .exit_command_args = exit_args };
        _cleanup_strv_free_ char **argv = conmon_argv(&o);

        assert_string_equal(argv[0], "/usr/bin/conmon");
        assert_string_equal(after(argv, "--api-version"), "1");
        assert_string_equal(after(argv, "-c"), "abc");
        assert_string_equal(after(argv, "-u"), "abc");   /* the uuid defaults to the id */
        assert_string_equal(after(argv, "-r"), "/usr/sbin/runc");
        assert_string_equal(after(argv, "-b"), "/b");
        assert_string_equal(after(argv, "-P"), "/b/conmon.pid");
        assert_string_equal(after(argv, "-l"), "k8s-file:/b/ctr.log");
        assert_string_equal(after(argv, "--exit-dir"), "/x");
        assert_string_equal(after(argv, "--exit-command"), "/usr/bin/berth");
        assert_true(has(argv, "--full-attach"));
        assert_true(has(argv, "--no-sync-log"));
        assert_true(has(argv, "-i"));
        assert_false(has(argv, "-t"));
        assert_false(has(argv, "--sync"));    /* the container must outlive berthd */
        assert_false(has(argv, "-e"));
        assert_false(has(argv, "--systemd-cgroup"));
        /* runc's --root travels as two runtime args */
        assert_string_equal(after(argv, "--runtime-arg"), "--root");
}

static void test_exec_and_tty_argv(void **state) {
        (void) state;
        struct conmon_options o = { .conmon = "c", .runtime = "r", .runtime_root = "/rr", .id = "ctr", .uuid = "exec1",
                                    .name = "n", .bundle = "/e", .pidfile = "/e/pid", .exit_dir = "/e/exit",
                                    .tty = true, .stdin = true, .exec_process_spec = "/e/process.json",
                                    .systemd_cgroup = true };
        _cleanup_strv_free_ char **argv = conmon_argv(&o);

        assert_string_equal(after(argv, "-u"), "exec1");
        assert_string_equal(after(argv, "-l"), "none");
        assert_true(has(argv, "-t"));
        assert_false(has(argv, "-i"));        /* a terminal carries stdin itself, as Podman passes it */
        assert_true(has(argv, "-e"));
        assert_true(has(argv, "--exec-attach"));
        assert_string_equal(after(argv, "--exec-process-spec"), "/e/process.json");
        assert_null(after(argv, "--exit-command"));
        /* conmon hands it to the runtime's create (not to exec) */
        assert_true(has(argv, "--systemd-cgroup"));
}

static int sync_line(const char *text, int *data, char **message, berth_error *err) {
        int p[2];
        assert_int_equal(pipe(p), 0);
        assert_int_equal(write(p[1], text, strlen(text)), (ssize_t) strlen(text));
        close(p[1]);
        int r = conmon_read_sync(p[0], 1000, data, message, err);
        close(p[0]);
        return r;
}

static void test_sync_pipe(void **state) {
        (void) state;
        berth_error err = { 0 };
        char *message = NULL;
        int data = 0;

        assert_int_equal(sync_line("{\"data\": 4242}\n", &data, &message, &err), 0);
        assert_int_equal(data, 4242);
        assert_null(message);
        assert_int_equal(sync_line("{\"data\": -1, \"message\": \"exec: \\\"x\\\": not found\"}\n", &data, &message, &err), 0);
        assert_int_equal(data, -1);
        assert_string_equal(message, "exec: \"x\": not found");
        free(message);
        assert_int_equal(sync_line("", &data, NULL, &err), -EPIPE);
        assert_string_equal(err.message, "conmon exited without reporting the container's state");
        assert_int_equal(sync_line("garbage\n", &data, NULL, &err), -EPROTO);
        assert_string_equal(err.message, "conmon sent an unreadable report: garbage");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_container_argv),
                cmocka_unit_test(test_exec_and_tty_argv),
                cmocka_unit_test(test_sync_pipe),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
