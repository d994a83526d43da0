/* Encoded list answers kept until the listed objects change (by generation). */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct list_cache {
        pthread_mutex_t lock;
        struct {
                uint64_t generation;
                int64_t expires_ns;  /* CLOCK_REALTIME; 0: only a new generation ends it */
                char *text;          /* NULL when empty */
        } slot[2];                   /* Docker shape, libpod shape */
};

void list_cache_init(struct list_cache *c);
void list_cache_done(struct list_cache *c);
/* A copy of the cached text for this shape and generation, or NULL. */
char *list_cache_get(struct list_cache *c, bool libpod, uint64_t generation);
/* Keeps a copy of text. */
void list_cache_put(struct list_cache *c, bool libpod, uint64_t generation, const char *text);
/* The same for text that goes stale at expires_ns ("Up 5 minutes" becomes "Up 6 minutes"). */
void list_cache_put_until(struct list_cache *c, bool libpod, uint64_t generation, const char *text,
                          int64_t expires_ns);
