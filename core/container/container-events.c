/* Container events as Docker reports them: name, image, the labels, and extras. */
#include "container-internal.h"

#include <stdarg.h>
#include <stdlib.h>

#include "berth/alloc.h"
#include "berth/events.h"
#include "berth/strv.h"

void ctr_event(berth_engine *e, const berth_container *c, const char *action, ...) {
        json_t *cfg = container_json_parse(c->config), *v;
        char **attrs = NULL;
        const char *key;
        va_list ap;

        strv_push(&attrs, "name");
        strv_push(&attrs, c->name);
        strv_push(&attrs, "image");
        strv_push(&attrs, c->image);
        va_start(ap, action);
        while ((key = va_arg(ap, const char *))) {
                const char *value = va_arg(ap, const char *);
                if (!value)
                        continue;
                strv_push(&attrs, key);
                strv_push(&attrs, value);
        }
        va_end(ap);
        json_object_foreach (json_object_get(cfg, "Labels"), key, v)
                if (json_is_string(v)) {
                        strv_push(&attrs, key);
                        strv_push(&attrs, json_string_value(v));
                }
        berth_event_emitv(e, "container", action, c->id, (const char *const *) attrs);
        strv_freep(&attrs);
        json_decref(cfg);
}

void ctr_event_of(berth_engine *e, struct ctr *c, const char *action, const char *key, const char *value) {
        berth_container *snap = ctr_snapshot(e, c);
        ctr_event(e, snap, action, key, value, NULL);
        berth_container_free(snap);
}
