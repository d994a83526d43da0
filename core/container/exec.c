/* Exec sessions: the in-memory registry (Docker forgets sessions on restart too) and the
 * API over it; running the process under conmon is exec-run.c. */
#include "berth/exec.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "berth/alloc.h"
#include "berth/log.h"
#include "berth/path.h"
#include "berth/strv.h"
#include "container-internal.h"
#include "exec-internal.h"

#define EXEC_RESIZE_WAIT_S 10
#define EXEC_KEEP_EXITED_NS (300LL * 1000000000)     /* Docker's exec GC runs every 5 minutes */
#define EXEC_KEEP_UNSTARTED_NS (3600LL * 1000000000)

/* Sessions of every engine of the process (each carries its engine). */
struct exec_registry exec_reg = { .lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER };

static void session_free(struct exec_session *s) {
        free(s->id);
        free(s->container_id);
        free(s->bundle);
        strv_freep(&s->cmd);
        strv_freep(&s->env);
        free(s->user);
        free(s->working_dir);
        free(s->detach_keys);
        free(s);
}

static void unref_locked(struct exec_session *s) {
        if (--s->refs == 0)
                session_free(s);
}

void exec_session_unref(struct exec_session *s) {
        pthread_mutex_lock(&exec_reg.lock);
        unref_locked(s);
        pthread_mutex_unlock(&exec_reg.lock);
}

/* Bundles a previous daemon left (its sessions are forgotten, as Docker forgets them):
 * removed once per root, before this process makes its first session there. */
static void clean_leftovers_locked(berth_engine *e) {
        static char **cleaned;
        const char *root = berth_engine_config(e)->root;
        berth_error err;

        for (char **c = cleaned; c && *c; c++)
                if (strcmp(*c, root) == 0)
                        return;
        strv_push(&cleaned, root);
        _cleanup_free_ char *dir = xasprintf("%s/exec", root);
        if (berth_rm_rf(dir, &err) < 0)
                log_warn("%s", err.message);
}

static void remove_at_locked(size_t i) {
        struct exec_session *s = exec_reg.items[i];
        memmove(exec_reg.items + i, exec_reg.items + i + 1, (exec_reg.n - i - 1) * sizeof(*exec_reg.items));
        exec_reg.n--;
        unref_locked(s);
}

/* Ended sessions are kept a while for inspect; unstarted ones a while longer. */
static void sweep_locked(int64_t now) {
        for (size_t i = 0; i < exec_reg.n;) {
                struct exec_session *s = exec_reg.items[i];
                if ((s->state == EXEC_EXITED && now - s->ended_ns > EXEC_KEEP_EXITED_NS) ||
                    (s->state == EXEC_CREATED && now - s->created_ns > EXEC_KEEP_UNSTARTED_NS))
                        remove_at_locked(i);
                else
                        i++;
        }
}

static void forget(struct exec_session *s) {
        pthread_mutex_lock(&exec_reg.lock);
        for (size_t i = 0; i < exec_reg.n; i++)
                if (exec_reg.items[i] == s) {
                        remove_at_locked(i);
                        break;
                }
        pthread_mutex_unlock(&exec_reg.lock);
}

void berth_exec_forget_container(berth_engine *e, const char *container_id) {
        pthread_mutex_lock(&exec_reg.lock);
        for (size_t i = 0; i < exec_reg.n;)
                if (exec_reg.items[i]->engine == e && strcmp(exec_reg.items[i]->container_id, container_id) == 0)
                        remove_at_locked(i);
                else
                        i++;
        pthread_mutex_unlock(&exec_reg.lock);
}

/* A referenced session whose container still exists, and a snapshot of that container. */
static int session_get(berth_engine *e, const char *id, struct exec_session **ret_s, berth_container **ret_c,
                       berth_error *err) {
        struct exec_session *s = NULL;
        berth_container *c = NULL;
        berth_error ignored;

        pthread_mutex_lock(&exec_reg.lock);
        for (size_t i = 0; id && i < exec_reg.n && !s; i++)
                if (exec_reg.items[i]->engine == e && strcmp(exec_reg.items[i]->id, id) == 0)
                        s = exec_reg.items[i];
        if (s)
                s->refs++;
        pthread_mutex_unlock(&exec_reg.lock);
        if (!s)
                return berth_err(err, -ENOENT, "No such exec instance: %s", id ? id : "");
        if (berth_container_lookup(e, s->container_id, &c, &ignored) < 0) {
                forget(s);   /* its container was removed: so were its sessions */
                exec_session_unref(s);
                return berth_err(err, -ENOENT, "No such exec instance: %s", id);
        }
        *ret_s = s;
        if (ret_c)
                *ret_c = c;
        else
                berth_container_free(c);
        return 0;
}

