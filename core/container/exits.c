/* Container exits: conmon's exit files (ROOT/exits/<id>) seen through inotify while
 * berthd runs, and reconciled at start for exits that happened while it did not. */
#include "container-internal.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/fileio.h"
#include "berth/log.h"
#include "berth/path.h"
#include "engine-internal.h"
#include "oci.h"
#include "rootfs.h"

/* conmon's status when it vanished without writing one (our choice; Docker has none). */
#define EXIT_CODE_LOST 255

static bool is_container_id(const char *name) {
        return strlen(name) == 64 && strspn(name, "0123456789abcdef") == 64;
}

/* The code, and when conmon wrote it (the exit's time even when read much later). */
static int read_exit_file(berth_engine *e, const char *id, int *ret_code, int64_t *ret_time) {
        _cleanup_free_ char *dir = container_exit_dir(e), *path = xasprintf("%s/%s", dir, id), *line = NULL;
        struct stat st;
        char *end;
        int r = berth_read_line(path, &line);
        if (r < 0)
                return r;
        long code = strtol(line, &end, 10);
        if (end == line)
                return -EBADMSG;
        *ret_code = code < 0 ? EXIT_CODE_LOST : (int) code;
        *ret_time = stat(path, &st) == 0 ? (int64_t) st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec : 0;
        return 0;
}

static void remove_exit_file(berth_engine *e, const char *id) {
        _cleanup_free_ char *dir = container_exit_dir(e), *path = xasprintf("%s/%s", dir, id);
        unlink(path);
}

static bool oom_killed(const berth_container *c) {
        _cleanup_free_ char *cgroup = container_cgroup(c);
        _cleanup_free_ char *v1 = xasprintf("/sys/fs/cgroup/memory%s/memory.oom_control", cgroup);
        _cleanup_free_ char *v2 = xasprintf("/sys/fs/cgroup%s/memory.events", cgroup);
        _cleanup_free_ char *text = NULL;
        size_t size;
        const char *k;

        if (berth_read_file(v1, 4096, &text, &size, NULL) < 0 && berth_read_file(v2, 4096, &text, &size, NULL) < 0)
                return false;
        k = strstr(text, "oom_kill ");
        return k && atol(k + 9) > 0;
}

/* Docker's restart policies: always and unless-stopped restart whatever the code,
 * on-failure[:N] only a failure, up to N times. */
static bool should_restart(const berth_container *c, bool stop_requested) {
        json_t *host = container_json_parse(c->host_config), *policy = json_object_get(host, "RestartPolicy");
        const char *name = json_string_value(json_object_get(policy, "Name"));
        int64_t max = json_int_at(policy, "MaximumRetryCount", 0);
        bool yes = false;

        if (!stop_requested && name) {
                if (strcmp(name, "always") == 0 || strcmp(name, "unless-stopped") == 0)
                        yes = true;
                else if (strcmp(name, "on-failure") == 0)
                        yes = c->state.exit_code != 0 && (max <= 0 || c->state.restart_count < (uint64_t) max);
        }
        json_decref(host);
        return yes;
}

#define RESTART_DELAY_FIRST_MS 100
#define RESTART_DELAY_MAX_MS 60000
#define RESTART_RESET_NS (10LL * 1000000000)

struct restart_job {
        berth_engine *engine;
        struct ctr *ctr;
        unsigned delay_ms;
};

