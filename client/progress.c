/* libpod's progress streams: what berthd says while it pulls or pushes, line by line. */
#include "progress.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

int progress_on_line(void *userdata, const char *line, size_t len, berth_error *err) {
        struct progress *p = userdata;
        _cleanup_(json_decrefp) json_t *v = NULL;
        json_error_t jerr;
        const char *s;

        if (strspn(line, " \t\r") == len)
                return 0;
        v = json_loadb(line, len, 0, &jerr);
        if (!json_is_object(v))
                return berth_err(err, -EBADMSG, "berthd sent an invalid line in the %s stream: %s",
                                 p->what, v ? "not a JSON object" : jerr.text);
        if ((s = json_string_value(json_object_get(v, "stream")))) {
                if (!p->quiet)
                        fputs(s, stderr);
        } else if ((s = json_string_value(json_object_get(v, "error")))) {
                if (!p->error)
                        p->error = xstrdup(s);
        } else if (json_is_array(json_object_get(v, "images"))) {
                json_decref(p->images);
                p->images = json_incref(json_object_get(v, "images"));
        }
        /* Anything else ("id" alone, newer keys) carries nothing to show. */
        return 0;
}

void progress_done(struct progress *p) {
        json_decref(p->images);
        free(p->error);
        *p = (struct progress) { 0 };
}
