/* Running an exec session's process under conmon's exec mode: the process file, the
 * handshake (start pipe written twice, attach pipe, sync pipe giving the pid then the
 * exit status) and the monitor thread that records the exit and removes the bundle. */
#include "exec-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/log.h"
#include "berth/path.h"
#include "berth/strv.h"
#include "caps.h"
#include "conmon.h"
#include "container-internal.h"
#include "exec-spec.h"
#include "oci.h"
#include "user.h"

#define EXEC_SYNC_TIMEOUT_MS 120000
#define EXEC_CONMON_EXIT_MS 5000

/* The process file runc exec reads: the container's running process, adjusted. */
static int write_process(const struct exec_session *s, const berth_container *c, const char *path, berth_error *err) {
        _cleanup_free_ char *spec_path = xasprintf("%s/config.json", c->bundle), *text = NULL;
        _cleanup_close_ int rootfd = -1;
        _cleanup_strv_free_ char **caps = NULL, **group_add = NULL;
        struct container_user user = {};
        json_t *spec = json_load_file(spec_path, 0, NULL), *out = NULL, *host = NULL, *x;
        size_t i;
        int r = 0;

        if (!spec) {
                r = berth_err(err, -EIO, "cannot read the runtime configuration of container %s", c->id);
                goto out;
        }
        if (s->user_given) {
                rootfd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (rootfd < 0) {
                        r = berth_err_errno(err, -errno, "cannot open the root of container %s", c->id);
                        goto out;
                }
                host = container_json_parse(c->host_config);
                json_array_foreach (json_object_get(host, "GroupAdd"), i, x)
                        if (json_is_string(x))
                                strv_push(&group_add, json_string_value(x));
                r = container_user_resolve(rootfd, s->user, group_add, &user, err);
        }
        if (r >= 0 && s->privileged)
                r = container_caps_resolve(NULL, NULL, true, &caps, err);
        if (r >= 0) {
                struct exec_spec_request req = { .cmd = s->cmd, .env = s->env, .cwd = s->working_dir, .tty = s->tty,
                                                 .user = s->user_given ? &user : NULL, .caps = caps };
                r = exec_process_build(json_object_get(spec, "process"), c->config, &req, &out, err);
        }
        if (r >= 0 && json_dump_file(out, path, JSON_COMPACT) < 0)
                r = berth_err(err, -EIO, "cannot write %s", path);
out:
        container_user_done(&user);
        json_decref(spec);
        json_decref(out);
        json_decref(host);
        return r;
}

int exec_write_ctl(const char *bundle, unsigned height, unsigned width, berth_error *err) {
        _cleanup_free_ char *ctl = xasprintf("%s/ctl", bundle);
        _cleanup_close_ int fd = open(ctl, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        char line[64];
        int n = snprintf(line, sizeof(line), "1 %u %u\n", height, width);

        if (fd < 0 && errno == ENOENT)
                return 0;   /* the session ended and its bundle went with it */
        if (fd < 0 || write(fd, line, (size_t) n) != n)
                return berth_err_errno(err, -errno, "cannot resize the terminal of exec %s", bundle);
        return 0;
}

/* Docker's mapping of a process that cannot run (daemon/start.go translateContainerdStartErr). */
int exec_failure_exit_code(const char *message) {
        if (strstr(message, "executable file not found") || strstr(message, "no such file or directory"))
                return 127;
        return 126;
}

/* runc prints "exec failed: ..." or logrus text (msg="..."); keep the message. */
static char *runtime_message(const char *text) {
        const char *m = text ? strstr(text, "msg=\"") : NULL;
        size_t len;
        if (!m) {
                len = text ? strcspn(text, "\n") : 0;
                return len ? xasprintf("OCI runtime exec failed: %.*s", (int) len, text)
                           : xstrdup("OCI runtime exec failed: the runtime could not run the process");
        }
        m += 5;
        char *out = xmalloc(strlen(m) + 32), *o = out + sprintf(out, "OCI runtime exec failed: ");
        for (; *m && *m != '"'; m++) {
                if (*m == '\\' && m[1])
                        m++;
                *o++ = *m;
        }
        *o = '\0';
        return out;
}

void exec_session_finish(struct exec_session *s, int exit_code) {
        pthread_mutex_lock(&exec_reg.lock);
        s->state = EXEC_EXITED;
        s->exit_code = exit_code;
        s->ended_ns = container_now_ns();
        pthread_cond_broadcast(&exec_reg.changed);
        pthread_mutex_unlock(&exec_reg.lock);
}

struct monitor {
        struct exec_session *s;
        int sync_fd;
};

/* conmon closes the sync pipe when it exits: only then is its bundle free to go. */
static void wait_conmon_exit(int fd) {
        char buf[256];
        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                int n = poll(&p, 1, EXEC_CONMON_EXIT_MS);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0 || read(fd, buf, sizeof(buf)) <= 0)
                        return;
        }
}

