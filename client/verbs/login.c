/* berth login and berth logout. A login goes to berthd's POST /auth (Docker's), which
 * checks it with the registry and keeps it for its own pulls and pushes, and into the
 * client's auth file, from which berth pull and push send it along, so that a berthd on
 * another host gets it too. Logout is the client's alone: the Docker API has none. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/auth.h"
#include "berth/cleanup.h"
#include "http.h"
#include "prompt.h"
#include "registry-creds.h"
#include "verb.h"

static const char login_usage[] =
        "Usage: berth login [options] REGISTRY\n"
        "\n"
        "Log in to REGISTRY. berthd checks the credentials with the registry and keeps them\n"
        "for its pulls and pushes; berth keeps them in its auth file and sends them along\n"
        "with berth pull and berth push. A missing username or password is asked for.\n"
        "\n"
        "Options:\n"
        "  -u, --username USERNAME   the registry's username\n"
        "  -p, --password PASSWORD   the password (visible to other users: prefer the prompt\n"
        "                            or --password-stdin)\n"
        "      --password-stdin      read the password from standard input\n"
        "      --get-login           print the username of the stored login and exit\n"
        "  -h, --help                print this help\n";

static const char logout_usage[] =
        "Usage: berth logout [options] REGISTRY\n"
        "\n"
        "Remove the login for REGISTRY from berth's auth file. berthd keeps its own copy in\n"
        "its auth file until it is removed there.\n"
        "\n"
        "Options:\n"
        "  -a, --all             remove the logins for all registries\n"
        "  -h, --help            print this help\n";

struct login_flags {
        char *username, *password;      /* owned: may come from a prompt */
        bool password_stdin, get_login;
};

/* A password does not linger in freed memory. */
static void erase_freep(char **p) {
        if (*p)
                explicit_bzero(*p, strlen(*p));
        free(*p);
}

static void login_flags_done(struct login_flags *f) {
        free(f->username);
        erase_freep(&f->password);
}

