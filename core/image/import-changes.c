/* `docker import --change`: the Dockerfile instructions that make sense without a build
 * (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, VOLUME, STOPSIGNAL), applied to
 * an image config's "config" object. */
#include "import-changes.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

/* A JSON array of strings (the exec form), else the shell form under /bin/sh -c. */
static json_t *command(const char *value) {
        json_t *j = json_loads(value, 0, NULL), *v;
        size_t i;
        bool strings = json_is_array(j);
        json_array_foreach(j, i, v)
                strings = strings && json_is_string(v);
        if (strings)
                return j;
        json_decref(j);
        return json_pack("[s, s, s]", "/bin/sh", "-c", value);
}

static char *unquote(const char *s, size_t n) {
        if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
                return xstrndup(s + 1, n - 2);
        return xstrndup(s, n);
}

/* Up to the next blank outside double quotes. */
static size_t word_length(const char *p) {
        bool quoted = false;
        size_t n = 0;
        for (; p[n] && (quoted || (p[n] != ' ' && p[n] != '\t')); n++)
                if (p[n] == '"')
                        quoted = !quoted;
        return n;
}

/* "A=b C=\"d e\"" (or the old "A b") as key/value pairs. */
static int pairs(const char *value, const char *what, int (*add)(json_t *, const char *, const char *), json_t *o,
                 berth_error *err) {
        const char *sp = value + strcspn(value, " \t");
        if (!memchr(value, '=', (size_t) (sp - value))) {
                /* the legacy single pair: KEY VALUE */
                _cleanup_free_ char *key = xstrndup(value, (size_t) (sp - value));
                while (*sp == ' ' || *sp == '\t')
                        sp++;
                if (!*key || !*sp)
                        return berth_err(err, -EINVAL, "%s needs KEY=VALUE, got \"%s\"", what, value);
                return add(o, key, sp);
        }
        for (const char *p = value; *p;) {
                size_t n = word_length(p);
                const char *eq = memchr(p, '=', n);
                if (!eq || eq == p)
                        return berth_err(err, -EINVAL, "%s needs KEY=VALUE, got \"%.*s\"", what, (int) n, p);
                _cleanup_free_ char *key = xstrndup(p, (size_t) (eq - p));
                _cleanup_free_ char *val = unquote(eq + 1, (size_t) (p + n - eq - 1));
                int rc = add(o, key, val);
                if (rc < 0)
                        return rc;
                p += n;
                while (*p == ' ' || *p == '\t')
                        p++;
        }
        return 0;
}

static int add_env(json_t *config, const char *key, const char *val) {
        json_t *env = json_object_get(config, "Env"), *v;
        size_t i, len = strlen(key);
        _cleanup_free_ char *entry = xasprintf("%s=%s", key, val);
        if (!json_is_array(env))
                json_object_set_new(config, "Env", env = json_array());
        json_array_foreach(env, i, v)
                if (json_is_string(v) && strncmp(json_string_value(v), key, len) == 0 &&
                    json_string_value(v)[len] == '=')
                        return json_array_set_new(env, i, json_string(entry)), 0;
        json_array_append_new(env, json_string(entry));
        return 0;
}

static int add_label(json_t *config, const char *key, const char *val) {
        json_t *labels = json_object_get(config, "Labels");
        if (!json_is_object(labels))
                json_object_set_new(config, "Labels", labels = json_object());
        json_object_set_new(labels, key, json_string(val));
        return 0;
}

/* A set as Docker keeps it: {"80/tcp": {}}. */
static void add_set(json_t *config, const char *field, const char *words, bool port) {
        json_t *set = json_object_get(config, field), *list = json_loads(words, 0, NULL), *v;
        _cleanup_free_ char *copy = xstrdup(words);
        char *save = NULL;
        size_t i;
        if (!json_is_object(set))
                json_object_set_new(config, field, set = json_object());
        if (json_is_array(list))
                json_array_foreach(list, i, v) {
                        if (json_is_string(v))
                                json_object_set_new(set, json_string_value(v), json_object());
                }
        else
                for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                        _cleanup_free_ char *key = port && !strchr(w, '/') ? xasprintf("%s/tcp", w) : xstrdup(w);
                        json_object_set_new(set, key, json_object());
                }
        json_decref(list);
}

static int apply(json_t *config, const char *change, berth_error *err) {
        size_t n = strcspn(change, " \t=");
        _cleanup_free_ char *word = xstrndup(change, n);
        const char *value = change + n;

        while (*value == ' ' || *value == '\t' || (value == change + n && *value == '='))
                value++;
        if (!*word || !*value)
                return berth_err(err, -EINVAL, "change \"%s\" is not INSTRUCTION VALUE", change);
        if (strcasecmp(word, "CMD") == 0 || strcasecmp(word, "ENTRYPOINT") == 0)
                json_object_set_new(config, strcasecmp(word, "CMD") == 0 ? "Cmd" : "Entrypoint", command(value));
        else if (strcasecmp(word, "ENV") == 0)
                return pairs(value, "ENV", add_env, config, err);
        else if (strcasecmp(word, "LABEL") == 0)
                return pairs(value, "LABEL", add_label, config, err);
        else if (strcasecmp(word, "EXPOSE") == 0)
                add_set(config, "ExposedPorts", value, true);
        else if (strcasecmp(word, "VOLUME") == 0)
                add_set(config, "Volumes", value, false);
        else if (strcasecmp(word, "USER") == 0)
                json_object_set_new(config, "User", json_string(value));
        else if (strcasecmp(word, "WORKDIR") == 0)
                json_object_set_new(config, "WorkingDir", json_string(value));
        else if (strcasecmp(word, "STOPSIGNAL") == 0)
                json_object_set_new(config, "StopSignal", json_string(value));
        else
                return berth_err(err, -EINVAL, "change \"%s\": %s is not supported by import (CMD, ENTRYPOINT, ENV, "
                                               "EXPOSE, LABEL, USER, VOLUME, WORKDIR and STOPSIGNAL are)",
                                 change, word);
        return 0;
}

int import_changes_apply(json_t *config, char *const *changes, berth_error *err) {
        for (char *const *c = changes; c && *c; c++) {
                int rc = apply(config, *c, err);
                if (rc < 0)
                        return rc;
        }
        return 0;
}