static int check_running(const berth_container *c, const char *name, berth_error *err) {
        switch (c->state.status) {
        case BERTH_CONTAINER_RUNNING:
                return 0;
        case BERTH_CONTAINER_PAUSED:
                return berth_err(err, -EBUSY, "Container %s is paused, unpause the container before exec", name);
        case BERTH_CONTAINER_RESTARTING:
                return berth_err(err, -EBUSY, "Container %s is restarting, wait until the container is running",
                                 c->id);
        default:
                return berth_err(err, -ENOTCONN, "Container %s is not running", c->id);
        }
}

static char *random_id(void) {
        unsigned char b[32];
        char *out = xmalloc(sizeof(b) * 2 + 1);
        size_t got = 0;
        while (got < sizeof(b)) {
                ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
                if (n > 0)
                        got += (size_t) n;
        }
        for (size_t i = 0; i < sizeof(b); i++)
                sprintf(out + 2 * i, "%02x", b[i]);
        return out;
}

static char **strv_copy_or_empty(char *const *v) {
        char **out = xnew0(char *, 1);
        for (; v && *v; v++)
                strv_push(&out, *v);
        return out;
}

int berth_exec_create(berth_engine *e, const char *container, const berth_exec_config *cfg, char **ret_id,
                      berth_error *err) {
        _cleanup_(berth_container_freep) berth_container *c = NULL;
        struct exec_session *s;
        json_t *config;
        int r;

        if (!cfg->cmd || !cfg->cmd[0])
                return berth_err(err, -EINVAL, "No exec command specified");
        r = berth_container_lookup(e, container, &c, err);
        if (r < 0)
                return r;
        r = check_running(c, container, err);
        if (r < 0)
                return r;
        config = container_json_parse(c->config);
        s = xnew0(struct exec_session, 1);
        s->engine = e;
        s->id = random_id();
        s->container_id = xstrdup(c->id);
        s->bundle = xasprintf("%s/exec/%s", berth_engine_config(e)->root, s->id);
        s->cmd = strv_copy_or_empty(cfg->cmd);
        s->env = strv_copy_or_empty(cfg->env);
        s->user_given = cfg->user && *cfg->user;
        s->user = xstrdup(s->user_given ? cfg->user : json_string_at(config, "User") ? json_string_at(config, "User") : "");
        s->working_dir = xstrdup(cfg->working_dir && *cfg->working_dir ? cfg->working_dir : "");
        s->detach_keys = cfg->detach_keys && *cfg->detach_keys ? xstrdup(cfg->detach_keys) : NULL;
        s->tty = cfg->tty;
        s->privileged = cfg->privileged;
        s->open_stdin = cfg->attach_stdin;
        s->open_stdout = cfg->attach_stdout;
        s->open_stderr = cfg->attach_stderr;
        s->created_ns = container_now_ns();
        s->refs = 1;
        json_decref(config);
        pthread_mutex_lock(&exec_reg.lock);
        clean_leftovers_locked(e);
        sweep_locked(s->created_ns);
        if (exec_reg.n == exec_reg.alloc) {
                exec_reg.alloc = exec_reg.alloc ? exec_reg.alloc * 2 : 16;
                exec_reg.items = xrealloc(exec_reg.items, exec_reg.alloc * sizeof(*exec_reg.items));
        }
        exec_reg.items[exec_reg.n++] = s;
        *ret_id = xstrdup(s->id);
        pthread_mutex_unlock(&exec_reg.lock);
        return 0;
}

berth_exec_info *berth_exec_info_free(berth_exec_info *info) {
        if (!info)
                return NULL;
        free(info->id);
        free(info->container_id);
        free(info->entrypoint);
        strv_freep(&info->arguments);
        free(info->user);
        free(info->detach_keys);
        free(info);
        return NULL;
}

int berth_exec_inspect(berth_engine *e, const char *id, berth_exec_info **ret, berth_error *err) {
        struct exec_session *s;
        berth_exec_info *info;
        int r = session_get(e, id, &s, NULL, err);

        if (r < 0)
                return r;
        info = xnew0(berth_exec_info, 1);
        pthread_mutex_lock(&exec_reg.lock);
        info->id = xstrdup(s->id);
        info->container_id = xstrdup(s->container_id);
        info->running = s->state == EXEC_RUNNING;
        info->exited = s->state == EXEC_EXITED;
        info->exit_code = s->exit_code;
        info->pid = s->pid;
        info->tty = s->tty;
        info->privileged = s->privileged;
        info->open_stdin = s->open_stdin;
        info->open_stdout = s->open_stdout;
        info->open_stderr = s->open_stderr;
        info->can_remove = false;
        info->entrypoint = xstrdup(s->cmd[0]);
        info->arguments = strv_copy_or_empty(s->cmd + 1);
        info->user = xstrdup(s->user);
        info->detach_keys = s->detach_keys ? xstrdup(s->detach_keys) : NULL;
        unref_locked(s);
        pthread_mutex_unlock(&exec_reg.lock);
        *ret = info;
        return 0;
}

