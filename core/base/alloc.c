/* x-alloc wrappers: allocation failure is fatal, reported once here. */
#include "berth/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *oom(void) {
        fputs("berth: out of memory\n", stderr);
        abort();
}

void *xmalloc(size_t size) {
        void *p = malloc(size ? size : 1);
        return p ? p : oom();
}

void *xcalloc(size_t n, size_t size) {
        void *p = calloc(n ? n : 1, size ? size : 1);
        return p ? p : oom();
}

void *xrealloc(void *p, size_t size) {
        void *q = realloc(p, size ? size : 1);
        return q ? q : oom();
}

char *xstrdup(const char *s) {
        char *p = strdup(s);
        return p ? p : oom();
}

char *xstrndup(const char *s, size_t n) {
        char *p = strndup(s, n);
        return p ? p : oom();
}

char *xasprintf(const char *fmt, ...) {
        char *p;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&p, fmt, ap);
        va_end(ap);
        return r >= 0 ? p : oom();
}
