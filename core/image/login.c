/* berth_registry_login: credentials checked with the registry, then kept in the auth file. */
#include "berth/auth.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "berth/alloc.h"
#include "pull.h"
#include "registry.h"

char *berth_registry_domain(const char *server) {
        const char *s = server ? server : "";
        char *domain;

        if (strncmp(s, "https://", 8) == 0)
                s += 8;
        else if (strncmp(s, "http://", 7) == 0)
                s += 7;
        domain = xstrndup(s, strcspn(s, "/"));
        for (char *c = domain; *c; c++)
                *c = (char) tolower((unsigned char) *c);
        if (!*domain || strcmp(domain, "index.docker.io") == 0 || strcmp(domain, "registry-1.docker.io") == 0) {
                free(domain);
                domain = xstrdup("docker.io");
        }
        return domain;
}

int berth_registry_login(berth_engine *e, const char *server, const char *username, const char *password,
                         berth_error *err) {
        _cleanup_free_ char *domain = berth_registry_domain(server);
        _cleanup_(registry_freep) registry *r = NULL;
        berth_pull_options creds = { .username = username, .password = password ? password : "" };
        struct registry_options ro;
        int rc;

        if (!username || !*username)
                return berth_err(err, -EINVAL, "logging in to %s needs a username", domain);
        pull_registry_options(e, domain, &creds, &ro);
        rc = registry_open(domain, &ro, &r, err);
        if (rc >= 0)
                rc = registry_login(r, err);
        /* The registry said no to these credentials (not: could not be asked). */
        if (rc == -EACCES) {
                rc = -EKEYREJECTED;
                if (err)
                        err->code = rc;
        }
        if (rc < 0)
                return rc;
        return berth_auth_store(domain, username, creds.password, err);
}
