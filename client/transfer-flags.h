/* The flags pull and push share: --creds USER:PASS and --quiet. */
#pragma once

#include <stdbool.h>

struct client;

struct transfer_flags {
        bool quiet;
        char *auth_header;      /* "X-Registry-Auth: ..." or NULL */
};

/* Parses the flags and checks the count of positional arguments (min..max, -1 for no
 * limit). Returns 1 for --help, else like verb_args(). */
int transfer_flags_parse(struct client *c, int argc, char **argv, int min_args, int max_args,
                         struct transfer_flags *f);
void transfer_flags_done(struct transfer_flags *f);
