/* The flags pull and push share (--authfile, --creds, --quiet, --tls-verify) and pull's
 * own (--all-tags, --platform). */
#pragma once

#include <stdbool.h>

#include "berth/error.h"
#include "berth/platform.h"

struct client;

enum transfer_verb {
        TRANSFER_PULL,
        TRANSFER_PUSH,
};

struct transfer_flags {
        bool quiet;
        bool all_tags;                  /* pull -a */
        const char *tls_verify;         /* "true", "false", or NULL when not given */
        char *auth_header;              /* from --creds: "X-Registry-Auth: ..." or NULL */
        char *authfile;                 /* --authfile PATH, checked to exist */
        berth_platform platform;        /* pull --platform; empty when not given */
};

/* Parses the flags of `verb` and checks the count of positional arguments (min..max, -1
 * for no limit). Returns 1 for --help, else like verb_args(). */
int transfer_flags_parse(struct client *c, enum transfer_verb verb, int argc, char **argv, int min_args,
                         int max_args, struct transfer_flags *f);

/* The X-Registry-Auth header for `reference` (*ret_header NULL for none): --creds, else
 * the --authfile entry of its registry (none when it has none), else the login
 * `berth login` stored for it. */
int transfer_flags_auth_header(const struct transfer_flags *f, const char *reference, char **ret_header,
                               berth_error *err);

/* "&tlsVerify=..." and pull's "&allTags=true&os=..&arch=..&variant=..", each only when
 * given, as podman --remote sends them; "" for none. */
char *transfer_flags_query(const struct transfer_flags *f);

void transfer_flags_done(struct transfer_flags *f);
