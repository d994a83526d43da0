/* Image and layer records: JSON in the store, structs in memory. */
#include "image-record.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "berth/alloc.h"

berth_image *image_copy(const berth_image *img) {
        berth_image *c = xnew0(berth_image, 1);
        c->id = xstrdup(img->id);
        c->tags = strv_copy(img->tags);
        c->digests = strv_copy(img->digests);
        c->config = xstrdup(img->config);
        c->manifest_digest = img->manifest_digest ? xstrdup(img->manifest_digest) : NULL;
        c->diff_ids = strv_copy(img->diff_ids);
        c->size = img->size;
        c->added = img->added;
        return c;
}

static void image_fields_done(berth_image *img) {
        free(img->id);
        strv_freep(&img->tags);
        strv_freep(&img->digests);
        free(img->config);
        free(img->manifest_digest);
        strv_freep(&img->diff_ids);
}

berth_image *berth_image_free(berth_image *img) {
        if (!img)
                return NULL;
        image_fields_done(img);
        free(img);
        return NULL;
}

void berth_image_list_free(berth_image **images) {
        for (size_t i = 0; images && images[i]; i++)
                berth_image_free(images[i]);
        free(images);
}

void image_record_done(struct image_record *rec) {
        image_fields_done(&rec->image);
        for (size_t i = 0; i < rec->n_layers; i++) {
                free(rec->layers[i].diff_id);
                free(rec->layers[i].digest);
                free(rec->layers[i].media_type);
        }
        free(rec->layers);
        *rec = (struct image_record) { 0 };
}

static json_t *strv_json(char *const *v) {
        json_t *a = json_array();
        for (size_t i = 0; v && v[i]; i++)
                json_array_append_new(a, json_string(v[i]));
        return a;
}

char *image_record_encode(const struct image_record *rec) {
        const berth_image *img = &rec->image;
        json_t *layers = json_array();
        for (size_t i = 0; i < rec->n_layers; i++)
                json_array_append_new(layers, json_pack("{s:s, s:s, s:s, s:I}", "diff_id", rec->layers[i].diff_id,
                                                        "digest", rec->layers[i].digest, "media_type",
                                                        rec->layers[i].media_type, "size",
                                                        (json_int_t) rec->layers[i].size));
        json_t *j = json_pack("{s:s, s:o, s:o, s:s, s:s?, s:o, s:I, s:I}", "id", img->id, "tags", strv_json(img->tags),
                              "digests", strv_json(img->digests), "config", img->config, "manifest_digest",
                              img->manifest_digest, "layers", layers, "size", (json_int_t) img->size, "added",
                              (json_int_t) img->added);
        char *text = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        if (!text)
                abort();
        return text;
}

static char **json_strv(json_t *a) {
        size_t i;
        json_t *s;
        char **v = xnew0(char *, json_array_size(a) + 1);
        json_array_foreach(a, i, s)
                v[i] = xstrdup(json_string_value(s) ? json_string_value(s) : "");
        return v;
}

int image_record_decode(const char *data, size_t size, struct image_record *ret, berth_error *err) {
        json_t *j = json_loadb(data, size, 0, NULL), *layers, *l;
        struct image_record rec = { 0 };
        size_t i;

        if (!j || !json_string_value(json_object_get(j, "id")) || !json_string_value(json_object_get(j, "config"))) {
                json_decref(j);
                return berth_err(err, -EBADMSG, "a stored image record is damaged");
        }
        rec.image.id = xstrdup(json_string_value(json_object_get(j, "id")));
        rec.image.tags = json_strv(json_object_get(j, "tags"));
        rec.image.digests = json_strv(json_object_get(j, "digests"));
        rec.image.config = xstrdup(json_string_value(json_object_get(j, "config")));
        if (json_string_value(json_object_get(j, "manifest_digest")))
                rec.image.manifest_digest = xstrdup(json_string_value(json_object_get(j, "manifest_digest")));
        rec.image.size = (uint64_t) json_integer_value(json_object_get(j, "size"));
        rec.image.added = json_integer_value(json_object_get(j, "added"));
        layers = json_object_get(j, "layers");
        rec.layers = xnew0(struct image_layer_ref, json_array_size(layers) + 1);
        rec.image.diff_ids = xnew0(char *, json_array_size(layers) + 1);
        json_array_foreach(layers, i, l) {
                const char *diff_id = json_string_value(json_object_get(l, "diff_id"));
                const char *digest = json_string_value(json_object_get(l, "digest"));
                const char *mt = json_string_value(json_object_get(l, "media_type"));
                rec.layers[i] = (struct image_layer_ref) {
                        .diff_id = xstrdup(diff_id ? diff_id : ""),
                        .digest = xstrdup(digest ? digest : ""),
                        .media_type = xstrdup(mt ? mt : ""),
                        .size = json_integer_value(json_object_get(l, "size")),
                };
                rec.image.diff_ids[i] = xstrdup(rec.layers[i].diff_id);
                rec.n_layers++;
        }
        json_decref(j);
        *ret = rec;
        return 0;
}

int image_record_get(store_txn *t, const char *id, struct image_record *ret, berth_error *err) {
        const char *data;
        size_t size;
        int rc = store_get(t, STORE_IMAGES, id, &data, &size, err);
        return rc < 0 ? rc : image_record_decode(data, size, ret, err);
}

int image_record_put(store_txn *t, const struct image_record *rec, berth_error *err) {
        _cleanup_free_ char *text = image_record_encode(rec);
        return store_put(t, STORE_IMAGES, rec->image.id, text, strlen(text), err);
}

static int layer_get(store_txn *t, const char *diff_id, json_int_t *refs, json_int_t *size) {
        const char *data;
        size_t len;
        int rc = store_get(t, STORE_LAYERS, diff_id, &data, &len, NULL);
        if (rc < 0)
                return rc;
        json_t *j = json_loadb(data, len, 0, NULL);
        *refs = json_integer_value(json_object_get(j, "refs"));
        *size = json_integer_value(json_object_get(j, "size"));
        json_decref(j);
        return 0;
}

static int layer_set(store_txn *t, const char *diff_id, json_int_t refs, json_int_t size, berth_error *err) {
        char text[128];
        snprintf(text, sizeof(text), "{\"refs\":%lld,\"size\":%lld}", (long long) refs, (long long) size);
        return store_put(t, STORE_LAYERS, diff_id, text, strlen(text), err);
}

bool layer_exists(store_txn *t, const char *diff_id) {
        json_int_t refs, size;
        return layer_get(t, diff_id, &refs, &size) >= 0;
}

int layer_ref(store_txn *t, const char *diff_id, uint64_t size, berth_error *err) {
        json_int_t refs = 0, old_size = (json_int_t) size;
        layer_get(t, diff_id, &refs, &old_size);
        return layer_set(t, diff_id, refs + 1, old_size, err);
}

int layer_unref(store_txn *t, const char *diff_id, bool *ret_unused, berth_error *err) {
        json_int_t refs = 0, size = 0;
        int rc = layer_get(t, diff_id, &refs, &size);
        if (rc < 0)
                return berth_err(err, -EBADMSG, "layer %s is referenced but not stored", diff_id);
        *ret_unused = refs <= 1;
        return refs <= 1 ? store_del(t, STORE_LAYERS, diff_id, err) : layer_set(t, diff_id, refs - 1, size, err);
}

int64_t image_now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}
