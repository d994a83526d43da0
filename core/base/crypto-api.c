/* Loading libcrypto on first use (dlopen), like libarchive and libcurl. */
#include "crypto-api.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define LIBCRYPTO "libcrypto.so.3"

static struct crypto_api table;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void *need(void *dl, const char *name) {
        void *fn = dlsym(dl, name);
        if (!fn) {
                fprintf(stderr, "berth: %s has no %s\n", LIBCRYPTO, name);
                abort();
        }
        return fn;
}

static void load(void) {
        void *dl = dlopen(LIBCRYPTO, RTLD_NOW | RTLD_LOCAL);
        if (!dl) {
                fprintf(stderr, "berth: cannot load %s (install libssl3): %s\n", LIBCRYPTO, dlerror());
                abort();
        }
#define CRYPTO_API_LOAD(name) *(void **) &table.name = need(dl, #name);
        CRYPTO_API_SYMBOLS(CRYPTO_API_LOAD)
#undef CRYPTO_API_LOAD
}

const struct crypto_api *crypto_api(void) {
        pthread_once(&once, load);
        return &table;
}
