/* The ssh transport: spawns `ssh -N -L <private socket>:<remote socket>` and tears it
 * down on every exit path, including a fatal signal. */
#include "ssh.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "berth/alloc.h"

#define SSH_STOP_GRACE_MS 2000

struct ssh_tunnel {
        pid_t pid;      /* 0 once reaped */
        char *dir;      /* private 0700 directory holding the socket */
        char *socket;
};

/* One tunnel per process: what a fatal-signal handler must undo, kept where an
 * async-signal-safe handler can read it. */
static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction saved_actions[ELEMENTSOF(fatal_signals)];
static volatile sig_atomic_t armed;
static volatile pid_t armed_pid;
static char armed_dir[sizeof(((struct sockaddr_un *) 0)->sun_path)];
static char armed_socket[sizeof(((struct sockaddr_un *) 0)->sun_path)];

static void on_fatal_signal(int sig) {
        if (armed) {
                kill(armed_pid, SIGTERM);
                unlink(armed_socket);
                rmdir(armed_dir);
        }
        /* SA_RESETHAND restored the default action: dying by the same signal keeps the
         * exit status the shell expects. */
        raise(sig);
}

static void arm(const struct ssh_tunnel *t) {
        struct sigaction sa = { .sa_handler = on_fatal_signal, .sa_flags = SA_RESETHAND };

        armed_pid = t->pid;
        snprintf(armed_dir, sizeof(armed_dir), "%s", t->dir);
        snprintf(armed_socket, sizeof(armed_socket), "%s", t->socket);
        armed = 1;
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < ELEMENTSOF(fatal_signals); i++)
                sigaction(fatal_signals[i], &sa, &saved_actions[i]);
}

static void disarm(void) {
        if (!armed)
                return;
        for (size_t i = 0; i < ELEMENTSOF(fatal_signals); i++)
                sigaction(fatal_signals[i], &saved_actions[i], NULL);
        armed = 0;
}

static void strv_push(char ***v, size_t *n, char *s) {
        *v = xrealloc(*v, (*n + 2) * sizeof(char *));
        (*v)[(*n)++] = s;
        (*v)[*n] = NULL;
}

char **ssh_tunnel_argv(const struct client_url *u, const struct ssh_tunnel_config *cfg, const char *local_socket) {
        static const char *const fixed[] = { "-N", "-o", "ExitOnForwardFailure=yes", "-o",
                                             "StreamLocalBindUnlink=yes" };
        char **v = NULL;
        size_t n = 0;

        strv_push(&v, &n, xstrdup(cfg->program ? cfg->program : "ssh"));
        for (size_t i = 0; i < ELEMENTSOF(fixed); i++)
                strv_push(&v, &n, xstrdup(fixed[i]));
        if (cfg->extra_options) {
                _cleanup_free_ char *copy = xstrdup(cfg->extra_options);
                char *save = NULL;
                for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
                        strv_push(&v, &n, xstrdup(w));
        }
        if (cfg->identity) {
                strv_push(&v, &n, xstrdup("-i"));
                strv_push(&v, &n, xstrdup(cfg->identity));
        }
        if (u->port) {
                strv_push(&v, &n, xstrdup("-p"));
                strv_push(&v, &n, xstrdup(u->port));
        }
        strv_push(&v, &n, xstrdup("-L"));
        strv_push(&v, &n, xasprintf("%s:%s", local_socket, u->path));
        /* "--": whatever the host is, ssh never reads it as an option. */
        strv_push(&v, &n, xstrdup("--"));
        strv_push(&v, &n, u->user ? xasprintf("%s@%s", u->user, u->host) : xstrdup(u->host));
        return v;
}

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000 };
        nanosleep(&ts, NULL);
}

static int make_private_dir(struct ssh_tunnel *t, berth_error *err) {
        const char *tmp = getenv("TMPDIR");
        size_t max = sizeof(((struct sockaddr_un *) 0)->sun_path);

        /* ssh splits the -L spec at ':'; a long TMPDIR would not fit in sun_path. */
        if (!tmp || tmp[0] != '/' || strchr(tmp, ':') || strlen(tmp) > 64)
                tmp = "/tmp";
        t->dir = xasprintf("%s/berth-ssh-XXXXXX", tmp);
        if (!mkdtemp(t->dir)) {
                int r = -errno;
                free(t->dir);
                t->dir = NULL;
                return berth_err_errno(err, r, "cannot create a private directory for the ssh socket in %s", tmp);
        }
        t->socket = xasprintf("%s/berth.sock", t->dir);
        if (strlen(t->socket) >= max)
                return berth_err(err, -ENAMETOOLONG, "ssh socket path %s is too long", t->socket);
        return 0;
}

