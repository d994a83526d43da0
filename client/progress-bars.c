/* Progress bars for pulls on a terminal: the state per layer ID and the escapes that
 * redraw it, kept apart from the terminal so they can be tested as text. */
#include "progress-bars.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "units.h"

#define BAR_WIDTH 50

/* docker's JSONProgress.String() for byte counts. */
static void format_progress(const struct bars_line *l, int width, char *buf, size_t n) {
        char current[32], total[32], box[BAR_WIDTH + 8] = "";
        int done;

        buf[0] = '\0';
        if (l->current <= 0 && l->total <= 0)
                return;
        units_human_size((double) l->current, "", current, sizeof(current));
        if (l->total <= 0) {
                snprintf(buf, n, "%8s", current);
                return;
        }
        done = (int) ((double) l->current / (double) l->total * 100) / 2;
        if (done > BAR_WIDTH)
                done = BAR_WIDTH;
        if (width > 110) {
                box[0] = '[';
                memset(box + 1, '=', (size_t) done);
                box[done + 1] = '>';
                memset(box + done + 2, ' ', (size_t) (BAR_WIDTH - done));
                strcpy(box + BAR_WIDTH + 2, "] ");
        }
        units_human_size((double) l->total, "", total, sizeof(total));
        if (l->current > l->total)
                snprintf(buf, n, "%s%8s", box, current);
        else
                snprintf(buf, n, "%s%8s/%s", box, current, total);
}

void bars_format_line(const struct bars_line *l, int width, char *buf, size_t n) {
        char progress[128];

        format_progress(l, width, progress, sizeof(progress));
        snprintf(buf, n, "%s: %s %s", l->id, l->status, progress);
        /* A wrapped line would throw the cursor arithmetic off. */
        if (width > 1 && strlen(buf) > (size_t) width - 1)
                buf[width - 1] = '\0';
}

/* The line of `id`, added at the bottom of the block when it is new. */
static struct bars_line *line_for(struct bars *b, const char *id, size_t *ret_index, bool *ret_new) {
        for (size_t i = 0; i < b->n_lines; i++)
                if (strcmp(b->lines[i].id, id) == 0) {
                        *ret_index = i;
                        *ret_new = false;
                        return &b->lines[i];
                }
        b->lines = xrealloc(b->lines, (b->n_lines + 1) * sizeof(*b->lines));
        b->lines[b->n_lines] = (struct bars_line) { .id = xstrdup(id) };
        *ret_index = b->n_lines;
        *ret_new = true;
        return &b->lines[b->n_lines++];
}

static void forget_lines(struct bars *b) {
        for (size_t i = 0; i < b->n_lines; i++) {
                free(b->lines[i].id);
                free(b->lines[i].status);
        }
        free(b->lines);
        b->lines = NULL;
        b->n_lines = 0;
}

char *bars_apply(struct bars *b, const json_t *msg, int width) {
        const char *status = json_string_value(json_object_get(msg, "status")) ?: "";
        const char *id = json_string_value(json_object_get(msg, "id"));
        const char *error = json_string_value(json_object_get(msg, "error"));
        json_t *detail = json_object_get(msg, "progressDetail");
        struct bars_line *l;
        size_t i, up;
        bool added;
        char text[512];

        if (error) {
                if (!b->error)
                        b->error = xstrdup(error);
                return xstrdup("");
        }
        if (!id || !*id) {
                /* Printed below the block, which is never redrawn again. */
                forget_lines(b);
                return *status ? xasprintf("%s\n", status) : xstrdup("");
        }
        l = line_for(b, id, &i, &added);
        free(l->status);
        l->status = xstrdup(status);
        l->current = json_integer_value(json_object_get(detail, "current"));
        l->total = json_integer_value(json_object_get(detail, "total"));
        bars_format_line(l, width, text, sizeof(text));
        if (added)
                return xasprintf("\033[2K\r%s\n", text);
        /* Up to the line, clear and rewrite it, back down to where the cursor was. */
        up = b->n_lines - i;
        return xasprintf("\033[%zuA\033[2K\r%s\033[%zuB\r", up, text, up);
}

int bars_on_line(void *userdata, const char *line, size_t len, berth_error *err) {
        struct bars *b = userdata;
        _cleanup_(json_decrefp) json_t *v = NULL;
        _cleanup_free_ char *text = NULL;
        json_error_t jerr;

        if (strspn(line, " \t\r") == len)
                return 0;
        v = json_loadb(line, len, 0, &jerr);
        if (!json_is_object(v))
                return berth_err(err, -EBADMSG, "berthd sent an invalid line in the pull stream: %s",
                                 v ? "not a JSON object" : jerr.text);
        text = bars_apply(b, v, b->width);
        fputs(text, stderr);
        fflush(stderr);
        return 0;
}

void bars_done(struct bars *b) {
        forget_lines(b);
        free(b->error);
        b->error = NULL;
}
