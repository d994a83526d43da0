/* libcrypto, loaded on first use rather than when berthd starts: berthd needs it only to
 * hash content and for base64, yet mapping it at start costs about 1.3 MB resident and
 * 0.5-2 ms (measured with an empty main() linked against it). Internal to core; files
 * that hash or encode include this instead of OpenSSL's headers. Never unloaded: OpenSSL 3
 * keeps global state that does not survive dlclose(). */
#pragma once

#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/sha.h>

/* SHA256_* and SHA512_* rather than EVP digests: they are deprecated in OpenSSL 3 in
 * favour of EVP, but EVP's provider machinery makes berthd resident 2 MB larger for the
 * same assembly code (measured here: 2.9 -> 5.0 MB for one EVP sha256, 3.2 MB this way). */
#define CRYPTO_API_SYMBOLS(X) \
        X(SHA256_Init) \
        X(SHA256_Update) \
        X(SHA256_Final) \
        X(SHA512_Init) \
        X(SHA512_Update) \
        X(SHA512_Final) \
        X(EVP_EncodeBlock) \
        X(EVP_DecodeBlock)

struct crypto_api {
#define CRYPTO_API_FIELD(name) __typeof__(&name) name;
        CRYPTO_API_SYMBOLS(CRYPTO_API_FIELD)
#undef CRYPTO_API_FIELD
};

/* The loaded table; aborts with a message naming the library if it cannot be loaded
 * (libcrypto is a hard dependency of the package: a missing one is a broken install). */
const struct crypto_api *crypto_api(void);
