/* Docker's pull stream drawn as `docker pull` draws it on a terminal: one line per layer
 * ID, redrawn in place with ANSI cursor movement, other statuses printed as lines. */
#pragma once

#include <jansson.h>
#include <stddef.h>

#include "berth/error.h"

struct bars_line {
        char *id;
        char *status;
        long long current, total;       /* progressDetail; total 0 when unknown */
};

struct bars {
        struct bars_line *lines;        /* the block under redraw, in order of first appearance */
        size_t n_lines;
        char *error;                    /* the first "error", or NULL */
        int width;                      /* the terminal's columns (bars_on_line) */
};

/* One line as `<id>: <status> [====>    ] 12.3MB/56.7MB`, at most width-1 columns so it
 * never wraps; the bar only on terminals wider than 110 columns, as docker's. */
void bars_format_line(const struct bars_line *l, int width, char *buf, size_t n);

/* Applies one message of the stream ({status, id, progressDetail} or {error}) and returns
 * what to write to the terminal for it, escapes included ("" for nothing). A message with
 * an id adds or redraws that id's line; one without it ends the block and is printed
 * below, as docker's jsonmessage does. The cursor stays at the start of the line below. */
char *bars_apply(struct bars *b, const json_t *msg, int width);

/* A client_line_fn: bars_apply() with b->width, written to standard error. A line that
 * is not a JSON object is -EBADMSG. */
int bars_on_line(void *userdata, const char *line, size_t len, berth_error *err);

void bars_done(struct bars *b);
