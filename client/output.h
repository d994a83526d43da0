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
