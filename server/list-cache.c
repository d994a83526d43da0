/* A two-slot cache of encoded listings, invalidated by the engine's generation. */
#include "list-cache.h"

#include <stdlib.h>
#include <time.h>

#include "berth/alloc.h"

void list_cache_init(struct list_cache *c) {
        *c = (struct list_cache) { 0 };
        pthread_mutex_init(&c->lock, NULL);
}

void list_cache_done(struct list_cache *c) {
        for (int i = 0; i < 2; i++)
                free(c->slot[i].text);
        pthread_mutex_destroy(&c->lock);
}

static int64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

char *list_cache_get(struct list_cache *c, bool libpod, uint64_t generation) {
        char *copy = NULL;
        pthread_mutex_lock(&c->lock);
        if (c->slot[libpod].text && c->slot[libpod].generation == generation &&
            (!c->slot[libpod].expires_ns || now_ns() < c->slot[libpod].expires_ns))
                copy = xstrdup(c->slot[libpod].text);
        pthread_mutex_unlock(&c->lock);
        return copy;
}

void list_cache_put_until(struct list_cache *c, bool libpod, uint64_t generation, const char *text,
                          int64_t expires_ns) {
        pthread_mutex_lock(&c->lock);
        free(c->slot[libpod].text);
        c->slot[libpod].text = xstrdup(text);
        c->slot[libpod].generation = generation;
        c->slot[libpod].expires_ns = expires_ns;
        pthread_mutex_unlock(&c->lock);
}

void list_cache_put(struct list_cache *c, bool libpod, uint64_t generation, const char *text) {
        list_cache_put_until(c, libpod, generation, text, 0);
}