static int parse_login_flags(struct client *c, int argc, char **argv, struct login_flags *f) {
        static const struct option options[] = {
                { "username", required_argument, NULL, 'u' },
                { "password", required_argument, NULL, 'p' },
                { "password-stdin", no_argument, NULL, 'S' },
                { "get-login", no_argument, NULL, 'g' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int opt;

        while ((opt = verb_getopt(argc, argv, "u:p:h", options, &c->error)) > 0) {
                switch (opt) {
                case 'u': free(f->username), f->username = xstrdup(optarg); break;
                case 'p': free(f->password), f->password = xstrdup(optarg); break;
                case 'S': f->password_stdin = true; break;
                case 'g': f->get_login = true; break;
                case 'h': return 1;
                }
        }
        if (opt < 0)
                return opt;
        /* podman's checks and wording. */
        if (f->password_stdin && f->password)
                return berth_err(&c->error, -EINVAL, "Can't specify both --password-stdin and --password");
        if (f->password_stdin && !f->username)
                return berth_err(&c->error, -EINVAL, "Must provide --username with --password-stdin");
        if (optind == argc)
                return berth_err(&c->error, -EINVAL, "please provide a registry to log into");
        return verb_args(argc, 1, 1, &c->error);
}

/* POST /auth: berthd asks the registry, and keeps the login when it says yes. */
static int check_login(struct client *c, const char *key, const char *username, const char *password) {
        _cleanup_(json_decrefp) json_t *body =
                json_pack("{s:s, s:s, s:s}", "username", username, "password", password, "serveraddress", key);

        if (!body)
                return berth_err(&c->error, -EINVAL, "the username and password must be UTF-8");
        return client_request_compat_json(c, "POST", "/auth", body, NULL, &c->error);
}

/* podman's wording for what berthd (or the registry behind it) refused; a berthd that
 * could not be reached is said as for any verb. */
static int login_failed(struct client *c, const char *key) {
        if (c->status == 0)
                return c->error.code;
        return berth_err_prefix(&c->error, "logging into \"%s\"", key);
}

/* podman's prompts: "Username: " (showing a stored one, taken on an empty answer), then
 * "Password: " without echo. */
static int ask(struct login_flags *f, const char *stored_user, berth_error *err) {
        int r;

        if (!f->username) {
                _cleanup_free_ char *question = stored_user ? xasprintf("Username (%s): ", stored_user)
                                                            : xstrdup("Username: ");
                r = prompt_read(STDIN_FILENO, stdout, question, false, &f->username, err);
                if (r < 0)
                        return berth_err_prefix(err, "reading the username");
                if (!*f->username && stored_user) {
                        free(f->username);
                        f->username = xstrdup(stored_user);
                }
                if (!*f->username)
                        return berth_err(err, -EINVAL, "a username is required");
        }
        if (!f->password) {
                r = prompt_read(STDIN_FILENO, stdout, "Password: ", true, &f->password, err);
                if (r == -ENOTTY)
                        return berth_err(err, r, "cannot ask for the password: standard input is not a terminal "
                                                 "(use --password-stdin)");
                if (r < 0)
                        return berth_err_prefix(err, "reading the password");
        }
        return 0;
}

/* Without new credentials, a stored login is checked first, as podman does. */
static int recheck_stored(struct client *c, const char *key, const char *user, const char *password) {
        int r;

        printf("Authenticating with existing credentials for %s\n", key);
        r = check_login(c, key, user, password);
        if (r >= 0) {
                printf("Existing credentials are valid. Already logged in to %s\n", key);
                return 1;
        }
        if (c->status != 401)
                return login_failed(c, key);
        printf("Existing credentials are invalid, please enter valid username and password\n");
        return 0;
}

static int login(struct client *c, const char *registry, struct login_flags *f) {
        _cleanup_free_ char *key = NULL, *stored_user = NULL;
        _cleanup_(erase_freep) char *stored_password = NULL;
        int r = registry_creds_key(registry, &key, &c->error);
        bool stored;

        if (r < 0)
                return r;
        stored = berth_auth_lookup(key, &stored_user, &stored_password) >= 0;
        if (f->get_login) {
                if (!stored)
                        return berth_err(&c->error, -ENOENT, "not logged into %s", key);
                printf("%s\n", stored_user);
                return 0;
        }
        if (f->password_stdin) {
                r = prompt_read_all(STDIN_FILENO, &f->password, &c->error);
                if (r < 0)
                        return r;
        }
        if (stored && !f->username && !f->password) {
                r = recheck_stored(c, key, stored_user, stored_password);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
        r = ask(f, stored ? stored_user : NULL, &c->error);
        if (r < 0)
                return r;
        r = check_login(c, key, f->username, f->password);
        if (r < 0)
                return login_failed(c, key);
        r = berth_auth_store(key, f->username, f->password, &c->error);
        if (r < 0)
                return r;
        printf("Login Succeeded!\n");
        return 0;
}

int cmd_login(struct client *c, int argc, char **argv) {
        struct login_flags f = { 0 };
        int r = parse_login_flags(c, argc, argv, &f);

        if (r == 0)
                r = login(c, argv[optind], &f);
        else if (r > 0)
                r = verb_usage(login_usage);
        login_flags_done(&f);
        return r;
}

static int logout(struct client *c, const char *registry) {
        _cleanup_free_ char *key = NULL;
        int r = registry_creds_key(registry, &key, &c->error);

        if (r >= 0)
                r = berth_auth_remove(key, &c->error);
        if (r == -ENOENT)
                return berth_err(&c->error, r, "not logged into %s", key);
        if (r < 0)
                return r;
        printf("Removed login credentials for %s\n", key);
        return 0;
}

int cmd_logout(struct client *c, int argc, char **argv) {
        static const struct option options[] = {
                { "all", no_argument, NULL, 'a' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        bool all = false;
        int opt, r;

        while ((opt = verb_getopt(argc, argv, "ah", options, &c->error)) > 0) {
                switch (opt) {
                case 'a': all = true; break;
                case 'h': return verb_usage(logout_usage);
                }
        }
        if (opt < 0)
                return opt;
        /* podman's checks and wording. */
        if (all && optind < argc)
                return berth_err(&c->error, -EINVAL, "--all takes no arguments");
        if (!all && optind == argc)
                return berth_err(&c->error, -EINVAL, "registry must be given");
        r = verb_args(argc, 0, 1, &c->error);
        if (r < 0)
                return r;
        if (!all)
                return logout(c, argv[optind]);
        r = registry_creds_forget_all(&c->error);
        if (r < 0)
                return r;
        printf("Removed login credentials for all registries\n");
        return 0;
}
