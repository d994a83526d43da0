/* The engine's parts that core's modules share; not part of the public API. */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "berth/engine.h"
#include "berth/store.h"

/* Layers being unpacked right now, so concurrent pulls wait instead of redoing them. */
#define ENGINE_MAX_ACTIVE_LAYERS 64

struct engine_images {
        pthread_mutex_t lock;
        pthread_cond_t changed;
        char *active[ENGINE_MAX_ACTIVE_LAYERS];   /* diff IDs or blob digests in progress */
        atomic_uint_least64_t generation;
};

berth_store *engine_store(berth_engine *e);
struct engine_images *engine_images(berth_engine *e);
