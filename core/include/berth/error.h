/* The one error convention of berth: negative errno returns plus a message for the user. */
#pragma once

#include <stdarg.h>

/* Filled by a failing core call. `code` is the same negative errno the call returned;
 * `message` says what failed and with which object, in words a user can act on. */
typedef struct berth_error {
        int code;
        char message[1024];
} berth_error;

/* Records the failure in *err (which may be NULL) and returns `code`, so callers write
 * `return berth_err(err, -ENOENT, "no such container: %s", id);`. `code` must be < 0. */
int berth_err(berth_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int berth_errv(berth_error *err, int code, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

/* Like berth_err() and appends ": <strerror(-code)>". */
int berth_err_errno(berth_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prepends "<context>: " to a message already in *err; returns err->code. */
int berth_err_prefix(berth_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void berth_error_clear(berth_error *err);
