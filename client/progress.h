/* libpod's progress streams (pull, push): JSON lines of {"stream"}, {"error"} and a final
 * {"images"}, shown on standard error as podman --remote shows them. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "berth/error.h"

struct progress {
        const char *what;       /* "pull", "push": names the stream in errors */
        bool quiet;             /* show no "stream" text */
        json_t *images;         /* "images" of the final report, or NULL */
        char *error;            /* the first "error", or NULL */
};

/* A client_line_fn: prints "stream" text to stderr unless quiet, keeps the first "error"
 * and the last "images". A line that is not a JSON object is -EBADMSG. */
int progress_on_line(void *userdata, const char *line, size_t len, berth_error *err);

void progress_done(struct progress *p);
