/* `docker top` and `podman top`: the host's ps over the container's processes (the
 * pids runc reports), parsed into titles and rows as Docker's parsePSOutput does. */
#include "berth/container-ops.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/fileio.h"
#include "berth/path.h"
#include "berth/process.h"
#include "berth/strv.h"
#include "container-internal.h"
#include "oci.h"

#define PS_OUTPUT_MAX (8u << 20)

berth_top *berth_top_free(berth_top *t) {
        if (!t)
                return NULL;
        strv_freep(&t->titles);
        for (size_t i = 0; i < t->n_processes; i++)
                strv_freep(&t->processes[i]);
        free(t->processes);
        free(t);
        return NULL;
}

static int cmp_pid(const void *a, const void *b) {
        pid_t x = *(const pid_t *) a, y = *(const pid_t *) b;
        return (x > y) - (x < y);
}

/* The pids of a running (or paused) container, from the runtime, in order. */
static int container_pids(berth_engine *e, const char *name, pid_t **ret, size_t *ret_n, berth_error *err) {
        _cleanup_(berth_container_freep) berth_container *snap = NULL;
        _cleanup_free_ char *rtroot = NULL;
        struct oci_runtime rt;
        int r = berth_container_lookup(e, name, &snap, err);

        if (r < 0)
                return r;
        if (snap->state.status == BERTH_CONTAINER_RESTARTING)
                return berth_err(err, -ENOTCONN, "Container %s is restarting, wait until the container is running",
                                 snap->id);
        if (snap->state.status != BERTH_CONTAINER_RUNNING && snap->state.status != BERTH_CONTAINER_PAUSED)
                return berth_err(err, -ENOTCONN, "Container %s is not running", snap->id);
        ctr_runtime(e, snap, &rt, &rtroot);
        r = oci_ps(&rt, snap->id, ret, ret_n, err);
        if (r < 0)
                return berth_err_prefix(err, "Container %s", snap->id);
        qsort(*ret, *ret_n, sizeof(**ret), cmp_pid);   /* ps -q lists them in this order */
        return r;
}

/* Docker's refusal of "-o user=PID"-style headers that would fake the PID column. */
static int validate_ps_args(const char *args, berth_error *err) {
        for (const char *eq = strchr(args, '='); eq; eq = strchr(eq + 1, '=')) {
                const char *v = eq + 1, *k = eq;
                while (*v && isspace((unsigned char) *v))
                        v++;
                if (strncmp(v, "PID", 3) != 0)
                        continue;
                while (k > args && !isspace((unsigned char) k[-1]))
                        k--;
                if (k == args)   /* the key must follow whitespace */
                        continue;
                size_t vlen = strcspn(v, " \t\n\r\f\v");
                if ((size_t) (eq - k) != 3 || strncmp(k, "pid", 3) != 0)
                        return berth_err(err, -EINVAL, "specifying \"%.*s=%.*s\" is not allowed", (int) (eq - k), k,
                                         (int) vlen, v);
        }
        return 0;
}

/* The non-empty runs of s between any of seps; never NULL. */
static char **split_fields(const char *s, const char *seps) {
        char **v = xnew0(char *, 1);
        size_t n = 0;

        while (*s) {
                s += strspn(s, seps);
                size_t len = strcspn(s, seps);
                if (len) {
                        v = xrealloc(v, (n + 2) * sizeof(char *));
                        v[n++] = xstrndup(s, len);
                        v[n] = NULL;
                }
                s += len;
        }
        return v;
}

/* The first line of what ps said on stderr, as Docker reports it. */
static int ps_failed(berth_error *err) {
        const char *said = strstr(err->message, "): ");
        _cleanup_free_ char *line = xstrdup(said ? said + 3 : err->message);
        line[strcspn(line, "\n")] = '\0';
        return berth_err(err, -EIO, "ps: %s", line);
}

/* Runs ps with args, first limited to the pids with -q, then (some options refuse -q)
 * without. */
static int run_ps(char **args, const pid_t *pids, size_t n, char **ret_out, berth_error *err) {
        _cleanup_free_ char *ps = NULL, *quick = xstrdup("-q");
        _cleanup_strv_free_ char **argv = NULL;
        int r = berth_find_program("ps", &ps, err);

        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                char *q = xasprintf("%s%s%d", quick, i ? "," : "", (int) pids[i]);
                free(quick);
                quick = q;
        }
        strv_push(&argv, ps);
        for (char **a = args; a && *a; a++)
                strv_push(&argv, *a);
        strv_push(&argv, quick);
        if (berth_run_capture(argv, PS_OUTPUT_MAX, ret_out, err) >= 0)
                return 0;
        free(argv[strv_length(argv) - 1]);
        argv[strv_length(argv) - 1] = NULL;
        return berth_run_capture(argv, PS_OUTPUT_MAX, ret_out, err) < 0 ? ps_failed(err) : 0;
}

