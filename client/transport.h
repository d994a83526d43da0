/* Reaching berthd: a local Unix socket, directly or through an ssh tunnel. */
#pragma once

#include "berth/cleanup.h"
#include "berth/error.h"
#include "url.h"

struct transport;

/* For unix:// the socket is the URL's path; for ssh:// ssh is started now (honouring
 * $BERTH_SSH and $BERTH_SSH_OPTS) and the socket is its local end. `identity` is the
 * ssh key (--identity, else $CONTAINER_SSHKEY), ignored for unix://. */
int transport_open(const struct client_url *u, const char *identity, struct transport **ret, berth_error *err);

/* The local socket to speak HTTP over. */
const char *transport_socket(const struct transport *t);

/* Ends the ssh child, if any, and removes its files. Accepts NULL. */
struct transport *transport_close(struct transport *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct transport *, transport_close);
