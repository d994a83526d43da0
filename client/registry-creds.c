/* Registry credentials from the command line or the client's auth file, encoded the way
 * podman's bindings and docker's CLI send them, which berthd's X-Registry-Auth decoder
 * reads. The auth file itself is core's (berth/auth.h): berthd and berth read and write
 * it the same way. */
#include "registry-creds.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "berth/alloc.h"
#include "berth/auth.h"
#include "berth/base64.h"
#include "berth/cleanup.h"
#include "berth/reference.h"

int registry_creds_parse(const char *creds, char **ret_username, char **ret_password, berth_error *err) {
        const char *colon = strchr(creds, ':');

        /* The value is not repeated: it may hold a password. */
        if (!colon || colon == creds || colon[1] == '\0')
                return berth_err(err, -EINVAL, "invalid --creds: expected USERNAME:PASSWORD, both not empty");
        *ret_username = xstrndup(creds, (size_t) (colon - creds));
        *ret_password = xstrdup(colon + 1);
        return 0;
}

/* RFC 4648 base64url with padding (Go's base64.URLEncoding, which podman uses). */
static char *base64url(const char *s) {
        char *out = berth_base64_encode(s, strlen(s));

        for (char *c = out; *c; c++)
                *c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
        return out;
}

/* An auth file's "auth": base64 of text; NULL when it is not, or the text holds a NUL. */
static char *base64_text(const char *in) {
        char *out = NULL;
        size_t n;

        if (berth_base64_decode(in, &out, &n) < 0)
                return NULL;
        if (strlen(out) != n) {
                free(out);
                return NULL;
        }
        return out;
}

char *registry_creds_header(const char *username, const char *password) {
        _cleanup_(json_decrefp) json_t *auth = json_pack("{s:s, s:s}", "username", username, "password", password);
        _cleanup_free_ char *text = json_dumps(auth, JSON_COMPACT);
        _cleanup_free_ char *encoded = NULL;

        if (!text)
                abort();        /* only allocation fails here; berth aborts on OOM */
        encoded = base64url(text);
        return xasprintf("X-Registry-Auth: %s", encoded);
}

int registry_creds_flag(const char *creds, char **ret_header, berth_error *err) {
        _cleanup_free_ char *user = NULL, *password = NULL;
        int r = registry_creds_parse(creds, &user, &password, err);

        if (r < 0)
                return r;
        *ret_header = registry_creds_header(user, password);
        return 0;
}

/* What berthd's berth_registry_domain() does with a login's server address; that one
 * lives with core's registry client, which the CLI does not link. */
int registry_creds_key(const char *registry, char **ret_key, berth_error *err) {
        const char *s = registry;
        char *key;

        if (strncmp(s, "https://", 8) == 0)
                s += 8;
        else if (strncmp(s, "http://", 7) == 0)
                s += 7;
        key = xstrndup(s, strcspn(s, "/"));
        if (!*key) {
                free(key);
                return berth_err(err, -EINVAL, "invalid registry \"%s\": no host", registry);
        }
        for (char *c = key; *c; c++)
                *c = (char) tolower((unsigned char) *c);
        if (strcmp(key, "index.docker.io") == 0 || strcmp(key, "registry-1.docker.io") == 0) {
                free(key);
                key = xstrdup("docker.io");
        }
        *ret_key = key;
        return 0;
}

char *registry_creds_stored_header(const char *reference) {
        _cleanup_(berth_reference_freep) berth_reference *ref = NULL;
        _cleanup_free_ char *user = NULL, *password = NULL;

        if (berth_reference_parse(reference, &ref, NULL) < 0 ||
            berth_auth_lookup(ref->domain, &user, &password) < 0)
                return NULL;
        return registry_creds_header(user, password);
}

/* What a key of an auth file covers: "host[:port]" or "host[:port]/namespace". A URL
 * (docker's config.json) stands for its host; Docker Hub's names are docker.io. */
