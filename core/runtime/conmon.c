/* Spawning conmon and reading its sync pipe (conmon 2.1: src/cli.c, src/parent_pipe_fd.c). */
#include "conmon.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/fileio.h"
#include "berth/strv.h"

static void push2(char ***argv, const char *flag, const char *value) {
        strv_push(argv, flag);
        strv_push(argv, value);
}

char **conmon_argv(const struct conmon_options *o) {
        char **argv = NULL;

        strv_push(&argv, o->conmon);
        push2(&argv, "--api-version", "1");
        push2(&argv, "-c", o->id);
        push2(&argv, "-u", o->uuid ? o->uuid : o->id);
        push2(&argv, "-r", o->runtime);
        push2(&argv, "-b", o->bundle);
        push2(&argv, "-p", o->pidfile);
        push2(&argv, "-n", o->name);
        push2(&argv, "--exit-dir", o->exit_dir);
        strv_push(&argv, "--full-attach");
        if (o->conmon_pidfile)
                push2(&argv, "-P", o->conmon_pidfile);
        if (o->log_path) {
                _cleanup_free_ char *l = xasprintf("k8s-file:%s", o->log_path);
                push2(&argv, "-l", l);
        } else
                push2(&argv, "-l", "none");
        push2(&argv, "--log-level", "warning");
        /* No fsync of the log at exit: it sits on the exit path of every container, and
         * the page cache keeps the log across a daemon crash anyway. */
        strv_push(&argv, "--no-sync-log");
        push2(&argv, "--runtime-arg", "--root");
        push2(&argv, "--runtime-arg", o->runtime_root);
        if (o->runtime_log) {
                push2(&argv, "--runtime-arg", "--log-format=json");
                push2(&argv, "--runtime-arg", "--log");
                push2(&argv, "--runtime-arg", o->runtime_log);
        }
        if (o->systemd_cgroup)
                strv_push(&argv, "--systemd-cgroup");
        if (o->tty)
                strv_push(&argv, "-t");
        else if (o->stdin)
                strv_push(&argv, "-i");
        if (o->exec_process_spec) {
                strv_push(&argv, "-e");
                strv_push(&argv, "--exec-attach");
                push2(&argv, "--exec-process-spec", o->exec_process_spec);
        }
        if (o->exit_command) {
                push2(&argv, "--exit-command", o->exit_command);
                for (char *const *a = o->exit_command_args; a && *a; a++)
                        push2(&argv, "--exit-command-arg", *a);
        }
        return argv;
}

void conmon_process_done(struct conmon_process *p) {
        p->sync_fd = safe_close(p->sync_fd);
        p->start_fd = safe_close(p->start_fd);
        p->attach_fd = safe_close(p->attach_fd);
}

/* A pipe whose ends sit at fds >= 10, so the child's dup2 to 3..5 never hits them. */
static int high_pipe(int ret[2]) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        for (int i = 0; i < 2; i++) {
                ret[i] = fcntl(p[i], F_DUPFD_CLOEXEC, 10);
                close(p[i]);
        }
        if (ret[0] < 0 || ret[1] < 0) {
                safe_close(ret[0]);
                safe_close(ret[1]);
                return -EMFILE;
        }
        return 0;
}

static int spawn(const struct conmon_options *o, char **argv, int child_fds[3], pid_t *ret_pid) {
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        sigset_t none, all;
        char *envp[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "_OCI_SYNCPIPE=3",
                         o->exec_process_spec ? "_OCI_STARTPIPE=4" : NULL,
                         o->exec_process_spec ? "_OCI_ATTACHPIPE=5" : NULL, NULL };
        int r;

        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
        for (int i = 0; i < 3; i++)
                if (child_fds[i] >= 0)
                        posix_spawn_file_actions_adddup2(&fa, child_fds[i], 3 + i);
        posix_spawn_file_actions_addchdir_np(&fa, o->bundle);
        posix_spawnattr_init(&attr);
        sigemptyset(&none);
        sigfillset(&all);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &all);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
        r = posix_spawn(ret_pid, argv[0], &fa, &attr, argv, envp);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        return -r;
}

