/* The ssh transport: an OpenSSH child forwarding a private local socket to berthd's. */
#pragma once

#include "berth/cleanup.h"
#include "berth/error.h"
#include "url.h"

#define SSH_TUNNEL_TIMEOUT_MS 30000

struct ssh_tunnel_config {
        const char *program;            /* "ssh", or $BERTH_SSH */
        const char *extra_options;      /* $BERTH_SSH_OPTS: whitespace-separated ssh arguments */
        const char *identity;           /* -i KEYFILE, or NULL */
        int timeout_ms;                 /* how long ssh may take to open the forward */
};

struct ssh_tunnel;

/* The ssh command line that forwards local_socket to u->path on u->host. Pure. */
char **ssh_tunnel_argv(const struct client_url *u, const struct ssh_tunnel_config *cfg, const char *local_socket);

/* Starts ssh with stdin and stderr inherited (prompts and ssh's own errors reach the
 * user) and waits until the forwarded socket accepts a connection. If ssh exits first,
 * the error is "ssh exited with status N": ssh has already said why. */
int ssh_tunnel_open(const struct client_url *u, const struct ssh_tunnel_config *cfg, struct ssh_tunnel **ret,
                    berth_error *err);

/* The local socket that reaches the remote berthd. */
const char *ssh_tunnel_socket(const struct ssh_tunnel *t);

/* Stops and reaps ssh, removes the socket and its directory. Accepts NULL. */
struct ssh_tunnel *ssh_tunnel_close(struct ssh_tunnel *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct ssh_tunnel *, ssh_tunnel_close);
