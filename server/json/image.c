/* Image encoders: Docker's ImageSummary/ImageInspect and libpod's variants. */
#include "json/image.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/reference.h"

static json_t *parse_config(const berth_image *img) {
        json_t *c = json_loads(img->config, 0, NULL);
        return json_is_object(c) ? c : (json_decref(c), json_object());
}

static long long parse_rfc3339(const char *s) {
        struct tm tm = { 0 };
        if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
                return 0;
        return (long long) timegm(&tm);
}

long long json_image_created(const berth_image *img) {
        json_t *c = parse_config(img);
        long long t = parse_rfc3339(json_string_value(json_object_get(c, "created")));
        json_decref(c);
        return t;
}

static json_t *names(char *const *v, int familiar, const char *none) {
        json_t *a = json_array();
        for (size_t i = 0; v && v[i]; i++) {
                _cleanup_free_ char *f = familiar ? berth_reference_familiar(v[i]) : xstrdup(v[i]);
                json_array_append_new(a, json_string(f));
        }
        if (json_array_size(a) == 0 && none)
                json_array_append_new(a, json_string(none));
        return a;
}

static json_t *labels(json_t *config) {
        json_t *l = json_object_get(json_object_get(config, "config"), "Labels");
        return json_is_object(l) ? json_incref(l) : json_object();
}

static json_t *summary(const berth_image *img, int familiar, const char *id) {
        json_t *c = parse_config(img);
        json_t *s = json_pack("{s:s, s:s, s:o, s:o, s:I, s:I, s:i, s:I, s:o, s:i}", "Id", id, "ParentId", "",
                              "RepoTags", names(img->tags, familiar, familiar ? "<none>:<none>" : NULL),
                              "RepoDigests", names(img->digests, familiar, familiar ? "<none>@<none>" : NULL),
                              "Created", (json_int_t) parse_rfc3339(json_string_value(json_object_get(c, "created"))),
                              "Size", (json_int_t) img->size, "SharedSize", -1, "VirtualSize", (json_int_t) img->size,
                              "Labels", labels(c), "Containers", 0);
        json_decref(c);
        return s;
}

json_t *json_docker_image_summary(const berth_image *img) {
        return summary(img, 1, img->id);
}

json_t *json_libpod_image_summary(const berth_image *img) {
        json_t *s = summary(img, 0, img->id + 7);
        bool dangling = !img->tags || !img->tags[0];
        json_object_set_new(s, "Names", names(img->tags, 0, NULL));
        json_object_set_new(s, "Digest", json_string(img->manifest_digest ? img->manifest_digest : ""));
        json_object_set_new(s, "Dangling", json_boolean(dangling));
        json_object_set_new(s, "History", names(img->tags, 0, NULL));
        return s;
}

static json_t *graph_driver(const berth_image *img, const char *layers_root) {
        size_t cap = 64;
        char *lower = xmalloc(cap);
        lower[0] = '\0';
        /* overlay stacks the top layer first */
        size_t n = 0;
        while (img->diff_ids && img->diff_ids[n])
                n++;
        for (size_t i = n; i-- > 0;) {
                const char *hex = strchr(img->diff_ids[i], ':') ? strchr(img->diff_ids[i], ':') + 1 : img->diff_ids[i];
                size_t need = strlen(lower) + strlen(layers_root) + strlen(hex) + 4;
                if (need > cap)
                        lower = xrealloc(lower, cap = need * 2);
                snprintf(lower + strlen(lower), cap - strlen(lower), "%s%s/%s", lower[0] ? ":" : "", layers_root, hex);
        }
        json_t *g = json_pack("{s:s, s:{s:s}}", "Name", "overlay", "Data", "LowerDir", lower);
        free(lower);
        return g;
}

