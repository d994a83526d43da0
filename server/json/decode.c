/* Typed JSON field readers with messages that name the field. */
#include "json/decode.h"

#include <errno.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

const char *json_type_phrase(const json_t *v) {
        switch (json_typeof(v)) {
        case JSON_OBJECT: return "an object";
        case JSON_ARRAY: return "an array";
        case JSON_STRING: return "a string";
        case JSON_INTEGER: return "an integer";
        case JSON_REAL: return "a number";
        case JSON_TRUE:
        case JSON_FALSE: return "a boolean";
        case JSON_NULL:
        default: return "null";
        }
}

static int wrong(const json_t *v, const char *key, const char *want, berth_error *err) {
        return berth_err(err, -EINVAL, "%s: expected %s, got %s", key, want, json_type_phrase(v));
}

int json_expect_object(const json_t *v, const char *what, berth_error *err) {
        return json_is_object(v) ? 0 : wrong(v, what, "a JSON object", err);
}

/* The value under key, or NULL when absent or null. */
static const json_t *field(const json_t *obj, const char *key) {
        const json_t *v = json_object_get(obj, key);
        return json_is_null(v) ? NULL : v;
}

int json_read_string(const json_t *obj, const char *key, const char **ret, berth_error *err) {
        const json_t *v = field(obj, key);
        if (!v)
                return 0;
        if (!json_is_string(v))
                return wrong(v, key, "a string", err);
        *ret = json_string_value(v);
        return 0;
}

int json_read_bool(const json_t *obj, const char *key, bool *ret, berth_error *err) {
        const json_t *v = field(obj, key);
        if (!v)
                return 0;
        if (!json_is_boolean(v))
                return wrong(v, key, "a boolean", err);
        *ret = json_is_true(v);
        return 0;
}

int json_read_int(const json_t *obj, const char *key, int64_t *ret, berth_error *err) {
        const json_t *v = field(obj, key);
        if (!v)
                return 0;
        if (!json_is_integer(v))
                return wrong(v, key, "an integer", err);
        *ret = json_integer_value(v);
        return 0;
}

int json_read_strv(const json_t *obj, const char *key, char ***ret, berth_error *err) {
        const json_t *v = field(obj, key), *item;
        size_t i;

        if (!v)
                return 0;
        if (!json_is_array(v))
                return wrong(v, key, "an array of strings", err);
        json_array_foreach(v, i, item)
                if (!json_is_string(item))
                        return berth_err(err, -EINVAL, "%s[%zu]: expected a string, got %s", key, i,
                                         json_type_phrase(item));
        char **strv = xnew0(char *, json_array_size(v) + 1);
        json_array_foreach(v, i, item)
                strv[i] = xstrdup(json_string_value(item));
        strv_freep(ret);
        *ret = strv;
        return 0;
}

int json_read_string_map(const json_t *obj, const char *key, char ***ret, berth_error *err) {
        const json_t *v = field(obj, key), *value;
        const char *k;
        size_t n = 0;

        if (!v)
                return 0;
        if (!json_is_object(v))
                return wrong(v, key, "an object of strings", err);
        json_object_foreach((json_t *) v, k, value)
                if (!json_is_string(value))
                        return berth_err(err, -EINVAL, "%s.%s: expected a string, got %s", key, k,
                                         json_type_phrase(value));
        char **kv = xnew0(char *, 2 * json_object_size(v) + 1);
        json_object_foreach((json_t *) v, k, value) {
                kv[n++] = xstrdup(k);
                kv[n++] = xstrdup(json_string_value(value));
        }
        strv_freep(ret);
        *ret = kv;
        return 0;
}

int json_read_object(const json_t *obj, const char *key, const json_t **ret, berth_error *err) {
        const json_t *v = field(obj, key);
        if (!v)
                return 0;
        if (!json_is_object(v))
                return wrong(v, key, "an object", err);
        *ret = v;
        return 0;
}
