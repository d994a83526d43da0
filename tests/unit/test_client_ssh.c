/* The ssh tunnel with fake ssh programs: the command line, every failure berth reports,
 * and that ssh and the private socket directory are gone after every path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "berth/cleanup.h"
#include "ssh.h"

/* Listens where -L says, records its pid, and waits to be killed: what ssh does once
 * authenticated. */
static const char fake_ssh_py[] =
        "#!/usr/bin/env python3\n"
        "import os, socket, sys, time\n"
        "with open(os.environ['FAKE_SSH_PIDFILE'], 'w') as f: f.write(str(os.getpid()))\n"
        "spec = sys.argv[sys.argv.index('-L') + 1]\n"
        "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
        "s.bind(spec.split(':', 1)[0]); s.listen(8)\n"
        "while True: time.sleep(1)\n";

struct fixture {
        char scripts[64];       /* the fake ssh programs */
        char tmp[64];           /* TMPDIR: must be empty again after every test */
        char pidfile[128];
};

static const struct client_url target = {
        .scheme = CLIENT_URL_SSH, .user = (char *) "me", .host = (char *) "remote", .port = (char *) "2222",
        .path = (char *) "/run/berth/berth.sock",
};

static void write_script(struct fixture *fx, const char *name, const char *text, char *path, size_t size) {
        FILE *f;

        snprintf(path, size, "%s/%s", fx->scripts, name);
        f = fopen(path, "we");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
        assert_int_equal(chmod(path, 0755), 0);
}

static int count_entries(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *e;
        int n = 0;

        assert_non_null(d);
        while ((e = readdir(d)))
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                        n++;
        closedir(d);
        return n;
}

static int setup(void **state) {
        struct fixture *fx = calloc(1, sizeof(*fx));

        snprintf(fx->scripts, sizeof(fx->scripts), "/tmp/berth-test-scripts-XXXXXX");
        snprintf(fx->tmp, sizeof(fx->tmp), "/tmp/berth-test-tmp-XXXXXX");
        if (!mkdtemp(fx->scripts) || !mkdtemp(fx->tmp))
                return -1;
        snprintf(fx->pidfile, sizeof(fx->pidfile), "%s/pid", fx->scripts);
        setenv("TMPDIR", fx->tmp, 1);
        setenv("FAKE_SSH_PIDFILE", fx->pidfile, 1);
        *state = fx;
        return 0;
}

static int teardown(void **state) {
        struct fixture *fx = *state;
        char cmd[256];

        snprintf(cmd, sizeof(cmd), "rm -rf %s %s", fx->scripts, fx->tmp);
        if (system(cmd) != 0)
                fprintf(stderr, "cannot remove %s and %s\n", fx->scripts, fx->tmp);
        unsetenv("TMPDIR");
        free(fx);
        return 0;
}

static void test_argv(void **state) {
        struct ssh_tunnel_config cfg = {
                .program = "/opt/ssh",
                .extra_options = " -o StrictHostKeyChecking=no\t-o UserKnownHostsFile=/dev/null ",
                .identity = "/k/id_ed25519",
        };
        static const char *const want[] = {
                "/opt/ssh", "-N", "-o", "ExitOnForwardFailure=yes", "-o", "StreamLocalBindUnlink=yes", "-o",
                "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-i", "/k/id_ed25519", "-p", "2222",
                "-L", "/tmp/d/berth.sock:/run/berth/berth.sock", "--", "me@remote", NULL,
        };
        struct client_url bare = { .scheme = CLIENT_URL_SSH, .host = (char *) "h", .path = (char *) "/s" };
        _cleanup_strv_free_ char **v = ssh_tunnel_argv(&target, &cfg, "/tmp/d/berth.sock");
        _cleanup_strv_free_ char **minimal = ssh_tunnel_argv(&bare, &(struct ssh_tunnel_config) { 0 }, "/l");
        size_t i;
        (void) state;

        for (i = 0; want[i]; i++)
                assert_string_equal(v[i], want[i]);
        assert_null(v[i]);
        static const char *const want_min[] = { "ssh", "-N", "-o", "ExitOnForwardFailure=yes", "-o",
                                                "StreamLocalBindUnlink=yes", "-L", "/l:/s", "--", "h", NULL };
        for (i = 0; want_min[i]; i++)
                assert_string_equal(minimal[i], want_min[i]);
        assert_null(minimal[i]);
}

