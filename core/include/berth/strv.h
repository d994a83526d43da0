/* NULL-terminated vectors of owned strings (freed with strv_freep from cleanup.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

size_t strv_length(char *const *v);
/* Adds s unless present; removes it (false when absent). */
void strv_add(char ***v, const char *s);
bool strv_remove(char ***v, const char *s);
/* Appends s even when present. */
void strv_push(char ***v, const char *s);
bool strv_contains(char *const *v, const char *s);
/* A deep copy; NULL becomes an empty vector. */
char **strv_copy(char *const *v);
