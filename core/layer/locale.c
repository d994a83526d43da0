/* A per-thread C.UTF-8 locale around libarchive calls: pax names are UTF-8 and libarchive
 * converts them to the locale's charset, which under berthd's "C" would warn and mangle. */
#include "layer-internal.h"

void layer_locale_enter(layer_locale *l) {
        l->utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t) 0);
        l->saved = l->utf8 ? uselocale(l->utf8) : (locale_t) 0;
}

void layer_locale_leave(layer_locale *l) {
        if (!l->utf8)
                return;
        uselocale(l->saved);
        freelocale(l->utf8);
        l->utf8 = (locale_t) 0;
}