static bool has_pid(const pid_t *pids, size_t n, long pid) {
        for (size_t i = 0; i < n; i++)
                if (pids[i] == pid)
                        return true;
        return false;
}

/* A row with one cell per title: fields beyond the last title join the last cell (or the
 * `spaced` one, whose values may hold spaces). */
static char **fit_row(char **fields, size_t n_titles, long spaced) {
        size_t n = strv_length(fields), s = spaced >= 0 ? (size_t) spaced : n_titles - 1;
        size_t right = n_titles - 1 - s;
        char **row = NULL;

        if (n < n_titles) {   /* an empty cell (a blank tty): pad at the end */
                row = strv_copy(fields);
                while (strv_length(row) < n_titles)
                        strv_push(&row, "");
                return row;
        }
        for (size_t i = 0; i < s; i++)
                strv_push(&row, fields[i]);
        _cleanup_free_ char *mid = xstrdup("");
        for (size_t i = s; i < n - right; i++) {
                char *m = xasprintf("%s%s%s", mid, i > s ? " " : "", fields[i]);
                free(mid);
                mid = m;
        }
        strv_push(&row, mid);
        for (size_t i = n - right; i < n; i++)
                strv_push(&row, fields[i]);
        return row;
}

static void top_add(berth_top *t, char **row) {
        t->processes = xrealloc(t->processes, (t->n_processes + 1) * sizeof(*t->processes));
        t->processes[t->n_processes++] = row;
}

/* Docker's parsePSOutput: rows whose PID is the container's, and the thread lines ("-")
 * that follow them. */
static int parse_ps(const char *out, const pid_t *pids, size_t n, berth_top **ret, berth_error *err) {
        _cleanup_strv_free_ char **lines = split_fields(out, "\n");
        _cleanup_(berth_top_freep) berth_top *t = xnew0(berth_top, 1);
        size_t n_titles, pid_index;
        bool kept = false;

        t->titles = split_fields(lines[0] ? lines[0] : "", " \t\r\f");
        n_titles = strv_length(t->titles);
        for (pid_index = 0; pid_index < n_titles; pid_index++)
                if (strcmp(t->titles[pid_index], "PID") == 0)
                        break;
        if (pid_index == n_titles)
                return berth_err(err, -EIO, "Couldn't find PID field in ps output");
        for (size_t i = 1; lines[i]; i++) {
                _cleanup_strv_free_ char **f = split_fields(lines[i], " \t\r\f");
                char *end;
                if (strv_length(f) <= pid_index)
                        continue;
                if (strcmp(f[pid_index], "-") == 0) {
                        if (kept)
                                top_add(t, fit_row(f, n_titles, -1));
                        continue;
                }
                long p = strtol(f[pid_index], &end, 10);
                if (*end)
                        return berth_err(err, -EIO, "Unexpected pid '%s'", f[pid_index]);
                kept = has_pid(pids, n, p);
                if (kept)
                        top_add(t, fit_row(f, n_titles, -1));
        }
        *ret = TAKE_PTR(t);
        return 0;
}

int berth_container_top(berth_engine *e, const char *name, const char *ps_args, berth_top **ret,
                        berth_error *err) {
        _cleanup_strv_free_ char **args = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        _cleanup_free_ char *out = NULL;
        size_t n = 0;
        int r;

        if (!ps_args || !*ps_args)
                ps_args = "-ef";
        r = validate_ps_args(ps_args, err);
        if (r >= 0)
                r = container_pids(e, name, &pids, &n, err);
        if (r < 0)
                return r;
        args = split_fields(ps_args, " ");
        r = run_ps(args, pids, n, &out, err);
        return r < 0 ? r : parse_ps(out, pids, n, ret, err);
}

/* ---- podman's descriptors ---- */

enum col_kind { COL_PLAIN, COL_NS_PID, COL_NS_PPID, COL_SPACED };

/* psgo's descriptors that the host's procps ps can show, with psgo's titles. */
static const struct descriptor {
        const char *name, *aix, *ps, *title;
        enum col_kind kind;
} descriptors[] = {
        { "args", "%a", "args", "COMMAND", COL_SPACED },   { "comm", "%c", "comm", "COMMAND", COL_PLAIN },
        { "etime", "%t", "etime", "ELAPSED", COL_PLAIN },  { "group", "%G", "group", "GROUP", COL_PLAIN },
        { "hgroup", NULL, "group", "HGROUP", COL_PLAIN },  { "hpid", NULL, "pid", "HPID", COL_PLAIN },
        { "huser", NULL, "user", "HUSER", COL_PLAIN },     { "nice", "%n", "nice", "NI", COL_PLAIN },
        { "pcpu", "%C", "pcpu", "%CPU", COL_PLAIN },       { "pgid", "%r", "pgid", "PGID", COL_PLAIN },
        { "pid", "%p", "pid", "PID", COL_NS_PID },         { "ppid", "%P", "ppid", "PPID", COL_NS_PPID },
        { "rgroup", "%g", "rgroup", "RGROUP", COL_PLAIN }, { "rss", NULL, "rss", "RSS", COL_PLAIN },
        { "ruser", "%u", "ruser", "RUSER", COL_PLAIN },    { "state", NULL, "s", "STATE", COL_PLAIN },
        { "stime", NULL, "stime", "STIME", COL_PLAIN },    { "time", "%x", "time", "TIME", COL_PLAIN },
        { "tty", "%y", "tty", "TTY", COL_PLAIN },          { "user", "%U", "user", "USER", COL_PLAIN },
        { "vsz", "%z", "vsz", "VSZ", COL_PLAIN },
};

