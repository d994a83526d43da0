/* errno -> HTTP status; the mapping every route shares. */
#include "http-error.h"

#include <errno.h>
#include <string.h>

#include "berth/cleanup.h"

static const struct {
        int code;
        unsigned status;
        const char *cause;
} errno_map[] = {
        { ENOENT, 404, "not found" },
        { ENXIO, 404, "not found" },
        { EEXIST, 409, "conflict" },
        { EBUSY, 409, "in use" },
        { ENOTCONN, 409, "not running" },
        { ESRCH, 409, "not running" },
        { EALREADY, 304, "not modified" },
        { EINVAL, 400, "bad parameter" },
        { EBADMSG, 400, "bad parameter" },
        { EDOM, 400, "bad parameter" },
        { ERANGE, 400, "bad parameter" },
        { ENODATA, 400, "bad parameter" },
        { EPROTO, 400, "bad parameter" },
        { EMSGSIZE, 413, "request too large" },
        { E2BIG, 413, "request too large" },
        { EKEYREJECTED, 401, "unauthorized" },
        { EACCES, 403, "forbidden" },
        { EPERM, 403, "forbidden" },
        { ENOSYS, 501, "not implemented" },
        { EOPNOTSUPP, 501, "not implemented" },
        { ETIMEDOUT, 504, "timed out" },
        { EHOSTUNREACH, 502, "registry unreachable" },
        { ECONNREFUSED, 502, "registry unreachable" },
};

static int find(int code) {
        for (size_t i = 0; i < ELEMENTSOF(errno_map); i++)
                if (errno_map[i].code == -code)
                        return (int) i;
        return -1;
}

unsigned http_status_for_errno(int code) {
        int i = find(code);
        return i < 0 ? 500 : errno_map[i].status;
}

const char *http_cause_for_errno(int code) {
        int i = find(code);
        return i < 0 ? (code < 0 ? strerrordesc_np(-code) : "internal error") : errno_map[i].cause;
}

json_t *http_error_body(unsigned status, const char *message, const char *cause) {
        return json_pack("{s:s, s:s, s:i}", "message", message, "cause", cause, "response", (int) status);
}
