/* Printing results as podman does: indented JSON, YAML, aligned "Key: value" blocks, times. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

/* True for the --format values that mean JSON: "json" and "{{json .}}" (as podman). */
bool output_format_is_json(const char *format);

/* Indented by 2 like podman, insertion order kept, newline at the end. */
int output_json(FILE *f, const json_t *v);

/* YAML as `podman info` prints it (Go's yaml.v2): keys sorted in Go's order, nested
 * mappings indented by 2, sequences as "- item" at their key's indentation, multi-line
 * strings as |- blocks, and strings that would read as another type quoted. */
void output_yaml(FILE *f, const json_t *v);

struct output_kv {
        const char *key;        /* with its colon: "API Version:" */
        const char *value;
};

/* One aligned block, like Go's tabwriter in podman (minimum width 12, padding 2). */
void output_kv(FILE *f, const struct output_kv *rows, size_t n);

/* Go's time.ANSIC layout, "Mon Jan  2 15:04:05 2006", in local time. */
void output_time_ansic(time_t t, char *buf, size_t size);

/* Parses RFC 3339 ("2026-12-07T20:15:49Z", with fractions or a +hh:mm offset). */
int output_parse_rfc3339(const char *s, time_t *ret);

/* podman inspect's JSON: indented by 5 spaces, newline at the end. */
int output_json_inspect(FILE *f, const json_t *v);

/* Rows of cells printed as Go's tabwriter does in podman's tables (minimum width 12,
 * padding 2): every column but the last padded to its widest cell. */
struct output_table {
        size_t columns, rows;
        char **cells;           /* rows * columns, owned */
};

void output_table_init(struct output_table *t, size_t columns);

/* Appends a row of t->columns cells (copied; NULL prints as ""). */
void output_table_add(struct output_table *t, const char *const *cells);

void output_table_print(FILE *f, const struct output_table *t);

void output_table_done(struct output_table *t);