static void *restart_thread(void *p) {
        struct restart_job *j = p;
        struct engine_containers *ec = engine_containers(j->engine);
        struct timespec deadline;
        berth_error err;
        bool go;

        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += j->delay_ms / 1000;
        deadline.tv_nsec += (long) (j->delay_ms % 1000) * 1000000;
        if (deadline.tv_nsec >= 1000000000) {
                deadline.tv_sec++;
                deadline.tv_nsec -= 1000000000;
        }
        pthread_mutex_lock(&ec->lock);
        while (!ec->stopping && pthread_cond_timedwait(&ec->changed, &ec->lock, &deadline) == 0)
                ;
        pthread_mutex_unlock(&ec->lock);
        if (ctr_op_lock(j->engine, j->ctr, NULL) >= 0) {
                pthread_mutex_lock(&ec->lock);
                go = !ec->stopping && j->ctr->c.state.status == BERTH_CONTAINER_RESTARTING;
                pthread_mutex_unlock(&ec->lock);
                if (go && ctr_start_locked(j->engine, j->ctr, &err) < 0)
                        log_warn("restarting container %s: %s", j->ctr->c.name, err.message);
                ctr_op_unlock(j->ctr);
        }
        ctr_unref(j->engine, j->ctr);
        pthread_mutex_lock(&ec->lock);
        ec->restarts_pending--;
        pthread_cond_broadcast(&ec->changed);
        pthread_mutex_unlock(&ec->lock);
        free(j);
        return NULL;
}

/* Docker's back-off: 100 ms, doubled for every exit that comes within 10 s of its
 * start, up to a minute; the container shows "restarting" meanwhile. Op lock held. */
static void schedule_restart(berth_engine *e, struct ctr *c, const berth_container *snap) {
        struct engine_containers *ec = engine_containers(e);
        struct restart_job *j = xnew0(struct restart_job, 1);
        berth_error err;
        pthread_t t;

        pthread_mutex_lock(&ec->lock);
        bool quick = snap->state.finished_at - snap->state.started_at < RESTART_RESET_NS;
        c->restart_delay_ms = !quick || !c->restart_delay_ms ? RESTART_DELAY_FIRST_MS
                              : c->restart_delay_ms * 2 > RESTART_DELAY_MAX_MS ? RESTART_DELAY_MAX_MS
                                                                              : c->restart_delay_ms * 2;
        c->c.state.status = BERTH_CONTAINER_RESTARTING;
        c->c.state.restart_count++;
        c->refs++;
        ec->restarts_pending++;
        ctr_changed(e);
        *j = (struct restart_job) { .engine = e, .ctr = c, .delay_ms = c->restart_delay_ms };
        pthread_mutex_unlock(&ec->lock);
        if (ctr_save(e, c, &err) < 0)
                log_warn("%s", err.message);
        if (pthread_create(&t, NULL, restart_thread, j) != 0) {
                log_warn("cannot schedule the restart of container %s", snap->name);
                pthread_mutex_lock(&ec->lock);
                ec->restarts_pending--;
                pthread_mutex_unlock(&ec->lock);
                ctr_unref(e, c);
                free(j);
                return;
        }
        pthread_detach(t);
}

static void record_exit(berth_engine *e, struct ctr *c, int exit_code, const char *error, bool oom,
                        int64_t finished) {
        struct engine_containers *ec = engine_containers(e);
        berth_error err;

        pthread_mutex_lock(&ec->lock);
        c->c.state.status = BERTH_CONTAINER_EXITED;
        c->c.state.exit_code = exit_code;
        c->c.state.oom_killed = oom;
        c->c.state.pid = 0;
        c->c.state.conmon_pid = 0;
        c->c.state.finished_at = finished ? finished : container_now_ns();
        c->c.state.exits++;
        if (error) {
                free(c->c.state.error);
                c->c.state.error = xstrdup(error);
        }
        ctr_changed(e);
        pthread_mutex_unlock(&ec->lock);
        if (ctr_save(e, c, &err) < 0)
                log_error("recording the exit of %s: %s", c->c.id, err.message);
        remove_exit_file(e, c->c.id);   /* only once the exit is on disk */
        char code[16];
        snprintf(code, sizeof(code), "%d", exit_code);
        ctr_event_of(e, c, "die", "exitCode", code);
        pthread_mutex_lock(&ec->lock);
        ctr_waiters_exited_locked(c, exit_code);
        pthread_mutex_unlock(&ec->lock);
}

