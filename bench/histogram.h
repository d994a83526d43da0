/* A fixed-size log-linear latency histogram: exact below 128, within 1/64 above. */
#pragma once

#include <stdint.h>

#define HISTOGRAM_SUB_BITS 6
#define HISTOGRAM_MAX_EXP 40    /* values are clamped below 2^40 */
#define HISTOGRAM_BUCKETS \
        ((2 << HISTOGRAM_SUB_BITS) + (HISTOGRAM_MAX_EXP - HISTOGRAM_SUB_BITS - 1) * (1 << HISTOGRAM_SUB_BITS))

struct histogram {
        uint64_t count;
        uint64_t max;
        uint64_t buckets[HISTOGRAM_BUCKETS];
};

void histogram_reset(struct histogram *h);
void histogram_add(struct histogram *h, uint64_t value);

/* The value at percentile p (0 < p <= 100), as the middle of its bucket; 0 when empty. */
uint64_t histogram_percentile(const struct histogram *h, double p);
