/* Cutting a body that arrives in arbitrary chunks into lines, for streamed answers. */
#pragma once

#include <stddef.h>

#include "berth/error.h"

/* Called with each line, without its '\n' and NUL-terminated; a negative errno (with
 * *err filled) stops the splitting and is passed back. */
typedef int (*line_fn)(void *userdata, const char *line, size_t len, berth_error *err);

struct line_split {
        char *partial;          /* the unfinished last line */
        size_t len, capacity;
        size_t max;             /* longest line accepted */
};

/* Feeds the next chunk; calls fn for every line it completes. -E2BIG when a line grows
 * past ls->max. */
int line_split_feed(struct line_split *ls, const char *data, size_t n, line_fn fn, void *userdata,
                    berth_error *err);

/* At the end of the body: a last line without '\n' is still a line. */
int line_split_finish(struct line_split *ls, line_fn fn, void *userdata, berth_error *err);

void line_split_done(struct line_split *ls);
