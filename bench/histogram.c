/* A log-linear latency histogram: recording costs a few instructions and no allocation. */
#include "histogram.h"

#include <math.h>
#include <string.h>

#define SUB (1u << HISTOGRAM_SUB_BITS)

void histogram_reset(struct histogram *h) {
        memset(h, 0, sizeof(*h));
}

static unsigned bucket_of(uint64_t v) {
        if (v < 2 * SUB)
                return (unsigned) v;
        unsigned e = 63u - (unsigned) __builtin_clzll(v);
        unsigned shift = e - HISTOGRAM_SUB_BITS;
        return 2 * SUB + (e - HISTOGRAM_SUB_BITS - 1) * SUB + (unsigned) ((v >> shift) - SUB);
}

static uint64_t bucket_middle(unsigned i) {
        if (i < 2 * SUB)
                return i;
        unsigned k = i - 2 * SUB;
        unsigned shift = k / SUB + 1;
        uint64_t lower = (uint64_t) (SUB + k % SUB) << shift;
        return lower + ((1ull << shift) >> 1);
}

void histogram_add(struct histogram *h, uint64_t value) {
        if (value >= 1ull << HISTOGRAM_MAX_EXP)
                value = (1ull << HISTOGRAM_MAX_EXP) - 1;
        h->buckets[bucket_of(value)]++;
        h->count++;
        if (value > h->max)
                h->max = value;
}

uint64_t histogram_percentile(const struct histogram *h, double p) {
        uint64_t rank = (uint64_t) ceil(p / 100.0 * (double) h->count), seen = 0;

        if (h->count == 0)
                return 0;
        if (rank < 1)
                rank = 1;
        for (unsigned i = 0; i < HISTOGRAM_BUCKETS; i++) {
                seen += h->buckets[i];
                if (seen >= rank) {
                        uint64_t v = bucket_middle(i);
                        return v < h->max ? v : h->max;
                }
        }
        return h->max;
}
