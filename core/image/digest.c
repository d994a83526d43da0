/* Streaming digests over OpenSSL's EVP interface. */
#include "berth/digest.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"

struct berth_hasher {
        EVP_MD_CTX *ctx;
        char algorithm[8];
};

int berth_hasher_new(const char *algorithm, berth_hasher **ret, berth_error *err) {
        const EVP_MD *md;
        berth_hasher *h;

        if (strcmp(algorithm, "sha256") == 0)
                md = EVP_sha256();
        else if (strcmp(algorithm, "sha512") == 0)
                md = EVP_sha512();
        else
                return berth_err(err, -EINVAL, "unsupported digest algorithm \"%s\" (sha256 or sha512)", algorithm);
        h = xnew0(berth_hasher, 1);
        h->ctx = EVP_MD_CTX_new();
        if (!h->ctx || EVP_DigestInit_ex(h->ctx, md, NULL) != 1)
                abort();
        snprintf(h->algorithm, sizeof(h->algorithm), "%s", algorithm);
        *ret = h;
        return 0;
}

void berth_hasher_update(berth_hasher *h, const void *data, size_t size) {
        if (size && EVP_DigestUpdate(h->ctx, data, size) != 1)
                abort();
}

void berth_hasher_final(berth_hasher *h, char out[BERTH_DIGEST_MAX]) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        size_t pos;

        if (EVP_DigestFinal_ex(h->ctx, md, &len) != 1)
                abort();
        pos = (size_t) snprintf(out, BERTH_DIGEST_MAX, "%s:", h->algorithm);
        for (unsigned int i = 0; i < len && pos + 2 < BERTH_DIGEST_MAX; i++, pos += 2)
                snprintf(out + pos, 3, "%02x", md[i]);
}

berth_hasher *berth_hasher_free(berth_hasher *h) {
        if (!h)
                return NULL;
        EVP_MD_CTX_free(h->ctx);
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
