#include "parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "berth/alloc.h"

struct fan_out {
        atomic_size_t next;
        size_t n;
        void (*work)(void *cls, size_t i);
        void *cls;
};

static void *take_items(void *arg) {
        struct fan_out *f = arg;

        for (size_t i; (i = atomic_fetch_add(&f->next, 1)) < f->n;)
                f->work(f->cls, i);
        return NULL;
}

void parallel_for(size_t n, unsigned width, void (*work)(void *cls, size_t i), void *cls) {
        struct fan_out f = { .n = n, .work = work, .cls = cls };
        size_t helpers = n < width ? n : width, started = 0;
        pthread_t *threads;

        if (helpers > 0)
                helpers--;      /* the caller is one of the workers */
        threads = xnew0(pthread_t, helpers + 1);
        atomic_init(&f.next, 0);
        while (started < helpers && pthread_create(&threads[started], NULL, take_items, &f) == 0)
                started++;
        take_items(&f);
        for (size_t i = 0; i < started; i++)
                pthread_join(threads[i], NULL);
        free(threads);
}
