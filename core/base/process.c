/* Spawning helper programs with their output captured. */
#include "berth/process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

extern char **environ;

struct capture {
        char *buf;
        size_t size, max;
};

/* Drains both pipes until EOF; a chatty child can never block on a full pipe. */
static void drain(int out_fd, int err_fd, struct capture *out, struct capture *errc) {
        struct pollfd fds[2] = { { .fd = out_fd, .events = POLLIN }, { .fd = err_fd, .events = POLLIN } };
        struct capture *caps[2] = { out, errc };
        int open_fds = 2;

        while (open_fds > 0) {
                if (poll(fds, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return;
                }
                for (int i = 0; i < 2; i++) {
                        char chunk[4096];
                        if (fds[i].fd < 0 || !fds[i].revents)
                                continue;
                        ssize_t n = read(fds[i].fd, chunk, sizeof(chunk));
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n <= 0) {
                                fds[i].fd = -1;
                                open_fds--;
                                continue;
                        }
                        size_t keep = caps[i]->max - caps[i]->size;
                        keep = (size_t) n < keep ? (size_t) n : keep;
                        memcpy(caps[i]->buf + caps[i]->size, chunk, keep);
                        caps[i]->size += keep;
                }
        }
}

static void trim_newlines(char *s, size_t *size) {
        while (*size > 0 && (s[*size - 1] == '\n' || s[*size - 1] == '\r'))
                (*size)--;
        s[*size] = '\0';
}

int berth_run_capture(char *const argv[], size_t max, char **ret_out, berth_error *err) {
        _cleanup_close_ int out_r = -1, out_w = -1, err_r = -1, err_w = -1;
        int out_pipe[2], err_pipe[2], status, r;
        posix_spawn_file_actions_t actions;
        struct capture out = { .max = max }, errc = { .max = 4096 };
        pid_t pid;

        if (pipe2(out_pipe, O_CLOEXEC) < 0)
                return berth_err_errno(err, -errno, "cannot create a pipe for %s", argv[0]);
        out_r = out_pipe[0], out_w = out_pipe[1];
        if (pipe2(err_pipe, O_CLOEXEC) < 0)
                return berth_err_errno(err, -errno, "cannot create a pipe for %s", argv[0]);
        err_r = err_pipe[0], err_w = err_pipe[1];

        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&actions, out_w, 1);
        posix_spawn_file_actions_adddup2(&actions, err_w, 2);
        r = posix_spawn(&pid, argv[0], &actions, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&actions);
        if (r != 0)
                return berth_err_errno(err, -r, "cannot run %s", argv[0]);
        out_w = safe_close(out_w);
        err_w = safe_close(err_w);

        out.buf = xmalloc(max + 1);
        errc.buf = xmalloc(errc.max + 1);
        drain(out_r, err_r, &out, &errc);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        trim_newlines(out.buf, &out.size);
        trim_newlines(errc.buf, &errc.size);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                r = berth_err(err, -EIO, "%s failed (%s %d): %s", argv[0],
                              WIFEXITED(status) ? "exit status" : "signal",
                              WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), errc.buf);
                free(out.buf);
                free(errc.buf);
                return r;
        }
        free(errc.buf);
        *ret_out = out.buf;
        return 0;
}
