/* Requests to berthd: URL building, whole, line-streamed or raw bodies both ways, and
 * turning failures into messages. */
#include "http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/version.h"
#include "line-split.h"

#define LIBPOD_PREFIX "http://d/v" BERTH_LIBPOD_API_VERSION "/libpod"
#define DOCKER_PREFIX "http://d/v" BERTH_DOCKER_API_VERSION

struct body {
        char *data;
        size_t size, capacity;
        bool too_large;
};

static size_t on_data(char *chunk, size_t size, size_t nmemb, void *userdata) {
        struct body *b = userdata;
        size_t n = size * nmemb;

        if (b->size + n > HTTP_MAX_BODY) {
                b->too_large = true;
                return 0;       /* makes curl fail with CURLE_WRITE_ERROR */
        }
        if (b->size + n + 1 > b->capacity) {
                /* Doubling keeps large bodies linear in copies. */
                b->capacity = (b->size + n + 1) * 2;
                b->data = xrealloc(b->data, b->capacity);
        }
        memcpy(b->data + b->size, chunk, n);
        b->size += n;
        b->data[b->size] = '\0';
        return n;
}

int http_status_to_errno(long status) {
        switch (status) {
        case 304: return -EALREADY;
        case 400: return -EINVAL;
        case 401:
        case 403: return -EACCES;
        case 404: return -ENOENT;
        case 409: return -EBUSY;
        case 413: return -E2BIG;
        case 501: return -ENOSYS;
        case 504: return -ETIMEDOUT;
        default: return -EIO;
        }
}

static int transfer_error(struct client *c, CURLcode code, const struct body *b, berth_error *err) {
        long os_errno = 0, status = 0;
        const char *why;

        if (b->too_large)
                return berth_err(err, -E2BIG, "berthd at %s sent more than %u MiB", c->url, HTTP_MAX_BODY >> 20);
        curl_easy_getinfo(c->curl, CURLINFO_OS_ERRNO, &os_errno);
        curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
        why = os_errno ? strerror((int) os_errno) : curl_easy_strerror(code);
        if (code == CURLE_COULDNT_CONNECT)
                return berth_err(err, os_errno ? -(int) os_errno : -ECONNREFUSED,
                                 "cannot connect to berthd at %s: %s (is berthd running?)", c->url, why);
        /* Through ssh the local connect always succeeds: a missing remote socket shows
         * up as a connection closed before any answer. */
        if (c->target.scheme == CLIENT_URL_SSH && status == 0)
                return berth_err(err, -ECONNRESET,
                                 "cannot connect to berthd at %s: %s (is berthd running on the remote host, at %s?)",
                                 c->url, why, c->target.path);
        if (code == CURLE_GOT_NOTHING)
                return berth_err(err, -ECONNRESET, "cannot connect to berthd at %s: %s", c->url, why);
        return berth_err(err, -EIO, "lost the connection to berthd at %s: %s", c->url, why);
}

static int status_error(const char *method, const char *path, long status, const struct body *b,
                        berth_error *err) {
        _cleanup_(json_decrefp) json_t *answer = b->data ? json_loadb(b->data, b->size, 0, NULL) : NULL;
        const char *message = json_string_value(json_object_get(answer, "message"));

        if (message && *message)
                return berth_err(err, http_status_to_errno(status), "%s", message);
        return berth_err(err, http_status_to_errno(status), "berthd answered %s %s with HTTP status %ld", method,
                         path, status);
}

static int parse_body(const char *method, const char *path, const struct body *b, json_t **ret, berth_error *err) {
        json_error_t jerr;
        json_t *v;

        if (!ret)
                return 0;
        if (b->size == 0) {
                *ret = NULL;
                return 0;
        }
        v = json_loadb(b->data, b->size, JSON_DECODE_ANY, &jerr);
        if (!v)
                return berth_err(err, -EBADMSG, "berthd sent invalid JSON for %s %s: %s", method, path, jerr.text);
        *ret = v;
        return 0;
}

/* POST and PUT always carry a body (maybe empty) so berthd sees a Content-Length. */
static const char *payload_for(const char *method, const char *payload) {
        if (payload || strcmp(method, "GET") == 0 || strcmp(method, "DELETE") == 0)
                return payload;
        return "";
}

/* A request body read from a file descriptor while curl sends it. */
struct upload {
        int fd;
        curl_off_t size;        /* -1: unknown, sent chunked */
        int error;              /* the read's negative errno */
};

static size_t on_upload_read(char *buf, size_t size, size_t nitems, void *userdata) {
        struct upload *u = userdata;
        ssize_t n;

        do
                n = read(u->fd, buf, size * nitems);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
                u->error = -errno;
                return CURL_READFUNC_ABORT;
        }
        return (size_t) n;
}

