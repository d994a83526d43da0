/* Client lifetime: target selection at start, transport on first use, teardown at exit. */
#include "client.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "berth/alloc.h"
#include "berth/version.h"
#include "transport.h"

void client_init(struct client *c, const char *url, const char *identity) {
        *c = (struct client) { 0 };
        c->url = xstrdup(client_url_select(url, getenv("CONTAINER_HOST")));
        c->identity = identity ? xstrdup(identity) : NULL;
}

/* libcurl's own sockets lack O_CLOEXEC; berth's rule is that every fd has it. */
static curl_socket_t open_socket(void *userdata, curlsocktype purpose, struct curl_sockaddr *a) {
        return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static CURL *new_handle(const char *socket_path) {
        CURL *curl = curl_easy_init();

        if (!curl)
                return NULL;
        curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, socket_path);
        curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_socket);
        /* No SIGALRM tricks: berth has its own signal handling for the ssh child. */
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_USERAGENT, "berth/" BERTH_VERSION);
        return curl;
}

int client_connect(struct client *c, berth_error *err) {
        int r;

        if (c->curl)
                return 0;
        if (!c->target.path) {
                r = client_url_parse(c->url, &c->target, err);
                if (r < 0)
                        return r;
        }
        if (!c->transport) {
                r = transport_open(&c->target, c->identity, &c->transport, err);
                if (r < 0)
                        return r;
        }
        c->curl = new_handle(transport_socket(c->transport));
        if (!c->curl)
                return berth_err(err, -ENOMEM, "cannot create an HTTP handle (libcurl)");
        return 0;
}

void client_done(struct client *c) {
        if (c->curl)
                curl_easy_cleanup(c->curl);
        transport_close(c->transport);
        client_url_done(&c->target);
        free(c->url);
        free(c->identity);
        *c = (struct client) { 0 };
}
