/* A bounded fan-out: a pull's layers, a push's uploads. Internal to core. */
#pragma once

#include <stddef.h>

/* Calls work(cls, i) once for every i in [0, n), on at most `width` threads (the
 * caller's among them), and returns when every call has returned. Items are taken in
 * order as threads come free. If threads cannot be made, fewer do the work. */
void parallel_for(size_t n, unsigned width, void (*work)(void *cls, size_t i), void *cls);
