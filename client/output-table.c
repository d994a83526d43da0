/* Tables laid out like podman's (Go's text/tabwriter with minwidth 12, padding 2), so
 * `berth images` lines up with `podman images` column for column. */
#include "output.h"

#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"

#define TABLE_MIN_WIDTH 12
#define TABLE_PADDING 2

void output_table_init(struct output_table *t, size_t columns) {
        *t = (struct output_table) { .columns = columns };
}

void output_table_add(struct output_table *t, const char *const *cells) {
        t->cells = xrealloc(t->cells, (t->rows + 1) * t->columns * sizeof(char *));
        for (size_t i = 0; i < t->columns; i++)
                t->cells[t->rows * t->columns + i] = xstrdup(cells[i] ? cells[i] : "");
        t->rows++;
}

/* tabwriter counts characters, not bytes: "…" is one column wide. */
static size_t text_width(const char *s) {
        size_t w = 0;

        for (; *s; s++)
                if (((unsigned char) *s & 0xc0) != 0x80)
                        w++;
        return w;
}

void output_table_print(FILE *f, const struct output_table *t) {
        size_t *widths = xnew0(size_t, t->columns);

        for (size_t c = 0; c + 1 < t->columns; c++) {
                widths[c] = TABLE_MIN_WIDTH;
                for (size_t r = 0; r < t->rows; r++) {
                        size_t w = text_width(t->cells[r * t->columns + c]) + TABLE_PADDING;
                        widths[c] = w > widths[c] ? w : widths[c];
                }
        }
        for (size_t r = 0; r < t->rows; r++) {
                for (size_t c = 0; c < t->columns; c++) {
                        const char *cell = t->cells[r * t->columns + c];
                        fputs(cell, f);
                        /* The last column is not tab-terminated in podman's formats: no padding. */
                        if (c + 1 < t->columns)
                                fprintf(f, "%*s", (int) (widths[c] - text_width(cell)), "");
                }
                fputc('\n', f);
        }
        free(widths);
}

void output_table_done(struct output_table *t) {
        for (size_t i = 0; i < t->rows * t->columns; i++)
                free(t->cells[i]);
        free(t->cells);
        *t = (struct output_table) { 0 };
}