/* psgo's default: user, pid, ppid, pcpu, etime, tty, time, args. */
static const char default_descriptors[] = "user,pid,ppid,pcpu,etime,tty,time,args";

static const struct descriptor *descriptor_find(const char *s) {
        for (size_t i = 0; i < ELEMENTSOF(descriptors); i++)
                if (strcmp(s, descriptors[i].name) == 0 || (descriptors[i].aix && strcmp(s, descriptors[i].aix) == 0))
                        return &descriptors[i];
        return NULL;
}

/* The pid as the container's pid namespace numbers it (NSpid's last entry). */
static long ns_pid(pid_t pid) {
        _cleanup_free_ char *path = xasprintf("/proc/%d/status", (int) pid), *text = NULL;
        long v = pid;

        if (berth_read_file(path, 64 * 1024, &text, NULL, NULL) < 0)
                return pid;
        const char *line = strstr(text, "\nNSpid:");
        if (!line)
                return pid;
        _cleanup_free_ char *nspid = xstrndup(line + 7, strcspn(line + 7, "\n"));
        _cleanup_strv_free_ char **f = split_fields(nspid, " \t");
        if (f[0])
                v = strtol(f[strv_length(f) - 1], NULL, 10);
        return v;
}

static void translate_pid(char **cell, const pid_t *pids, size_t n, bool parent) {
        long p = strtol(*cell, NULL, 10);
        if (parent && !has_pid(pids, n, p))
                p = 0;   /* conmon, outside the container */
        else if (has_pid(pids, n, p))
                p = ns_pid((pid_t) p);
        free(*cell);
        *cell = xasprintf("%ld", p);
}

static int top_descriptors(const struct descriptor **cols, size_t n_cols, const pid_t *pids, size_t n,
                           berth_top **ret, berth_error *err) {
        _cleanup_(berth_top_freep) berth_top *t = xnew0(berth_top, 1);
        _cleanup_strv_free_ char **args = NULL, **lines = NULL;
        _cleanup_free_ char *out = NULL;
        long spaced = -1;
        int r;

        for (size_t i = 0; i < n_cols; i++) {
                _cleanup_free_ char *o = xasprintf("%s=%s", cols[i]->ps, cols[i]->title);
                strv_push(&args, "-o");
                strv_push(&args, o);
                strv_push(&t->titles, cols[i]->title);
                if (cols[i]->kind == COL_SPACED && spaced < 0)
                        spaced = (long) i;
        }
        r = run_ps(args, pids, n, &out, err);
        if (r < 0)
                return r;
        lines = split_fields(out, "\n");
        for (size_t i = 1; lines[0] && lines[i]; i++) {
                _cleanup_strv_free_ char **f = split_fields(lines[i], " \t\r\f");
                char **row = fit_row(f, n_cols, spaced);
                for (size_t k = 0; k < n_cols; k++)
                        if (cols[k]->kind == COL_NS_PID || cols[k]->kind == COL_NS_PPID)
                                translate_pid(&row[k], pids, n, cols[k]->kind == COL_NS_PPID);
                top_add(t, row);
        }
        *ret = TAKE_PTR(t);
        return 0;
}

int berth_container_top_descriptors(berth_engine *e, const char *name, const char *descs, berth_top **ret,
                                    berth_error *err) {
        _cleanup_strv_free_ char **words = split_fields(descs && *descs ? descs : default_descriptors, ", ");
        _cleanup_free_ const struct descriptor **cols = xnew0(const struct descriptor *, strv_length(words) + 1);
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0, n_cols = 0;
        int r;

        for (char **w = words; *w; w++) {
                cols[n_cols] = descriptor_find(*w);
                if (!cols[n_cols++])
                        return berth_container_top(e, name, descs, ret, err);   /* ps's own arguments */
        }
        if (n_cols == 0)
                return berth_err(err, -EINVAL, "no ps descriptors given");
        r = container_pids(e, name, &pids, &n, err);
        return r < 0 ? r : top_descriptors(cols, n_cols, pids, n, ret, err);
}
