/* Blobs (and import's plain URL downloads) as pull streams: libcurl's multi interface is
 * driven from the reader's calls, so a layer flows from the socket into the unpacker
 * without a thread or a temp file. */
#include "registry-internal.h"

#include <errno.h>
#include <string.h>

#include "berth/alloc.h"

struct registry_stream {
        registry *r;
        char *url, *scope, *what;       /* scope NULL: a plain download (registry_stream_open_url) */
        char errbuf[CURL_ERROR_SIZE];   /* libcurl's own words for a failed download */
        CURLM *multi;
        CURL *easy;
        struct curl_slist *headers;
        struct registry_response resp;  /* headers, and the body of an error answer */
        char *buf;                      /* data received and not yet read */
        size_t len, off;
        bool paused, done, delivered, reauthed;
        CURLcode result;
        berth_error err;
};

static size_t on_data(char *data, size_t size, size_t n, void *cls) {
        registry_stream *s = cls;
        size_t len = size * n;
        long status = 0;

        curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
        if (status != 200) {
                /* Keep a little of an error body for the message. */
                size_t keep = s->resp.size < 65536 ? 65536 - s->resp.size : 0;
                keep = len < keep ? len : keep;
                s->resp.body = xrealloc(s->resp.body, s->resp.size + keep + 1);
                memcpy(s->resp.body + s->resp.size, data, keep);
                s->resp.size += keep;
                s->resp.body[s->resp.size] = '\0';
                return len;
        }
        if (s->off < s->len) {
                s->paused = true;
                return CURL_WRITEFUNC_PAUSE;    /* bounded memory: one chunk at a time */
        }
        s->buf = xrealloc(s->buf, len);
        memcpy(s->buf, data, len);
        s->len = len;
        s->off = 0;
        s->delivered = true;
        return len;
}

static void stop_transfer(registry_stream *s) {
        if (s->easy) {
                curl_multi_remove_handle(s->multi, s->easy);
                curl_easy_cleanup(s->easy);
                s->easy = NULL;
        }
        curl_slist_free_all(s->headers);
        s->headers = NULL;
}

