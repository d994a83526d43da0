/* Loading libcurl on first use (dlopen), the way systemd loads its optional libraries. */
#include "curl-api.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>

#define LIBCURL "libcurl.so.4"

const struct curl_api *curl_api_table;

static struct curl_api table;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[256];

static const struct {
        const char *name;
        size_t offset;
} symbols[] = {
#define SYM(field, name) { name, offsetof(struct curl_api, field) }
        SYM(easy_init, "curl_easy_init"),
        SYM(easy_setopt, "curl_easy_setopt"),
        SYM(easy_perform, "curl_easy_perform"),
        SYM(easy_getinfo, "curl_easy_getinfo"),
        SYM(easy_cleanup, "curl_easy_cleanup"),
        SYM(easy_pause, "curl_easy_pause"),
        SYM(easy_strerror, "curl_easy_strerror"),
        SYM(easy_escape, "curl_easy_escape"),
        SYM(free, "curl_free"),
        SYM(slist_append, "curl_slist_append"),
        SYM(slist_free_all, "curl_slist_free_all"),
        SYM(share_init, "curl_share_init"),
        SYM(share_setopt, "curl_share_setopt"),
        SYM(share_cleanup, "curl_share_cleanup"),
        SYM(multi_init, "curl_multi_init"),
        SYM(multi_add_handle, "curl_multi_add_handle"),
        SYM(multi_remove_handle, "curl_multi_remove_handle"),
        SYM(multi_perform, "curl_multi_perform"),
        SYM(multi_poll, "curl_multi_poll"),
        SYM(multi_info_read, "curl_multi_info_read"),
        SYM(multi_cleanup, "curl_multi_cleanup"),
#undef SYM
};

static void load(void) {
        void *dl = dlopen(LIBCURL, RTLD_NOW | RTLD_LOCAL);
        CURLcode (*global_init)(long);

        if (!dl) {
                snprintf(load_error, sizeof(load_error), "%s", dlerror());
                return;
        }
        for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++) {
                void *fn = dlsym(dl, symbols[i].name);
                if (!fn) {
                        snprintf(load_error, sizeof(load_error), "%s has no %s", LIBCURL, symbols[i].name);
                        return;   /* the library stays loaded: harmless, and this runs once */
                }
                *(void **) ((char *) &table + symbols[i].offset) = fn;
        }
        /* Global setup before any thread uses it (libcurl's own rule). */
        *(void **) &global_init = dlsym(dl, "curl_global_init");
        if (global_init && global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
                snprintf(load_error, sizeof(load_error), "curl_global_init failed");
                return;
        }
        curl_api_table = &table;
}

int curl_api_load(berth_error *err) {
        pthread_once(&once, load);
        if (!curl_api_table)
                return berth_err(err, -ENOENT, "cannot load %s (install libcurl4): %s", LIBCURL, load_error);
        return 0;
}