void ctr_handle_exit(berth_engine *e, struct ctr *c, int exit_code, const char *error, int64_t finished) {
        struct engine_containers *ec = engine_containers(e);
        _cleanup_(berth_container_freep) berth_container *snap = NULL;
        bool stop_requested, restart, auto_remove;
        berth_error err;

        if (ctr_op_lock(e, c, NULL) < 0) {
                remove_exit_file(e, c->c.id);
                return;
        }
        snap = ctr_snapshot(e, c);
        if (snap->state.status != BERTH_CONTAINER_RUNNING && snap->state.status != BERTH_CONTAINER_PAUSED) {
                /* A failed start already recorded it, or this exit was handled. */
                remove_exit_file(e, snap->id);
                ctr_op_unlock(c);
                return;
        }
        bool oom = oom_killed(snap);
        /* Waiters first; the runtime's delete and the unmount come after, still under
         * the op lock, so a new start or a removal waits for them. */
        record_exit(e, c, exit_code, error, oom, finished);
        pthread_mutex_lock(&ec->lock);
        stop_requested = c->stop_requested;
        c->stop_requested = false;
        berth_container_free(snap);
        snap = container_copy(&c->c);
        pthread_mutex_unlock(&ec->lock);
        json_t *host = container_json_parse(snap->host_config);
        auto_remove = json_bool_at(host, "AutoRemove");
        json_decref(host);
        restart = !auto_remove && should_restart(snap, stop_requested);
        if (!auto_remove)
                ctr_teardown(e, c);
        if (restart)
                schedule_restart(e, c, snap);
        ctr_op_unlock(c);
        if (auto_remove && ctr_remove_volumes(e, c, true, true, &err) < 0 && err.code != -ENOENT)
                log_warn("removing container %s after its exit: %s", snap->name, err.message);
}

struct exit_job {
        berth_engine *engine;
        char id[65];
        int code;
        int64_t time;
};

static void *exit_thread(void *p) {
        struct exit_job *j = p;
        struct engine_containers *ec = engine_containers(j->engine);
        struct ctr *c = ctr_find_id(j->engine, j->id);
        if (c) {
                ctr_handle_exit(j->engine, c, j->code, NULL, j->time);
                ctr_unref(j->engine, c);
        } else
                remove_exit_file(j->engine, j->id);
        /* The engine waits for this before it goes away (engine_containers_stop_monitor). */
        pthread_mutex_lock(&ec->lock);
        ec->exits_pending--;
        pthread_cond_broadcast(&ec->changed);
        pthread_mutex_unlock(&ec->lock);
        free(j);
        return NULL;
}

/* Each exit on its own thread: one slow teardown never delays the others. */
static void dispatch_exit(berth_engine *e, const char *id, int code, int64_t time) {
        struct exit_job *j = xnew0(struct exit_job, 1);
        pthread_attr_t attr;
        pthread_t t;

        j->engine = e;
        pthread_mutex_lock(&engine_containers(e)->lock);
        engine_containers(e)->exits_pending++;
        pthread_mutex_unlock(&engine_containers(e)->lock);
        snprintf(j->id, sizeof(j->id), "%s", id);
        j->code = code;
        j->time = time;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &attr, exit_thread, j) != 0)
                exit_thread(j);
        pthread_attr_destroy(&attr);
}

static void handle_name(berth_engine *e, const char *name) {
        int64_t time;
        int code;
        if (!is_container_id(name) || read_exit_file(e, name, &code, &time) < 0)
                return;
        /* Seen as it happens: now is more precise than the file's coarse mtime. */
        dispatch_exit(e, name, code, 0);
}

