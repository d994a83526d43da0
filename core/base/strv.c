/* NULL-terminated string vectors. */
#include "berth/strv.h"

#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"

size_t strv_length(char *const *v) {
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

bool strv_contains(char *const *v, const char *s) {
        for (size_t i = 0; v && v[i]; i++)
                if (strcmp(v[i], s) == 0)
                        return true;
        return false;
}

void strv_push(char ***v, const char *s) {
        size_t n = strv_length(*v);
        *v = xrealloc(*v, (n + 2) * sizeof(char *));
        (*v)[n] = xstrdup(s);
        (*v)[n + 1] = NULL;
}

void strv_add(char ***v, const char *s) {
        if (!strv_contains(*v, s))
                strv_push(v, s);
}

bool strv_remove(char ***v, const char *s) {
        size_t n = strv_length(*v);
        for (size_t i = 0; i < n; i++)
                if (strcmp((*v)[i], s) == 0) {
                        free((*v)[i]);
                        memmove(*v + i, *v + i + 1, (n - i) * sizeof(char *));
                        return true;
                }
        return false;
}

char **strv_copy(char *const *v) {
        size_t n = strv_length(v);
        char **c = xnew0(char *, n + 1);
        for (size_t i = 0; i < n; i++)
                c[i] = xstrdup(v[i]);
        return c;
}
