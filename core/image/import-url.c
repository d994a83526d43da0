/* berth_image_import_url: docker import URL, podman import URL. The tarball flows from
 * the registry client's URL stream into berth_image_import(), never through a file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "berth/alloc.h"
#include "berth/image.h"
#include "registry.h"

#define PROGRESS_STEP (512u * 1024u)   /* bytes between two "Importing" events */
#define TAR_BLOCK 512

struct download {
        const char *url;
        registry_stream *stream;
        unsigned char head[TAR_BLOCK];  /* the first bytes, judged before anything else */
        size_t head_len, head_off;
        bool started;
        uint64_t current, reported, total;
        berth_progress_fn progress;
        void *cls;
        berth_error err;                /* the download's failure, not the unpacker's */
};

/* "http://user@host:port/path" -> "host:port"; -EINVAL for any scheme but http(s). */
static int url_domain(const char *url, char **ret, berth_error *err) {
        const char *sep = strstr(url, "://"), *host, *end, *at;

        if (!sep || sep == url)
                return berth_err(err, -EINVAL, "%s is no URL: import from an http:// or https:// address", url);
        if (!((sep - url == 4 && strncasecmp(url, "http", 4) == 0) ||
              (sep - url == 5 && strncasecmp(url, "https", 5) == 0)))
                return berth_err(err, -EINVAL, "unsupported URL scheme \"%.*s\" in %s: import from http or https",
                                 (int) (sep - url), url, url);
        host = sep + 3;
        end = host + strcspn(host, "/?#");
        at = memchr(host, '@', (size_t) (end - host));
        if (at)
                host = at + 1;
        if (end == host)
                return berth_err(err, -EINVAL, "%s names no host", url);
        *ret = xstrndup(host, (size_t) (end - host));
        return 0;
}

/* A tar header block: its checksum (the header's bytes, the checksum field counted as
 * spaces) matches the octal number in that field. */
static bool tar_checksum_holds(const unsigned char *h) {
        unsigned long sum = 0, field = 0;
        size_t i = 148;

        for (size_t k = 0; k < TAR_BLOCK; k++)
                sum += k >= 148 && k < 156 ? ' ' : h[k];
        while (i < 156 && h[i] == ' ')
                i++;
        if (i == 156 || h[i] < '0' || h[i] > '7')
                return false;
        for (; i < 156 && h[i] >= '0' && h[i] <= '7'; i++)
                field = field * 8 + (unsigned long) (h[i] - '0');
        return field == sum;
}

/* Whether the first bytes can start what the import unpacks: a stream compressed with
 * gzip, bzip2, xz or zstd, or a tar (a header, or the end of an empty archive). */
static bool looks_like_tarball(const unsigned char *p, size_t n) {
        static const unsigned char zero[TAR_BLOCK];

        if ((n >= 2 && p[0] == 0x1f && p[1] == 0x8b) || (n >= 3 && memcmp(p, "BZh", 3) == 0) ||
            (n >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0) || (n >= 4 && memcmp(p, "\x28\xb5\x2f\xfd", 4) == 0))
                return true;
        return n == TAR_BLOCK && (memcmp(p + 257, "ustar", 5) == 0 || memcmp(p, zero, TAR_BLOCK) == 0 ||
                                  tar_checksum_holds(p));
}

static void report(struct download *d, const char *status) {
        if (!d->progress)
                return;
        d->reported = d->current;
        d->progress(d->cls, &(berth_progress) { .status = status, .current = d->current, .total = d->total });
}

/* The first read: the server's answer, and whether its first block is a tarball's. */
static int download_start(struct download *d) {
        ssize_t n = 1;

        while (d->head_len < sizeof(d->head) &&
               (n = registry_stream_read(d->stream, d->head + d->head_len, sizeof(d->head) - d->head_len)) > 0)
                d->head_len += (size_t) n;
        if (n < 0) {
                d->err = *registry_stream_error(d->stream);
                return (int) n;
        }
        if (!looks_like_tarball(d->head, d->head_len))
                return berth_err(&d->err, -EINVAL, "%s is no tarball%s: import a tar archive, maybe compressed "
                                 "(gzip, bzip2, xz, zstd)", d->url, d->head_len ? "" : " (the answer is empty)");
        int64_t length = registry_stream_length(d->stream);
        d->total = length > 0 ? (uint64_t) length : 0;
        if (d->progress) {
                _cleanup_free_ char *status = xasprintf("Downloading from %s", d->url);
                report(d, status);
        }
        return 0;
}

static ssize_t download_read(void *cls, void *buf, size_t max) {
        struct download *d = cls;
        ssize_t n;

        if (!d->started) {
                d->started = true;
                if (download_start(d) < 0)
                        return d->err.code;
        }
        if (d->err.code)
                return d->err.code;
        if (d->head_off < d->head_len) {
                n = (ssize_t) (d->head_len - d->head_off < max ? d->head_len - d->head_off : max);
                memcpy(buf, d->head + d->head_off, (size_t) n);
                d->head_off += (size_t) n;
        } else {
                n = registry_stream_read(d->stream, buf, max);
                if (n < 0) {
                        d->err = *registry_stream_error(d->stream);
                        return d->err.code;
                }
        }
        d->current += (uint64_t) n;
        if (d->current - d->reported >= PROGRESS_STEP || (n == 0 && d->current != d->reported))
                report(d, "Importing");
        return n;
}

int berth_image_import_url(berth_engine *e, const char *url, const berth_import_options *o,
                           berth_progress_fn progress, void *cls, char **ret_id, berth_error *err) {
        _cleanup_(registry_freep) registry *r = NULL;
        _cleanup_(registry_stream_freep) registry_stream *stream = NULL;
        _cleanup_free_ char *domain = NULL;
        /* No credentials, certificates or plain-HTTP fallback of a registry: a web server. */
        struct registry_options plain = { 0 };
        struct download d = { .url = url, .progress = progress, .cls = cls };
        int rc = url_domain(url, &domain, err);

        if (rc >= 0)
                rc = registry_open(domain, &plain, &r, err);
        if (rc < 0)
                return rc;
        d.stream = stream = registry_stream_open_url(r, url);
        /* The reference and changes are checked before the download starts (first read). */
        rc = berth_image_import(e, download_read, &d, o, ret_id, err);
        if (rc < 0 && d.err.code) {
                /* The download failed: its message says more than the unpacker's. */
                if (err)
                        *err = d.err;
                return d.err.code;
        }
        return rc;
}
