/* Registry authentication: WWW-Authenticate challenges, Bearer tokens per scope, Basic. */
#include "registry-internal.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "berth/alloc.h"

/* Parses `Bearer realm="...",service="...",scope="..."` or `Basic realm="..."`. */
int registry_challenge_parse(const char *header, struct registry_challenge *ret) {
        const char *p = header;
        size_t n = strcspn(p, " ");

        *ret = (struct registry_challenge) { 0 };
        if (n == 0 || n >= sizeof(ret->scheme))
                return -EINVAL;
        memcpy(ret->scheme, p, n);
        p += n;
        while (*p) {
                p += strspn(p, " ,");
                size_t klen = strcspn(p, "=");
                if (!p[klen])
                        break;
                const char *key = p, *v = p + klen + 1;
                size_t vlen;
                if (*v == '"') {
                        v++;
                        vlen = strcspn(v, "\"");
                        p = v + vlen + (v[vlen] == '"');
                } else {
                        vlen = strcspn(v, ",");
                        p = v + vlen;
                }
                char **field = klen == 5 && strncasecmp(key, "realm", 5) == 0     ? &ret->realm
                               : klen == 7 && strncasecmp(key, "service", 7) == 0 ? &ret->service
                               : klen == 5 && strncasecmp(key, "scope", 5) == 0   ? &ret->scope
                                                                                  : NULL;
                if (field) {
                        free(*field);
                        *field = xstrndup(v, vlen);
                }
        }
        if (strcasecmp(ret->scheme, "Bearer") == 0 && !ret->realm) {
                registry_challenge_done(ret);
                return -EINVAL;
        }
        return 0;
}

void registry_challenge_done(struct registry_challenge *c) {
        free(c->realm);
        free(c->service);
        free(c->scope);
        *c = (struct registry_challenge) { 0 };
}

char *registry_auth_header(registry *r, const char *scope) {
        char *value = NULL;
        if (scope == REGISTRY_NO_AUTH)
                return NULL;
        if (r->bearer_token)
                return xasprintf("Bearer %s", r->bearer_token);
        pthread_mutex_lock(&r->lock);
        for (size_t i = 0; i < r->n_tokens; i++)
                if (strcmp(r->tokens[i].scope, scope ? scope : "") == 0)
                        value = xasprintf("Bearer %s", r->tokens[i].value);
        /* Basic credentials travel through libcurl's own option (registry_handle). */
        pthread_mutex_unlock(&r->lock);
        return value;
}

void registry_tokens_clear(registry *r) {
        for (size_t i = 0; i < r->n_tokens; i++) {
                free(r->tokens[i].scope);
                free(r->tokens[i].value);
        }
        r->n_tokens = 0;
}

static void store_token(registry *r, const char *scope, const char *value) {
        pthread_mutex_lock(&r->lock);
        for (size_t i = 0; i < r->n_tokens; i++)
                if (strcmp(r->tokens[i].scope, scope) == 0) {
                        free(r->tokens[i].value);
                        r->tokens[i].value = xstrdup(value);
                        pthread_mutex_unlock(&r->lock);
                        return;
                }
        if (r->n_tokens == REGISTRY_MAX_TOKENS) {
                /* Oldest out: a long-running daemon talks to many repositories. */
                free(r->tokens[0].scope);
                free(r->tokens[0].value);
                memmove(r->tokens, r->tokens + 1, (REGISTRY_MAX_TOKENS - 1) * sizeof(r->tokens[0]));
                r->n_tokens--;
        }
        r->tokens[r->n_tokens++] = (struct registry_token) { xstrdup(scope), xstrdup(value) };
        pthread_mutex_unlock(&r->lock);
}

struct token_request {
        char *url;
};

static CURL *prepare_token(registry *r, void *cls, struct curl_slist **headers, struct registry_response *resp) {
        struct token_request *t = cls;
        CURL *h = registry_handle(r, t->url, REGISTRY_NO_AUTH, headers, resp);
        if (r->username) {
                curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
                curl_easy_setopt(h, CURLOPT_USERNAME, r->username);
                curl_easy_setopt(h, CURLOPT_PASSWORD, r->password ? r->password : "");
        }
        return h;
}

static char *escape(const char *s) {
        char *e = curl_easy_escape(NULL, s, 0);
        char *copy = xstrdup(e ? e : "");
        curl_free(e);
        return copy;
}

/* Asks the token server for `scope`; the token is cached under `key` (the caller's scope). */
static int fetch_token(registry *r, const struct registry_challenge *c, const char *scope, const char *key,
                       berth_error *err) {
        _cleanup_free_ char *service = c->service ? escape(c->service) : NULL;
        _cleanup_free_ char *scope_q = scope && *scope ? escape(scope) : NULL;
        struct token_request t;
        struct registry_response resp = { .max = 1 << 20 };
        int rc;

        t.url = xasprintf("%s%sservice=%s%s%s", c->realm, strchr(c->realm, '?') ? "&" : "?", service ? service : "",
                          scope_q ? "&scope=" : "", scope_q ? scope_q : "");
        rc = registry_perform(r, REGISTRY_NO_AUTH, prepare_token, &t, &resp, err);
        free(t.url);
        if (rc < 0 && err) {
                /* The failure was the token server's, not the registry's: say which. */
                const char *cause = strstr(err->message, ": ") ? strstr(err->message, ": ") + 2 : err->message;
                char detail[sizeof(err->message)];
                memcpy(detail, cause, strlen(cause) + 1);
                berth_err(err, rc, "registry %s: cannot reach its token server %s: %s", r->domain, c->realm, detail);
        }
        if (rc >= 0 && resp.status != 200)
                rc = resp.status == 401 || resp.status == 403
                             ? berth_err(err, -EACCES, "registry %s: authentication failed (token server answered %ld)%s",
                                         r->domain, resp.status, r->username ? "" : ": credentials required")
                             : registry_status_error(r, &resp, "token request", err);
        if (rc >= 0) {
                json_t *j = json_loadb(resp.body ? resp.body : "", resp.size, 0, NULL);
                const char *token = json_string_value(json_object_get(j, "token"));
                if (!token)
                        token = json_string_value(json_object_get(j, "access_token"));
                if (token)
                        store_token(r, key, token);
                else
                        rc = berth_err(err, -EPROTO, "registry %s: the token server's answer has no token", r->domain);
                json_decref(j);
        }
        registry_response_done(&resp);
        return rc;
}

int registry_authenticate(registry *r, const char *scope, const char *www_authenticate, berth_error *err) {
        struct registry_challenge c;
        int rc;

        if (registry_challenge_parse(www_authenticate, &c) < 0)
                return berth_err(err, -EPROTO, "registry %s: cannot understand its challenge \"%s\"", r->domain,
                                 www_authenticate);
        if (strcasecmp(c.scheme, "Basic") == 0) {
                registry_challenge_done(&c);
                if (!r->username)
                        return berth_err(err, -EACCES, "registry %s: authentication required", r->domain);
                pthread_mutex_lock(&r->lock);
                r->basic = true;
                pthread_mutex_unlock(&r->lock);
                return 0;
        }
        if (strcasecmp(c.scheme, "Bearer") != 0) {
                rc = berth_err(err, -EPROTO, "registry %s: unsupported authentication scheme %s", r->domain, c.scheme);
                registry_challenge_done(&c);
                return rc;
        }
        rc = fetch_token(r, &c, scope ? scope : c.scope, scope ? scope : "", err);
        registry_challenge_done(&c);
        return rc;
}
