/* The monotonic clock the bench tools time with, in nanoseconds. */
#pragma once

#include <stdint.h>
#include <time.h>

static inline int64_t clock_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void sleep_ns(int64_t ns) {
        struct timespec ts = { .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 };
        nanosleep(&ts, NULL);
}
