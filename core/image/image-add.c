/* Recording an image that arrived whole (load, import) within a store transaction. */
#include <errno.h>

#include "image-record.h"
#include "image-store.h"

int image_add(store_txn *t, struct image_record *rec, const uint64_t *layer_sizes, char *const *tags,
              berth_error *err) {
        struct image_record stored;
        struct image_record *target = rec;
        bool exists = image_record_get(t, rec->image.id, &stored, NULL) >= 0;
        int rc = 0;

        if (exists)
                target = &stored;   /* the same image again: only new names */
        for (size_t i = 0; !exists && i < rec->n_layers && rc >= 0; i++) {
                rc = layer_ref(t, rec->layers[i].diff_id, layer_sizes[i], err);
                rec->image.size += layer_sizes[i];
        }
        for (char *const *tag = tags; tag && *tag && rc >= 0; tag++)
                if ((rc = name_assign(t, *tag, target->image.id, false, err)) >= 0)
                        strv_add(&target->image.tags, *tag);
        if (rc >= 0)
                rc = image_record_put(t, target, err);
        if (exists)
                image_record_done(&stored);
        return rc;
}