/* One request as perform() sends it. */
struct exchange {
        const char *prefix;             /* LIBPOD_PREFIX or DOCKER_PREFIX */
        const char *method, *path;
        const char *payload;            /* a whole body, or NULL */
        struct upload *upload;          /* or a streamed one (POST only), or NULL */
        struct curl_slist *headers;
};

static void set_method(CURL *curl, const struct exchange *x) {
        const char *payload = x->upload ? NULL : payload_for(x->method, x->payload);

        /* One handle serves every request: reset what the previous one set (the old
         * body is freed by now), then GET unless told otherwise. */
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, NULL);
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, NULL);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, x->headers);
        if (payload) {
                curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long) strlen(payload));
                curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload);
        } else if (x->upload) {
                curl_easy_setopt(curl, CURLOPT_POST, 1L);
                curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_upload_read);
                curl_easy_setopt(curl, CURLOPT_READDATA, x->upload);
                curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, x->upload->size);
        }
        if (strcmp(x->method, payload || x->upload ? "POST" : "GET") != 0)
                curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, x->method);
}

static struct curl_slist *slist_add(struct curl_slist *l, const char *s) {
        struct curl_slist *n = curl_slist_append(l, s);
        if (!n) {
                fputs("berth: out of memory\n", stderr);
                abort();
        }
        return n;
}

static void free_slist(struct curl_slist **l) {
        curl_slist_free_all(*l);
}

/* Sends the request; the body goes to `fn`. Leaves the answer's status in c->status. */
static CURLcode perform(struct client *c, const struct exchange *x, curl_write_callback fn, void *data) {
        _cleanup_free_ char *url = xasprintf("%s%s", x->prefix, x->path);
        CURLcode code;

        curl_easy_setopt(c->curl, CURLOPT_URL, url);
        curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, fn);
        curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, data);
        set_method(c->curl, x);
        code = curl_easy_perform(c->curl);
        curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &c->status);
        return code;
}

/* A whole answer parsed as JSON, for a body sent whole (x->payload) or streamed (x->upload). */
static int request_json(struct client *c, const struct exchange *x, json_t **ret, berth_error *err) {
        _cleanup_free_ char *data = NULL;
        struct body b = { 0 };
        CURLcode code;
        int r;

        c->status = 0;
        r = client_connect(c, err);
        if (r < 0)
                return r;
        code = perform(c, x, on_data, &b);
        data = b.data;  /* freed on every path from here */
        if (x->upload && x->upload->error < 0)
                return x->upload->error;        /* the caller names what it was reading */
        if (code != CURLE_OK)
                return transfer_error(c, code, &b, err);
        if (c->status < 200 || c->status > 299)
                return status_error(x->method, x->path, c->status, &b, err);
        return parse_body(x->method, x->path, &b, ret, err);
}

static int request_json_body(struct client *c, const char *prefix, const char *method, const char *path,
                             const json_t *body, json_t **ret, berth_error *err) {
        _cleanup_free_ char *payload = NULL;
        _cleanup_(free_slist) struct curl_slist *headers = NULL;
        struct exchange x = { .prefix = prefix, .method = method, .path = path };

        if (body) {
                payload = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
                if (!payload)
                        return berth_err(err, -EINVAL, "cannot encode the request body for %s %s", method, path);
                headers = slist_add(NULL, "Content-Type: application/json");
                /* No 100-continue round trip: berthd reads bodies right away. */
                headers = slist_add(headers, "Expect:");
        }
        x.payload = payload;
        x.headers = headers;
        return request_json(c, &x, ret, err);
}

int client_request_json(struct client *c, const char *method, const char *path, const json_t *body, json_t **ret,
                        berth_error *err) {
        return request_json_body(c, LIBPOD_PREFIX, method, path, body, ret, err);
}

int client_request_compat_json(struct client *c, const char *method, const char *path, const json_t *body,
                               json_t **ret, berth_error *err) {
        return request_json_body(c, DOCKER_PREFIX, method, path, body, ret, err);
}