/* Runs in the child between fork and exec: async-signal-safe calls only. */
static _Noreturn void exec_ssh(char **argv, pid_t parent, int report_fd) {
        int e;

        /* Dies with berth: a crashed berth leaves no ssh behind. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
                _exit(127);
        /* ssh -N prints nothing on stdout; keeping it off ours means `berth ... | cmd`
         * sees EOF when berth exits. */
        dup2(STDERR_FILENO, STDOUT_FILENO);
        execvp(argv[0], argv);
        e = errno;
        if (write(report_fd, &e, sizeof(e)) < 0) {
                /* Nothing left to tell the parent with. */
        }
        _exit(127);
}

static void reap(pid_t pid) {
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}

static int spawn_ssh(struct ssh_tunnel *t, char **argv, berth_error *err) {
        _cleanup_close_ int report_r = -1, report_w = -1;
        int fds[2], exec_errno;
        pid_t parent = getpid();
        ssize_t n;

        /* The child writes exec()'s errno here; O_CLOEXEC makes a successful exec
         * close it, so the parent reads EOF. */
        if (pipe2(fds, O_CLOEXEC) < 0)
                return berth_err_errno(err, -errno, "cannot create a pipe for ssh");
        report_r = fds[0], report_w = fds[1];
        t->pid = fork();
        if (t->pid < 0) {
                t->pid = 0;
                return berth_err_errno(err, -errno, "cannot fork for ssh");
        }
        if (t->pid == 0)
                exec_ssh(argv, parent, report_w);
        report_w = safe_close(report_w);
        do
                n = read(report_r, &exec_errno, sizeof(exec_errno));
        while (n < 0 && errno == EINTR);
        if (n == sizeof(exec_errno)) {
                reap(t->pid);
                t->pid = 0;
                return berth_err_errno(err, -exec_errno, "cannot run %s", argv[0]);
        }
        return 0;
}

static int socket_accepts(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return -errno;
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        return connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 ? -errno : 0;
}

static int exit_error(int status, berth_error *err) {
        if (WIFSIGNALED(status))
                return berth_err(err, -ECONNABORTED, "ssh was killed by signal %d (%s)", WTERMSIG(status),
                                 strsignal(WTERMSIG(status)));
        return berth_err(err, -ECONNABORTED, "ssh exited with status %d", WEXITSTATUS(status));
}

/* ssh binds the local socket only after authenticating, so the first accepted
 * connection means the forward is ready. */
static int wait_ready(struct ssh_tunnel *t, const struct client_url *u, int timeout_ms, berth_error *err) {
        int64_t deadline = now_ms() + timeout_ms;
        int delay = 5, status;

        for (;;) {
                if (waitpid(t->pid, &status, WNOHANG) == t->pid) {
                        t->pid = 0;
                        return exit_error(status, err);
                }
                if (socket_accepts(t->socket) == 0)
                        return 0;
                if (now_ms() >= deadline) {
                        int seconds = (timeout_ms + 999) / 1000;
                        return berth_err(err, -ETIMEDOUT, "ssh did not open the tunnel to %s%s%s within %d second%s",
                                         u->user ? u->user : "", u->user ? "@" : "", u->host, seconds,
                                         seconds == 1 ? "" : "s");
                }
                sleep_ms(delay);
                delay = delay < 100 ? delay * 2 : 100;
        }
}

int ssh_tunnel_open(const struct client_url *u, const struct ssh_tunnel_config *cfg, struct ssh_tunnel **ret,
                    berth_error *err) {
        _cleanup_(ssh_tunnel_closep) struct ssh_tunnel *t = xnew0(struct ssh_tunnel, 1);
        _cleanup_strv_free_ char **argv = NULL;
        int r;

        r = make_private_dir(t, err);
        if (r < 0)
                return r;
        argv = ssh_tunnel_argv(u, cfg, t->socket);
        r = spawn_ssh(t, argv, err);
        if (r < 0)
                return r;
        arm(t);
        r = wait_ready(t, u, cfg->timeout_ms > 0 ? cfg->timeout_ms : SSH_TUNNEL_TIMEOUT_MS, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(t);
        return 0;
}

const char *ssh_tunnel_socket(const struct ssh_tunnel *t) {
        return t->socket;
}

/* SIGTERM first so ssh closes its channels cleanly; SIGKILL if it lingers. */
static void stop(pid_t pid) {
        int64_t deadline = now_ms() + SSH_STOP_GRACE_MS;

        kill(pid, SIGTERM);
        while (now_ms() < deadline) {
                pid_t p = waitpid(pid, NULL, WNOHANG);
                if (p == pid || (p < 0 && errno != EINTR))
                        return;
                sleep_ms(10);
        }
        kill(pid, SIGKILL);
        reap(pid);
}

struct ssh_tunnel *ssh_tunnel_close(struct ssh_tunnel *t) {
        if (!t)
                return NULL;
        disarm();
        if (t->pid > 0)
                stop(t->pid);
        if (t->socket)
                unlink(t->socket);
        if (t->dir)
                rmdir(t->dir);
        free(t->socket);
        free(t->dir);
        free(t);
        return NULL;
}
