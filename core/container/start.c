/* Starting a container: rootfs, /etc files, config.json, conmon (which runs the
 * runtime's create), waiting attaches connected, then the runtime's start. */
#include "container-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/fileio.h"
#include "berth/log.h"
#include "berth/path.h"
#include "berth/strv.h"
#include "conmon.h"
#include "engine-internal.h"
#include "etc-files.h"
#include "oci.h"
#include "rootfs.h"
#include "spec.h"
#include "user.h"

#define SYNC_TIMEOUT_MS 120000
#define ATTACH_GRACE_MS 2000

void ctr_runtime(berth_engine *e, const berth_container *c, struct oci_runtime *rt, char **root) {
        *root = container_runtime_root(e);
        const berth_program *p = berth_engine_runtime(e);
        rt->path = c->runtime && *c->runtime ? c->runtime : p ? p->path : "runc";
        rt->root = *root;
}

/* -v creates a missing host directory and every volume its directory, as Docker does
 * (--mount type=bind sources were checked at create). */
static int create_bind_sources(json_t *spec, berth_error *err) {
        size_t i;
        json_t *m;
        json_array_foreach (json_object_get(spec, "mounts"), i, m) {
                const char *type = json_string_value(json_object_get(m, "type"));
                const char *src = json_string_value(json_object_get(m, "source"));
                if (!type || strcmp(type, "bind") != 0 || !src || access(src, F_OK) == 0)
                        continue;
                int r = berth_mkdir_p(src, 0755, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* "container:NAME" joins that running container's namespace. */
static int join_path(berth_engine *e, json_t *host, const char *key, const char *ns, char **ret, berth_error *err) {
        const char *mode = json_string_value(json_object_get(host, key));
        _cleanup_(berth_container_freep) berth_container *other = NULL;
        int r;

        *ret = NULL;
        if (!mode || strncmp(mode, "container:", 10) != 0)
                return 0;
        r = berth_container_lookup(e, mode + 10, &other, err);
        if (r < 0)
                return r;
        if (other->state.status != BERTH_CONTAINER_RUNNING || other->state.pid <= 0)
                return berth_err(err, -ENOTCONN, "cannot join the %s namespace of container %s: it is not running", ns,
                                 other->name);
        *ret = xasprintf("/proc/%d/ns/%s", other->state.pid, ns);
        return 0;
}

static int write_spec(berth_engine *e, const berth_container *c, berth_error *err) {
        _cleanup_(json_decrefp) json_t *cfg = container_json_parse(c->config);
        _cleanup_(json_decrefp) json_t *host = container_json_parse(c->host_config), *spec = NULL;
        _cleanup_free_ char *net = NULL, *pid = NULL, *ipc = NULL, *path = NULL, *text = NULL;
        _cleanup_free_ char *volumes = xasprintf("%s/volumes", berth_engine_config(e)->root);
        _cleanup_free_ char *cgroups_path = container_cgroups_path(c);
        _cleanup_close_ int rootfd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        struct container_user user = {};
        struct spec_host h;
        char **group_add = NULL;
        json_t *x;
        size_t i;
        int r;

        if (rootfd < 0)
                return berth_err_errno(err, -errno, "cannot open the root of container %s", c->id);
        json_array_foreach (json_object_get(host, "GroupAdd"), i, x)
                if (json_is_string(x))
                        strv_push(&group_add, json_string_value(x));
        r = container_user_resolve(rootfd, json_string_value(json_object_get(cfg, "User")), group_add, &user, err);
        strv_freep(&group_add);
        if (r < 0)
                return r;
        r = join_path(e, host, "NetworkMode", "net", &net, err);
        if (r >= 0)
                r = join_path(e, host, "PidMode", "pid", &pid, err);
        if (r >= 0)
                r = join_path(e, host, "IpcMode", "ipc", &ipc, err);
        if (r < 0)
                goto out;
        spec_host_probe(&h);
        struct spec_inputs in = { .id = c->id, .cgroups_path = cgroups_path, .config = c->config,
                                  .host_config = c->host_config, .rootfs = c->rootfs, .bundle = c->bundle,
                                  .volumes_dir = volumes, .user = &user, .joins = { net, pid, ipc }, .host = &h };
        r = spec_build(&in, &spec, err);
        if (r >= 0)
                r = create_bind_sources(spec, err);
        if (r < 0)
                goto out;
        path = xasprintf("%s/config.json", c->bundle);
        text = json_dumps(spec, JSON_COMPACT);
        r = berth_write_file_atomic(path, text, 0600, err);
out:
        container_user_done(&user);
        return r;
}

static int prepare(berth_engine *e, const berth_container *c, berth_error *err) {
        _cleanup_free_ char *exits = container_exit_dir(e), *exit_file = xasprintf("%s/%s", exits, c->id);
        _cleanup_free_ char *rtroot = NULL;
        struct oci_runtime rt;
        int r = berth_mkdir_p(c->bundle, 0700, err);

        if (r < 0)
                return r;
        unlink(exit_file);
        ctr_runtime(e, c, &rt, &rtroot);
        _cleanup_free_ char *state = xasprintf("%s/%s", rtroot, c->id);
        if (access(state, F_OK) == 0)
                oci_delete(&rt, c->id, true, NULL);   /* a previous run's leftovers */
        r = rootfs_mount(e, c, err);
        if (r >= 0)
                r = etc_files_write(c, err);
        if (r >= 0)
                r = write_spec(e, c, err);
        return r;
}

static char *exit_command(void) {
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        char *slash;
        if (n <= 0)
                return NULL;
        self[n] = '\0';
        slash = strrchr(self, '/');
        if (!slash)
                return NULL;
        char *cli = xasprintf("%.*s/berth", (int) (slash - self), self);
        if (access(cli, X_OK) < 0) {
                free(cli);
                return NULL;
        }
        return cli;
}

/* runc logs as logrus text (time="..." level=error msg="..."): keep the message. */
static char *runtime_message(const char *text) {
        const char *m = text ? strstr(text, "msg=\"") : NULL;
        if (!m)
                return xasprintf("OCI runtime create failed: %s", text && *text ? text : "the runtime failed to create the container");
        m += 5;
        char *out = xmalloc(strlen(m) + 32), *o = out + sprintf(out, "OCI runtime create failed: ");
        for (; *m && *m != '"'; m++) {
                if (*m == '\\' && m[1])
                        m++;
                *o++ = *m;
        }
        *o = '\0';
        return out;
}

static int run_conmon(berth_engine *e, const berth_container *c, pid_t *ret_pid, pid_t *ret_conmon, berth_error *err) {
        _cleanup_free_ char *exits = container_exit_dir(e), *rtroot = container_runtime_root(e);
        _cleanup_free_ char *pidfile = xasprintf("%s/pidfile", c->bundle);
        _cleanup_free_ char *cpidfile = xasprintf("%s/conmon.pid", c->bundle);
        _cleanup_free_ char *cli = berth_engine_wake_on_exit(e) ? exit_command() : NULL, *url = xasprintf("unix://%s", berth_engine_config(e)->socket_path);
        _cleanup_free_ char *message = NULL;
        json_t *cfg = container_json_parse(c->config);
        char *exit_args[] = { "--url", url, "system", "wake", NULL };
        struct conmon_options o = {
                .conmon = berth_engine_conmon(e)->path, .runtime = c->runtime && *c->runtime ? c->runtime : berth_engine_runtime(e)->path,
                .runtime_root = rtroot, .id = c->id, .name = c->name, .bundle = c->bundle, .pidfile = pidfile,
                .conmon_pidfile = cpidfile, .exit_dir = exits, .log_path = c->log_path,
                .tty = json_is_true(json_object_get(cfg, "Tty")), .stdin = json_is_true(json_object_get(cfg, "OpenStdin")),
                .exit_command = cli, .exit_command_args = exit_args, .systemd_cgroup = c->systemd_cgroup,
        };
        struct conmon_process p;
        int data, r;

        json_decref(cfg);
        r = berth_mkdir_p(exits, 0700, err);
        if (r < 0)
                return r;
        r = conmon_spawn(&o, &p, err);
        if (r < 0)
                return r;
        r = conmon_read_sync(p.sync_fd, SYNC_TIMEOUT_MS, &data, &message, err);
        conmon_process_done(&p);
        if (r < 0)
                return r;
        if (data <= 0) {
                _cleanup_free_ char *clean = runtime_message(message);
                return berth_err(err, -EIO, "%s", clean);
        }
        *ret_pid = data;
        *ret_conmon = p.conmon_pid;
        return 0;
}

/* Docker's mapping of runtime errors: the command cannot be found or run. */
static int classify_failure(const char *message, int *ret_exit_code) {
        if (strstr(message, "executable file not found") || strstr(message, "no such file or directory")) {
                *ret_exit_code = 127;
                return -EINVAL;
        }
        if (strstr(message, "permission denied") || strstr(message, "is a directory")) {
                *ret_exit_code = 126;
                return -EINVAL;
        }
        *ret_exit_code = 128;
        return -EIO;
}

static void apply_pending_size(berth_engine *e, struct ctr *c, const berth_container *snap) {
        struct engine_containers *ec = engine_containers(e);
        unsigned h, w;
        berth_error err;

        pthread_mutex_lock(&ec->lock);
        h = c->pending_height;
        w = c->pending_width;
        c->pending_height = c->pending_width = 0;
        pthread_mutex_unlock(&ec->lock);
        if ((h || w) && container_write_ctl_size(snap->bundle, snap->id, h, w, &err) < 0)
                log_warn("%s", err.message);
}

/* Lets attaches that wait for this start connect before the process runs. */
static void release_attaches(berth_engine *e, struct ctr *c) {
        struct engine_containers *ec = engine_containers(e);
        struct timespec deadline;

        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_nsec += (long) ATTACH_GRACE_MS * 1000000 % 1000000000;
        deadline.tv_sec += ATTACH_GRACE_MS / 1000 + deadline.tv_nsec / 1000000000;
        deadline.tv_nsec %= 1000000000;
        pthread_mutex_lock(&ec->lock);
        c->created_seq++;
        pthread_cond_broadcast(&ec->changed);
        while (c->attach_waiting > 0)
                if (pthread_cond_timedwait(&ec->changed, &ec->lock, &deadline) != 0)
                        break;
        pthread_mutex_unlock(&ec->lock);
}

static void record_failure(berth_engine *e, struct ctr *c, const char *message, int exit_code) {
        struct engine_containers *ec = engine_containers(e);
        berth_error ignored;

        ctr_teardown(e, c);
        pthread_mutex_lock(&ec->lock);
        c->c.state.status = c->c.state.started_at ? BERTH_CONTAINER_EXITED : BERTH_CONTAINER_CREATED;
        c->c.state.exit_code = exit_code;
        free(c->c.state.error);
        c->c.state.error = xstrdup(message);
        c->c.state.pid = 0;
        c->created_seq++;   /* attaches waiting for this start give up */
        ctr_changed(e);
        pthread_mutex_unlock(&ec->lock);
        if (ctr_save(e, c, &ignored) < 0)
                log_error("%s", ignored.message);
}

/* Docker removes an AutoRemove container whose start failed. */
static void remove_if_auto(berth_engine *e, struct ctr *c) {
        _cleanup_(berth_container_freep) berth_container *snap = ctr_snapshot(e, c);
        json_t *host = container_json_parse(snap->host_config);
        berth_error err;
        if (json_bool_at(host, "AutoRemove") && ctr_remove_volumes(e, c, true, true, &err) < 0)
                log_warn("removing container %s after its failed start: %s", snap->name, err.message);
        json_decref(host);
}

static int start_locked(berth_engine *e, struct ctr *c, berth_error *err) {
        struct engine_containers *ec = engine_containers(e);
        _cleanup_(berth_container_freep) berth_container *snap = ctr_snapshot(e, c);
        _cleanup_free_ char *rtroot = NULL;
        struct oci_runtime rt;
        pid_t pid = 0, conmon = 0;
        int r, code;

        if (snap->state.status == BERTH_CONTAINER_RUNNING)
                return berth_err(err, -EALREADY, "container %s is already running", snap->name);
        if (snap->state.status == BERTH_CONTAINER_PAUSED)
                return berth_err(err, -EBUSY, "cannot start a paused container, try unpause instead");
        if (!berth_engine_conmon(e) || !berth_engine_runtime(e))
                return berth_err(err, -ENOSYS, "cannot start containers: %s is not installed",
                                 berth_engine_conmon(e) ? "an OCI runtime" : "conmon");
        int64_t t0 = container_now_ns(), t1 = 0, t2 = 0, started = 0;
        r = prepare(e, snap, err);
        if (r >= 0) {
                t1 = container_now_ns();
                r = run_conmon(e, snap, &pid, &conmon, err);
        }
        if (r >= 0) {
                t2 = container_now_ns();
                apply_pending_size(e, c, snap);
                release_attaches(e, c);
                ctr_runtime(e, snap, &rt, &rtroot);
                started = container_now_ns();   /* the process may write before start returns */
                r = oci_start(&rt, snap->id, err);
        }
        log_debug("start %.12s: prepare %.1f ms, runtime create %.1f ms, start %.1f ms", snap->id, (t1 - t0) / 1e6,
                  t1 && t2 ? (t2 - t1) / 1e6 : 0.0, t2 ? (container_now_ns() - t2) / 1e6 : 0.0);
        if (r < 0) {
                r = classify_failure(err->message, &code) == -EINVAL && r == -EIO ? -EINVAL : r;
                record_failure(e, c, err->message, code);
                return r;
        }
        pthread_mutex_lock(&ec->lock);
        c->c.state.status = BERTH_CONTAINER_RUNNING;
        c->c.state.pid = pid;
        c->c.state.conmon_pid = conmon;
        c->c.state.started_at = started;
        c->c.state.finished_at = 0;
        c->c.state.exit_code = 0;
        c->c.state.oom_killed = false;
        free(c->c.state.error);
        c->c.state.error = NULL;
        ctr_changed(e);
        pthread_mutex_unlock(&ec->lock);
        ctr_event(e, snap, "start", NULL);
        return ctr_save(e, c, err);
}

int ctr_start_locked(berth_engine *e, struct ctr *c, berth_error *err) {
        return start_locked(e, c, err);
}

int berth_container_start(berth_engine *e, const char *name, berth_error *err) {
        struct ctr *c;
        int r = ctr_find_op_locked(e, name, &c, err);
        if (r < 0)
                return r;
        r = start_locked(e, c, err);
        ctr_op_unlock(c);
        if (r < 0 && r != -EALREADY && r != -EBUSY)
                remove_if_auto(e, c);
        ctr_unref(e, c);
        return r;
}

void ctr_teardown(berth_engine *e, struct ctr *c) {
        _cleanup_(berth_container_freep) berth_container *snap = ctr_snapshot(e, c);
        _cleanup_free_ char *rtroot = NULL;
        struct oci_runtime rt;
        berth_error err;

        ctr_runtime(e, snap, &rt, &rtroot);
        if (oci_delete(&rt, snap->id, true, &err) < 0)
                log_warn("container %s: %s", snap->id, err.message);
        if (rootfs_unmount(snap, &err) < 0)
                log_warn("%s", err.message);
}
