/* Registry reads: the login check, tag lists, manifests, and small blobs, all verified
 * by digest. */
#include "registry-internal.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/strv.h"

#define MANIFEST_MAX (4u << 20)
#define TAGS_PAGE_MAX (4u << 20)
#define TAGS_PAGES_MAX 1000
#define TAGS_MAX 100000          /* tags of one repository that a pull of all tags takes */

static const char manifest_accept[] =
        "Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
        "application/vnd.docker.distribution.manifest.list.v2+json, "
        "application/vnd.docker.distribution.manifest.v2+json";

struct get_request {
        char *url;
        const char *scope;
        const char *accept;
};

static CURL *prepare_get(registry *r, void *cls, struct curl_slist **headers, struct registry_response *resp) {
        struct get_request *g = cls;
        if (g->accept)
                *headers = curl_slist_append(*headers, g->accept);
        return registry_handle(r, g->url, g->scope, headers, resp);
}

static int get(registry *r, const char *path, const char *scope, const char *accept,
               struct registry_response *resp, berth_error *err) {
        struct get_request g = { .scope = scope, .accept = accept };
        const char *base;
        int rc = registry_base(r, &base, err);
        if (rc < 0)
                return rc;
        g.url = xasprintf("%s%s", base, path);
        rc = registry_perform(r, scope, prepare_get, &g, resp, err);
        free(g.url);
        return rc;
}

int registry_login(registry *r, berth_error *err) {
        struct registry_response resp = { .max = 65536 };
        int rc = get(r, "/v2/", NULL, NULL, &resp, err);
        if (rc >= 0 && resp.status != 200)
                rc = resp.status == 401 ? berth_err(err, -EACCES, "registry %s: login failed: unauthorized", r->domain)
                                        : registry_status_error(r, &resp, "login", err);
        registry_response_done(&resp);
        return rc;
}

/* Whether the parameters [p, end) of one link-value say rel="next" (or rel=next). */
static bool rel_next(const char *p, const char *end) {
        _cleanup_free_ char *params = xstrndup(p, (size_t) (end - p));
        return strstr(params, "rel=\"next\"") || strstr(params, "rel=next");
}

char *registry_link_next(const char *link, const char *base) {
        const char *open = link ? strchr(link, '<') : NULL;
        size_t n = strlen(base);

        /* Link: <url>; rel="first", <url>; rel="next": the value whose rel is next. */
        while (open) {
                const char *close = strchr(open, '>'), *next;
                if (!close)
                        return NULL;
                next = strchr(close, '<');
                if (rel_next(close + 1, next ? next : close + strlen(close))) {
                        open++;
                        if ((size_t) (close - open) > n && strncmp(open, base, n) == 0 && open[n] == '/')
                                open += n;
                        return *open == '/' ? xstrndup(open, (size_t) (close - open)) : NULL;
                }
                open = next;
        }
        return NULL;
}

/* {"name": "busybox", "tags": ["latest", ...]}; "tags" may be null for none. */
static int add_tags(registry *r, const struct registry_response *resp, char ***tags, berth_error *err) {
        _cleanup_(json_decrefp) json_t *j = json_loadb(resp->body ? resp->body : "", resp->size, 0, NULL);
        json_t *list = json_object_get(j, "tags"), *tag;
        size_t i;

        if (!json_is_object(j) || (list && !json_is_array(list) && !json_is_null(list)))
                return berth_err(err, -EBADMSG, "registry %s: malformed tag list", r->domain);
        size_t n = strv_length(*tags);
        if (n + json_array_size(list) > TAGS_MAX)
                return berth_err(err, -E2BIG, "registry %s: more than %d tags", r->domain, TAGS_MAX);
        *tags = xrealloc(*tags, (n + json_array_size(list) + 1) * sizeof(char *));
        json_array_foreach(list, i, tag) {
                if (!json_is_string(tag)) {
                        (*tags)[n] = NULL;
                        return berth_err(err, -EBADMSG, "registry %s: malformed tag list", r->domain);
                }
                (*tags)[n++] = xstrdup(json_string_value(tag));
        }
        (*tags)[n] = NULL;
        return 0;
}

