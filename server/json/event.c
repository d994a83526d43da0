/* Event encoders (Docker's Message, libpod's entities.Event) and the decoders of the
 * since/until/filters parameters that select events. */
#include "json/event.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/strv.h"
#include "filter-values.h"

#define NSEC 1000000000LL

static json_t *attributes(const berth_event *ev) {
        json_t *a = json_object();
        for (size_t i = 0; ev->attrs && ev->attrs[i]; i += 2)
                json_object_set_new(a, ev->attrs[i], json_string(ev->attrs[i + 1]));
        return a;
}

static json_t *message(const berth_event *ev, const char *action, json_t *attrs) {
        json_t *j = json_object();
        bool legacy = strcmp(ev->type, "container") == 0 || strcmp(ev->type, "image") == 0;
        const char *image = berth_event_attr(ev, "image");

        /* Docker still fills the deprecated fields for containers and images. */
        if (legacy) {
                json_object_set_new(j, "status", json_string(action));
                if (*ev->id)
                        json_object_set_new(j, "id", json_string(ev->id));
                if (strcmp(ev->type, "container") == 0 && image && *image)
                        json_object_set_new(j, "from", json_string(image));
        }
        json_object_set_new(j, "Type", json_string(ev->type));
        json_object_set_new(j, "Action", json_string(action));
        json_object_set_new(j, "Actor", json_pack("{s:s, s:o}", "ID", ev->id, "Attributes", attrs));
        json_object_set_new(j, "scope", json_string("local"));
        json_object_set_new(j, "time", json_integer(ev->time_ns / NSEC));
        json_object_set_new(j, "timeNano", json_integer(ev->time_ns));
        return j;
}

json_t *json_docker_event(const berth_event *ev) {
        return message(ev, ev->action, attributes(ev));
}

/* Docker's action -> Podman's status; NULL where Podman has none. */
static const char *const libpod_names[][2] = {
        { "die", "died" },       { "destroy", "remove" }, { "delete", "remove" },
        { "load", "loadfromarchive" }, { "exec_create", "exec" }, { "exec_start", "exec" },
        { "exec_die", "exec_died" }, { "detach", NULL },
};

static const char *libpod_status(const char *action) {
        for (size_t i = 0; i < ELEMENTSOF(libpod_names); i++)
                if (strcmp(libpod_names[i][0], action) == 0)
                        return libpod_names[i][1];
        return action;
}

json_t *json_libpod_event(const berth_event *ev) {
        const char *status = libpod_status(ev->action), *v;
        if (!status)
                return NULL;
        json_t *attrs = attributes(ev);
        v = berth_event_attr(ev, "image");
        json_object_set_new(attrs, "image", json_string(v ? v : ""));
        v = berth_event_attr(ev, "name");
        json_object_set_new(attrs, "name", json_string(v ? v : ""));
        v = berth_event_attr(ev, "exitCode");
        json_object_set_new(attrs, "containerExitCode", json_string(v ? v : "0"));
        v = berth_event_attr(ev, "podId");
        json_object_set_new(attrs, "podId", json_string(v ? v : ""));
        json_t *j = message(ev, status, attrs);
        v = berth_event_attr(ev, "image");
        json_object_set_new(j, "from", json_string(v ? v : ""));
        json_object_set_new(j, "HealthStatus", json_string(""));
        return j;
}

/* "123", "123.5", "-1": Docker's timestamps; the fraction is scaled to nanoseconds. */
static bool parse_seconds(const char *s, int64_t *ret) {
        char *end;
        errno = 0;
        long long sec = strtoll(s, &end, 10);
        if (end == s || errno || (*end && *end != '.'))
                return false;
        int64_t ns = 0;
        if (*end == '.') {
                const char *f = end + 1;
                size_t n = strspn(f, "0123456789");
                if (n == 0 || f[n])
                        return false;
                for (size_t i = 0; i < 9; i++)
                        ns = ns * 10 + (i < n ? f[i] - '0' : 0);
        }
        *ret = sec * NSEC + (sec < 0 ? -ns : ns);
        return true;
}

/* "1h30m", "10m", "1.5s", "300ms": a Go duration, without sign. */
static bool parse_duration(const char *s, int64_t *ret) {
        static const struct { const char *unit; double ns; } units[] = {
                { "ns", 1 }, { "us", 1e3 }, { "µs", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
        };
        double total = 0;
        if (!*s)
                return false;
        while (*s) {
                char *end;
                if (!isdigit((unsigned char) *s) && *s != '.')
                        return false;
                double v = strtod(s, &end);
                size_t best = 0, best_len = 0;
                for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                        size_t l = strlen(units[i].unit);
                        if (strncmp(end, units[i].unit, l) == 0 && l > best_len)
                                best = i, best_len = l;
                }
                if (end == s || best_len == 0)
                        return false;
                total += v * units[best].ns;
                s = end + best_len;
        }
        *ret = (int64_t) total;
        return true;
}