static json_t *inspect(const berth_image *img, const char *layers_root, int familiar, const char *id) {
        json_t *c = parse_config(img);
        json_t *cfg = json_object_get(c, "config");
        const char *created = json_string_value(json_object_get(c, "created"));
        json_t *j = json_pack(
                "{s:s, s:o, s:o, s:s, s:s, s:s, s:O, s:s, s:s, s:s, s:I, s:I, s:o, s:{s:s, s:o}}", "Id", id,
                "RepoTags", names(img->tags, familiar, NULL), "RepoDigests", names(img->digests, familiar, NULL),
                "Parent", "", "Comment", json_string_value(json_object_get(c, "comment")) ?: "", "Created",
                created ? created : "1970-01-01T00:00:00Z", "Config", json_is_object(cfg) ? cfg : json_null(),
                "Author", json_string_value(json_object_get(c, "author")) ?: "", "Architecture",
                json_string_value(json_object_get(c, "architecture")) ?: "", "Os",
                json_string_value(json_object_get(c, "os")) ?: "linux", "Size", (json_int_t) img->size,
                "VirtualSize", (json_int_t) img->size, "GraphDriver", graph_driver(img, layers_root), "RootFS",
                "Type", "layers", "Layers", names(img->diff_ids, 0, NULL));
        if (json_string_value(json_object_get(c, "variant")))
                json_object_set(j, "Variant", json_object_get(c, "variant"));
        json_decref(c);
        return j;
}

json_t *json_docker_image_inspect(const berth_image *img, const char *layers_root) {
        json_t *j = inspect(img, layers_root, 1, img->id);
        json_object_set_new(j, "Container", json_string(""));
        json_object_set_new(j, "ContainerConfig", json_object());
        json_object_set_new(j, "DockerVersion", json_string(""));
        json_object_set_new(j, "Metadata", json_pack("{s:s}", "LastTagTime", "0001-01-01T00:00:00Z"));
        return j;
}

json_t *json_libpod_image_inspect(const berth_image *img, const char *layers_root) {
        json_t *j = inspect(img, layers_root, 0, img->id + 7);
        json_t *c = parse_config(img);
        json_object_set_new(j, "Digest", json_string(img->manifest_digest ? img->manifest_digest : ""));
        json_object_set_new(j, "Labels", labels(c));
        json_object_set_new(j, "Annotations", json_object());
        json_object_set_new(j, "ManifestType", json_string(""));
        json_object_set_new(j, "User", json_string(json_string_value(json_object_get(json_object_get(c, "config"), "User")) ?: ""));
        json_object_set(j, "History", json_is_array(json_object_get(c, "history")) ? json_object_get(c, "history")
                                                                                 : json_array());
        json_object_set_new(j, "NamesHistory", names(img->tags, 0, NULL));
        json_decref(c);
        return j;
}

json_t *json_image_history(const berth_image *img) {
        json_t *c = parse_config(img), *h = json_object_get(c, "history"), *e, *out = json_array();
        size_t i, n = json_array_size(h);
        /* newest first, the image ID on the top entry as Docker shows it */
        for (i = n; i-- > 0;) {
                e = json_array_get(h, i);
                json_array_append_new(
                        out, json_pack("{s:s, s:I, s:s, s:n, s:I, s:s}", "Id", i == n - 1 ? img->id : "<missing>",
                                       "Created", (json_int_t) parse_rfc3339(json_string_value(json_object_get(e, "created"))),
                                       "CreatedBy", json_string_value(json_object_get(e, "created_by")) ?: "", "Tags",
                                       "Size", (json_int_t) 0, "Comment",
                                       json_string_value(json_object_get(e, "comment")) ?: ""));
        }
        if (n == 0)
                json_array_append_new(out, json_pack("{s:s, s:I, s:s, s:n, s:I, s:s}", "Id", img->id, "Created",
                                                     (json_int_t) json_image_created(img), "CreatedBy", "", "Tags",
                                                     "Size", (json_int_t) img->size, "Comment", ""));
        json_object_set_new(json_array_get(out, 0), "Tags", names(img->tags, 1, NULL));
        json_decref(c);
        return out;
}

json_t *json_image_removal(const berth_image_removal *r, int familiar) {
        json_t *a = json_array();
        for (char **u = r->untagged; u && *u; u++) {
                _cleanup_free_ char *f = familiar ? berth_reference_familiar(*u) : xstrdup(*u);
                json_array_append_new(a, json_pack("{s:s}", "Untagged", f));
        }
        for (char **d = r->deleted; d && *d; d++)
                json_array_append_new(a, json_pack("{s:s}", "Deleted", *d));
        return a;
}