int registry_list_tags(registry *r, const char *repo, char ***ret_tags, berth_error *err) {
        _cleanup_free_ char *scope = xasprintf("repository:%s:pull", repo);
        _cleanup_free_ char *what = xasprintf("listing the tags of %s", repo);
        _cleanup_free_ char *path = xasprintf("/v2/%s/tags/list", repo);
        _cleanup_(strv_freep) char **tags = xnew0(char *, 1);
        struct registry_response resp = { .max = TAGS_PAGE_MAX };
        const char *base;
        int rc = registry_base(r, &base, err);

        for (int page = 0; rc >= 0 && path; page++) {
                if (page == TAGS_PAGES_MAX) {
                        rc = berth_err(err, -E2BIG, "%s: registry %s gave more than %d pages", what, r->domain,
                                       TAGS_PAGES_MAX);
                        break;
                }
                rc = get(r, path, scope, NULL, &resp, err);
                if (rc >= 0 && resp.status != 200)
                        rc = registry_status_error(r, &resp, what, err);
                if (rc >= 0)
                        rc = add_tags(r, &resp, &tags, err);
                free(path);
                path = rc >= 0 ? registry_link_next(resp.link, base) : NULL;
        }
        registry_response_done(&resp);
        if (rc < 0)
                return rc;
        *ret_tags = TAKE_PTR(tags);
        return 0;
}

void registry_manifest_done(struct registry_manifest *m) {
        free(m->data);
        free(m->media_type);
        *m = (struct registry_manifest) { 0 };
}

static int verify(registry *r, const char *what, const char *expected, const void *data, size_t size,
                  char out[BERTH_DIGEST_MAX], berth_error *err) {
        char algorithm[16] = "sha256";
        int rc;

        if (expected && berth_digest_algorithm(expected, algorithm, sizeof(algorithm)) < 0)
                return berth_err(err, -EINVAL, "invalid digest %s", expected);
        rc = berth_digest_buffer(algorithm, data, size, out, err);
        if (rc < 0)
                return rc;
        if (expected && strcmp(expected, out) != 0)
                return berth_err(err, -EBADMSG, "%s from registry %s does not match its digest: expected %s, got %s",
                                 what, r->domain, expected, out);
        return 0;
}

int registry_get_manifest(registry *r, const char *repo, const char *reference, struct registry_manifest *ret,
                          berth_error *err) {
        _cleanup_free_ char *path = xasprintf("/v2/%s/manifests/%s", repo, reference);
        _cleanup_free_ char *scope = xasprintf("repository:%s:pull", repo);
        _cleanup_free_ char *what = xasprintf("manifest %s:%s", repo, reference);
        struct registry_response resp = { .max = MANIFEST_MAX };
        bool by_digest = strchr(reference, ':') != NULL;
        char digest[BERTH_DIGEST_MAX];
        int rc;

        rc = get(r, path, scope, manifest_accept, &resp, err);
        if (rc >= 0 && resp.status != 200)
                rc = registry_status_error(r, &resp, what, err);
        if (rc >= 0)
                rc = verify(r, what, by_digest ? reference : resp.docker_digest, resp.body ? resp.body : "", resp.size,
                            digest, err);
        if (rc >= 0) {
                *ret = (struct registry_manifest) {
                        .data = resp.body ? resp.body : xstrdup(""),
                        .size = resp.size,
                        .media_type = xstrdup(resp.content_type ? resp.content_type : ""),
                };
                memcpy(ret->digest, digest, sizeof(digest));
                resp.body = NULL;
        }
        registry_response_done(&resp);
        return rc;
}

int registry_get_blob(registry *r, const char *repo, const char *digest, size_t max, char **ret_data,
                      size_t *ret_size, berth_error *err) {
        _cleanup_free_ char *path = xasprintf("/v2/%s/blobs/%s", repo, digest);
        _cleanup_free_ char *scope = xasprintf("repository:%s:pull", repo);
        _cleanup_free_ char *what = xasprintf("blob %s of %s", digest, repo);
        struct registry_response resp = { .max = max };
        char actual[BERTH_DIGEST_MAX];
        int rc;

        rc = get(r, path, scope, NULL, &resp, err);
        if (rc >= 0 && resp.status != 200)
                rc = registry_status_error(r, &resp, what, err);
        if (rc >= 0)
                rc = verify(r, what, digest, resp.body ? resp.body : "", resp.size, actual, err);
        if (rc >= 0) {
                *ret_data = resp.body ? resp.body : xstrdup("");
                *ret_size = resp.size;
                resp.body = NULL;
        }
        registry_response_done(&resp);
        return rc;
}
