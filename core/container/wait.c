/* Waiters for a container's exit or removal (Docker's wait conditions). */
#include "container-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "engine-internal.h"

struct ctr_waiter {
        berth_engine *engine;
        struct ctr *ctr;
        berth_wait_condition cond;
        berth_wait_fn fn;
        void *cls;
        bool fired;
        struct ctr_waiter *next;
};

struct berth_waiter {
        struct ctr_waiter w;
};

int berth_wait_condition_from_name(const char *name, berth_wait_condition *ret) {
        if (!name || !*name || strcmp(name, "not-running") == 0)
                *ret = BERTH_WAIT_NOT_RUNNING;
        else if (strcmp(name, "next-exit") == 0)
                *ret = BERTH_WAIT_NEXT_EXIT;
        else if (strcmp(name, "removed") == 0)
                *ret = BERTH_WAIT_REMOVED;
        else
                return -EINVAL;
        return 0;
}

static bool is_running(berth_container_status s) {
        return s == BERTH_CONTAINER_RUNNING || s == BERTH_CONTAINER_PAUSED || s == BERTH_CONTAINER_RESTARTING;
}

/* Fires (under the index lock) the waiters `pick` selects and unlinks them. */
static void fire(struct ctr *c, bool removed, int exit_code) {
        struct ctr_waiter **p = &c->waiters;
        while (*p) {
                struct ctr_waiter *w = *p;
                if (removed || w->cond != BERTH_WAIT_REMOVED) {
                        *p = w->next;
                        w->fired = true;
                        w->fn(w->cls, exit_code);
                } else
                        p = &w->next;
        }
}

void ctr_waiters_exited_locked(struct ctr *c, int exit_code) {
        fire(c, false, exit_code);
}

void ctr_waiters_removed_locked(struct ctr *c) {
        fire(c, true, c->c.state.exit_code);
}

int berth_container_wait(berth_engine *e, const char *name, berth_wait_condition cond, berth_wait_fn fn,
                         void *cls, berth_waiter **ret, berth_error *err) {
        struct engine_containers *ec = engine_containers(e);
        struct berth_waiter *bw;
        struct ctr *c;
        int r = ctr_find(e, name, &c, err);

        if (r < 0)
                return r;
        bw = xnew0(struct berth_waiter, 1);
        bw->w = (struct ctr_waiter) { .engine = e, .ctr = c, .cond = cond, .fn = fn, .cls = cls };
        pthread_mutex_lock(&ec->lock);
        if (c->removed || (cond == BERTH_WAIT_NOT_RUNNING && !is_running(c->c.state.status))) {
                bw->w.fired = true;
                fn(cls, c->c.state.exit_code);
        } else {
                bw->w.next = c->waiters;
                c->waiters = &bw->w;
        }
        pthread_mutex_unlock(&ec->lock);
        *ret = bw;
        return 0;
}

void berth_waiter_cancel(berth_waiter *bw) {
        if (!bw)
                return;
        struct ctr_waiter *w = &bw->w;
        struct engine_containers *ec = engine_containers(w->engine);

        pthread_mutex_lock(&ec->lock);
        if (!w->fired)
                for (struct ctr_waiter **p = &w->ctr->waiters; *p; p = &(*p)->next)
                        if (*p == w) {
                                *p = w->next;
                                break;
                        }
        pthread_mutex_unlock(&ec->lock);
        ctr_unref(w->engine, w->ctr);
        free(bw);
}
