/* Image list filters with Docker's semantics. */
#include "image-filter.h"

#include <errno.h>
#include <fnmatch.h>
#include <jansson.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/reference.h"
#include "filter-values.h"

struct image_filter {
        int dangling;           /* -1 any, 0 only named, 1 only dangling */
        char **references;      /* globs */
        char **labels;          /* "k" or "k=v" */
        char *before, *since;
};

static int take_key(struct image_filter *f, const char *key, json_t *v, berth_error *err) {
        _cleanup_strv_free_ char **values = NULL;
        int rc = filter_values(v, key, &values, err);

        if (rc < 0)
                return rc;
        if (strcmp(key, "dangling") == 0) {
                for (char **x = values; x && *x; x++) {
                        if (strcmp(*x, "true") == 0 || strcmp(*x, "1") == 0)
                                f->dangling = 1;
                        else if (strcmp(*x, "false") == 0 || strcmp(*x, "0") == 0)
                                f->dangling = 0;
                        else
                                return berth_err(err, -EINVAL, "filters: invalid dangling value \"%s\" (true or false)", *x);
                }
        } else if (strcmp(key, "reference") == 0)
                f->references = TAKE_PTR(values);
        else if (strcmp(key, "label") == 0)
                f->labels = TAKE_PTR(values);
        else if (strcmp(key, "before") == 0 || strcmp(key, "since") == 0) {
                char **field = key[0] == 'b' ? &f->before : &f->since;
                if (!values || !values[0] || values[1])
                        return berth_err(err, -EINVAL, "filters: \"%s\" takes exactly one image", key);
                free(*field);
                *field = xstrdup(values[0]);
        } else
                return berth_err(err, -EINVAL, "filters: unsupported filter \"%s\"", key);
        return 0;
}

int image_filter_parse(const char *text, struct image_filter **ret, berth_error *err) {
        json_t *j = json_loads(text, 0, NULL), *v;
        struct image_filter *f = xnew0(struct image_filter, 1);
        const char *key;
        int rc = 0;

        f->dangling = -1;
        if (!json_is_object(j))
                rc = berth_err(err, -EINVAL, "filters: not a JSON object: %s", text);
        json_object_foreach(j, key, v)
                if (rc >= 0)
                        rc = take_key(f, key, v, err);
        json_decref(j);
        if (rc < 0) {
                image_filter_free(f);
                return rc;
        }
        *ret = f;
        return 0;
}

void image_filter_free(struct image_filter *f) {
        if (!f)
                return;
        strv_freep(&f->references);
        strv_freep(&f->labels);
        free(f->before);
        free(f->since);
        free(f);
}

/* Docker matches the familiar "repo:tag" and the repository alone. */
static bool reference_matches(const berth_image *img, char *const *globs) {
        for (char **t = img->tags; t && *t; t++) {
                _cleanup_free_ char *fam = berth_reference_familiar(*t);
                _cleanup_free_ char *repo = xstrndup(fam, strrchr(fam, ':') && strrchr(fam, ':') > strrchr(fam, '/')
                                                                   ? (size_t) (strrchr(fam, ':') - fam)
                                                                   : strlen(fam));
                for (char *const *g = globs; *g; g++)
                        if (fnmatch(*g, fam, 0) == 0 || fnmatch(*g, repo, 0) == 0 || fnmatch(*g, *t, 0) == 0)
                                return true;
        }
        return false;
}

static bool label_matches(const berth_image *img, const char *want) {
        json_t *c = json_loads(img->config, 0, NULL);
        json_t *labels = json_object_get(json_object_get(c, "config"), "Labels");
        const char *eq = strchr(want, '=');
        _cleanup_free_ char *key = eq ? xstrndup(want, (size_t) (eq - want)) : xstrdup(want);
        const char *value = json_string_value(json_object_get(labels, key));
        bool ok = value && (!eq || strcmp(value, eq + 1) == 0);
        json_decref(c);
        return ok;
}

static const berth_image *find(berth_image *const *all, const char *name) {
        for (; *all; all++) {
                if (strcmp((*all)->id, name) == 0 || strncmp((*all)->id + 7, name, strlen(name)) == 0)
                        return *all;
                for (char **t = (*all)->tags; t && *t; t++) {
                        _cleanup_free_ char *fam = berth_reference_familiar(*t);
                        if (strcmp(*t, name) == 0 || strcmp(fam, name) == 0)
                                return *all;
                }
        }
        return NULL;
}

bool image_filter_match(const struct image_filter *f, const berth_image *img, berth_image *const *all) {
        bool dangling = !img->tags || !img->tags[0];
        if (!f)
                return true;
        if (f->dangling >= 0 && dangling != (f->dangling == 1))
                return false;
        if (f->references && !reference_matches(img, f->references))
                return false;
        for (char **l = f->labels; l && *l; l++)
                if (!label_matches(img, *l))
                        return false;
        const berth_image *b = f->before ? find(all, f->before) : NULL, *s = f->since ? find(all, f->since) : NULL;
        if (f->before && (!b || img->added >= b->added))
                return false;
        if (f->since && (!s || img->added <= s->added))
                return false;
        return true;
}

void image_filter_prune_mode(struct image_filter *f, bool all) {
        f->dangling = all || f->dangling == 0 ? -1 : 1;
}
