/* Flag parsing shared by pull and push. */
#include "transfer-flags.h"

#include <getopt.h>
#include <stdlib.h>

#include "berth/cleanup.h"
#include "client.h"
#include "registry-creds.h"
#include "verb.h"

int transfer_flags_parse(struct client *c, int argc, char **argv, int min_args, int max_args,
                         struct transfer_flags *f) {
        static const struct option options[] = {
                { "creds", required_argument, NULL, 'c' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int opt;

        while ((opt = verb_getopt(argc, argv, "qh", options, &c->error)) > 0) {
                switch (opt) {
                case 'q': f->quiet = true; break;
                case 'h': return 1;
                case 'c':
                        free(TAKE_PTR(f->auth_header));
                        if (registry_creds_flag(optarg, &f->auth_header, &c->error) < 0)
                                return c->error.code;
                        break;
                }
        }
        if (opt < 0)
                return opt;
        return verb_args(argc, min_args, max_args, &c->error);
}

void transfer_flags_done(struct transfer_flags *f) {
        free(f->auth_header);
        f->auth_header = NULL;
}
