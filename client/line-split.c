/* Line splitting for streamed bodies: lines are handed on as soon as their '\n' arrives,
 * only the unfinished tail is kept. */
#include "line-split.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"

static int append(struct line_split *ls, const char *data, size_t n, berth_error *err) {
        if (ls->len + n > ls->max)
                return berth_err(err, -E2BIG, "berthd sent a line longer than %zu bytes", ls->max);
        if (ls->len + n + 1 > ls->capacity) {
                ls->capacity = (ls->len + n + 1) * 2;
                ls->partial = xrealloc(ls->partial, ls->capacity);
        }
        memcpy(ls->partial + ls->len, data, n);
        ls->len += n;
        ls->partial[ls->len] = '\0';
        return 0;
}

int line_split_feed(struct line_split *ls, const char *data, size_t n, line_fn fn, void *userdata,
                    berth_error *err) {
        const char *end = data + n;
        int r;

        while (data < end) {
                const char *nl = memchr(data, '\n', (size_t) (end - data));
                size_t chunk = (size_t) ((nl ? nl : end) - data);

                r = append(ls, data, chunk, err);
                if (r < 0)
                        return r;
                data += chunk;
                if (!nl)
                        break;
                data++;         /* the '\n' */
                r = fn(userdata, ls->partial, ls->len, err);
                ls->len = 0;
                if (r < 0)
                        return r;
        }
        return 0;
}

int line_split_finish(struct line_split *ls, line_fn fn, void *userdata, berth_error *err) {
        int r = 0;

        if (ls->len > 0)
                r = fn(userdata, ls->partial, ls->len, err);
        ls->len = 0;
        return r;
}

void line_split_done(struct line_split *ls) {
        free(ls->partial);
        *ls = (struct line_split) { .max = ls->max };
}
