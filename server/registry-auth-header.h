/* The X-Registry-Auth header: base64url JSON {"username", "password", ...}. */
#pragma once

struct request;

struct header_credentials {
        char *username;
        char *password;
};

/* Fills creds from the header when present and well-formed; absent is fine (0). */
int header_credentials_read(struct request *req, struct header_credentials *ret);
void header_credentials_done(struct header_credentials *c);
