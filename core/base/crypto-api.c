/* Loading libcrypto on first use (dlopen), like libarchive and libcurl. */
#include "crypto-api.h"

#include <pthread.h>

#include "dl-need.h"

#define LIBCRYPTO "libcrypto.so.3"

static struct crypto_api table;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
        void *dl = dl_need_library(LIBCRYPTO, "libssl3");
#define CRYPTO_API_LOAD(name) *(void **) &table.name = dl_need_symbol(dl, LIBCRYPTO, #name);
        CRYPTO_API_SYMBOLS(CRYPTO_API_LOAD)
#undef CRYPTO_API_LOAD
}

const struct crypto_api *crypto_api(void) {
        pthread_once(&once, load);
        return &table;
}
