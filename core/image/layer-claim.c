/* Layer claims: one thread at a time installs or removes a given layer; a pull claims
 * all of its layers at once so two pulls can never wait on each other. */
#include "layer-claim.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "engine-internal.h"

static bool claimed(struct engine_images *im, const char *diff_id) {
        for (int i = 0; i < ENGINE_MAX_ACTIVE_LAYERS; i++)
                if (im->active[i] && strcmp(im->active[i], diff_id) == 0)
                        return true;
        return false;
}

static size_t free_slots(struct engine_images *im) {
        size_t n = 0;
        for (int i = 0; i < ENGINE_MAX_ACTIVE_LAYERS; i++)
                n += !im->active[i];
        return n;
}

static void take(struct engine_images *im, const char *diff_id) {
        for (int i = 0; i < ENGINE_MAX_ACTIVE_LAYERS; i++)
                if (!im->active[i]) {
                        im->active[i] = xstrdup(diff_id);
                        return;
                }
}

void layer_claim(berth_engine *e, const char *diff_id) {
        layer_claim_all(e, &diff_id, 1, NULL);
}

void layer_claim_all(berth_engine *e, const char *const *diff_ids, size_t n, bool *ret_claimed) {
        struct engine_images *im = engine_images(e);
        pthread_mutex_lock(&im->lock);
        for (;;) {
                bool busy = free_slots(im) < n;
                for (size_t j = 0; j < n && !busy; j++)
                        busy = claimed(im, diff_ids[j]);
                if (!busy)
                        break;
                pthread_cond_wait(&im->changed, &im->lock);
        }
        for (size_t j = 0; j < n; j++) {
                bool dup = claimed(im, diff_ids[j]);    /* the same layer twice in one image */
                if (!dup)
                        take(im, diff_ids[j]);
                if (ret_claimed)
                        ret_claimed[j] = !dup;
        }
        pthread_mutex_unlock(&im->lock);
}

void layer_unclaim(berth_engine *e, const char *diff_id) {
        struct engine_images *im = engine_images(e);
        pthread_mutex_lock(&im->lock);
        for (int i = 0; i < ENGINE_MAX_ACTIVE_LAYERS; i++)
                if (im->active[i] && strcmp(im->active[i], diff_id) == 0) {
                        free(im->active[i]);
                        im->active[i] = NULL;
                        break;
                }
        pthread_cond_broadcast(&im->changed);
        pthread_mutex_unlock(&im->lock);
}
