/* Reading and following a container's log: k8s-log.c parses, inotify wakes the
 * follower when conmon writes, and a waiter wakes it when the container stops. */
#include "container-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "k8s-log.h"

#define IDLE_TICK_MS 1000

struct follow {
        berth_log_fn fn;
        void *cls;
};

static int deliver(void *cls, const struct k8s_log_line *l) {
        struct follow *f = cls;
        berth_log_entry e = { .is_stderr = l->is_stderr, .partial = l->partial, .time_ns = l->time_ns,
                              .data = l->data, .size = l->size };
        return f->fn(f->cls, &e);
}

static void stopped(void *cls, int exit_code) {
        uint64_t one = 1;
        (void) exit_code;
        if (write(*(int *) cls, &one, sizeof(one)) < 0) {
                /* an eventfd write only fails when the counter is full: it is set anyway */
        }
}

static int follow_loop(berth_engine *e, const char *name, const char *path, int fd, off_t at,
                       struct k8s_log_options *ko, struct follow *f, berth_error *err) {
        _cleanup_close_ int ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK), stop = eventfd(0, EFD_CLOEXEC);
        berth_waiter *w = NULL;
        bool ended = false;
        int r;

        if (ino < 0 || stop < 0 || inotify_add_watch(ino, path, IN_MODIFY) < 0)
                return berth_err_errno(err, -errno, "cannot follow %s", path);
        r = berth_container_wait(e, name, BERTH_WAIT_NOT_RUNNING, stopped, &stop, &w, err);
        if (r < 0)
                return r;
        ko->tail = -1;
        for (;;) {
                struct pollfd p[2] = { { .fd = ino, .events = POLLIN }, { .fd = stop, .events = POLLIN } };
                int n = poll(p, 2, IDLE_TICK_MS);
                if (n < 0 && errno != EINTR) {
                        r = berth_err_errno(err, -errno, "cannot follow %s", path);
                        break;
                }
                if (p[0].revents) {
                        char buf[4096];
                        while (read(ino, buf, sizeof(buf)) > 0)
                                ;
                }
                if (p[1].revents)
                        ended = true;   /* one last read for what it wrote before exiting */
                if (n == 0 && (r = f->fn(f->cls, NULL)) < 0)
                        break;
                r = k8s_log_read_from(fd, at, ko, deliver, f, &at, err);
                if (r != 0 || ended)
                        break;
        }
        berth_waiter_cancel(w);
        return r < 0 ? r : 0;
}

int berth_container_logs(berth_engine *e, const char *name, const berth_log_options *o, berth_log_fn fn,
                         void *cls, berth_error *err) {
        _cleanup_(berth_container_freep) berth_container *c = NULL;
        struct k8s_log_options ko = { .out = o->out, .err = o->err, .since_ns = o->since_ns, .until_ns = o->until_ns,
                                      .tail = o->tail };
        struct follow f = { fn, cls };
        _cleanup_close_ int fd = -1;
        off_t at = 0;
        int r = berth_container_lookup(e, name, &c, err);

        if (r < 0)
                return r;
        fd = open(c->log_path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 && errno != ENOENT)
                return berth_err_errno(err, -errno, "cannot read the log of container %s", c->name);
        bool live = c->state.status == BERTH_CONTAINER_RUNNING || c->state.status == BERTH_CONTAINER_PAUSED;
        if (fd < 0)
                return 0;   /* never started: an empty log */
        if (!o->follow || !live)
                return (r = k8s_log_read(fd, &ko, deliver, &f, &at, err)) < 0 ? r : 0;
        r = k8s_log_read(fd, &ko, deliver, &f, &at, err);
        if (r != 0)
                return r < 0 ? r : 0;
        return follow_loop(e, c->id, c->log_path, fd, at, &ko, &f, err);
}
