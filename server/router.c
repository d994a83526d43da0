/* Path matching: version prefixes, the two APIs' tables, parameters. */
#include "router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/version.h"

/* Parses "MAJOR.MINOR" into numbers; false on anything else. */
static bool parse_docker_version(const char *v, long *major, long *minor) {
        char *end;
        if (*v < '0' || *v > '9')
                return false;
        *major = strtol(v, &end, 10);
        if (*end != '.' || end[1] < '0' || end[1] > '9')
                return false;
        *minor = strtol(end + 1, &end, 10);
        return *end == '\0';
}

int docker_version_compare(const char *a, const char *b) {
        long amaj, amin, bmaj, bmin;
        if (!parse_docker_version(a, &amaj, &amin) || !parse_docker_version(b, &bmaj, &bmin))
                return -2;
        if (amaj != bmaj)
                return amaj < bmaj ? -1 : 1;
        return amin < bmin ? -1 : amin > bmin;
}

/* "/v1.41/x" -> version "1.41", rest "/x". Returns false when there is no prefix. */
static bool split_version(const char *path, char *version, size_t size, const char **rest) {
        size_t len;
        if (path[0] != '/' || path[1] != 'v' || path[2] < '0' || path[2] > '9')
                return false;
        len = strspn(path + 2, "0123456789.");
        if (path[2 + len] != '/' && path[2 + len] != '\0')
                return false;
        snprintf(version, size, "%.*s", (int) (len < size ? len : size - 1), path + 2);
        *rest = path + 2 + len;
        return true;
}

static size_t segment_len(const char *s) {
        return strcspn(s, "/");
}

/* Matches pattern segments against path segments; "{x*}" takes the shortest run of
 * segments that lets the rest of the pattern match. */
static bool match_from(const char *pat, const char *path, struct route_match *m) {
        size_t n_saved = m->n_params;

        if (*pat == '\0')
                return *path == '\0';
        if (*pat != '/' || *path != '/')
                return false;
        pat++, path++;
        size_t plen = segment_len(pat), slen = segment_len(path);
        if (pat[0] != '{') {
                if (plen != slen || strncmp(pat, path, plen) != 0)
                        return false;
                return match_from(pat + plen, path + slen, m);
        }
        if (slen == 0 || m->n_params >= ROUTE_MAX_PARAMS)
                return false;
        bool greedy = pat[plen - 2] == '*';
        m->param_names[m->n_params] = pat + 1;
        m->param_name_len[m->n_params] = plen - 2 - greedy;
        for (const char *end = path + slen;; end += 1 + segment_len(end + 1)) {
                m->params[m->n_params++] = xstrndup(path, (size_t) (end - path));
                if (match_from(pat + plen, end, m))
                        return true;
                while (m->n_params > n_saved)
                        free(m->params[--m->n_params]);
                if (!greedy || *end == '\0')
                        return false;
        }
}

static enum route_result find_in(const struct route_table *t, const char *method, const char *path,
                                 struct route_match *m) {
        bool path_seen = false;
        const struct route *get_route = NULL;

        for (size_t i = 0; i < t->n_routes; i++) {
                const struct route *r = &t->routes[i];
                if (!match_from(r->pattern, path, m))
                        continue;
                if (strcmp(r->method, method) == 0) {
                        m->route = r;
                        return ROUTE_FOUND;
                }
                if (!get_route && strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0)
                        get_route = r;
                path_seen = true;
                route_match_done(m);
        }
        if (get_route) {
                match_from(get_route->pattern, path, m);
                m->route = get_route;
                return ROUTE_FOUND;
        }
        return path_seen ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}

static enum route_result check_docker_version(const struct route_match *m) {
        long major, minor;
        if (!m->api_version[0] || m->api == API_LIBPOD)
                return ROUTE_FOUND;
        if (!parse_docker_version(m->api_version, &major, &minor))
                return ROUTE_BAD_VERSION;
        if (docker_version_compare(m->api_version, BERTH_DOCKER_API_VERSION) > 0)
                return ROUTE_VERSION_TOO_NEW;
        if (docker_version_compare(m->api_version, BERTH_DOCKER_API_MIN_VERSION) < 0)
                return ROUTE_VERSION_TOO_OLD;
        return ROUTE_FOUND;
}

enum route_result route_find(const char *method, const char *path, struct route_match *m) {
        const char *rest = path;
        enum route_result r;

        *m = (struct route_match) { .api = API_COMPAT };
        split_version(path, m->api_version, sizeof(m->api_version), &rest);
        if (strncmp(rest, "/libpod/", 8) == 0 || strcmp(rest, "/libpod") == 0) {
                m->api = API_LIBPOD;
                rest += 7;
        }
        r = find_in(m->api == API_LIBPOD ? &libpod_routes : &compat_routes, method, rest, m);
        if (r != ROUTE_FOUND)
                return r;
        r = check_docker_version(m);
        if (r != ROUTE_FOUND)
                route_match_done(m);
        return r;
}

void route_match_done(struct route_match *m) {
        while (m->n_params > 0)
                free(m->params[--m->n_params]);
        m->route = NULL;
}

const char *route_param(const struct route_match *m, const char *name) {
        size_t len = strlen(name);
        for (size_t i = 0; i < m->n_params; i++)
                if (m->param_name_len[i] == len && strncmp(m->param_names[i], name, len) == 0)
                        return m->params[i];
        return NULL;
}
