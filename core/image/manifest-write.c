/* The documents a push writes: a Docker schema 2 manifest and, when layers had to be
 * repacked, an image config pointing at the new tars. */
#include "manifest.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>

#include "berth/alloc.h"

static json_t *descriptor(const char *media_type, const struct manifest_blob *b) {
        return json_pack("{s:s, s:I, s:s}", "mediaType", media_type, "size", (json_int_t) b->size, "digest",
                         b->digest);
}

char *manifest_build(const struct manifest_blob *config, const struct manifest_blob *layers, size_t n_layers) {
        json_t *list = json_array();
        for (size_t i = 0; i < n_layers; i++)
                json_array_append_new(list, descriptor(MEDIA_DOCKER_LAYER_GZIP, &layers[i]));
        json_t *m = json_pack("{s:i, s:s, s:o, s:o}", "schemaVersion", 2, "mediaType", MEDIA_DOCKER_MANIFEST,
                              "config", descriptor(MEDIA_DOCKER_CONFIG, config), "layers", list);
        /* Three-space indents, as Docker's pushes have. */
        char *text = json_dumps(m, JSON_INDENT(3));
        json_decref(m);
        if (!text)
                abort();
        return text;
}

int config_set_diff_ids(const char *config, char *const *diff_ids, char **ret, berth_error *err) {
        json_t *j = json_loads(config, 0, NULL);
        json_t *rootfs = json_object_get(j, "rootfs"), *ids = json_array();
        char *text;

        if (!json_is_object(rootfs)) {
                json_decref(j);
                json_decref(ids);
                return berth_err(err, -EBADMSG, "the stored image config has no rootfs");
        }
        for (size_t i = 0; diff_ids[i]; i++)
                json_array_append_new(ids, json_string(diff_ids[i]));
        json_object_set_new(rootfs, "diff_ids", ids);
        text = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        if (!text)
                abort();
        *ret = text;
        return 0;
}
