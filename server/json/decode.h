/* Typed reads of request JSON: each error names the field and what it should have been,
 * so a body of the wrong shape gets a 400 that says exactly what is wrong. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "berth/error.h"

/* -EINVAL unless `v` is an object; `what` names it in the message ("request body"). */
int json_expect_object(const json_t *v, const char *what, berth_error *err);

/* Absent or null keys leave *ret untouched and succeed; a value of another type is
 * -EINVAL: "<key>: expected a string, got an array". */
int json_read_string(const json_t *obj, const char *key, const char **ret, berth_error *err);
int json_read_bool(const json_t *obj, const char *key, bool *ret, berth_error *err);
int json_read_int(const json_t *obj, const char *key, int64_t *ret, berth_error *err);
/* An array of strings, as a new NULL-terminated vector (free with strv_freep). */
int json_read_strv(const json_t *obj, const char *key, char ***ret, berth_error *err);
/* An object of string values (labels, options): a NULL-terminated key, value, ... vector. */
int json_read_string_map(const json_t *obj, const char *key, char ***ret, berth_error *err);
/* An object; *ret is borrowed from obj. */
int json_read_object(const json_t *obj, const char *key, const json_t **ret, berth_error *err);

/* "an object", "a string", ... for messages. */
const char *json_type_phrase(const json_t *v);
