/* Signals to running containers: stop (signal, grace period, SIGKILL), kill, restart,
 * pause and unpause. The op lock is never held while waiting for an exit, since the
 * exit's own handling takes it. */
#include "container-internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "berth/alloc.h"
#include "engine-internal.h"
#include "oci.h"

#define DEFAULT_STOP_TIMEOUT 10

static const struct {
        const char *name;
        int number;
} signal_names[] = {
        { "HUP", SIGHUP },   { "INT", SIGINT },       { "QUIT", SIGQUIT }, { "ILL", SIGILL },   { "TRAP", SIGTRAP },
        { "ABRT", SIGABRT }, { "IOT", SIGIOT },       { "BUS", SIGBUS },   { "FPE", SIGFPE },   { "KILL", SIGKILL },
        { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },     { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },
        { "TERM", SIGTERM }, { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
        { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU }, { "URG", SIGURG },   { "XCPU", SIGXCPU },
        { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
        { "POLL", SIGPOLL }, { "PWR", SIGPWR },       { "SYS", SIGSYS },
};

int berth_signal_parse(const char *s, int *ret) {
        char *end;
        long n;

        if (!s || !*s)
                return -EINVAL;
        n = strtol(s, &end, 10);
        if (*end == '\0') {
                if (n <= 0 || n > SIGRTMAX)
                        return -EINVAL;
                *ret = (int) n;
                return 0;
        }
        if (strncasecmp(s, "SIG", 3) == 0)
                s += 3;
        for (size_t i = 0; i < ELEMENTSOF(signal_names); i++)
                if (strcasecmp(s, signal_names[i].name) == 0) {
                        *ret = signal_names[i].number;
                        return 0;
                }
        if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
                long off = s[5] ? strtol(s + 5, &end, 10) : 0;
                int base = strncasecmp(s, "RTMIN", 5) == 0 ? SIGRTMIN : SIGRTMAX;
                if ((s[5] && *end) || base + off < SIGRTMIN || base + off > SIGRTMAX)
                        return -EINVAL;
                *ret = (int) (base + off);
                return 0;
        }
        return -EINVAL;
}

static bool running(const struct ctr *c) {
        return c->c.state.status == BERTH_CONTAINER_RUNNING || c->c.state.status == BERTH_CONTAINER_PAUSED;
}

/* Sends sig under the op lock when the container runs; -ENOTCONN otherwise. */
static int signal_container(berth_engine *e, struct ctr *c, int sig, bool all, bool by_user, berth_error *err) {
        struct engine_containers *ec = engine_containers(e);
        _cleanup_free_ char *rtroot = NULL;
        struct oci_runtime rt;
        berth_container *snap;
        int r = ctr_op_lock(e, c, err);

        if (r < 0)
                return r;
        pthread_mutex_lock(&ec->lock);
        bool is_running = running(c);
        if (is_running && by_user)
                c->stop_requested = true;
        pthread_mutex_unlock(&ec->lock);
        if (!is_running) {
                ctr_op_unlock(c);
                return berth_err(err, -ENOTCONN, "Container %s is not running", c->c.id);
        }
        snap = ctr_snapshot(e, c);
        ctr_runtime(e, snap, &rt, &rtroot);
        r = oci_kill(&rt, snap->id, sig, all, err);
        if (r >= 0) {
                char num[16];
                snprintf(num, sizeof(num), "%d", sig);
                ctr_event(e, snap, "kill", "signal", num, NULL);
        }
        /* A paused container cannot act on a signal until it thaws (Docker unpauses on stop). */
        if (r >= 0 && sig == SIGKILL && snap->state.status == BERTH_CONTAINER_PAUSED)
                oci_resume(&rt, snap->id, NULL);
        berth_container_free(snap);
        ctr_op_unlock(c);
        return r;
}

/* Waits until the exit counter moves past `exits` or the deadline passes. */
static bool wait_exit(berth_engine *e, struct ctr *c, uint64_t exits, int timeout_s) {
        struct engine_containers *ec = engine_containers(e);
        struct timespec deadline;
        bool exited;

        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += timeout_s;
        pthread_mutex_lock(&ec->lock);
        while (c->c.state.exits == exits && !c->removed)
                if (pthread_cond_timedwait(&ec->changed, &ec->lock, &deadline) != 0)
                        break;
        exited = c->c.state.exits != exits || c->removed;
        pthread_mutex_unlock(&ec->lock);
        return exited;
}

static int stop_signal(const struct ctr *c) {
        json_t *cfg = container_json_parse(c->c.config);
        int sig = SIGTERM;
        const char *s = json_string_at(cfg, "StopSignal");
        if (s && *s && berth_signal_parse(s, &sig) < 0)
                sig = SIGTERM;
        json_decref(cfg);
        return sig;
}

static int stop_timeout(const struct ctr *c, int timeout) {
        if (timeout >= 0)
                return timeout;
        json_t *cfg = container_json_parse(c->c.config);
        int64_t t = json_int_at(cfg, "StopTimeout", DEFAULT_STOP_TIMEOUT);
        json_decref(cfg);
        return t >= 0 ? (int) t : DEFAULT_STOP_TIMEOUT;
}

int ctr_stop(berth_engine *e, struct ctr *c, int timeout, berth_error *err) {
        struct engine_containers *ec = engine_containers(e);
        uint64_t exits;
        int sig, r;

        pthread_mutex_lock(&ec->lock);
        exits = c->c.state.exits;
        sig = stop_signal(c);
        timeout = stop_timeout(c, timeout);
        bool was_running = running(c);
        if (c->c.state.status == BERTH_CONTAINER_RESTARTING) {
                /* Waiting out its back-off: stopping it cancels the restart. */
                c->c.state.status = BERTH_CONTAINER_EXITED;
                c->stop_requested = false;
                ctr_changed(e);
                pthread_mutex_unlock(&ec->lock);
                return ctr_save(e, c, err);
        }
        pthread_mutex_unlock(&ec->lock);
        if (!was_running)
                return berth_err(err, -EALREADY, "container %s is not running", c->c.name);
        r = signal_container(e, c, timeout > 0 ? sig : SIGKILL, false, true, err);
        if (r == -ENOTCONN)
                return 0;   /* it exited meanwhile */
        if (r >= 0 && timeout > 0 && wait_exit(e, c, exits, timeout))
                return 0;
        r = signal_container(e, c, SIGKILL, true, true, err);
        if (r < 0 && r != -ENOTCONN)
                return r;
        if (!wait_exit(e, c, exits, 30))
                return berth_err(err, -ETIMEDOUT, "container %s did not exit after SIGKILL", c->c.name);
        return 0;
}

typedef int (*ctr_action)(berth_engine *e, struct ctr *c, const void *arg, berth_error *err);

static int with_container(berth_engine *e, const char *name, ctr_action fn, const void *arg, berth_error *err) {
        struct ctr *c;
        int r = ctr_find(e, name, &c, err);
        if (r < 0)
                return r;
        r = fn(e, c, arg, err);
        ctr_unref(e, c);
        return r;
}

static int do_stop(berth_engine *e, struct ctr *c, const void *arg, berth_error *err) {
        int r = ctr_stop(e, c, *(const int *) arg, err);
        if (r >= 0)
                ctr_event_of(e, c, "stop", NULL, NULL);
        return r;
}

int berth_container_stop(berth_engine *e, const char *name, int timeout, berth_error *err) {
        return with_container(e, name, do_stop, &timeout, err);
}

static int do_kill(berth_engine *e, struct ctr *c, const void *arg, berth_error *err) {
        const char *signal = arg;
        int sig = SIGKILL;
        if (signal && *signal && berth_signal_parse(signal, &sig) < 0)
                return berth_err(err, -EINVAL, "Invalid signal: %s", signal);
        return signal_container(e, c, sig, false, sig == SIGKILL || sig == SIGTERM, err);
}

int berth_container_kill(berth_engine *e, const char *name, const char *signal, berth_error *err) {
        return with_container(e, name, do_kill, signal, err);
}

static int do_restart(berth_engine *e, struct ctr *c, const void *arg, berth_error *err) {
        int r = ctr_stop(e, c, *(const int *) arg, err);
        if (r < 0 && r != -EALREADY)
                return r;
        r = ctr_op_lock(e, c, err);
        if (r < 0)
                return r;
        r = ctr_start_locked(e, c, err);
        ctr_op_unlock(c);
        if (r >= 0)
                ctr_event_of(e, c, "restart", NULL, NULL);
        return r;
}

int berth_container_restart(berth_engine *e, const char *name, int timeout, berth_error *err) {
        return with_container(e, name, do_restart, &timeout, err);
}

static int set_paused(berth_engine *e, struct ctr *c, const void *arg, berth_error *err) {
        struct engine_containers *ec = engine_containers(e);
        bool pause = *(const bool *) arg;
        _cleanup_free_ char *rtroot = NULL;
        struct oci_runtime rt;
        int r = ctr_op_lock(e, c, err);

        if (r < 0)
                return r;
        berth_container *snap = ctr_snapshot(e, c);
        berth_container_status want = pause ? BERTH_CONTAINER_RUNNING : BERTH_CONTAINER_PAUSED;
        if (snap->state.status != want) {
                r = snap->state.status == BERTH_CONTAINER_PAUSED || snap->state.status == BERTH_CONTAINER_RUNNING
                            ? berth_err(err, -EBUSY, "Container %s is %s", snap->id, pause ? "already paused" : "not paused")
                            : berth_err(err, -ENOTCONN, "Container %s is not running", snap->id);
                goto out;
        }
        ctr_runtime(e, snap, &rt, &rtroot);
        r = pause ? oci_pause(&rt, snap->id, err) : oci_resume(&rt, snap->id, err);
        if (r < 0)
                goto out;
        pthread_mutex_lock(&ec->lock);
        c->c.state.status = pause ? BERTH_CONTAINER_PAUSED : BERTH_CONTAINER_RUNNING;
        ctr_changed(e);
        pthread_mutex_unlock(&ec->lock);
        ctr_event(e, snap, pause ? "pause" : "unpause", NULL);
        r = ctr_save(e, c, err);
out:
        berth_container_free(snap);
        ctr_op_unlock(c);
        return r;
}

int berth_container_pause(berth_engine *e, const char *name, berth_error *err) {
        bool pause = true;
        return with_container(e, name, set_paused, &pause, err);
}

int berth_container_unpause(berth_engine *e, const char *name, berth_error *err) {
        bool pause = false;
        return with_container(e, name, set_paused, &pause, err);
}