static void *monitor_run(void *arg) {
        struct monitor *m = arg;
        berth_error err;
        int data = 0;
        int r = conmon_read_sync(m->sync_fd, -1, &data, NULL, &err);

        if (r < 0) {
                log_warn("exec %s: %s", m->s->id, err.message);
                data = 255;
        }
        exec_session_finish(m->s, data);
        wait_conmon_exit(m->sync_fd);
        close(m->sync_fd);
        if (berth_rm_rf(m->s->bundle, &err) < 0)
                log_warn("%s", err.message);
        exec_session_unref(m->s);
        free(m);
        return NULL;
}

static int start_monitor(struct exec_session *s, int sync_fd, berth_error *err) {
        struct monitor *m = xnew0(struct monitor, 1);
        pthread_attr_t attr;
        pthread_t t;
        int r;

        m->s = s;
        m->sync_fd = sync_fd;
        pthread_mutex_lock(&exec_reg.lock);
        s->refs++;
        pthread_mutex_unlock(&exec_reg.lock);
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        r = pthread_create(&t, &attr, monitor_run, m);
        pthread_attr_destroy(&attr);
        if (r != 0) {
                exec_session_unref(s);
                free(m);
                return berth_err_errno(err, -r, "cannot watch exec %s", s->id);
        }
        return 0;
}

static int release(struct conmon_process *p, berth_error *err) {
        if (write(p->start_fd, "", 1) != 1)
                return berth_err_errno(err, -errno, "cannot release conmon");
        p->start_fd = safe_close(p->start_fd);
        return 0;
}

/* conmon: socket ready on the attach pipe, connect, size, start, then the pid. */
static int handshake(struct exec_session *s, struct conmon_process *p, const berth_exec_start_options *o,
                     int *ret_fd, char **ret_failure, berth_error *err) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *message = NULL;
        int data = -1;
        int r = conmon_read_sync(p->attach_fd, EXEC_SYNC_TIMEOUT_MS, &data, NULL, err);

        if (r >= 0 && o->attach)
                r = fd = container_attach_connect(s->bundle, err);
        if (r >= 0 && s->tty && o->height && o->width)
                r = exec_write_ctl(s->bundle, o->height, o->width, err);
        if (r < 0)
                return r;
        pthread_mutex_lock(&exec_reg.lock);
        s->ctl_ready = true;
        pthread_cond_broadcast(&exec_reg.changed);
        pthread_mutex_unlock(&exec_reg.lock);
        r = release(p, err);
        if (r >= 0)
                r = conmon_read_sync(p->sync_fd, EXEC_SYNC_TIMEOUT_MS, &data, &message, err);
        if (r == -EPIPE) {
                *ret_failure = runtime_message(NULL);
                return berth_err(err, -EINVAL, "%s", *ret_failure);
        }
        if (r < 0)
                return r;
        if (data <= 0) {
                *ret_failure = runtime_message(message);
                return berth_err(err, -EINVAL, "%s", *ret_failure);
        }
        pthread_mutex_lock(&exec_reg.lock);
        s->pid = data;
        pthread_mutex_unlock(&exec_reg.lock);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int exec_session_run(berth_engine *e, struct exec_session *s, const berth_container *c, const berth_exec_start_options *o,
               int *ret_fd, char **ret_failure, berth_error *err) {
        _cleanup_free_ char *spec = xasprintf("%s/process.json", s->bundle), *pid = xasprintf("%s/pid", s->bundle);
        _cleanup_free_ char *cpid = xasprintf("%s/conmon.pid", s->bundle), *exits = xasprintf("%s/exit", s->bundle);
        _cleanup_free_ char *rtroot = NULL;
        struct conmon_process p = { .sync_fd = -1, .start_fd = -1, .attach_fd = -1 };
        struct oci_runtime rt;
        int fd = -1, r;

        if (!berth_engine_conmon(e))
                return berth_err(err, -ENOSYS, "cannot run exec sessions: conmon is not installed");
        r = berth_mkdir_p(exits, 0700, err);
        if (r >= 0)
                r = write_process(s, c, spec, err);
        if (r < 0)
                return r;
        ctr_runtime(e, c, &rt, &rtroot);
        struct conmon_options co = { .conmon = berth_engine_conmon(e)->path, .runtime = rt.path,
                                     .runtime_root = rt.root, .id = c->id, .uuid = s->id, .name = c->name,
                                     .bundle = s->bundle, .pidfile = pid, .conmon_pidfile = cpid, .exit_dir = exits,
                                     .tty = s->tty, .stdin = s->open_stdin, .exec_process_spec = spec };
        r = conmon_spawn(&co, &p, err);
        if (r < 0)
                return r;
        r = handshake(s, &p, o, &fd, ret_failure, err);
        if (r >= 0) {
                r = start_monitor(s, p.sync_fd, err);
                if (r >= 0)
                        p.sync_fd = -1;
        }
        conmon_process_done(&p);
        if (r < 0) {
                safe_close(fd);
                return r;
        }
        *ret_fd = fd;
        return 0;
}
