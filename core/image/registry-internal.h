/* What the registry client's files share; see registry.h for the API. */
#pragma once

#include "curl-api.h"
#include <pthread.h>

#include "registry.h"

#define REGISTRY_MAX_TOKENS 32

struct registry_token {
        char *scope;
        char *value;
};

struct registry {
        char *domain;
        bool insecure;
        char *username, *password;
        char *bearer_token;
        char *ca_file, *cert_file, *key_file;

        CURLSH *share;
        pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];

        pthread_mutex_t lock;            /* guards everything below */
        char *base;                      /* "https://host" or "http://host", once pinged */
        bool basic;                      /* the registry asked for Basic auth */
        struct registry_token tokens[REGISTRY_MAX_TOKENS];
        size_t n_tokens;
};

/* A response collected in memory (bounded), with the headers the client needs. */
struct registry_response {
        long status;
        char *body;
        size_t size, max;
        bool overflow;
        char *content_type;
        char *docker_digest;
        char *location;
        char *link;                      /* the next page of a listing */
        char *www_authenticate;
};
void registry_response_done(struct registry_response *resp);

/* A prepared handle: URL, TLS, share, auth for `scope`, response capture. */
CURL *registry_handle(registry *r, const char *url, const char *scope, struct curl_slist **headers,
                      struct registry_response *resp);

/* Performs with auth (one retry after a 401 challenge, unless scope is
 * REGISTRY_NO_AUTH) and retries on transient failures. The handle is rebuilt for each
 * attempt through `prepare`. Non-2xx answers are not errors here: check resp->status. */
typedef CURL *(*registry_prepare_fn)(registry *r, void *cls, struct curl_slist **headers,
                                     struct registry_response *resp);
extern const char REGISTRY_NO_AUTH[];
int registry_perform(registry *r, const char *scope, registry_prepare_fn prepare, void *cls,
                     struct registry_response *resp, berth_error *err);

/* Base URL ("https://host:port") after probing the scheme for insecure registries. */
int registry_base(registry *r, const char **ret, berth_error *err);

/* Auth: the header value for scope, if any ("Bearer x"); and the challenge response. */
char *registry_auth_header(registry *r, const char *scope);
int registry_authenticate(registry *r, const char *scope, const char *www_authenticate, berth_error *err);
void registry_tokens_clear(registry *r);

/* An error from a registry answer: status -> errno, and the registry's own message. */
int registry_status_error(registry *r, const struct registry_response *resp, const char *what,
                          berth_error *err);