int client_request_upload(struct client *c, const char *path, int fd, const char *what, json_t **ret,
                          berth_error *err) {
        _cleanup_(free_slist) struct curl_slist *headers = NULL;
        struct upload u = { .fd = fd, .size = -1 };
        struct exchange x = { .prefix = LIBPOD_PREFIX, .method = "POST", .path = path, .upload = &u };
        struct stat st;
        off_t at;
        int r;

        /* A file (also on standard input) goes with its length; a pipe goes chunked. */
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (at = lseek(fd, 0, SEEK_CUR)) >= 0)
                u.size = st.st_size > at ? (curl_off_t) (st.st_size - at) : 0;
        headers = slist_add(NULL, "Content-Type: application/x-tar");
        headers = slist_add(headers, "Expect:");
        if (u.size < 0)
                headers = slist_add(headers, "Transfer-Encoding: chunked");
        x.headers = headers;
        r = request_json(c, &x, ret, err);
        if (r < 0 && u.error < 0)
                return berth_err_errno(err, u.error, "cannot read %s", what);
        return r;
}

int client_get_json(struct client *c, const char *path, json_t **ret, berth_error *err) {
        return client_request_json(c, "GET", path, NULL, ret, err);
}

/* A 2xx answer handed on as it arrives: line by line (on_line) or as raw bytes (on_bytes). */
struct stream {
        struct client *c;
        struct body error_body;         /* a non-2xx answer, kept whole for its message */
        struct line_split lines;
        client_line_fn on_line;
        client_bytes_fn on_bytes;
        void *userdata;
        berth_error *err;
        int rc;                         /* what splitting or the callback failed with */
};

static size_t on_stream_data(char *chunk, size_t size, size_t nmemb, void *userdata) {
        struct stream *s = userdata;
        long status = 0;

        /* The status is known by the time the first body byte arrives. */
        curl_easy_getinfo(s->c->curl, CURLINFO_RESPONSE_CODE, &status);
        if (status < 200 || status > 299)
                return on_data(chunk, size, nmemb, &s->error_body);
        if (s->on_bytes)
                s->rc = s->on_bytes(s->userdata, chunk, size * nmemb, s->err);
        else
                s->rc = line_split_feed(&s->lines, chunk, size * nmemb, s->on_line, s->userdata, s->err);
        return s->rc < 0 ? 0 : size * nmemb;
}

static int request_stream(struct client *c, const char *prefix, const char *method, const char *path,
                          const char *const *headers, struct stream *s, berth_error *err) {
        _cleanup_(free_slist) struct curl_slist *list = NULL;
        struct exchange x = { .prefix = prefix, .method = method, .path = path };
        CURLcode code;
        int r;

        c->status = 0;
        r = client_connect(c, err);
        if (r < 0)
                return r;
        for (size_t i = 0; headers && headers[i]; i++)
                list = slist_add(list, headers[i]);
        x.headers = list;
        code = perform(c, &x, on_stream_data, s);
        if (s->rc < 0)
                r = s->rc;
        else if (code != CURLE_OK)
                r = transfer_error(c, code, &s->error_body, err);
        else if (c->status < 200 || c->status > 299)
                r = status_error(method, path, c->status, &s->error_body, err);
        else if (s->on_line)
                r = line_split_finish(&s->lines, s->on_line, s->userdata, err);
        line_split_done(&s->lines);
        free(s->error_body.data);
        return r;
}

int client_request_stream(struct client *c, const char *method, const char *path, const char *const *headers,
                          client_line_fn on_line, void *userdata, berth_error *err) {
        struct stream s = { .c = c, .lines.max = HTTP_MAX_BODY, .on_line = on_line, .userdata = userdata, .err = err };

        return request_stream(c, LIBPOD_PREFIX, method, path, headers, &s, err);
}

int client_request_compat_stream(struct client *c, const char *method, const char *path, const char *const *headers,
                                 client_line_fn on_line, void *userdata, berth_error *err) {
        struct stream s = { .c = c, .lines.max = HTTP_MAX_BODY, .on_line = on_line, .userdata = userdata, .err = err };

        return request_stream(c, DOCKER_PREFIX, method, path, headers, &s, err);
}

int client_request_download(struct client *c, const char *path, client_bytes_fn on_bytes, void *userdata,
                            berth_error *err) {
        struct stream s = { .c = c, .on_bytes = on_bytes, .userdata = userdata, .err = err };

        return request_stream(c, LIBPOD_PREFIX, "GET", path, NULL, &s, err);
}

char *http_escape(const char *s, const char *keep) {
        static const char hex[] = "0123456789ABCDEF";
        char *out = xmalloc(strlen(s) * 3 + 1), *w = out;

        for (; *s; s++) {
                unsigned char ch = (unsigned char) *s;
                if (isalnum(ch) || strchr("-._~", ch) || (keep && strchr(keep, ch)))
                        *w++ = (char) ch;
                else {
                        *w++ = '%';
                        *w++ = hex[ch >> 4];
                        *w++ = hex[ch & 15];
                }
        }
        *w = '\0';
        return out;
}
