/* Registry client core: connection setup, TLS, requests with auth and retries. */
#include "registry-internal.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/auth.h"
#include "berth/log.h"

#define RETRIES 3

const char REGISTRY_NO_AUTH[] = "";

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *cls) {
        registry *r = cls;
        (void) h, (void) access;
        pthread_mutex_lock(&r->share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *cls) {
        registry *r = cls;
        (void) h;
        pthread_mutex_unlock(&r->share_locks[data]);
}

static char *file_if_exists(const char *dir, const char *domain, const char *name) {
        char *path;
        if (!dir)
                return NULL;
        path = xasprintf("%s/%s/%s", dir, domain, name);
        if (access(path, R_OK) == 0)
                return path;
        free(path);
        return NULL;
}

int registry_open(const char *domain, const struct registry_options *o, registry **ret, berth_error *err) {
        int rc = curl_api_load(err);
        if (rc < 0)
                return rc;
        registry *r = xnew0(registry, 1);

        r->domain = xstrdup(domain);
        r->insecure = o->insecure;
        r->bearer_token = o->bearer_token ? xstrdup(o->bearer_token) : NULL;
        if (o->creds.username) {
                r->username = xstrdup(o->creds.username);
                r->password = xstrdup(o->creds.password ? o->creds.password : "");
        } else {
                /* Stored logins (berth login, docker login) apply when none is given. */
                berth_auth_lookup(domain, &r->username, &r->password);
        }
        r->ca_file = file_if_exists(o->certs_dir, domain, "ca.crt");
        r->cert_file = file_if_exists(o->certs_dir, domain, "client.cert");
        r->key_file = file_if_exists(o->certs_dir, domain, "client.key");
        pthread_mutex_init(&r->lock, NULL);
        for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
                pthread_mutex_init(&r->share_locks[i], NULL);
        r->share = curl_share_init();
        if (!r->share) {
                registry_free(r);
                return berth_err(err, -ENOMEM, "cannot set up an HTTP client for %s", domain);
        }
        curl_share_setopt(r->share, CURLSHOPT_LOCKFUNC, share_lock);
        curl_share_setopt(r->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
        curl_share_setopt(r->share, CURLSHOPT_USERDATA, r);
        curl_share_setopt(r->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
        curl_share_setopt(r->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
        curl_share_setopt(r->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
        *ret = r;
        return 0;
}

registry *registry_free(registry *r) {
        if (!r)
                return NULL;
        if (r->share)
                curl_share_cleanup(r->share);
        registry_tokens_clear(r);
        for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
                pthread_mutex_destroy(&r->share_locks[i]);
        pthread_mutex_destroy(&r->lock);
        free(r->domain);
        free(r->username);
        free(r->password);
        free(r->bearer_token);
        free(r->ca_file);
        free(r->cert_file);
        free(r->key_file);
        free(r->base);
        free(r);
        return NULL;
}

void registry_response_done(struct registry_response *resp) {
        free(resp->body);
        free(resp->content_type);
        free(resp->docker_digest);
        free(resp->location);
        free(resp->link);
        free(resp->www_authenticate);
        size_t max = resp->max;
        *resp = (struct registry_response) { .max = max };
}

static size_t on_body(char *data, size_t size, size_t n, void *cls) {
        struct registry_response *resp = cls;
        size_t len = size * n;
        if (resp->size + len > resp->max) {
                resp->overflow = true;
                return 0;
        }
        resp->body = xrealloc(resp->body, resp->size + len + 1);
        memcpy(resp->body + resp->size, data, len);
        resp->size += len;
        resp->body[resp->size] = '\0';
        return len;
}

static void keep_header(char **field, const char *line, size_t len, const char *name) {
        size_t nlen = strlen(name);
        if (len <= nlen + 1 || strncasecmp(line, name, nlen) != 0 || line[nlen] != ':')
                return;
        const char *v = line + nlen + 1;
        size_t vlen = len - nlen - 1;
        while (vlen && (*v == ' ' || *v == '\t'))
                v++, vlen--;
        while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
                vlen--;
        free(*field);
        *field = xstrndup(v, vlen);
}

static size_t on_header(char *line, size_t size, size_t n, void *cls) {
        struct registry_response *resp = cls;
        size_t len = size * n;
        if (len > 5 && strncmp(line, "HTTP/", 5) == 0) {
                /* A new response (after a redirect): forget the previous one's headers. */
                free(resp->www_authenticate);
                resp->www_authenticate = NULL;
        }
        keep_header(&resp->content_type, line, len, "Content-Type");
        keep_header(&resp->docker_digest, line, len, "Docker-Content-Digest");
        keep_header(&resp->location, line, len, "Location");
        keep_header(&resp->link, line, len, "Link");
        keep_header(&resp->www_authenticate, line, len, "WWW-Authenticate");
        return len;
}

static bool uses_basic(registry *r) {
        pthread_mutex_lock(&r->lock);
        bool basic = r->basic && r->username;
        pthread_mutex_unlock(&r->lock);
        return basic;
}

CURL *registry_handle(registry *r, const char *url, const char *scope, struct curl_slist **headers,
                      struct registry_response *resp) {
        CURL *h = curl_easy_init();
        _cleanup_free_ char *auth = registry_auth_header(r, scope);

        if (!h)
                abort();
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_SHARE, r->share);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
        /* A stalled transfer (under 1 byte/s for a minute) fails instead of hanging. */
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
        curl_easy_setopt(h, CURLOPT_USERAGENT, "berth");
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
        if (r->ca_file)
                curl_easy_setopt(h, CURLOPT_CAINFO, r->ca_file);
        if (r->cert_file && r->key_file) {
                curl_easy_setopt(h, CURLOPT_SSLCERT, r->cert_file);
                curl_easy_setopt(h, CURLOPT_SSLKEY, r->key_file);
        }
        if (r->insecure) {
                curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
                curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        if (auth) {
                _cleanup_free_ char *line = xasprintf("Authorization: %s", auth);
                *headers = curl_slist_append(*headers, line);
        } else if (scope != REGISTRY_NO_AUTH && uses_basic(r)) {
                /* libcurl keeps these from hosts a redirect leads to (blob storage). */
                curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
                curl_easy_setopt(h, CURLOPT_USERNAME, r->username);
                curl_easy_setopt(h, CURLOPT_PASSWORD, r->password ? r->password : "");
        }
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, *headers);
        return h;
}

static bool transient(CURLcode rc, long status) {
        if (rc == CURLE_OK)
                return status == 429 || status == 502 || status == 503 || status == 504;
        return rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_RECV_ERROR ||
               rc == CURLE_SEND_ERROR || rc == CURLE_GOT_NOTHING || rc == CURLE_PARTIAL_FILE;
}

static int curl_failure(registry *r, CURLcode rc, berth_error *err) {
        int code = rc == CURLE_COULDNT_CONNECT ? -ECONNREFUSED
                   : rc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT
                   : rc == CURLE_COULDNT_RESOLVE_HOST ? -EHOSTUNREACH
                                                       : -EIO;
        return berth_err(err, code, "registry %s: %s", r->domain, curl_easy_strerror(rc));
}

int registry_perform(registry *r, const char *scope, registry_prepare_fn prepare, void *cls,
                     struct registry_response *resp, berth_error *err) {
        bool reauthed = false;
        CURLcode rc = CURLE_OK;
        int r_auth;

        for (int attempt = 0; attempt < RETRIES; attempt++) {
                struct curl_slist *headers = NULL;
                registry_response_done(resp);
                CURL *h = prepare(r, cls, &headers, resp);
                rc = curl_easy_perform(h);
                curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
                curl_easy_cleanup(h);
                curl_slist_free_all(headers);
                if (rc == CURLE_OK && resp->status == 401 && !reauthed && resp->www_authenticate &&
                    scope != REGISTRY_NO_AUTH) {
                        reauthed = true;
                        attempt--;
                        r_auth = registry_authenticate(r, scope, resp->www_authenticate, err);
                        if (r_auth < 0)
                                return r_auth;
                        continue;
                }
                if (!transient(rc, resp->status) || attempt == RETRIES - 1)
                        break;
                log_debug("registry %s: transient failure, retrying (%d)", r->domain, attempt + 1);
                usleep(200000u << attempt);
        }
        if (rc == CURLE_WRITE_ERROR && resp->overflow)
                return berth_err(err, -EMSGSIZE, "registry %s: answer larger than %zu bytes", r->domain, resp->max);
        if (rc != CURLE_OK)
                return curl_failure(r, rc, err);
        return 0;
}

/* For insecure registries HTTPS is tried first, then plain HTTP, as Docker does. */
static CURL *prepare_ping(registry *r, void *cls, struct curl_slist **headers, struct registry_response *resp) {
        return registry_handle(r, cls, REGISTRY_NO_AUTH, headers, resp);
}

int registry_base(registry *r, const char **ret, berth_error *err) {
        const char *schemes[] = { "https", "http" };
        struct registry_response resp = { .max = 65536 };
        char *base = NULL;
        int rc = 0;

        pthread_mutex_lock(&r->lock);
        base = r->base;
        pthread_mutex_unlock(&r->lock);
        /* Docker Hub's name is not its API's host. */
        const char *host = strcmp(r->domain, "docker.io") == 0 ? "registry-1.docker.io" : r->domain;
        /* Probed without the lock (requests take it); two threads probing agree anyway. */
        for (size_t i = 0; !base && i < (r->insecure ? 2u : 1u); i++) {
                _cleanup_free_ char *url = xasprintf("%s://%s/v2/", schemes[i], host);
                berth_error attempt = { 0 };
                rc = registry_perform(r, REGISTRY_NO_AUTH, prepare_ping, url, &resp, &attempt);
                if (rc >= 0) {
                        pthread_mutex_lock(&r->lock);
                        if (!r->base)
                                r->base = xasprintf("%s://%s", schemes[i], host);
                        base = r->base;
                        pthread_mutex_unlock(&r->lock);
                } else if (err) {
                        /* The last scheme's failure is the one to show, with its URL. */
                        berth_err(err, attempt.code, "%s (%s%s)", attempt.message, url,
                                  r->insecure ? "" : "; TLS is required for this registry");
                }
        }
        registry_response_done(&resp);
        if (!base)
                return rc < 0 ? rc : berth_err(err, -EIO, "registry %s: cannot reach it", r->domain);
        *ret = base;
        return 0;
}

int registry_ping(registry *r, berth_error *err) {
        const char *base;
        return registry_base(r, &base, err);
}

/* {"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown", ...}]} */
static void registry_message(const struct registry_response *resp, char *buf, size_t size) {
        json_t *j = resp->body ? json_loadb(resp->body, resp->size, 0, NULL) : NULL;
        json_t *e = json_array_get(json_object_get(j, "errors"), 0);
        const char *msg = json_string_value(json_object_get(e, "message"));
        const char *code = json_string_value(json_object_get(e, "code"));

        if (msg)
                snprintf(buf, size, "%s%s%s", code ? code : "", code ? ": " : "", msg);
        else    /* HEAD answers have no body to say why */
                snprintf(buf, size, "HTTP status %ld%s", resp->status,
                         resp->status == 401   ? " (unauthorized)"
                         : resp->status == 403 ? " (forbidden)"
                         : resp->status == 404 ? " (not found)"
                                               : "");
        json_decref(j);
}

int registry_status_error(registry *r, const struct registry_response *resp, const char *what,
                          berth_error *err) {
        char msg[512];
        int code = resp->status == 404 ? -ENOENT
                   : resp->status == 401 || resp->status == 403 ? -EACCES
                   : resp->status == 400 || resp->status == 415 ? -EINVAL
                                                                 : -EIO;
        registry_message(resp, msg, sizeof(msg));
        return berth_err(err, code, "%s: registry %s answered %s", what, r->domain, msg);
}