int conmon_spawn(const struct conmon_options *o, struct conmon_process *ret, berth_error *err) {
        _cleanup_strv_free_ char **argv = conmon_argv(o);
        int sync_p[2] = { -1, -1 }, start_p[2] = { -1, -1 }, attach_p[2] = { -1, -1 }, status, r;
        struct conmon_process p = { .sync_fd = -1, .start_fd = -1, .attach_fd = -1 };
        _cleanup_free_ char *pid_text = NULL;
        pid_t pid;

        r = high_pipe(sync_p);
        if (r >= 0 && o->exec_process_spec) {
                r = high_pipe(start_p);
                if (r >= 0)
                        r = high_pipe(attach_p);
        }
        if (r < 0) {
                r = berth_err_errno(err, r, "cannot create conmon's pipes");
                goto out;
        }
        r = spawn(o, argv, (int[3]) { sync_p[1], start_p[0], attach_p[1] }, &pid);
        if (r < 0) {
                r = berth_err_errno(err, r, "cannot run %s", o->conmon);
                goto out;
        }
        p.sync_fd = TAKE_FD(sync_p[0]);
        p.start_fd = TAKE_FD(start_p[1]);
        p.attach_fd = TAKE_FD(attach_p[0]);
        sync_p[1] = safe_close(sync_p[1]);
        start_p[0] = safe_close(start_p[0]);
        attach_p[1] = safe_close(attach_p[1]);
        if (p.start_fd >= 0 && write(p.start_fd, "", 1) != 1) {
                r = berth_err_errno(err, -errno, "cannot release conmon");
                goto out;
        }
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                r = berth_err(err, -EIO, "conmon failed to start (status %d)", status);
                goto out;
        }
        if (o->conmon_pidfile && berth_read_line(o->conmon_pidfile, &pid_text) >= 0)
                p.conmon_pid = (pid_t) atoi(pid_text);
        *ret = p;
        p = (struct conmon_process) { .sync_fd = -1, .start_fd = -1, .attach_fd = -1 };
        r = 0;
out:
        for (int i = 0; i < 2; i++) {
                safe_close(sync_p[i]);
                safe_close(start_p[i]);
                safe_close(attach_p[i]);
        }
        conmon_process_done(&p);
        return r;
}

static int read_line(int fd, int timeout_ms, char *buf, size_t size, berth_error *err) {
        size_t have = 0;
        while (have < size - 1) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                int n = poll(&pfd, 1, timeout_ms);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n == 0)
                        return berth_err(err, -ETIMEDOUT, "conmon did not report within %d s", timeout_ms / 1000);
                ssize_t got = read(fd, buf + have, 1);
                if (got < 0 && errno == EINTR)
                        continue;
                if (got <= 0)
                        return have ? 0 : berth_err(err, -EPIPE, "conmon exited without reporting the container's state");
                if (buf[have] == '\n')
                        break;
                have++;
        }
        buf[have] = '\0';
        return 0;
}

int conmon_read_sync(int fd, int timeout_ms, int *ret_data, char **ret_message, berth_error *err) {
        char line[16384];
        json_int_t data;
        const char *message = NULL;
        json_t *o;
        int r = read_line(fd, timeout_ms, line, sizeof(line), err);

        if (r < 0)
                return r;
        o = json_loads(line, 0, NULL);
        if (!o || json_unpack(o, "{s:I, s?s}", "data", &data, "message", &message) < 0) {
                json_decref(o);
                return berth_err(err, -EPROTO, "conmon sent an unreadable report: %.200s", line);
        }
        *ret_data = (int) data;
        if (ret_message)
                *ret_message = message ? xstrdup(message) : NULL;
        json_decref(o);
        return 0;
}
