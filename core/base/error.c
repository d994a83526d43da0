/* berth_error: the message half of the negative-errno convention. */
#include "berth/error.h"

#include <assert.h>
#include <stdio.h>
#include <errno.h>
#include <string.h>

int berth_errv(berth_error *err, int code, const char *fmt, va_list ap) {
        assert(code < 0);
        if (err) {
                err->code = code;
                vsnprintf(err->message, sizeof(err->message), fmt, ap);
        }
        return code;
}

int berth_err(berth_error *err, int code, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        berth_errv(err, code, fmt, ap);
        va_end(ap);
        return code;
}

int berth_err_errno(berth_error *err, int code, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        berth_errv(err, code, fmt, ap);
        va_end(ap);
        if (err) {
                size_t len = strlen(err->message);
                snprintf(err->message + len, sizeof(err->message) - len, ": %s", strerror(-code));
        }
        return code;
}

int berth_err_prefix(berth_error *err, const char *fmt, ...) {
        char context[512], old[sizeof(err->message)];
        va_list ap;

        if (!err)
                return -EINVAL;
        va_start(ap, fmt);
        vsnprintf(context, sizeof(context), fmt, ap);
        va_end(ap);
        memcpy(old, err->message, sizeof(old));
        /* Truncation keeps the start of both parts; the message stays readable. */
        size_t len = strlen(context);  /* < sizeof(context) < sizeof(message) - 3 */
        memcpy(err->message, context, len);
        memcpy(err->message + len, ": ", 2);
        snprintf(err->message + len + 2, sizeof(err->message) - len - 2, "%.*s",
                 (int) (sizeof(err->message) - len - 3), old);
        return err->code;
}

void berth_error_clear(berth_error *err) {
        if (err) {
                err->code = 0;
                err->message[0] = '\0';
        }
}