static void expect_failure(struct fixture *fx, const char *program, int timeout_ms, int code, const char *message) {
        struct ssh_tunnel_config cfg = { .program = program, .timeout_ms = timeout_ms };
        struct ssh_tunnel *t = NULL;
        berth_error err = { 0 };

        assert_int_equal(ssh_tunnel_open(&target, &cfg, &t, &err), code);
        assert_null(t);
        assert_string_equal(err.message, message);
        assert_int_equal(count_entries(fx->tmp), 0);
}

static void test_ssh_missing(void **state) {
        expect_failure(*state, "/nonexistent/berth-test-ssh", 0, -ENOENT,
                       "cannot run /nonexistent/berth-test-ssh: No such file or directory");
}

static void test_ssh_exits(void **state) {
        struct fixture *fx = *state;
        char path[128];

        write_script(fx, "ssh-denied", "#!/bin/sh\necho 'Permission denied (publickey).' >&2\nexit 255\n", path,
                     sizeof(path));
        expect_failure(fx, path, 0, -ECONNABORTED, "ssh exited with status 255");
        write_script(fx, "ssh-killed", "#!/bin/sh\nkill -KILL $$\n", path, sizeof(path));
        expect_failure(fx, path, 0, -ECONNABORTED, "ssh was killed by signal 9 (Killed)");
}

static void test_ssh_timeout(void **state) {
        struct fixture *fx = *state;
        char path[128];

        /* Never listens: the bounded wait gives up, and close must still stop it. */
        write_script(fx, "ssh-hangs", "#!/bin/sh\nexec sleep 30\n", path, sizeof(path));
        expect_failure(fx, path, 300, -ETIMEDOUT, "ssh did not open the tunnel to me@remote within 1 second");
}

static bool have_python(void) {
        return system("command -v python3 >/dev/null 2>&1") == 0;
}

static pid_t read_pid(const char *pidfile) {
        FILE *f = fopen(pidfile, "re");
        int pid = 0;

        assert_non_null(f);
        assert_int_equal(fscanf(f, "%d", &pid), 1);
        fclose(f);
        return (pid_t) pid;
}

static void test_ssh_tunnel_ready(void **state) {
        struct fixture *fx = *state;
        struct ssh_tunnel_config cfg = { 0 };
        struct ssh_tunnel *t = NULL;
        berth_error err = { 0 };
        char path[128];
        pid_t fake;

        if (!have_python())
                skip();         /* the fake ssh that listens is a python3 script */
        write_script(fx, "ssh-ok", fake_ssh_py, path, sizeof(path));
        cfg.program = path;
        assert_int_equal(ssh_tunnel_open(&target, &cfg, &t, &err), 0);
        assert_non_null(t);
        assert_int_equal(strncmp(ssh_tunnel_socket(t), fx->tmp, strlen(fx->tmp)), 0);
        assert_int_equal(access(ssh_tunnel_socket(t), F_OK), 0);
        fake = read_pid(fx->pidfile);
        assert_int_equal(kill(fake, 0), 0);
        assert_null(ssh_tunnel_close(t));
        assert_int_equal(kill(fake, 0), -1);    /* stopped and reaped */
        assert_int_equal(count_entries(fx->tmp), 0);
}

/* A fatal signal while the tunnel is up still stops ssh and removes the socket. */
static void test_ssh_signal_cleanup(void **state) {
        struct fixture *fx = *state;
        char path[128];
        int status;
        pid_t child;

        if (!have_python())
                skip();
        write_script(fx, "ssh-ok", fake_ssh_py, path, sizeof(path));
        /* The fake ssh outlives its parent: it must become our child, not init's. */
        assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
        child = fork();
        assert_true(child >= 0);
        if (child == 0) {
                struct ssh_tunnel_config cfg = { .program = path };
                struct ssh_tunnel *t = NULL;
                if (ssh_tunnel_open(&target, &cfg, &t, NULL) < 0)
                        _exit(3);
                raise(SIGTERM);
                _exit(4);
        }
        assert_int_equal(waitpid(child, &status, 0), child);
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), SIGTERM);
        /* The handler sent the fake ssh SIGTERM; as subreaper this test reaps it. */
        pid_t fake = read_pid(fx->pidfile);
        int reaped = 0;
        for (int i = 0; i < 200 && !reaped; i++) {
                reaped = waitpid(fake, &status, WNOHANG) == fake;
                if (!reaped)
                        usleep(10000);
        }
        assert_true(reaped);
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), SIGTERM);
        assert_int_equal(count_entries(fx->tmp), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_argv),
                cmocka_unit_test_setup_teardown(test_ssh_missing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ssh_exits, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ssh_timeout, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ssh_tunnel_ready, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ssh_signal_cleanup, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
