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
        static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        size_t n = strlen(s);
        char *out = xmalloc((n + 2) / 3 * 4 + 1), *w = out;

        for (size_t i = 0; i < n; i += 3) {
                uint32_t v = (uint32_t) (unsigned char) s[i] << 16;
                if (i + 1 < n)
                        v |= (uint32_t) (unsigned char) s[i + 1] << 8;
                if (i + 2 < n)
                        v |= (unsigned char) s[i + 2];
                *w++ = alphabet[(v >> 18) & 63];
                *w++ = alphabet[(v >> 12) & 63];
                *w++ = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
                *w++ = i + 2 < n ? alphabet[v & 63] : '=';
        }
        *w = '\0';
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