static void *watch_thread(void *p) {
        berth_engine *e = p;
        struct engine_containers *ec = engine_containers(e);
        char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));

        for (;;) {
                struct pollfd fds[2] = { { .fd = ec->inotify_fd, .events = POLLIN }, { .fd = ec->stop_fd, .events = POLLIN } };
                if (poll(fds, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (fds[1].revents)
                        break;
                ssize_t n = read(ec->inotify_fd, buf, sizeof(buf));
                for (char *at = buf; n > 0 && at < buf + n;) {
                        struct inotify_event *ev = (struct inotify_event *) at;
                        if (ev->len)
                                handle_name(e, ev->name);
                        at += sizeof(*ev) + ev->len;
                }
        }
        return NULL;
}

static bool conmon_alive(pid_t pid) {
        _cleanup_free_ char *path = xasprintf("/proc/%d/comm", pid), *comm = NULL;
        return pid > 0 && berth_read_line(path, &comm) >= 0 && strcmp(comm, "conmon") == 0;
}

static void kill_procs(const char *dir) {
        _cleanup_free_ char *path = xasprintf("%s/cgroup.procs", dir), *text = NULL;
        size_t size;
        char *save = NULL;

        if (berth_read_file(path, 1 << 20, &text, &size, NULL) < 0)
                return;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                kill((pid_t) atoi(line), SIGKILL);
}

/* Kills whatever is in the container's cgroup, and in the cgroups right below it (crun
 * with systemd on cgroup v2 runs the container in the scope's "container" child): a
 * runtime killed mid-create leaves an init process that no state file names. */
static void kill_cgroup(const berth_container *c) {
        const char *const roots[] = { "/sys/fs/cgroup/pids", "/sys/fs/cgroup/memory", "/sys/fs/cgroup" };
        _cleanup_free_ char *cgroup = container_cgroup(c);

        for (size_t i = 0; i < ELEMENTSOF(roots); i++) {
                _cleanup_free_ char *dir = xasprintf("%s%s", roots[i], cgroup);
                _cleanup_closedir_ DIR *d = opendir(dir);
                struct dirent *de;

                kill_procs(dir);
                while (d && (de = readdir(d)))
                        if (de->d_type == DT_DIR && de->d_name[0] != '.') {
                                _cleanup_free_ char *child = xasprintf("%s/%s", dir, de->d_name);
                                kill_procs(child);
                        }
        }
}

/* A start that the daemon's death cut short: a runtime container that runs under a
 * live conmon is adopted; anything else of it (a runtime container stuck in "created",
 * an init process, the mount) goes, and the record stays "created". */
static void reconcile_created(berth_engine *e, struct ctr *c, const berth_container *snap) {
        struct engine_containers *ec = engine_containers(e);
        _cleanup_free_ char *rtroot = NULL, *status = NULL, *cpid = NULL, *state = NULL;
        _cleanup_free_ char *cpidfile = xasprintf("%s/conmon.pid", snap->bundle);
        struct oci_runtime rt;
        pid_t pid = 0;

        ctr_runtime(e, snap, &rt, &rtroot);
        state = xasprintf("%s/%s", rtroot, snap->id);
        /* Most created containers never started: no runtime state, no process to ask. */
        if (access(state, F_OK) < 0) {
                rootfs_unmount(snap, NULL);
                return;
        }
        berth_read_line(cpidfile, &cpid);
        if (oci_state(&rt, snap->id, &status, &pid, NULL) >= 0 && cpid && conmon_alive(atoi(cpid)) &&
            (strcmp(status, "running") == 0 || strcmp(status, "paused") == 0)) {
                pthread_mutex_lock(&ec->lock);
                c->c.state.status = strcmp(status, "running") == 0 ? BERTH_CONTAINER_RUNNING : BERTH_CONTAINER_PAUSED;
                c->c.state.pid = pid;
                c->c.state.conmon_pid = atoi(cpid);
                c->c.state.started_at = container_now_ns();
                ctr_changed(e);
                pthread_mutex_unlock(&ec->lock);
                ctr_save(e, c, NULL);
                return;
        }
        log_info("cleaning up the start of container %s that berthd's exit cut short", snap->id);
        oci_kill(&rt, snap->id, SIGKILL, true, NULL);
        kill_cgroup(snap);
        ctr_teardown(e, c);
        berth_rm_rf(state, NULL);
}

/* A running record whose conmon is gone and left no exit file. */
static void reconcile_one(berth_engine *e, struct ctr *c) {
        _cleanup_(berth_container_freep) berth_container *snap = ctr_snapshot(e, c);
        int64_t time;
        int code;

        /* Before serving, so no client sees a stale state. */
        if (read_exit_file(e, snap->id, &code, &time) >= 0) {
                if (snap->state.status == BERTH_CONTAINER_CREATED)
                        ctr_teardown(e, c);
                ctr_handle_exit(e, c, code, NULL, time);
                return;
        }
        if (snap->state.status == BERTH_CONTAINER_CREATED) {
                reconcile_created(e, c, snap);
                return;
        }
        if (snap->state.status != BERTH_CONTAINER_RUNNING && snap->state.status != BERTH_CONTAINER_PAUSED)
                return;
        if (conmon_alive(snap->state.conmon_pid))
                return;
        /* The exit file may have landed since the check above. */
        if (read_exit_file(e, snap->id, &code, &time) >= 0) {
                ctr_handle_exit(e, c, code, NULL, time);
                return;
        }
        ctr_handle_exit(e, c, EXIT_CODE_LOST, "conmon exited without an exit file", 0);
}

static int reconcile(berth_engine *e, berth_error *err) {
        struct engine_containers *ec = engine_containers(e);
        struct ctr **all;
        size_t n;

        (void) err;
        pthread_mutex_lock(&ec->lock);
        n = ec->n;
        all = xnew0(struct ctr *, n + 1);
        for (size_t i = 0; i < n; i++) {
                all[i] = ec->items[i];
                all[i]->refs++;
        }
        pthread_mutex_unlock(&ec->lock);
        for (size_t i = 0; i < n; i++) {
                reconcile_one(e, all[i]);
                ctr_unref(e, all[i]);
        }
        free(all);
        return 0;
}

int berth_containers_start_monitor(berth_engine *e, berth_error *err) {
        struct engine_containers *ec = engine_containers(e);
        _cleanup_free_ char *dir = container_exit_dir(e);
        int r = berth_mkdir_p(dir, 0700, err);

        if (r < 0)
                return r;
        r = ctr_index_load(e, err);
        if (r < 0)
                return r;
        ec->inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        ec->stop_fd = eventfd(0, EFD_CLOEXEC);
        if (ec->inotify_fd < 0 || ec->stop_fd < 0 ||
            inotify_add_watch(ec->inotify_fd, dir, IN_MOVED_TO | IN_CLOSE_WRITE) < 0)
                return berth_err_errno(err, -errno, "cannot watch %s for container exits", dir);
        r = -pthread_create(&ec->watcher, NULL, watch_thread, e);
        if (r < 0)
                return berth_err_errno(err, r, "cannot start the exit watcher");
        ec->watching = true;
        /* After the watch is set, so an exit during the scan is seen one way or the other. */
        r = reconcile(e, err);
        container_sweep_orphans(e);
        return r;
}

void engine_containers_stop_monitor(struct engine_containers *ec) {
        pthread_mutex_lock(&ec->lock);
        ec->stopping = true;
        pthread_cond_broadcast(&ec->changed);
        pthread_mutex_unlock(&ec->lock);
        if (ec->watching) {
                uint64_t one = 1;
                if (write(ec->stop_fd, &one, sizeof(one)) < 0)
                        log_warn("cannot stop the exit watcher: %m");
                pthread_join(ec->watcher, NULL);
                ec->watching = false;
        }
        /* No new exit threads once the watcher is gone; the running ones finish (and any
         * restart they schedule gives up, seeing `stopping`) before the engine goes away. */
        pthread_mutex_lock(&ec->lock);
        while (ec->exits_pending > 0 || ec->restarts_pending > 0)
                pthread_cond_wait(&ec->changed, &ec->lock);
        pthread_mutex_unlock(&ec->lock);
        ec->inotify_fd = safe_close(ec->inotify_fd);
        ec->stop_fd = safe_close(ec->stop_fd);
}
