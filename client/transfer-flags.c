/* Flag parsing shared by pull and push. */
#include "transfer-flags.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "client.h"
#include "http.h"
#include "registry-creds.h"
#include "verb.h"

enum { O_AUTHFILE = 256, O_CREDS, O_TLS_VERIFY, O_PLATFORM };

#define SHARED_OPTIONS                                                 \
        { "authfile", required_argument, NULL, O_AUTHFILE },           \
        { "creds", required_argument, NULL, O_CREDS },                 \
        { "quiet", no_argument, NULL, 'q' },                           \
        { "tls-verify", optional_argument, NULL, O_TLS_VERIFY },       \
        { "help", no_argument, NULL, 'h' }

static const struct option pull_options[] = {
        SHARED_OPTIONS,
        { "all-tags", no_argument, NULL, 'a' },
        { "platform", required_argument, NULL, O_PLATFORM },
        {},
};
static const struct option push_options[] = { SHARED_OPTIONS, {} };

/* podman takes a boolean flag's value only after '=': --tls-verify=false. */
static int tls_verify_value(const char *arg, const char **ret, berth_error *err) {
        if (!arg || strcmp(arg, "true") == 0)
                *ret = "true";
        else if (strcmp(arg, "false") == 0)
                *ret = "false";
        else
                return berth_err(err, -EINVAL, "invalid argument \"%s\" for \"--tls-verify\" flag: expected true or false",
                                 arg);
        return 0;
}

/* podman checks that the file is there before anything else. */
static int authfile_value(const char *arg, char **ret, berth_error *err) {
        struct stat st;

        if (stat(arg, &st) < 0)
                return berth_err_errno(err, -errno, "cannot read the auth file %s", arg);
        free(*ret);
        *ret = xstrdup(arg);
        return 0;
}

static int one_flag(struct client *c, int opt, struct transfer_flags *f) {
        switch (opt) {
        case 'q': f->quiet = true; return 0;
        case 'a': f->all_tags = true; return 0;
        case O_TLS_VERIFY: return tls_verify_value(optarg, &f->tls_verify, &c->error);
        case O_AUTHFILE: return authfile_value(optarg, &f->authfile, &c->error);
        case O_CREDS:
                free(TAKE_PTR(f->auth_header));
                return registry_creds_flag(optarg, &f->auth_header, &c->error);
        case O_PLATFORM:
                berth_platform_done(&f->platform);
                return berth_platform_parse(optarg, false, &f->platform, &c->error);
        }
        return 0;
}

int transfer_flags_parse(struct client *c, enum transfer_verb verb, int argc, char **argv, int min_args,
                         int max_args, struct transfer_flags *f) {
        const struct option *options = verb == TRANSFER_PULL ? pull_options : push_options;
        int opt, r;

        while ((opt = verb_getopt(argc, argv, verb == TRANSFER_PULL ? "aqh" : "qh", options, &c->error)) > 0) {
                if (opt == 'h')
                        return 1;
                r = one_flag(c, opt, f);
                if (r < 0)
                        return r;
        }
        if (opt < 0)
                return opt;
        return verb_args(argc, min_args, max_args, &c->error);
}

int transfer_flags_auth_header(const struct transfer_flags *f, const char *reference, char **ret_header,
                               berth_error *err) {
        if (f->auth_header) {
                *ret_header = xstrdup(f->auth_header);
                return 0;
        }
        if (f->authfile)
                return registry_creds_authfile_header(f->authfile, reference, ret_header, err);
        if (strncmp(reference, "docker://", 9) == 0)
                reference += 9;
        *ret_header = registry_creds_stored_header(reference);
        return 0;
}

static void add(char **q, const char *key, const char *value) {
        _cleanup_free_ char *escaped = http_escape(value, NULL);
        char *n = xasprintf("%s&%s=%s", *q, key, escaped);

        free(*q);
        *q = n;
}

char *transfer_flags_query(const struct transfer_flags *f) {
        char *q = xstrdup("");

        if (f->tls_verify)
                add(&q, "tlsVerify", f->tls_verify);
        if (f->all_tags)
                add(&q, "allTags", "true");
        if (f->platform.os)
                add(&q, "os", f->platform.os);
        if (f->platform.arch)
                add(&q, "arch", f->platform.arch);
        if (f->platform.variant)
                add(&q, "variant", f->platform.variant);
        return q;
}

void transfer_flags_done(struct transfer_flags *f) {
        free(f->auth_header);
        free(f->authfile);
        berth_platform_done(&f->platform);
        *f = (struct transfer_flags) { 0 };
}