static int check_state_locked(const struct exec_session *s, berth_error *err) {
        if (s->state == EXEC_EXITED)
                return berth_err(err, -EBUSY, "Error: Exec command %s has already run", s->id);
        if (s->state != EXEC_CREATED)
                return berth_err(err, -EBUSY, "Error: Exec command %s is already running", s->id);
        return 0;
}

int berth_exec_check(berth_engine *e, const char *id, berth_error *err) {
        _cleanup_(berth_container_freep) berth_container *c = NULL;
        struct exec_session *s;
        int r = session_get(e, id, &s, &c, err);

        if (r < 0)
                return r;
        pthread_mutex_lock(&exec_reg.lock);
        r = check_state_locked(s, err);
        unref_locked(s);
        pthread_mutex_unlock(&exec_reg.lock);
        return r < 0 ? r : check_running(c, c->id, err);
}


int berth_exec_start(berth_engine *e, const char *id, const berth_exec_start_options *o, int *ret_fd,
                     berth_error *err) {
        _cleanup_(berth_container_freep) berth_container *c = NULL;
        _cleanup_free_ char *failure = NULL;
        struct exec_session *s;
        berth_error ignored;
        int fd = -1, r = session_get(e, id, &s, &c, err);

        if (r < 0)
                return r;
        r = check_running(c, c->id, err);
        pthread_mutex_lock(&exec_reg.lock);
        if (r >= 0)
                r = check_state_locked(s, err);
        if (r >= 0)
                s->state = EXEC_STARTING;
        pthread_mutex_unlock(&exec_reg.lock);
        if (r < 0) {
                exec_session_unref(s);
                return r;
        }
        r = exec_session_run(e, s, c, o, &fd, &failure, err);
        if (r < 0) {
                /* Docker: 127 when the command is not found, 126 for anything else. */
                exec_session_finish(s, failure ? exec_failure_exit_code(failure) : 126);
                if (berth_rm_rf(s->bundle, &ignored) < 0)
                        log_warn("%s", ignored.message);
        } else {
                pthread_mutex_lock(&exec_reg.lock);
                if (s->state == EXEC_STARTING)
                        s->state = EXEC_RUNNING;
                pthread_cond_broadcast(&exec_reg.changed);
                pthread_mutex_unlock(&exec_reg.lock);
        }
        exec_session_unref(s);
        if (r < 0)
                return r;
        if (ret_fd)
                *ret_fd = fd;
        else
                safe_close(fd);
        return 0;
}

static void deadline_in(struct timespec *t, int ms) {
        clock_gettime(CLOCK_REALTIME, t);
        t->tv_sec += ms / 1000;
        t->tv_nsec += (long) (ms % 1000) * 1000000;
        if (t->tv_nsec >= 1000000000) {
                t->tv_sec++;
                t->tv_nsec -= 1000000000;
        }
}

int berth_exec_wait(berth_engine *e, const char *id, int timeout_ms, int *ret_exit_code, berth_error *err) {
        struct exec_session *s;
        struct timespec t;
        int r = session_get(e, id, &s, NULL, err);

        if (r < 0)
                return r;
        deadline_in(&t, timeout_ms < 0 ? 0 : timeout_ms);
        pthread_mutex_lock(&exec_reg.lock);
        while (r >= 0 && s->state != EXEC_EXITED) {
                if (s->state == EXEC_CREATED)
                        r = berth_err(err, -EINVAL, "exec %s has not been started", id);
                else if (timeout_ms < 0)
                        pthread_cond_wait(&exec_reg.changed, &exec_reg.lock);
                else if (pthread_cond_timedwait(&exec_reg.changed, &exec_reg.lock, &t) == ETIMEDOUT && s->state != EXEC_EXITED)
                        r = berth_err(err, -ETIMEDOUT, "exec %s is still running", id);
        }
        if (r >= 0)
                *ret_exit_code = s->exit_code;
        unref_locked(s);
        pthread_mutex_unlock(&exec_reg.lock);
        return r;
}

int berth_exec_resize(berth_engine *e, const char *id, unsigned height, unsigned width, berth_error *err) {
        _cleanup_free_ char *bundle = NULL;
        struct exec_session *s;
        struct timespec t;
        bool ready = false;
        int r = session_get(e, id, &s, NULL, err);

        if (r < 0)
                return r;
        deadline_in(&t, EXEC_RESIZE_WAIT_S * 1000);
        pthread_mutex_lock(&exec_reg.lock);
        while (!s->ctl_ready && s->state != EXEC_EXITED)
                if (pthread_cond_timedwait(&exec_reg.changed, &exec_reg.lock, &t) == ETIMEDOUT)
                        break;
        if (s->state != EXEC_EXITED) {
                ready = s->ctl_ready;
                bundle = xstrdup(s->bundle);
        }
        unref_locked(s);
        pthread_mutex_unlock(&exec_reg.lock);
        if (!bundle)
                return 0;
        if (!ready)
                return berth_err(err, -ETIMEDOUT, "timeout waiting for exec session ready");
        return exec_write_ctl(bundle, height, width, err);
}
