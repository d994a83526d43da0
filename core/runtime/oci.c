/* runc/crun command invocations. */
#include "oci.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/process.h"

#define FIFO_TIMEOUT_MS 10000

static const char *basename_of(const char *path) {
        const char *slash = strrchr(path, '/');
        return slash ? slash + 1 : path;
}

static int run(const struct oci_runtime *rt, const char *const *args, char **ret_out, berth_error *err) {
        const char *argv[16] = { rt->path, "--root", rt->root };
        size_t n = 3;
        char *out = NULL;
        int r;

        for (; *args && n < ELEMENTSOF(argv) - 1; args++)
                argv[n++] = *args;
        argv[n] = NULL;
        r = berth_run_capture((char *const *) argv, 1 << 20, &out, err);
        if (r < 0)
                return r;
        if (ret_out)
                *ret_out = out;
        else
                free(out);
        return 0;
}

/* runc's start only opens the container's exec fifo, reads what its init wrote and
 * removes the fifo (libcontainer's exec()): doing that here saves starting a Go program
 * on every container start. -EAGAIN when the fifo is not there to use. */
static int start_by_fifo(const struct oci_runtime *rt, const char *id) {
        _cleanup_free_ char *fifo = xasprintf("%s/%s/exec.fifo", rt->root, id);
        _cleanup_close_ int fd = -1;
        struct stat st;
        char buf[16];
        ssize_t n, total = 0;

        if (strcmp(basename_of(rt->path), "runc") != 0 || lstat(fifo, &st) < 0 || !S_ISFIFO(st.st_mode))
                return -EAGAIN;
        fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return -EAGAIN;
        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                if (poll(&p, 1, FIFO_TIMEOUT_MS) <= 0)
                        return -ETIMEDOUT;
                n = read(fd, buf, sizeof(buf));
                if (n < 0 && (errno == EAGAIN || errno == EINTR))
                        continue;
                if (n <= 0)
                        break;
                total += n;
        }
        if (total == 0)
                return -EAGAIN;   /* nobody wrote: let runc say why */
        unlink(fifo);
        return 0;
}

int oci_start(const struct oci_runtime *rt, const char *id, berth_error *err) {
        int r = start_by_fifo(rt, id);
        if (r != -EAGAIN)
                return r < 0 ? berth_err(err, r, "starting container %s timed out", id) : 0;
        return run(rt, (const char *[]) { "start", id, NULL }, NULL, err);
}

int oci_kill(const struct oci_runtime *rt, const char *id, int signal, bool all, berth_error *err) {
        char sig[16];
        snprintf(sig, sizeof(sig), "%d", signal);
        if (all)
                return run(rt, (const char *[]) { "kill", "--all", id, sig, NULL }, NULL, err);
        return run(rt, (const char *[]) { "kill", id, sig, NULL }, NULL, err);
}

static bool says_missing(const berth_error *err) {
        return strstr(err->message, "does not exist") || strstr(err->message, "not found") ||
               strstr(err->message, "No such file");
}

int oci_delete(const struct oci_runtime *rt, const char *id, bool force, berth_error *err) {
        berth_error e = {};
        int r = run(rt, force ? (const char *[]) { "delete", "--force", id, NULL } : (const char *[]) { "delete", id, NULL },
                    NULL, &e);
        if (r < 0 && !says_missing(&e)) {
                if (err)
                        *err = e;
                return r;
        }
        return 0;
}

int oci_pause(const struct oci_runtime *rt, const char *id, berth_error *err) {
        return run(rt, (const char *[]) { "pause", id, NULL }, NULL, err);
}

int oci_resume(const struct oci_runtime *rt, const char *id, berth_error *err) {
        return run(rt, (const char *[]) { "resume", id, NULL }, NULL, err);
}

int oci_update(const struct oci_runtime *rt, const char *id, const char *resources_json, berth_error *err) {
        /* runc reads "-r FILE"; a file in its state dir keeps stdin out of it. */
        _cleanup_free_ char *path = xasprintf("%s/%s/update.json", rt->root, id);
        FILE *f = fopen(path, "we");
        int r;
        if (!f)
                return berth_err_errno(err, -errno, "cannot write %s", path);
        fputs(resources_json, f);
        if (fclose(f) != 0)
                return berth_err_errno(err, -EIO, "cannot write %s", path);
        r = run(rt, (const char *[]) { "update", "-r", path, id, NULL }, NULL, err);
        remove(path);
        return r;
}

int oci_state(const struct oci_runtime *rt, const char *id, char **ret_status, pid_t *ret_pid, berth_error *err) {
        _cleanup_free_ char *out = NULL;
        berth_error e = {};
        const char *status;
        json_int_t pid = 0;
        json_t *o;
        int r = run(rt, (const char *[]) { "state", id, NULL }, &out, &e);

        if (r < 0) {
                if (err)
                        *err = e;
                return says_missing(&e) ? -ENOENT : r;
        }
        o = json_loads(out, 0, NULL);
        if (!o || json_unpack(o, "{s:s, s?I}", "status", &status, "pid", &pid) < 0) {
                json_decref(o);
                return berth_err(err, -EPROTO, "%s state %s: unreadable answer", rt->path, id);
        }
        *ret_status = xstrdup(status);
        if (ret_pid)
                *ret_pid = (pid_t) pid;
        json_decref(o);
        return 0;
}

int oci_ps(const struct oci_runtime *rt, const char *id, pid_t **ret_pids, size_t *ret_n, berth_error *err) {
        _cleanup_free_ char *out = NULL;
        json_t *a, *v;
        size_t i;
        int r = run(rt, (const char *[]) { "ps", "--format", "json", id, NULL }, &out, err);

        if (r < 0)
                return r;
        a = json_loads(out, 0, NULL);
        if (!json_is_array(a)) {
                json_decref(a);
                return berth_err(err, -EPROTO, "%s ps %s: unreadable answer", rt->path, id);
        }
        pid_t *pids = xnew0(pid_t, json_array_size(a) + 1);
        json_array_foreach (a, i, v)
                pids[i] = (pid_t) json_integer_value(v);
        *ret_n = json_array_size(a);
        *ret_pids = pids;
        json_decref(a);
        return 0;
}
