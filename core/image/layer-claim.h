/* Claims on layers being installed or removed. Internal. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "berth/engine.h"

/* Waits while another thread holds the layer, then holds it. */
void layer_claim(berth_engine *e, const char *diff_id);
/* All or nothing: waits until none of the n layers is held, then holds them all;
 * ret_claimed[j] (optional) is false for a repeat of an earlier entry. */
void layer_claim_all(berth_engine *e, const char *const *diff_ids, size_t n, bool *ret_claimed);
void layer_unclaim(berth_engine *e, const char *diff_id);