static char *key_scope(const char *key) {
        const char *rest = strstr(key, "://") ? "" : key + strcspn(key, "/");
        size_t len = strlen(rest);
        char *host = NULL, *scope;

        if (registry_creds_key(key, &host, NULL) < 0)
                return NULL;
        while (len > 0 && rest[len - 1] == '/')
                len--;
        scope = xasprintf("%s%.*s", host, (int) len, rest);
        free(host);
        return scope;
}

/* The entry of the longest key covering `repo` ("domain/path"), or NULL. */
static json_t *authfile_entry(json_t *auths, const berth_reference *ref, const char *repo) {
        size_t best = 0;
        json_t *found = NULL, *entry;
        const char *key;

        json_object_foreach(auths, key, entry) {
                _cleanup_free_ char *scope = key_scope(key);
                size_t len = scope ? strlen(scope) : 0;
                bool covers = scope && (strcmp(scope, ref->domain) == 0 || strcmp(scope, repo) == 0 ||
                                        (strncmp(repo, scope, len) == 0 && repo[len] == '/'));
                if (covers && len > best) {
                        best = len;
                        found = entry;
                }
        }
        return found;
}

static int authfile_load(const char *path, json_t **ret_auths, json_t **ret_file, berth_error *err) {
        json_error_t jerr;
        struct stat st;
        json_t *file;

        if (stat(path, &st) < 0)
                return berth_err_errno(err, -errno, "cannot read the auth file %s", path);
        file = json_load_file(path, 0, &jerr);
        if (!file)
                return berth_err(err, -EINVAL, "cannot read the auth file %s: %s", path, jerr.text);
        if (!json_is_object(file) || !json_is_object(json_object_get(file, "auths"))) {
                json_decref(file);
                return berth_err(err, -EINVAL, "the auth file %s has no \"auths\" object", path);
        }
        *ret_auths = json_object_get(file, "auths");
        *ret_file = file;
        return 0;
}

int registry_creds_authfile_header(const char *path, const char *reference, char **ret_header, berth_error *err) {
        _cleanup_(berth_reference_freep) berth_reference *ref = NULL;
        _cleanup_(json_decrefp) json_t *file = NULL;
        _cleanup_free_ char *repo = NULL, *pair = NULL;
        json_t *auths, *entry;
        const char *auth;
        char *colon;
        int r;

        if (strncmp(reference, "docker://", 9) == 0)
                reference += 9;
        r = berth_reference_parse(reference, &ref, err);
        if (r < 0)
                return r;
        r = authfile_load(path, &auths, &file, err);
        if (r < 0)
                return r;
        repo = berth_reference_repository(ref);
        entry = authfile_entry(auths, ref, repo);
        if (!entry) {
                *ret_header = NULL;     /* as podman: no credentials from the client */
                return 0;
        }
        auth = json_string_value(json_object_get(entry, "auth"));
        pair = auth ? base64_text(auth) : NULL;
        if (!pair || !(colon = strchr(pair, ':')) || colon == pair)
                return berth_err(err, -EINVAL, "the auth file %s: the entry for %s is not base64 of USERNAME:PASSWORD",
                                 path, ref->domain);
        *colon = '\0';
        *ret_header = registry_creds_header(pair, colon + 1);
        return 0;
}

int registry_creds_forget_all(berth_error *err) {
        _cleanup_free_ char *path = berth_auth_file_path();
        _cleanup_(json_decrefp) json_t *file = NULL;
        json_error_t jerr;
        const char *key;
        json_t *entry;
        struct stat st;

        if (stat(path, &st) < 0 && errno == ENOENT)
                return 0;
        file = json_load_file(path, 0, &jerr);
        if (!file)
                return berth_err(err, -EINVAL, "cannot read %s: %s", path, jerr.text);
        /* One key at a time, each write atomic: core owns the file's format. */
        json_object_foreach(json_object_get(file, "auths"), key, entry) {
                int r = berth_auth_remove(key, err);
                if (r < 0 && r != -ENOENT)
                        return r;
        }
        return 0;
}
