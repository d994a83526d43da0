/* libcurl, loaded when the first registry is opened rather than when berthd starts: its
 * 30-odd libraries cost start-up time and memory a daemon that never pulls should not
 * pay. Internal to the registry client; every libcurl call below goes through the table. */
#pragma once

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include "berth/error.h"

struct curl_api {
        CURL *(*easy_init)(void);
        CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
        CURLcode (*easy_perform)(CURL *);
        CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
        void (*easy_cleanup)(CURL *);
        CURLcode (*easy_pause)(CURL *, int);
        const char *(*easy_strerror)(CURLcode);
        char *(*easy_escape)(CURL *, const char *, int);
        void (*free)(void *);
        struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
        void (*slist_free_all)(struct curl_slist *);
        CURLSH *(*share_init)(void);
        CURLSHcode (*share_setopt)(CURLSH *, CURLSHoption, ...);
        CURLSHcode (*share_cleanup)(CURLSH *);
        CURLM *(*multi_init)(void);
        CURLMcode (*multi_add_handle)(CURLM *, CURL *);
        CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
        CURLMcode (*multi_perform)(CURLM *, int *);
        CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd[], unsigned int, int, int *);
        CURLMsg *(*multi_info_read)(CURLM *, int *);
        CURLMcode (*multi_cleanup)(CURLM *);
};

/* Loads libcurl once (thread-safe); -ENOENT naming the library when it is missing.
 * Every path to a libcurl call passes through registry_open(), which calls this. */
int curl_api_load(berth_error *err);

/* curl.h wraps these three in same-name macros to check their argument count. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_share_setopt

/* Written once, under pthread_once, before any call below can run; read-only after. */
extern const struct curl_api *curl_api_table;

#define curl_easy_init() (curl_api_table->easy_init())
#define curl_easy_setopt(...) (curl_api_table->easy_setopt(__VA_ARGS__))
#define curl_easy_perform(h) (curl_api_table->easy_perform(h))
#define curl_easy_getinfo(...) (curl_api_table->easy_getinfo(__VA_ARGS__))
#define curl_easy_cleanup(h) (curl_api_table->easy_cleanup(h))
#define curl_easy_pause(h, b) (curl_api_table->easy_pause(h, b))
#define curl_easy_strerror(c) (curl_api_table->easy_strerror(c))
#define curl_easy_escape(h, s, n) (curl_api_table->easy_escape(h, s, n))
#define curl_free(p) (curl_api_table->free(p))
#define curl_slist_append(l, s) (curl_api_table->slist_append(l, s))
#define curl_slist_free_all(l) (curl_api_table->slist_free_all(l))
#define curl_share_init() (curl_api_table->share_init())
#define curl_share_setopt(...) (curl_api_table->share_setopt(__VA_ARGS__))
#define curl_share_cleanup(s) (curl_api_table->share_cleanup(s))
#define curl_multi_init() (curl_api_table->multi_init())
#define curl_multi_add_handle(m, h) (curl_api_table->multi_add_handle(m, h))
#define curl_multi_remove_handle(m, h) (curl_api_table->multi_remove_handle(m, h))
#define curl_multi_perform(m, r) (curl_api_table->multi_perform(m, r))
#define curl_multi_poll(m, f, n, t, r) (curl_api_table->multi_poll(m, f, n, t, r))
#define curl_multi_info_read(m, q) (curl_api_table->multi_info_read(m, q))
#define curl_multi_cleanup(m) (curl_api_table->multi_cleanup(m))
