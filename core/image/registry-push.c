/* Registry writes: blob existence, monolithic blob uploads and manifest puts. */
#include "registry-internal.h"

#include <errno.h>
#include <string.h>

#include "berth/alloc.h"

struct write_request {
        char *url;
        const char *scope;
        const char *method;             /* HEAD, POST, PUT */
        const char *content_type;
        const char *data;               /* a body in memory ... */
        size_t size;
        berth_read_fn read;             /* ... or streamed */
        registry_rewind_fn rewind;
        void *read_cls;
        bool started;                   /* read from before: rewind for another attempt */
        bool cannot_resend;
        uint64_t read_size;
        berth_error read_err;
};

static size_t on_read(char *buf, size_t size, size_t n, void *cls) {
        struct write_request *w = cls;
        if (w->cannot_resend) {
                berth_err(&w->read_err, -EIO, "the upload failed midway and its data cannot be sent again");
                return CURL_READFUNC_ABORT;
        }
        w->started = true;
        ssize_t got = w->read(w->read_cls, buf, size * n);
        if (got < 0) {
                berth_err(&w->read_err, (int) got, "reading the data to upload failed");
                return CURL_READFUNC_ABORT;
        }
        return (size_t) got;
}

/* libcurl rewinds to resend a body after a redirect or an auth round trip. */
static int on_seek(void *cls, curl_off_t offset, int origin) {
        struct write_request *w = cls;
        if (offset != 0 || origin != SEEK_SET || !w->rewind)
                return CURL_SEEKFUNC_CANTSEEK;
        return w->rewind(w->read_cls) < 0 ? CURL_SEEKFUNC_FAIL : CURL_SEEKFUNC_OK;
}

static CURL *prepare_write(registry *r, void *cls, struct curl_slist **headers, struct registry_response *resp) {
        struct write_request *w = cls;
        /* Another attempt sends the body from its start, or fails if it cannot. */
        if (w->read && w->started && (!w->rewind || w->rewind(w->read_cls) < 0))
                w->cannot_resend = true;
        if (w->content_type) {
                _cleanup_free_ char *line = xasprintf("Content-Type: %s", w->content_type);
                *headers = curl_slist_append(*headers, line);
        }
        CURL *h = registry_handle(r, w->url, w->scope, headers, resp);
        if (strcmp(w->method, "HEAD") == 0)
                curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
        else if (w->read) {
                curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
                curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
                curl_easy_setopt(h, CURLOPT_READDATA, w);
                curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
                curl_easy_setopt(h, CURLOPT_SEEKDATA, w);
                curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t) w->read_size);
        } else {
                curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, w->method);
                curl_easy_setopt(h, CURLOPT_POSTFIELDS, w->data ? w->data : "");
                curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) w->size);
        }
        return h;
}

static int send_request(registry *r, struct write_request *w, const char *path_or_url,
                        struct registry_response *resp, berth_error *err) {
        const char *base;
        int rc = registry_base(r, &base, err);
        if (rc < 0)
                return rc;
        w->url = strncmp(path_or_url, "http", 4) == 0 ? xstrdup(path_or_url) : xasprintf("%s%s", base, path_or_url);
        rc = registry_perform(r, w->scope, prepare_write, w, resp, err);
        free(w->url);
        w->url = NULL;
        if (rc < 0 && w->read_err.code) {
                if (err)
                        *err = w->read_err;
                return w->read_err.code;
        }
        return rc;
}

int registry_blob_exists(registry *r, const char *repo, const char *digest, bool *ret, berth_error *err) {
        _cleanup_free_ char *path = xasprintf("/v2/%s/blobs/%s", repo, digest);
        _cleanup_free_ char *scope = xasprintf("repository:%s:pull,push", repo);
        struct write_request w = { .scope = scope, .method = "HEAD" };
        struct registry_response resp = { .max = 65536 };
        int rc = send_request(r, &w, path, &resp, err);

        if (rc >= 0 && resp.status != 200 && resp.status != 404)
                rc = registry_status_error(r, &resp, "checking a blob", err);
        if (rc >= 0)
                *ret = resp.status == 200;
        registry_response_done(&resp);
        return rc;
}

/* The upload URL from POST's Location, with the digest parameter added. */
static char *upload_url(const char *location, const char *digest) {
        _cleanup_free_ char *escaped = NULL;
        char *e = curl_easy_escape(NULL, digest, 0);
        escaped = xstrdup(e);
        curl_free(e);
        return xasprintf("%s%sdigest=%s", location, strchr(location, '?') ? "&" : "?", escaped);
}

int registry_blob_upload(registry *r, const char *repo, const char *digest, uint64_t size, berth_read_fn read,
                         registry_rewind_fn rewind, void *cls, berth_error *err) {
        _cleanup_free_ char *path = xasprintf("/v2/%s/blobs/uploads/", repo);
        _cleanup_free_ char *scope = xasprintf("repository:%s:pull,push", repo);
        _cleanup_free_ char *what = xasprintf("uploading blob %s to %s", digest, repo);
        struct write_request post = { .scope = scope, .method = "POST" };
        struct registry_response resp = { .max = 65536 };
        int rc = send_request(r, &post, path, &resp, err);

        if (rc >= 0 && resp.status != 202)
                rc = registry_status_error(r, &resp, what, err);
        if (rc >= 0 && !resp.location)
                rc = berth_err(err, -EPROTO, "%s: registry %s gave no upload location", what, r->domain);
        if (rc >= 0) {
                _cleanup_free_ char *url = upload_url(resp.location, digest);
                struct write_request put = { .scope = scope, .method = "PUT", .read = read, .rewind = rewind, .read_cls = cls,
                                             .read_size = size, .content_type = "application/octet-stream" };
                rc = send_request(r, &put, url, &resp, err);
                if (rc >= 0 && resp.status != 201)
                        rc = registry_status_error(r, &resp, what, err);
        }
        registry_response_done(&resp);
        return rc;
}

int registry_put_manifest(registry *r, const char *repo, const char *tag, const char *media_type, const char *data,
                          size_t size, berth_error *err) {
        _cleanup_free_ char *path = xasprintf("/v2/%s/manifests/%s", repo, tag);
        _cleanup_free_ char *scope = xasprintf("repository:%s:pull,push", repo);
        _cleanup_free_ char *what = xasprintf("pushing manifest %s:%s", repo, tag);
        struct write_request w = { .scope = scope, .method = "PUT", .content_type = media_type, .data = data,
                                   .size = size };
        struct registry_response resp = { .max = 65536 };
        int rc = send_request(r, &w, path, &resp, err);

        if (rc >= 0 && resp.status != 201)
                rc = registry_status_error(r, &resp, what, err);
        registry_response_done(&resp);
        return rc;
}
