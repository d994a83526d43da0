/* Output helpers shared by the verbs: JSON, aligned blocks and time formatting. */
#include "output.h"

#include <errno.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

/* Go's tabwriter as podman sets it up: minwidth 12, padding 2. */
#define KV_MIN_WIDTH 12
#define KV_PADDING 2

bool output_format_is_json(const char *format) {
        _cleanup_free_ char *squeezed = xstrdup(format ? format : "");
        char *w = squeezed;

        for (const char *r = squeezed; *r; r++)
                if (*r != ' ' && *r != '\t')
                        *w++ = *r;
        *w = '\0';
        return strcmp(squeezed, "json") == 0 || strcmp(squeezed, "{{json.}}") == 0;
}

int output_json(FILE *f, const json_t *v) {
        if (json_dumpf(v, f, JSON_INDENT(2) | JSON_ENCODE_ANY) < 0)
                return -EIO;
        fputc('\n', f);
        return 0;
}

int output_json_inspect(FILE *f, const json_t *v) {
        if (json_dumpf(v, f, JSON_INDENT(5) | JSON_ENCODE_ANY) < 0)
                return -EIO;
        fputc('\n', f);
        return 0;
}

void output_kv(FILE *f, const struct output_kv *rows, size_t n) {
        int width = KV_MIN_WIDTH;

        for (size_t i = 0; i < n; i++) {
                int w = (int) strlen(rows[i].key) + KV_PADDING;
                width = w > width ? w : width;
        }
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%-*s%s\n", width, rows[i].key, rows[i].value ? rows[i].value : "");
}

void output_time_ansic(time_t t, char *buf, size_t size) {
        struct tm tm;

        if (!localtime_r(&t, &tm) || strftime(buf, size, "%a %b %e %H:%M:%S %Y", &tm) == 0)
                snprintf(buf, size, "%lld", (long long) t);
}

static int parse_offset(const char *s, long *ret_seconds) {
        int h, m, n = 0;

        if (strcmp(s, "Z") == 0 || strcmp(s, "z") == 0) {
                *ret_seconds = 0;
                return 0;
        }
        if ((s[0] != '+' && s[0] != '-') || sscanf(s + 1, "%2d:%2d%n", &h, &m, &n) != 2 || s[1 + n] != '\0' ||
            h > 23 || m > 59)
                return -EINVAL;
        *ret_seconds = (s[0] == '-' ? -1L : 1L) * (h * 3600L + m * 60L);
        return 0;
}

int output_parse_rfc3339(const char *s, time_t *ret) {
        struct tm tm = { 0 };
        const char *rest;
        long offset;

        if (!s)
                return -EINVAL;
        rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
        if (!rest)
                return -EINVAL;
        if (*rest == '.') {
                rest++;
                if (*rest < '0' || *rest > '9')
                        return -EINVAL;
                rest += strspn(rest, "0123456789");
        }
        if (parse_offset(rest, &offset) < 0)
                return -EINVAL;
        *ret = timegm(&tm) - offset;
        return 0;
}
