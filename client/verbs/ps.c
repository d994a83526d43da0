/* berth ps: podman's container table from libpod's GET /containers/json, and the Go
 * template subset --format takes here and in stats. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "http.h"
#include "output.h"
#include "units.h"
#include "verb.h"
#include "verbs/container.h"
#include "verbs/image.h"

static const char ps_usage[] =
        "Usage: berth ps [options]\n"
        "\n"
        "List containers: the running ones, or all with -a.\n"
        "\n"
        "Options:\n"
        "  -a, --all                show every container, not only running ones\n"
        "  -f, --filter KEY=VALUE   only containers that match: id=, name=, label=, status=,\n"
        "                           ancestor=, exited=, before=, since=...\n"
        "      --format FORMAT      json, or a Go template: {{.ID}} {{.Image}} {{.Command}}\n"
        "                           {{.CreatedHuman}} {{.Status}} {{.State}} {{.Ports}} {{.Names}}\n"
        "                           {{.Labels}} {{.Size}}...; \"table ...\" adds a heading\n"
        "  -l, --latest             show only the newest container (as -n 1)\n"
        "  -n, --last N             show the N newest containers\n"
        "      --noheading          do not print the column headings\n"
        "      --no-trunc           print full IDs and commands\n"
        "  -q, --quiet              print only the container IDs\n"
        "  -s, --size               show the containers' sizes\n"
        "  -h, --help               print this help\n";

/* ------------------------------------------------------------------ templates */

static const struct { const char *field, *heading; } headings[] = {
        { "CreatedHuman", "CREATED" },  { "Created", "CREATED" },
        { "RunningFor", "CREATED" },    { "Names", "NAMES" },           { "Name", "NAME" },
        { "CPUPerc", "CPU %" },         { "MemUsage", "MEM USAGE / LIMIT" }, { "MemPerc", "MEM %" },
        { "NetIO", "NET IO" },          { "BlockIO", "BLOCK IO" },      { "PIDs", "PIDS" },
        { "CPU", "CPU TIME" },          { "AVGCPU", "AVG CPU %" },
};

static void append(char **buf, size_t *len, const char *s, size_t n) {
        *buf = xrealloc(*buf, *len + n + 1);
        memcpy(*buf + *len, s, n);
        *len += n;
        (*buf)[*len] = '\0';
}