static void start_transfer(registry_stream *s) {
        registry_response_done(&s->resp);
        s->easy = registry_handle(s->r, s->url, s->scope ? s->scope : REGISTRY_NO_AUTH, &s->headers, &s->resp);
        if (!s->scope) {
                /* A download and its redirects stay on HTTP(S): never file:// or ftp://. A
                 * libcurl that cannot promise it (before 7.85) gets no transfer at all. */
                if (curl_easy_setopt(s->easy, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
                    curl_easy_setopt(s->easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK) {
                        berth_err(&s->err, -ENOTSUP, "cannot download %s: this libcurl cannot keep redirects "
                                                     "to http and https (7.85 or later can)", s->what);
                        return;
                }
                curl_easy_setopt(s->easy, CURLOPT_ERRORBUFFER, s->errbuf);
        }
        curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
        curl_multi_add_handle(s->multi, s->easy);
        s->done = false;
}

static registry_stream *stream_new(registry *r, char *url, char *scope, char *what) {
        registry_stream *s = xnew0(registry_stream, 1);
        s->r = r;
        s->url = url;
        s->scope = scope;
        s->what = what;
        s->resp.max = 65536;
        s->multi = curl_multi_init();
        if (!s->multi)
                abort();
        start_transfer(s);
        return s;
}

int registry_stream_open(registry *r, const char *repo, const char *digest, registry_stream **ret,
                         berth_error *err) {
        const char *base;
        int rc = registry_base(r, &base, err);

        if (rc < 0)
                return rc;
        *ret = stream_new(r, xasprintf("%s/v2/%s/blobs/%s", base, repo, digest),
                          xasprintf("repository:%s:pull", repo), xasprintf("blob %s of %s", digest, repo));
        return 0;
}

registry_stream *registry_stream_open_url(registry *r, const char *url) {
        return stream_new(r, xstrdup(url), NULL, xstrdup(url));
}

/* A download that failed: libcurl's reason, and an errno that tells the cases apart. */
static int download_error(registry_stream *s, long status) {
        if (s->result == CURLE_OK)
                return berth_err(&s->err, status == 404 || status == 410 ? -ENOENT : -EIO,
                                 "cannot download %s: the server answered HTTP status %ld", s->what, status);
        int code = s->result == CURLE_COULDNT_CONNECT         ? -ECONNREFUSED
                   : s->result == CURLE_COULDNT_RESOLVE_HOST  ? -EHOSTUNREACH
                   : s->result == CURLE_OPERATION_TIMEDOUT    ? -ETIMEDOUT
                   : s->result == CURLE_UNSUPPORTED_PROTOCOL  ? -EINVAL
                                                               : -EIO;
        return berth_err(&s->err, code, "cannot download %s: %s", s->what,
                         *s->errbuf ? s->errbuf : curl_easy_strerror(s->result));
}

/* The transfer ended: success, a challenge to answer and restart, or an error. */
static int finish(registry_stream *s) {
        long status = 0;

        curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
        s->resp.status = status;
        if (!s->scope && (s->result != CURLE_OK || status != 200))
                return download_error(s, status);
        if (s->result != CURLE_OK)
                return berth_err(&s->err, -EIO, "%s from registry %s: %s", s->what, s->r->domain,
                                 curl_easy_strerror(s->result));
        if (status == 401 && !s->reauthed && s->resp.www_authenticate && !s->delivered) {
                _cleanup_free_ char *challenge = xstrdup(s->resp.www_authenticate);
                s->reauthed = true;
                stop_transfer(s);
                int rc = registry_authenticate(s->r, s->scope, challenge, &s->err);
                if (rc < 0)
                        return rc;
                start_transfer(s);
                return 1;       /* restarted */
        }
        if (status != 200)
                return registry_status_error(s->r, &s->resp, s->what, &s->err);
        return 0;
}

static int drive(registry_stream *s) {
        int running = 0, queued;
        CURLMsg *msg;

        if (curl_multi_perform(s->multi, &running) != CURLM_OK)
                return berth_err(&s->err, -EIO, "%s: transfer failed", s->what);
        while ((msg = curl_multi_info_read(s->multi, &queued)))
                if (msg->msg == CURLMSG_DONE) {
                        s->result = msg->data.result;
                        s->done = true;
                }
        if (s->done)
                return finish(s);
        if (s->off >= s->len && running)
                curl_multi_poll(s->multi, NULL, 0, 1000, NULL);
        return 0;
}

ssize_t registry_stream_read(void *cls, void *buf, size_t max) {
        registry_stream *s = cls;

        for (;;) {
                if (s->err.code)
                        return s->err.code;
                if (s->off < s->len) {
                        size_t n = s->len - s->off < max ? s->len - s->off : max;
                        memcpy(buf, s->buf + s->off, n);
                        s->off += n;
                        if (s->off == s->len && s->paused) {
                                s->paused = false;
                                curl_easy_pause(s->easy, CURLPAUSE_CONT);
                        }
                        return (ssize_t) n;
                }
                if (s->done)
                        return 0;
                int rc = drive(s);
                if (rc < 0)
                        return rc;
        }
}

const berth_error *registry_stream_error(const registry_stream *s) {
        return &s->err;
}

int64_t registry_stream_length(const registry_stream *s) {
        curl_off_t length = -1;
        if (s->easy)
                curl_easy_getinfo(s->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
        return length;
}

registry_stream *registry_stream_free(registry_stream *s) {
        if (!s)
                return NULL;
        stop_transfer(s);
        curl_multi_cleanup(s->multi);
        registry_response_done(&s->resp);
        free(s->buf);
        free(s->url);
        free(s->scope);
        free(s->what);
        free(s);
        return NULL;
}
