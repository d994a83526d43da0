/* Decoding of X-Registry-Auth, as the docker CLI, docker-py and podman send it, and the
 * choice of the credentials for a registry. */
#include "registry-auth-header.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/auth.h"
#include "berth/base64.h"
#include "berth/cleanup.h"
#include "berth/reference.h"
#include "http.h"

/* podman's map: each key a registry ("HOST[:PORT]", or Docker Hub's URL). */
static void read_map(json_t *j, struct header_credentials *ret) {
        size_t n = 0;
        const char *key;
        json_t *entry;

        ret->per_registry = xnew0(char *, 3 * json_object_size(j) + 1);
        json_object_foreach(j, key, entry) {
                const char *user = json_string_value(json_object_get(entry, "username"));
                const char *pass = json_string_value(json_object_get(entry, "password"));
                if (!user || !*user)
                        continue;
                ret->per_registry[n++] = berth_registry_domain(key);
                ret->per_registry[n++] = xstrdup(user);
                ret->per_registry[n++] = xstrdup(pass ? pass : "");
        }
}

int header_credentials_read(struct request *req, struct header_credentials *ret) {
        const char *h = req_header(req, "X-Registry-Auth");
        _cleanup_free_ char *text = NULL;
        size_t len;

        *ret = (struct header_credentials) { 0 };
        if (!h || !*h)
                return 0;
        json_t *j = berth_base64_decode(h, &text, &len) == 0 ? json_loadb(text, len, 0, NULL) : NULL;
        if (!json_is_object(j)) {
                json_decref(j);
                return http_fail(req, -EINVAL, "X-Registry-Auth is not base64-encoded JSON credentials");
        }
        const char *user = json_string_value(json_object_get(j, "username"));
        const char *pass = json_string_value(json_object_get(j, "password"));
        const char *token = json_string_value(json_object_get(j, "registrytoken"));
        if (token && *token)
                ret->registry_token = xstrdup(token);
        if (user && *user) {
                ret->username = xstrdup(user);
                ret->password = xstrdup(pass ? pass : "");
        } else if (!json_object_get(j, "username") && !ret->registry_token) {
                read_map(j, ret);
        }
        json_decref(j);
        return 0;
}

void header_credentials_done(struct header_credentials *c) {
        free(c->username);
        free(c->password);
        free(c->registry_token);
        strv_freep(&c->per_registry);
        *c = (struct header_credentials) { 0 };
}

void header_credentials_pick(const struct header_credentials *c, const char *reference, berth_pull_options *o) {
        _cleanup_(berth_reference_freep) berth_reference *ref = NULL;

        o->username = c->username;
        o->password = c->password;
        o->registry_token = c->registry_token;
        if (c->username || !c->per_registry || berth_reference_parse(reference, &ref, NULL) < 0)
                return;
        for (char **p = c->per_registry; *p; p += 3)
                if (strcmp(p[0], ref->domain) == 0) {
                        o->username = p[1];
                        o->password = p[2];
                        return;
                }
}