static char *value_text(const json_t *v) {
        if (json_is_string(v))
                return xstrdup(json_string_value(v));
        if (json_is_integer(v))
                return xasprintf("%lld", (long long) json_integer_value(v));
        if (json_is_real(v))
                return xasprintf("%g", json_real_value(v));
        if (json_is_boolean(v))
                return xstrdup(json_is_true(v) ? "true" : "false");
        if (!v || json_is_null(v))
                return xstrdup("<no value>");
        /* Maps print as Go prints them: map[k:v k2:v2]. */
        if (json_is_object(v)) {
                char *out = xstrdup("map["), *sep = "";
                size_t len = 4;
                const char *k;
                json_t *x;
                json_object_foreach((json_t *) v, k, x) {
                        _cleanup_free_ char *t = value_text(x), *kv = xasprintf("%s%s:%s", sep, k, t);
                        append(&out, &len, kv, strlen(kv));
                        sep = " ";
                }
                append(&out, &len, "]", 1);
                return out;
        }
        /* Slices print as Go prints them: [a b c]. */
        if (json_is_array(v)) {
                char *out = xstrdup("[");
                size_t len = 1, i;
                json_t *x;
                json_array_foreach((json_t *) v, i, x) {
                        _cleanup_free_ char *t = value_text(x);
                        if (i > 0)
                                append(&out, &len, " ", 1);
                        append(&out, &len, t, strlen(t));
                }
                append(&out, &len, "]", 1);
                return out;
        }
        return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* One {{ ... }} action: ".A.B", "json .A", "upper .A", "lower .A". */
static int action(const char *text, template_field_fn field, void *userdata, char **ret, berth_error *err) {
        _cleanup_free_ char *copy = xstrdup(text), *first = NULL;
        _cleanup_(json_decrefp) json_t *scratch = NULL;
        char *s = copy, *fn = NULL, *dot;
        const json_t *v;

        while (isspace((unsigned char) *s))
                s++;
        for (char *e = s + strlen(s); e > s && isspace((unsigned char) e[-1]);)
                *--e = '\0';
        if (s[0] != '.') {
                fn = s;
                s = strchr(s, ' ');
                if (!s)
                        return berth_err(err, -EINVAL, "template: unsupported action \"{{%s}}\"", text);
                *s++ = '\0';
                s += strspn(s, " ");
        }
        if (strcmp(s, ".") == 0)
                return berth_err(err, -EINVAL, "template: \"{{%s}}\": use a field such as {{.ID}}", text);
        if (s[0] != '.')
                return berth_err(err, -EINVAL, "template: unsupported action \"{{%s}}\"", text);
        dot = strchr(s + 1, '.');
        first = xstrndup(s + 1, dot ? (size_t) (dot - s - 1) : strlen(s + 1));
        v = field(userdata, first, &scratch);
        if (!v)
                return berth_err(err, -EINVAL, "template: can't evaluate field %s", first);
        for (char *p = dot, *next; p && v; p = next) {
                _cleanup_free_ char *key = NULL;
                next = strchr(p + 1, '.');
                key = xstrndup(p + 1, next ? (size_t) (next - p - 1) : strlen(p + 1));
                v = json_object_get(v, key);
        }
        if (fn && strcmp(fn, "json") == 0)
                *ret = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : xstrdup("null");
        else if (!fn || strcmp(fn, "upper") == 0 || strcmp(fn, "lower") == 0) {
                *ret = value_text(v);
                for (char *p = *ret; fn && *p; p++)
                        *p = (char) (fn[0] == 'u' ? toupper((unsigned char) *p) : tolower((unsigned char) *p));
        } else
                return berth_err(err, -EINVAL, "template: function \"%s\" not defined", fn);
        return 0;
}

int template_render(const char *tmpl, template_field_fn field, void *userdata, char **ret, berth_error *err) {
        _cleanup_free_ char *out = xstrdup("");
        size_t len = 0;
        const char *p = tmpl;

        while (*p) {
                const char *open = strstr(p, "{{"), *close;
                const char *end = open ? open : p + strlen(p);
                for (const char *q = p; q < end; q++) {
                        /* A literal "\t" or "\n" typed in a shell is what users mean as one. */
                        if (q[0] == '\\' && (q[1] == 't' || q[1] == 'n') && q + 1 < end) {
                                append(&out, &len, q[1] == 't' ? "\t" : "\n", 1);
                                q++;
                        } else
                                append(&out, &len, q, 1);
                }
                if (!open)
                        break;
                close = strstr(open + 2, "}}");
                if (!close)
                        return berth_err(err, -EINVAL, "template: unclosed action in \"%s\"", tmpl);
                _cleanup_free_ char *inner = xstrndup(open + 2, (size_t) (close - open - 2)), *value = NULL;
                int r = action(inner, field, userdata, &value, err);
                if (r < 0)
                        return r;
                append(&out, &len, value, strlen(value));
                p = close + 2;
        }
        *ret = TAKE_PTR(out);
        return 0;
}

static const json_t *heading_field(void *userdata, const char *name, json_t **scratch) {
        const char *h = strcmp(name, "ID") == 0 ? userdata : NULL;

        for (size_t i = 0; i < ELEMENTSOF(headings); i++)
                if (strcmp(headings[i].field, name) == 0)
                        h = headings[i].heading;
        if (h)
                *scratch = json_string(h);
        else {
                _cleanup_free_ char *up = xstrdup(name);
                for (char *p = up; *p; p++)
                        *p = (char) toupper((unsigned char) *p);
                *scratch = json_string(up);
        }
        return *scratch;
}

char *template_heading(const char *tmpl, const char *id_heading) {
        _cleanup_free_ char *plain = xstrdup(tmpl);
        berth_error err = { 0 };
        char *out = NULL;

        /* Functions do not change a heading: {{json .Labels}} is headed LABELS. */
        for (char *p = strstr(plain, "{{"); p; p = strstr(p + 2, "{{")) {
                char *dot = strchr(p, '.'), *close = strstr(p, "}}");
                if (dot && close && dot < close)
                        memmove(p + 2, dot, strlen(dot) + 1);
        }
        if (template_render(plain, heading_field, (void *) id_heading, &out, &err) < 0)
                return xstrdup("");
        return out;
}

/* ------------------------------------------------------------------ ps */

struct ps_flags {
        bool all, no_heading, no_trunc, quiet, size;
        long last;
        const char *format;
        json_t *filters;
};

static long long created_seconds(const json_t *ctr) {
        const json_t *v = json_object_get(ctr, "Created");
        time_t t;

        if (json_is_integer(v))
                return (long long) json_integer_value(v);
        return output_parse_rfc3339(json_string_value(v), &t) == 0 ? (long long) t : 0;
}

static char *joined(const json_t *array, const char *sep) {
        char *out = xstrdup("");
        size_t len = 0, i;
        json_t *v;

        json_array_foreach(array, i, v) {
                if (i > 0)
                        append(&out, &len, sep, strlen(sep));
                append(&out, &len, json_string_value(v) ?: "", strlen(json_string_value(v) ?: ""));
        }
        return out;
}

static char *status_text(const json_t *ctr, long long now) {
        const char *state = json_string_value(json_object_get(ctr, "State")) ?: "";
        char d[64];

        if (strcmp(state, "running") == 0) {
                units_human_duration(now - json_integer_value(json_object_get(ctr, "StartedAt")), d, sizeof(d));
                return xasprintf("Up %s ago", d);
        }
        if (strcmp(state, "exited") == 0 || strcmp(state, "stopped") == 0) {
                units_human_duration(now - json_integer_value(json_object_get(ctr, "ExitedAt")), d, sizeof(d));
                return xasprintf("Exited (%lld) %s ago", (long long) json_integer_value(json_object_get(ctr, "ExitCode")),
                                 d);
        }
        if (strcmp(state, "configured") == 0 || !*state)
                return xstrdup("Created");
        char *s = xstrdup(state);
        s[0] = (char) toupper((unsigned char) s[0]);
        return s;
}

static char *ports_text(const json_t *ports) {
        char *out = xstrdup("");
        size_t len = 0, i;
        json_t *p;

        json_array_foreach(ports, i, p) {
                const char *ip = json_string_value(json_object_get(p, "host_ip"));
                _cleanup_free_ char *one = xasprintf(
                        "%s%s:%lld->%lld/%s", i ? ", " : "", ip && *ip ? ip : "0.0.0.0",
                        (long long) json_integer_value(json_object_get(p, "host_port")),
                        (long long) json_integer_value(json_object_get(p, "container_port")),
                        json_string_value(json_object_get(p, "protocol")) ?: "tcp");
                append(&out, &len, one, strlen(one));
        }
        return out;
}

static char *size_text(const json_t *size) {
        char rw[32], root[32];

        if (!json_is_object(size))
                return xstrdup("");
        units_human_size((double) json_integer_value(json_object_get(size, "rwSize")), "", rw, sizeof(rw));
        units_human_size((double) json_integer_value(json_object_get(size, "rootFsSize")), "", root, sizeof(root));
        return xasprintf("%s (virtual %s)", rw, root);
}

/* A JSON string made from an allocated one, which it frees. */
static json_t *json_take(char *s) {
        json_t *j = json_string(s);

        free(s);
        return j;
}

/* The fields podman's ps templates know, as strings, over the list entry's own. */
static json_t *view(const json_t *ctr, const struct ps_flags *f, long long now) {
        const char *id = json_string_value(json_object_get(ctr, "Id")) ?: "";
        _cleanup_free_ char *command = joined(json_object_get(ctr, "Command"), " ");
        char created[64];
        json_t *v = json_deep_copy(ctr);

        if (!f->no_trunc && strlen(command) > 17)
                strcpy(command + 17, "...");
        units_ago(created_seconds(ctr), now, created, sizeof(created));
        json_object_set_new(v, "ID", json_stringn(id, f->no_trunc ? strlen(id) : strnlen(id, 12)));
        json_object_set_new(v, "Command", json_string(command));
        json_object_set_new(v, "CreatedHuman", json_string(created));
        json_object_set_new(v, "RunningFor", json_string(created));
        json_object_set_new(v, "Status", json_take(status_text(ctr, now)));
        /* podman 4.3's .State is the same words as .Status. */
        json_object_set(v, "State", json_object_get(v, "Status"));
        json_object_set_new(v, "Names", json_take(joined(json_object_get(ctr, "Names"), ",")));
        json_object_set_new(v, "Ports", json_take(ports_text(json_object_get(ctr, "Ports"))));
        json_object_set_new(v, "Size", json_take(size_text(json_object_get(ctr, "Size"))));
        return v;
}

static const json_t *view_field(void *userdata, const char *name, json_t **scratch) {
        (void) scratch;
        return json_object_get(userdata, name);
}

/* Nanoseconds since the epoch, for ordering: RFC 3339 fractions count. */
static long double created_exact(const json_t *ctr) {
        const char *s = json_string_value(json_object_get(ctr, "Created"));
        const char *dot = s ? strchr(s, '.') : NULL;
        long double t = (long double) created_seconds(ctr);

        if (dot)
                t += strtold(dot, NULL);
        return t;
}

/* A row with its place in berthd's answer, which breaks ties. */
struct ordered {
        json_t *ctr;
        long double created;
        size_t index;
};

static int created_compare(const void *a, const void *b) {
        const struct ordered *x = a, *y = b;

        if (x->created != y->created)
                return x->created < y->created ? -1 : 1;
        return x->index < y->index ? -1 : 1;
}

/* Rows split at tabs into a table, as podman's tabwriter lays out "table" formats. */
static void add_tab_row(struct output_table *t, const char *line) {
        _cleanup_free_ char *copy = xstrdup(line);
        const char **cells = xnew0(const char *, t->columns);
        char *p = copy;

        for (size_t i = 0; i < t->columns; i++) {
                char *tab = p ? strchr(p, '\t') : NULL;
                if (tab && i + 1 < t->columns)
                        *tab = '\0';
                cells[i] = p ?: "";
                p = tab && i + 1 < t->columns ? tab + 1 : NULL;
        }
        output_table_add(t, cells);
        free(cells);
}

static const char default_table[] =
        "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
static const char size_table[] =
        "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\t{{.Size}}";

int template_print_rows(const char *format, json_t *const *rows, size_t n, bool no_heading, const char *id_heading,
                        berth_error *err) {
        bool table = strncmp(format, "table", 5) == 0;
        const char *tmpl = table ? format + 5 + strspn(format + 5, " ") : format;
        _cleanup_free_ char *heading = template_heading(tmpl, id_heading);
        struct output_table t;
        size_t columns = 1;
        int r = 0;

        if (!table) {
                for (size_t i = 0; i < n && r >= 0; i++) {
                        _cleanup_free_ char *line = NULL;
                        r = template_render(tmpl, view_field, rows[i], &line, err);
                        if (r >= 0)
                                printf("%s\n", line);
                }
                return r;
        }
        for (const char *p = heading; *p; p++)
                columns += *p == '\t';
        output_table_init(&t, columns);
        if (!no_heading)
                add_tab_row(&t, heading);
        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_free_ char *line = NULL;
                r = template_render(tmpl, view_field, rows[i], &line, err);
                if (r >= 0)
                        add_tab_row(&t, line);
        }
        if (r >= 0)
                output_table_print(stdout, &t);
        output_table_done(&t);
        return r;
}

