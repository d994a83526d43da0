/* Per-registry settings for a pull or push: TLS, plain HTTP, credentials. */
#include <string.h>

#include "berth/alloc.h"
#include "berth/auth.h"
#include "berth/config.h"
#include "pull.h"

#define CERTS_DIR "/etc/berth/certs.d"

/* Docker treats localhost and 127.0.0.0/8 as insecure without being told. */
static bool loopback(const char *domain) {
        size_t host = strcspn(domain, ":");
        return (host == 9 && strncmp(domain, "localhost", 9) == 0) || strncmp(domain, "127.", 4) == 0 ||
               strncmp(domain, "[::1]", 5) == 0;
}

bool registry_is_insecure(berth_engine *e, const char *domain) {
        const berth_config *c = berth_engine_config(e);
        if (loopback(domain))
                return true;
        for (char **r = c->insecure_registries; r && *r; r++)
                if (strcmp(*r, domain) == 0)
                        return true;
        return false;
}

void pull_registry_options(berth_engine *e, const char *domain, const berth_pull_options *o,
                           struct registry_options *ret) {
        /* tlsVerify, when given, decides for this request alone, as podman's does. */
        bool insecure = o && o->tls_verify == BERTH_TLS_SKIP     ? true
                        : o && o->tls_verify == BERTH_TLS_VERIFY ? false
                                                                 : registry_is_insecure(e, domain);

        *ret = (struct registry_options) { .insecure = insecure, .certs_dir = CERTS_DIR };
        if (o)
                ret->bearer_token = o->registry_token;
        if (o && o->username) {
                ret->creds.username = o->username;
                ret->creds.password = o->password;
        }
}
