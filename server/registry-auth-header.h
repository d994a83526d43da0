/* The X-Registry-Auth header: base64url JSON, either one {"username", "password", ...}
 * (docker CLI, docker-py, podman --creds) or podman's {"HOST": {"username", ...}, ...}
 * with every login of the client's auth file. */
#pragma once

#include "berth/image.h"

struct request;

struct header_credentials {
        char *username;           /* the single form */
        char *password;
        char *registry_token;     /* Docker's "registrytoken": a bearer token as is */
        char **per_registry;      /* the map form: domain, username, password, ..., NULL */
};

/* Fills creds from the header when present and well-formed; absent is fine (0). */
int header_credentials_read(struct request *req, struct header_credentials *ret);
void header_credentials_done(struct header_credentials *c);

/* The credentials for the registry of `reference` into o's username and password
 * (borrowed from c); left NULL when the header has none for it. */
void header_credentials_pick(const struct header_credentials *c, const char *reference, berth_pull_options *o);
