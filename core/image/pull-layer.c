/* Pull workers: each layer streams from the registry through the unpacker into a
 * temporary directory, is verified, and is renamed into place. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/layer.h"
#include "berth/log.h"
#include "berth/path.h"
#include "engine-internal.h"
#include "image-store.h"
#include "layer-claim.h"
#include "layer-install.h"
#include "parallel.h"
#include "pull.h"

#define PARALLEL_LAYERS 4

struct counted_read {
        struct layer_job *job;
        registry_stream *stream;
        uint64_t bytes;
        struct timespec last;
};

static ssize_t counted_read(void *cls, void *buf, size_t max) {
        struct counted_read *c = cls;
        ssize_t n = registry_stream_read(c->stream, buf, max);
        struct timespec now;

        if (n <= 0)
                return n;
        c->bytes += (uint64_t) n;
        clock_gettime(CLOCK_MONOTONIC, &now);
        /* A progress line at most every 100 ms keeps the stream light. */
        if ((now.tv_sec - c->last.tv_sec) * 1000 + (now.tv_nsec - c->last.tv_nsec) / 1000000 >= 100) {
                c->last = now;
                pull_report(c->job->pull, c->job->short_id, "Downloading", c->bytes,
                            (uint64_t) c->job->blob->size);
        }
        return n;
}

static int verify(struct layer_job *job, const berth_layer_digests *d, berth_error *err) {
        const char *domain = job->pull->ref->domain;
        if (strcmp(d->digest, job->blob->digest) != 0)
                return berth_err(err, -EBADMSG, "layer %s from registry %s does not match its digest (got %s)",
                                 job->blob->digest, domain, d->digest);
        if (strcmp(d->diff_id, job->diff_id) != 0)
                return berth_err(err, -EBADMSG,
                                 "layer %s from registry %s unpacks to %s, but the image config says %s",
                                 job->blob->digest, domain, d->diff_id, job->diff_id);
        return 0;
}

/* After a failed unpack: was the blob itself bad? Reads it again, hashing only, so the
 * error can say so (a corrupted blob usually breaks decompression first). */
static bool blob_is_corrupt(struct layer_job *job, const char *algorithm) {
        _cleanup_(registry_stream_freep) registry_stream *stream = NULL;
        _cleanup_(berth_hasher_freep) berth_hasher *h = NULL;
        char buf[65536], digest[BERTH_DIGEST_MAX];
        ssize_t n;

        if (registry_stream_open(job->pull->registry, job->pull->ref->path, job->blob->digest, &stream, NULL) < 0 ||
            berth_hasher_new(algorithm, &h, NULL) < 0)
                return false;
        while ((n = registry_stream_read(stream, buf, sizeof(buf))) > 0)
                berth_hasher_update(h, buf, (size_t) n);
        if (n < 0)
                return false;
        berth_hasher_final(h, digest);
        return strcmp(digest, job->blob->digest) != 0;
}

static int fetch(struct layer_job *job, const char *tmp, berth_error *err) {
        struct pull *p = job->pull;
        _cleanup_(registry_stream_freep) registry_stream *stream = NULL;
        struct counted_read reader = { .job = job };
        berth_layer_digests digests;
        char algorithm[16];
        int rc;

        if (berth_digest_algorithm(job->blob->digest, algorithm, sizeof(algorithm)) < 0)
                return berth_err(err, -EINVAL, "layer digest %s is malformed", job->blob->digest);
        rc = registry_stream_open(p->registry, p->ref->path, job->blob->digest, &stream, err);
        if (rc < 0)
                return rc;
        reader.stream = stream;
        clock_gettime(CLOCK_MONOTONIC, &reader.last);
        /* The tar-split recorded on the way lets save rebuild the exact tar later. */
        rc = layer_unpack_recorded(counted_read, &reader, algorithm, tmp, &digests, err);
        if (rc < 0 && registry_stream_error(stream)->code) {
                /* The download failed: its message says more than the unpacker's. */
                if (err)
                        *err = *registry_stream_error(stream);
                return registry_stream_error(stream)->code;
        }
        if (rc < 0 && blob_is_corrupt(job, algorithm))
                return berth_err(err, -EBADMSG, "layer %s from registry %s does not match its digest",
                                 job->blob->digest, p->ref->domain);
        if (rc < 0)
                return berth_err_prefix(err, "layer %s", job->blob->digest);
        pull_report(p, job->short_id, "Verifying Checksum", 0, 0);
        rc = verify(job, &digests, err);
        job->size = digests.uncompressed_size;
        return rc;
}

static int install(struct layer_job *job, berth_error *err) {
        berth_engine *e = job->pull->engine;
        _cleanup_free_ char *tmp = NULL;
        _cleanup_free_ char *dest = layer_dir(e, job->diff_id);
        int rc = layer_tmp_mkdtemp(e, "layer", &tmp, err);

        if (rc < 0)
                return rc;
        rc = fetch(job, tmp, err);
        if (rc >= 0) {
                pull_report(job->pull, job->short_id, "Download complete", 0, 0);
                berth_rm_rf(dest, NULL);   /* an orphan from a crash; we hold the claim */
                if (rename(tmp, dest) < 0)
                        rc = berth_err_errno(err, -errno, "cannot move layer into %s", dest);
        }
        if (rc >= 0)
                layer_tar_split_keep(e, tmp, job->diff_id);
        layer_tar_split_drop(tmp);
        if (rc < 0)
                berth_rm_rf(tmp, NULL);
        return rc;
}

static void layer_work(void *cls, size_t i) {
        struct pull *p = cls;
        struct layer_job *job = &p->jobs[i];
        _cleanup_free_ char *dest = layer_dir(p->engine, job->diff_id);

        if (access(dest, F_OK) == 0) {
                pull_report(p, job->short_id, "Already exists", 0, 0);
                return;
        }
        pull_report(p, job->short_id, "Pulling fs layer", 0, 0);
        job->rc = install(job, &job->err);
        if (job->rc >= 0) {
                job->fetched = true;
                pull_report(p, job->short_id, "Pull complete", 0, 0);
        }
}

int pull_layers(struct pull *p, berth_error *err) {
        size_t n = p->manifest.n_layers;
        int rc = 0;

        if (n > ENGINE_MAX_ACTIVE_LAYERS / 2)
                return berth_err(err, -E2BIG, "image has %zu layers; at most %d are supported", n,
                                 ENGINE_MAX_ACTIVE_LAYERS / 2);
        const char **ids = xnew0(const char *, n + 1);
        bool *claimed = xnew0(bool, n + 1);
        for (size_t i = 0; i < n; i++)
                ids[i] = p->jobs[i].diff_id;
        layer_claim_all(p->engine, ids, n, claimed);
        for (size_t i = 0; i < n; i++)
                p->jobs[i].claimed = claimed[i];
        free(ids);
        free(claimed);
        parallel_for(n, PARALLEL_LAYERS, layer_work, p);
        for (size_t i = 0; i < n && rc >= 0; i++)
                if (p->jobs[i].rc < 0) {
                        rc = p->jobs[i].rc;
                        if (err)
                                *err = p->jobs[i].err;
                }
        return rc;
}

void pull_layers_release(struct pull *p, bool committed) {
        for (size_t i = 0; p->jobs && i < p->manifest.n_layers; i++) {
                struct layer_job *job = &p->jobs[i];
                if (job->fetched && !committed) {
                        _cleanup_free_ char *dir = layer_dir(p->engine, job->diff_id);
                        berth_rm_rf(dir, NULL);
                }
                if (job->claimed)
                        layer_unclaim(p->engine, job->diff_id);
        }
}
