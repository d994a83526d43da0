/* Container list filters with Docker's semantics. */
#include "container-filter.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/strv.h"
#include "filter-values.h"

struct container_filter {
        char **ids, **names, **labels, **statuses, **ancestors, **exited;
        char *before, *since;
};

int64_t container_filter_now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

bool container_filter_empty(const char *json) {
        return !json || !*json || strcmp(json, "{}") == 0;
}

void container_filter_free(struct container_filter *f) {
        if (!f)
                return;
        char ***lists[] = { &f->ids, &f->names, &f->labels, &f->statuses, &f->ancestors, &f->exited };
        for (size_t i = 0; i < ELEMENTSOF(lists); i++)
                strv_freep(lists[i]);
        free(f->before);
        free(f->since);
        free(f);
}

static int check_values(const char *key, char **values, berth_error *err) {
        berth_container_status s;
        char *end;
        for (char **v = values; v && *v; v++) {
                if (strcmp(key, "status") == 0 && berth_container_status_from_name(*v, &s) < 0)
                        return berth_err(err, -EINVAL, "invalid filter 'status=%s'", *v);
                if (strcmp(key, "exited") == 0 && (strtol(*v, &end, 10), *end || end == *v))
                        return berth_err(err, -EINVAL, "invalid filter 'exited=%s'", *v);
        }
        return 0;
}

static int take_key(struct container_filter *f, const char *key, json_t *v, berth_error *err) {
        static const char *const keys[] = { "id", "name", "label", "status", "ancestor", "exited" };
        char ***lists[] = { &f->ids, &f->names, &f->labels, &f->statuses, &f->ancestors, &f->exited };
        _cleanup_strv_free_ char **values = NULL;
        int rc = filter_values(v, key, &values, err);

        if (rc < 0)
                return rc;
        if (strcmp(key, "before") == 0 || strcmp(key, "since") == 0) {
                char **slot = strcmp(key, "before") == 0 ? &f->before : &f->since;
                if (values && values[0]) {
                        free(*slot);
                        *slot = xstrdup(values[0]);
                }
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (strcmp(key, keys[i]) == 0) {
                        rc = check_values(key, values, err);
                        if (rc < 0)
                                return rc;
                        for (char **x = values; x && *x; x++)
                                strv_push(lists[i], *x);
                        return 0;
                }
        return berth_err(err, -EINVAL, "invalid filter '%s'", key);
}

int container_filter_parse(const char *json, struct container_filter **ret, berth_error *err) {
        json_t *o = json_loads(json, 0, NULL), *v;
        struct container_filter *f;
        const char *key;
        int rc = 0;

        if (!json_is_object(o)) {
                json_decref(o);
                return berth_err(err, -EINVAL, "invalid filters: %s", json);
        }
        f = xnew0(struct container_filter, 1);
        json_object_foreach (o, key, v) {
                rc = take_key(f, key, v, err);
                if (rc < 0)
                        break;
        }
        json_decref(o);
        if (rc < 0) {
                container_filter_free(f);
                return rc;
        }
        *ret = f;
        return 0;
}

bool container_filter_wants_stopped(const struct container_filter *f) {
        return f && (f->exited || (f->statuses && !(f->statuses[0] && !f->statuses[1] &&
                                                    strcmp(f->statuses[0], "running") == 0)));
}

static bool any(char **values, bool (*pred)(const char *v, const berth_container *c), const berth_container *c) {
        if (!values)
                return true;
        for (char **v = values; *v; v++)
                if (pred(*v, c))
                        return true;
        return false;
}

static bool id_pred(const char *v, const berth_container *c) {
        return strncmp(c->id, v, strlen(v)) == 0;
}

static bool name_pred(const char *v, const berth_container *c) {
        return strstr(c->name, v[0] == '/' ? v + 1 : v) != NULL;
}

static bool status_pred(const char *v, const berth_container *c) {
        return strcmp(berth_container_status_name(c->state.status), v) == 0;
}

static bool ancestor_pred(const char *v, const berth_container *c) {
        const char *hex = strncmp(v, "sha256:", 7) == 0 ? v + 7 : v;
        return strcmp(c->image, v) == 0 || strncmp(c->image_id + 7, hex, strlen(hex)) == 0 ||
               (strchr(v, ':') == NULL && strncmp(c->image, v, strlen(v)) == 0 && c->image[strlen(v)] == ':');
}

static bool exited_pred(const char *v, const berth_container *c) {
        return c->state.status == BERTH_CONTAINER_EXITED && c->state.exit_code == atoi(v);
}

/* Every label filter must hold ("k" present, or "k=v" equal). */
static bool labels_match(char **labels, const berth_container *c) {
        json_t *cfg = labels ? json_loads(c->config, 0, NULL) : NULL, *l = json_object_get(cfg, "Labels");
        bool ok = true;
        for (char **x = labels; x && *x && ok; x++) {
                const char *eq = strchr(*x, '=');
                _cleanup_free_ char *k = eq ? xstrndup(*x, (size_t) (eq - *x)) : xstrdup(*x);
                const char *have = json_string_value(json_object_get(l, k));
                ok = have && (!eq || strcmp(have, eq + 1) == 0);
        }
        json_decref(cfg);
        return ok;
}

static int64_t created_of(const char *name, berth_container *const *all) {
        for (size_t i = 0; all[i]; i++)
                if (strcmp(all[i]->name, name) == 0 || strncmp(all[i]->id, name, strlen(name)) == 0)
                        return all[i]->created;
        return -1;
}

bool container_filter_match(const struct container_filter *f, const berth_container *c, berth_container *const *all) {
        if (!f)
                return true;
        if (!any(f->ids, id_pred, c) || !any(f->names, name_pred, c) || !any(f->statuses, status_pred, c) ||
            !any(f->ancestors, ancestor_pred, c) || !any(f->exited, exited_pred, c) || !labels_match(f->labels, c))
                return false;
        if (f->before) {
                int64_t t = created_of(f->before, all);
                if (t < 0 || c->created >= t)
                        return false;
        }
        if (f->since) {
                int64_t t = created_of(f->since, all);
                if (t < 0 || c->created <= t)
                        return false;
        }
        return true;
}
