/* Streaming digests with OpenSSL's SHA-2 functions (see crypto-api.h for why not EVP). */
#include "berth/digest.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "crypto-api.h"

struct berth_hasher {
        bool sha512;
        union {
                SHA256_CTX sha256;
                SHA512_CTX sha512;
        } ctx;
        char algorithm[8];
};

int berth_hasher_new(const char *algorithm, berth_hasher **ret, berth_error *err) {
        const struct crypto_api *c = crypto_api();
        berth_hasher *h;
        bool sha512 = strcmp(algorithm, "sha512") == 0;

        if (!sha512 && strcmp(algorithm, "sha256") != 0)
                return berth_err(err, -EINVAL, "unsupported digest algorithm \"%s\" (sha256 or sha512)", algorithm);
        h = xnew0(berth_hasher, 1);
        h->sha512 = sha512;
        if ((sha512 ? c->SHA512_Init(&h->ctx.sha512) : c->SHA256_Init(&h->ctx.sha256)) != 1)
                abort();
        snprintf(h->algorithm, sizeof(h->algorithm), "%s", algorithm);
        *ret = h;
        return 0;
}

void berth_hasher_update(berth_hasher *h, const void *data, size_t size) {
        const struct crypto_api *c = crypto_api();

        if (size && (h->sha512 ? c->SHA512_Update(&h->ctx.sha512, data, size)
                               : c->SHA256_Update(&h->ctx.sha256, data, size)) != 1)
                abort();
}

void berth_hasher_final(berth_hasher *h, char out[BERTH_DIGEST_MAX]) {
        const struct crypto_api *c = crypto_api();
        unsigned char md[SHA512_DIGEST_LENGTH];
        unsigned int len = h->sha512 ? SHA512_DIGEST_LENGTH : SHA256_DIGEST_LENGTH;
        size_t pos;

        if ((h->sha512 ? c->SHA512_Final(md, &h->ctx.sha512) : c->SHA256_Final(md, &h->ctx.sha256)) != 1)
                abort();
        pos = (size_t) snprintf(out, BERTH_DIGEST_MAX, "%s:", h->algorithm);
        for (unsigned int i = 0; i < len && pos + 2 < BERTH_DIGEST_MAX; i++, pos += 2)
                snprintf(out + pos, 3, "%02x", md[i]);
}

berth_hasher *berth_hasher_free(berth_hasher *h) {
        if (!h)
                return NULL;
        free(h);
        return NULL;
}

int berth_digest_algorithm(const char *digest, char *buf, size_t size) {
        const char *colon = strchr(digest, ':');
        if (!colon || colon == digest || (size_t) (colon - digest) >= size)
                return -EINVAL;
        snprintf(buf, size, "%.*s", (int) (colon - digest), digest);
        return 0;
}

int berth_digest_buffer(const char *algorithm, const void *data, size_t size, char out[BERTH_DIGEST_MAX],
                        berth_error *err) {
        _cleanup_(berth_hasher_freep) berth_hasher *h = NULL;
        int r = berth_hasher_new(algorithm, &h, err);
        if (r < 0)
                return r;
        berth_hasher_update(h, data, size);
        berth_hasher_final(h, out);
        return 0;
}
