/* Connections to conmon's attach socket, and TTY resizes through its ctl fifo. */
#include "container-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "engine-internal.h"

/* Through /proc/self/fd/N/attach, so the bundle's length never meets sun_path's 108. */
int container_attach_connect(const char *bundle, berth_error *err) {
        _cleanup_close_ int dir = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int fd = -1;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        if (dir < 0)
                return berth_err_errno(err, -errno, "cannot open %s", bundle);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/attach", dir);
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return berth_err_errno(err, -errno, "cannot connect to the attach socket of %s", bundle);
        return TAKE_FD(fd);
}

static bool live(const struct ctr *c) {
        return c->c.state.status == BERTH_CONTAINER_RUNNING || c->c.state.status == BERTH_CONTAINER_PAUSED;
}

static void in_one_second(struct timespec *t) {
        clock_gettime(CLOCK_REALTIME, t);
        t->tv_sec += 1;
}

int berth_container_attach(berth_engine *e, const char *name, bool (*abandon)(void *cls), void *cls, int *ret_fd,
                           bool *ret_tty, berth_error *err) {
        struct engine_containers *ec = engine_containers(e);
        _cleanup_free_ char *bundle = NULL;
        struct ctr *c;
        bool tty, waited = false, gave_up = false;
        struct timespec t;
        int r = ctr_find(e, name, &c, err);

        if (r < 0)
                return r;
        pthread_mutex_lock(&ec->lock);
        json_t *cfg = container_json_parse(c->c.config);
        tty = json_bool_at(cfg, "Tty");
        json_decref(cfg);
        bundle = xstrdup(c->c.bundle);
        if (!live(c)) {
                /* Until the next start has created it: start waits for us to connect. */
                uint64_t seq = c->created_seq;
                c->attach_waiting++;
                while (c->created_seq == seq && !c->removed && !live(c) && !gave_up) {
                        in_one_second(&t);
                        if (pthread_cond_timedwait(&ec->changed, &ec->lock, &t) != 0 && abandon) {
                                pthread_mutex_unlock(&ec->lock);
                                gave_up = abandon(cls);
                                pthread_mutex_lock(&ec->lock);
                        }
                }
                waited = true;
        }
        bool removed = c->removed;
        pthread_mutex_unlock(&ec->lock);
        r = gave_up   ? berth_err(err, -ECANCELED, "attach to %s abandoned", name)
            : removed ? berth_err(err, -ENOENT, "No such container: %s", name)
                      : container_attach_connect(bundle, err);
        if (waited) {
                pthread_mutex_lock(&ec->lock);
                c->attach_waiting--;
                pthread_cond_broadcast(&ec->changed);
                pthread_mutex_unlock(&ec->lock);
        }
        ctr_unref(e, c);
        if (r < 0)
                return r;
        *ret_fd = r;
        *ret_tty = tty;
        return 0;
}

int container_write_ctl_size(const char *bundle, const char *id, unsigned height, unsigned width,
                            berth_error *err) {
        _cleanup_free_ char *ctl = xasprintf("%s/ctl", bundle);
        _cleanup_close_ int fd = -1;
        char line[64];
        int n;

        fd = open(ctl, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return berth_err_errno(err, -errno, "cannot resize container %s", id);
        n = snprintf(line, sizeof(line), "1 %u %u\n", height, width);
        if (write(fd, line, (size_t) n) != n)
                return berth_err_errno(err, -errno, "cannot resize container %s", id);
        return 0;
}

/* A resize before the start (podman sends its one resize then) is kept and applied
 * when the container starts, as Podman's own service does. */
int berth_container_resize(berth_engine *e, const char *name, unsigned height, unsigned width, berth_error *err) {
        struct engine_containers *ec = engine_containers(e);
        _cleanup_free_ char *bundle = NULL;
        struct ctr *c;
        bool live;
        int r = ctr_find(e, name, &c, err);

        if (r < 0)
                return r;
        pthread_mutex_lock(&ec->lock);
        live = c->c.state.status == BERTH_CONTAINER_RUNNING || c->c.state.status == BERTH_CONTAINER_PAUSED;
        bool waiting = c->c.state.status == BERTH_CONTAINER_CREATED;
        if (waiting) {
                c->pending_height = height;
                c->pending_width = width;
        }
        bundle = xstrdup(c->c.bundle);
        pthread_mutex_unlock(&ec->lock);
        r = live      ? container_write_ctl_size(bundle, c->c.id, height, width, err)
            : waiting ? 0
                      : berth_err(err, -ENOTCONN, "Container %s is not running", c->c.id);
        ctr_unref(e, c);
        return r;
}
