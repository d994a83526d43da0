/* Target URL selection and parsing: pure functions, unit-tested without a socket. */
#include "url.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

#define SSH_FORM "ssh://[user@]host[:port]/path/to/berth.sock"

const char *client_url_select(const char *flag, const char *env) {
        if (flag && *flag)
                return flag;
        if (env && *env)
                return env;
        return CLIENT_DEFAULT_URL;
}

static bool has_prefix(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int parse_unix(const char *url, const char *rest, struct client_url *ret, berth_error *err) {
        if (rest[0] != '/' || rest[1] == '\0')
                return berth_err(err, -EINVAL, "invalid URL \"%s\": unix:// needs an absolute socket path, "
                                 "as in unix:///run/berth/berth.sock", url);
        /* sun_path must hold the path and its NUL. */
        if (strlen(rest) >= sizeof(((struct sockaddr_un *) 0)->sun_path))
                return berth_err(err, -ENAMETOOLONG, "invalid URL \"%s\": the socket path is longer than %zu bytes",
                                 url, sizeof(((struct sockaddr_un *) 0)->sun_path) - 1);
        *ret = (struct client_url) { .scheme = CLIENT_URL_UNIX, .path = xstrdup(rest) };
        return 0;
}

static int check_port(const char *url, const char *port, berth_error *err) {
        char *end;
        long n;

        if (!*port || strspn(port, "0123456789") != strlen(port))
                return berth_err(err, -EINVAL, "invalid URL \"%s\": port \"%s\" is not a number", url, port);
        n = strtol(port, &end, 10);
        if (n < 1 || n > 65535)
                return berth_err(err, -EINVAL, "invalid URL \"%s\": port %s is out of range (1-65535)", url, port);
        return 0;
}

/* Splits "host", "host:port", "[v6]" or "[v6]:port" into owned strings. */
static int split_host_port(const char *url, const char *hp, char **ret_host, char **ret_port, berth_error *err) {
        _cleanup_free_ char *host = NULL, *port = NULL;
        const char *colon;

        if (hp[0] == '[') {
                const char *close = strchr(hp, ']');
                if (!close || (close[1] != '\0' && close[1] != ':'))
                        return berth_err(err, -EINVAL, "invalid URL \"%s\": unbalanced [ ] around the host", url);
                host = xstrndup(hp + 1, (size_t) (close - hp - 1));
                colon = close[1] == ':' ? close + 1 : NULL;
        } else {
                colon = strchr(hp, ':');
                host = colon ? xstrndup(hp, (size_t) (colon - hp)) : xstrdup(hp);
        }
        if (colon) {
                int r = check_port(url, colon + 1, err);
                if (r < 0)
                        return r;
                port = xstrdup(colon + 1);
        }
        if (!*host)
                return berth_err(err, -EINVAL, "invalid URL \"%s\": no host (expected " SSH_FORM ")", url);
        *ret_host = TAKE_PTR(host);
        *ret_port = TAKE_PTR(port);
        return 0;
}

/* ssh would take a leading '-' as an option; ':' would split the -L forward spec. */
static int check_ssh_parts(const char *url, const struct client_url *u, berth_error *err) {
        if ((u->user && u->user[0] == '-') || u->host[0] == '-')
                return berth_err(err, -EINVAL, "invalid URL \"%s\": user and host may not start with '-'", url);
        if (strchr(u->path, ':'))
                return berth_err(err, -EINVAL, "invalid URL \"%s\": the remote socket path may not contain ':'", url);
        return 0;
}

static int parse_ssh(const char *url, const char *rest, struct client_url *ret, berth_error *err) {
        struct client_url u = { .scheme = CLIENT_URL_SSH };
        _cleanup_free_ char *authority = NULL;
        const char *slash = strchr(rest, '/'), *hp;
        char *at;
        int r;

        if (!slash || slash[1] == '\0')
                return berth_err(err, -EINVAL, "invalid URL \"%s\": no remote socket path (expected " SSH_FORM ")",
                                 url);
        authority = xstrndup(rest, (size_t) (slash - rest));
        at = strrchr(authority, '@');
        hp = authority;
        if (at) {
                *at = '\0';
                if (!*authority)
                        return berth_err(err, -EINVAL, "invalid URL \"%s\": empty user before '@'", url);
                u.user = xstrdup(authority);
                hp = at + 1;
        }
        r = split_host_port(url, hp, &u.host, &u.port, err);
        if (r >= 0) {
                u.path = xstrdup(slash);
                r = check_ssh_parts(url, &u, err);
        }
        if (r < 0) {
                client_url_done(&u);
                return r;
        }
        *ret = u;
        return 0;
}

int client_url_parse(const char *url, struct client_url *ret, berth_error *err) {
        if (!url || !*url)
                return berth_err(err, -EINVAL, "empty URL: expected unix:///path/to/berth.sock or " SSH_FORM);
        if (has_prefix(url, "unix://"))
                return parse_unix(url, url + strlen("unix://"), ret, err);
        if (has_prefix(url, "ssh://"))
                return parse_ssh(url, url + strlen("ssh://"), ret, err);
        return berth_err(err, -EPROTONOSUPPORT,
                         "unsupported URL \"%s\": berth connects to unix:///path/to/berth.sock or " SSH_FORM, url);
}

void client_url_done(struct client_url *u) {
        free(u->user);
        free(u->host);
        free(u->port);
        free(u->path);
        *u = (struct client_url) { 0 };
}