static int parse_ps_flags(struct client *c, int argc, char **argv, struct ps_flags *f) {
        static const struct option options[] = {
                { "all", no_argument, NULL, 'a' },
                { "filter", required_argument, NULL, 'f' },
                { "format", required_argument, NULL, 'F' },
                { "last", required_argument, NULL, 'n' },
                { "latest", no_argument, NULL, 'l' },
                { "noheading", no_argument, NULL, 'H' },
                { "no-trunc", no_argument, NULL, 'T' },
                { "quiet", no_argument, NULL, 'q' },
                { "size", no_argument, NULL, 's' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        char *end;
        int opt;

        while ((opt = verb_getopt(argc, argv, "af:ln:qsh", options, &c->error)) > 0) {
                switch (opt) {
                case 'a': f->all = true; break;
                case 'f':
                        if (image_filters_add(f->filters, optarg, &c->error) < 0)
                                return c->error.code;
                        break;
                case 'F': f->format = optarg; break;
                case 'l': f->last = 1; break;
                case 'n':
                        f->last = strtol(optarg, &end, 10);
                        if (!*optarg || *end)
                                return berth_err(&c->error, -EINVAL, "invalid argument \"%s\" for \"-n, --last\" "
                                                 "flag: strconv.ParseInt: parsing \"%s\": invalid syntax", optarg, optarg);
                        break;
                case 'H': f->no_heading = true; break;
                case 'T': f->no_trunc = true; break;
                case 'q': f->quiet = true; break;
                case 's': f->size = true; break;
                case 'h': return 1;
                }
        }
        if (opt < 0)
                return opt;
        return verb_no_args(argc, argv, &c->error);
}

static char *ps_path(const struct ps_flags *f) {
        _cleanup_free_ char *text = NULL, *escaped = NULL, *filters = NULL;

        if (json_object_size(f->filters) > 0) {
                text = json_dumps(f->filters, JSON_COMPACT);
                escaped = http_escape(text ?: "{}", NULL);
                filters = xasprintf("&filters=%s", escaped);
        }
        /* --last implies --all in podman. */
        return xasprintf("/containers/json?all=%s%s%s", f->all || f->last > 0 ? "true" : "false",
                         f->size ? "&size=true" : "", filters ?: "");
}

static int print_ps(const struct ps_flags *f, json_t *list, berth_error *err) {
        size_t n = json_array_size(list), first = 0;
        json_t **rows = xnew0(json_t *, n + 1);
        long long now = time(NULL);
        int r = 0;

        struct ordered *order = xnew0(struct ordered, n + 1);

        for (size_t i = 0; i < n; i++)
                order[i] = (struct ordered) { json_array_get(list, i), created_exact(json_array_get(list, i)), i };
        /* Oldest first, as podman lists them. */
        qsort(order, n, sizeof(*order), created_compare);
        for (size_t i = 0; i < n; i++)
                rows[i] = order[i].ctr;
        free(order);
        if (f->last > 0 && (size_t) f->last < n)
                first = n - (size_t) f->last;
        for (size_t i = first; i < n; i++)
                rows[i] = view(rows[i], f, now);
        if (f->quiet)
                for (size_t i = first; i < n; i++)
                        printf("%s\n", json_string_value(json_object_get(rows[i], "ID")));
        else
                r = template_print_rows(f->format ? f->format : f->size ? size_table : default_table, rows + first,
                                        n - first, f->no_heading, "CONTAINER ID", err);
        for (size_t i = first; i < n; i++)
                json_decref(rows[i]);
        free(rows);
        return r;
}

int cmd_ps(struct client *c, int argc, char **argv) {
        _cleanup_(json_decrefp) json_t *filters = json_object(), *list = NULL;
        _cleanup_free_ char *path = NULL;
        struct ps_flags f = { .filters = filters };
        int r = parse_ps_flags(c, argc, argv, &f);

        if (r != 0)
                return r > 0 ? verb_usage(ps_usage) : r;
        path = ps_path(&f);
        r = client_get_json(c, path, &list, &c->error);
        if (r < 0)
                return r;
        if (!json_is_array(list))
                return berth_err(&c->error, -EBADMSG, "berthd sent no container list for GET /containers/json");
        if (f.format && output_format_is_json(f.format))
                return output_json(stdout, list) < 0 ? berth_err(&c->error, -EIO, "cannot write the list") : 0;
        return print_ps(&f, list, &c->error);
}
