/* Registry credentials from the command line, encoded the way podman's bindings and
 * docker's CLI send them, which berthd's X-Registry-Auth decoder reads. */
#include "registry-creds.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

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
