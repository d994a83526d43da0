/* A two-slot cache of encoded listings, invalidated by the engine's generation. */
#include "list-cache.h"

#include <stdlib.h>

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

char *list_cache_get(struct list_cache *c, bool libpod, uint64_t generation) {
        char *copy = NULL;
        pthread_mutex_lock(&c->lock);
        if (c->slot[libpod].text && c->slot[libpod].generation == generation)
                copy = xstrdup(c->slot[libpod].text);
        pthread_mutex_unlock(&c->lock);
        return copy;
}

void list_cache_put(struct list_cache *c, bool libpod, uint64_t generation, const char *text) {
        pthread_mutex_lock(&c->lock);
        free(c->slot[libpod].text);
        c->slot[libpod].text = xstrdup(text);
        c->slot[libpod].generation = generation;
        pthread_mutex_unlock(&c->lock);
}
