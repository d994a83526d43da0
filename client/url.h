/* Where berthd is: choosing the target URL and parsing unix:// and ssh:// URLs. */
#pragma once

#include "berth/error.h"

#define CLIENT_DEFAULT_URL "unix:///run/berth/berth.sock"

enum client_url_scheme {
        CLIENT_URL_UNIX,
        CLIENT_URL_SSH,
};

/* A parsed target. For unix, only `path` is set (the local socket). For ssh, `path` is
 * the socket on the remote host; `user` and `port` are NULL when the URL has none. */
struct client_url {
        enum client_url_scheme scheme;
        char *user;
        char *host;
        char *port;
        char *path;
};

/* The flag wins over the environment (CONTAINER_HOST), which wins over the default.
 * Empty strings count as unset. Pure: the caller passes getenv()'s answer. */
const char *client_url_select(const char *flag, const char *env);

/* Parses unix:///abs/path or ssh://[user@]host[:port]/abs/path. On failure the message
 * names the URL and says what a valid one looks like; *ret is written only on success. */
int client_url_parse(const char *url, struct client_url *ret, berth_error *err);

void client_url_done(struct client_url *u);
