/* The registry client (Docker Registry HTTP API v2 / OCI distribution): authentication,
 * manifests, blobs streamed as they download, and pushes. Internal to core. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "berth/cleanup.h"
#include "berth/digest.h"
#include "berth/error.h"
#include "berth/layer.h"

typedef struct registry registry;
typedef struct registry_stream registry_stream;

struct registry_credentials {
        const char *username;
        const char *password;
};

struct registry_options {
        bool insecure;                       /* plain HTTP allowed (and unverified TLS) */
        const char *certs_dir;               /* e.g. /etc/berth/certs.d; NULL for none */
        struct registry_credentials creds;   /* NULL members: anonymous */
        const char *bearer_token;            /* sent as is for every scope; no token server */
};

/* One client per registry host; safe to use from several threads at once. */
int registry_open(const char *domain, const struct registry_options *o, registry **ret, berth_error *err);
registry *registry_free(registry *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(registry *, registry_free);

/* Reaches the registry (without credentials), so a caller can fail early on an
 * unreachable one before it reports progress. */
int registry_ping(registry *r, berth_error *err);

/* Checks the credentials: GET /v2/ with them, through a token server if it asks. */
int registry_login(registry *r, berth_error *err);

struct registry_manifest {
        char *data;
        size_t size;
        char *media_type;
        char digest[BERTH_DIGEST_MAX];   /* verified: computed over data */
};
void registry_manifest_done(struct registry_manifest *m);

/* reference: a tag or a digest. A digest reference is verified against the body. */
int registry_get_manifest(registry *r, const char *repo, const char *reference, struct registry_manifest *ret,
                          berth_error *err);

/* The tags of `repo` (GET /v2/<repo>/tags/list, every page of it), NULL-terminated in
 * the registry's order. */
int registry_list_tags(registry *r, const char *repo, char ***ret_tags, berth_error *err);

/* A small blob (an image config) read whole and verified against its digest. */
int registry_get_blob(registry *r, const char *repo, const char *digest, size_t max, char **ret_data,
                      size_t *ret_size, berth_error *err);

/* A blob as a stream: registry_stream_read() is a berth_read_fn; on failure it returns
 * -errno and registry_stream_error() says why. Nothing is written to disk. */
int registry_stream_open(registry *r, const char *repo, const char *digest, registry_stream **ret,
                         berth_error *err);
/* Any http(s) URL as such a stream, for downloads that are no registry's (docker
 * import URL): no credentials, redirects only to http(s), only a 200 is data, and the
 * errors name the URL. The transfer starts at the first read. */
registry_stream *registry_stream_open_url(registry *r, const char *url);
ssize_t registry_stream_read(void *stream, void *buf, size_t max);
const berth_error *registry_stream_error(const registry_stream *s);
/* The answer's Content-Length once its first bytes were read; -1 when it has none. */
int64_t registry_stream_length(const registry_stream *s);
registry_stream *registry_stream_free(registry_stream *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(registry_stream *, registry_stream_free);

int registry_blob_exists(registry *r, const char *repo, const char *digest, bool *ret, berth_error *err);
/* `rewind` (NULL if the data cannot be read twice) restarts `read` from the first byte,
 * so a retried or redirected upload sends the blob whole again. */
typedef int (*registry_rewind_fn)(void *cls);
int registry_blob_upload(registry *r, const char *repo, const char *digest, uint64_t size, berth_read_fn read,
                         registry_rewind_fn rewind, void *cls, berth_error *err);
int registry_put_manifest(registry *r, const char *repo, const char *tag, const char *media_type, const char *data,
                          size_t size, berth_error *err);

/* A listing's Link header (RFC 8288, `<URL>; rel="next"`) -> the path of the next page
 * ("/v2/..."), when there is one on the registry at `base` ("https://host"): a page
 * elsewhere would get the registry's credentials. Exposed for tests. */
char *registry_link_next(const char *link, const char *base);

/* WWW-Authenticate parsing, exposed for tests. */
struct registry_challenge {
        char scheme[16];     /* "Bearer" or "Basic" */
        char *realm, *service, *scope;
};
int registry_challenge_parse(const char *header, struct registry_challenge *ret);
void registry_challenge_done(struct registry_challenge *c);