/* "2006-01-02", "2006-01-02T15:04:05[.frac][Z|±07:00]"; without a zone, local time. */
static bool parse_rfc3339(const char *s, int64_t *ret) {
        struct tm tm = { 0 };
        const char *p = strptime(s, "%Y-%m-%d", &tm);
        int64_t frac = 0, offset = 0;
        bool utc = false;

        if (!p)
                return false;
        if (*p == 'T' || *p == ' ') {
                p = strptime(p + 1, "%H:%M:%S", &tm);
                if (!p)
                        return false;
                if (*p == '.') {
                        size_t n = 0;
                        for (p++; isdigit((unsigned char) *p); p++, n++)
                                if (n < 9)
                                        frac = frac * 10 + (*p - '0');
                        for (; n < 9; n++)
                                frac *= 10;
                }
                if (*p == 'Z' || *p == 'z')
                        utc = true, p++;
                else if (*p == '+' || *p == '-') {
                        int hh, mm;
                        if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2 || strlen(p) != 6)
                                return false;
                        offset = (*p == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
                        utc = true, p += 6;
                }
        }
        if (*p)
                return false;
        tm.tm_isdst = -1;
        time_t t = utc ? timegm(&tm) : mktime(&tm);
        *ret = ((int64_t) t - offset) * NSEC + frac;
        return true;
}

int json_event_time(const char *name, const char *text, int64_t now_ns, int64_t *ret_ns, berth_error *err) {
        int64_t v;
        if (parse_seconds(text, &v) || parse_rfc3339(text, &v)) {
                *ret_ns = v;
                return 0;
        }
        if (parse_duration(text, &v)) {
                *ret_ns = now_ns - v;
                return 0;
        }
        return berth_err(err, -EINVAL, "invalid value for %s: \"%s\" (seconds since the epoch, a date, or a duration such as 10m)",
                         name, text);
}

/* Podman's status names in an event filter -> the actions berth records. */
static void push_action(char ***actions, const char *value, bool libpod) {
        bool mapped = false;
        for (size_t i = 0; libpod && i < ELEMENTSOF(libpod_names); i++)
                if (libpod_names[i][1] && strcmp(libpod_names[i][1], value) == 0) {
                        strv_push(actions, libpod_names[i][0]);
                        mapped = true;
                }
        if (!mapped)
                strv_push(actions, value);
}

static int take_key(berth_event_filter *f, const char *key, json_t *v, bool libpod, berth_error *err) {
        static const char *const other_objects[] = { "volume", "network", "plugin", "daemon", "node",
                                                     "service", "secret", "config", "pod" };
        _cleanup_strv_free_ char **values = NULL;
        int rc = filter_values(v, key, &values, err);

        if (rc < 0)
                return rc;
        if (!values)
                return 0;
        if (strcmp(key, "type") == 0)
                f->types = TAKE_PTR(values);
        else if (strcmp(key, "event") == 0)
                for (char **x = values; *x; x++)
                        push_action(&f->actions, *x, libpod);
        else if (strcmp(key, "container") == 0)
                f->containers = TAKE_PTR(values);
        else if (strcmp(key, "image") == 0)
                f->images = TAKE_PTR(values);
        else if (strcmp(key, "label") == 0)
                f->labels = TAKE_PTR(values);
        else if (strcmp(key, "scope") == 0) {
                f->none = f->none || !strv_contains(values, "local");   /* berth has only local events */
        } else {
                for (size_t i = 0; i < ELEMENTSOF(other_objects); i++)
                        if (strcmp(key, other_objects[i]) == 0) {
                                f->none = true;   /* objects berth has no events for yet */
                                return 0;
                        }
                return berth_err(err, -EINVAL, "filters: unsupported filter \"%s\"", key);
        }
        return 0;
}

int json_event_filter(const char *text, bool libpod, berth_event_filter *f, berth_error *err) {
        json_t *j, *v;
        const char *key;
        int rc = 0;

        if (!text || !*text)
                return 0;
        j = json_loads(text, 0, NULL);
        if (!json_is_object(j))
                rc = berth_err(err, -EINVAL, "filters: not a JSON object: %s", text);
        json_object_foreach (j, key, v)
                if (rc >= 0)
                        rc = take_key(f, key, v, libpod, err);
        json_decref(j);
        return rc;
}
