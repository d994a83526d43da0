/* Opening the transport a target URL names: nothing to do for unix://, a tunnel for ssh://. */
#include "transport.h"

#include <stdlib.h>

#include "berth/alloc.h"
#include "ssh.h"

struct transport {
        char *socket;
        struct ssh_tunnel *tunnel;
};

static const char *env_nonempty(const char *name) {
        const char *v = getenv(name);
        return v && *v ? v : NULL;
}

int transport_open(const struct client_url *u, const char *identity, struct transport **ret, berth_error *err) {
        _cleanup_(transport_closep) struct transport *t = xnew0(struct transport, 1);

        if (u->scheme == CLIENT_URL_SSH) {
                struct ssh_tunnel_config cfg = {
                        .program = env_nonempty("BERTH_SSH"),
                        .extra_options = env_nonempty("BERTH_SSH_OPTS"),
                        .identity = identity ? identity : env_nonempty("CONTAINER_SSHKEY"),
                        .timeout_ms = SSH_TUNNEL_TIMEOUT_MS,
                };
                int r = ssh_tunnel_open(u, &cfg, &t->tunnel, err);
                if (r < 0)
                        return r;
                t->socket = xstrdup(ssh_tunnel_socket(t->tunnel));
        } else
                t->socket = xstrdup(u->path);
        *ret = TAKE_PTR(t);
        return 0;
}

const char *transport_socket(const struct transport *t) {
        return t->socket;
}

struct transport *transport_close(struct transport *t) {
        if (!t)
                return NULL;
        ssh_tunnel_close(t->tunnel);
        free(t->socket);
        free(t);
        return NULL;
}
