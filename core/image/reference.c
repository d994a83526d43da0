/* Reference parsing and normalization, following the distribution reference grammar. */
#include "berth/reference.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "berth/alloc.h"

#define NAME_MAX_LEN 255
#define TAG_MAX_LEN 128

static bool is_lower_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* path-component: [a-z0-9]+ joined by ".", "_", "__" or runs of "-". */
static bool valid_component(const char *s, size_t len) {
        size_t i = 0;
        if (len == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[len - 1]))
                return false;
        while (i < len) {
                if (is_lower_alnum(s[i])) {
                        i++;
                        continue;
                }
                size_t run = strspn(s + i, "-");
                if (run == 0) {
                        if (s[i] == '.' || (s[i] == '_' && s[i + 1] != '_'))
                                run = 1;
                        else if (s[i] == '_' && s[i + 1] == '_')
                                run = 2;
                        else
                                return false;
                }
                i += run;
                if (i >= len || !is_lower_alnum(s[i]))
                        return false;
        }
        return true;
}

/* host[:port] with letters, digits, '-' and '.', or a bracketed IPv6 address. */
static bool valid_domain(const char *s, size_t len) {
        const char *colon = memchr(s, ':', len);
        size_t host_len = colon ? (size_t) (colon - s) : len;
        if (host_len == 0)
                return false;
        if (s[0] == '[')
                return memchr(s, ']', len) != NULL;
        for (size_t i = 0; i < host_len; i++) {
                char c = s[i];
                if (!(is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '-' || c == '.'))
                        return false;
        }
        if (colon) {
                if (colon + 1 == s + len)
                        return false;
                for (const char *p = colon + 1; p < s + len; p++)
                        if (*p < '0' || *p > '9')
                                return false;
        }
        return true;
}

static bool valid_tag(const char *t) {
        size_t len = strlen(t);
        if (len == 0 || len > TAG_MAX_LEN || t[0] == '.' || t[0] == '-')
                return false;
        for (size_t i = 0; i < len; i++)
                if (!(is_lower_alnum(t[i]) || (t[i] >= 'A' && t[i] <= 'Z') || t[i] == '_' || t[i] == '.' ||
                      t[i] == '-'))
                        return false;
        return true;
}

int berth_digest_validate(const char *digest, berth_error *err) {
        const char *colon = strchr(digest, ':');
        size_t want;

        if (!colon)
                return berth_err(err, -EINVAL, "invalid digest \"%s\": expected ALGORITHM:HEX", digest);
        if ((size_t) (colon - digest) == 6 && strncmp(digest, "sha256", 6) == 0)
                want = 64;
        else if ((size_t) (colon - digest) == 6 && strncmp(digest, "sha512", 6) == 0)
                want = 128;
        else
                return berth_err(err, -EINVAL, "unsupported digest algorithm in \"%s\" (sha256 or sha512)", digest);
        if (strlen(colon + 1) != want || strspn(colon + 1, "0123456789abcdef") != want)
                return berth_err(err, -EINVAL, "invalid digest \"%s\": expected %zu lowercase hex digits", digest,
                                 want);
        return 0;
}

/* Splits "name[:tag][@digest]"; the tag's colon is the last one after the last '/'. */
static int split(const char *text, char **name, char **tag, char **digest, berth_error *err) {
        const char *at = strchr(text, '@');
        size_t name_end = at ? (size_t) (at - text) : strlen(text);
        const char *slash = memrchr(text, '/', name_end);
        const char *colon = memrchr(slash ? slash : text, ':', name_end - (size_t) ((slash ? slash : text) - text));
        int r;

        if (at) {
                r = berth_digest_validate(at + 1, err);
                if (r < 0)
                        return r;
                *digest = xstrdup(at + 1);
        }
        if (colon) {
                *tag = xstrndup(colon + 1, name_end - (size_t) (colon + 1 - text));
                if (!valid_tag(*tag))
                        return berth_err(err, -EINVAL, "invalid reference \"%s\": bad tag \"%s\"", text, *tag);
                name_end = (size_t) (colon - text);
        }
        *name = xstrndup(text, name_end);
        return 0;
}

static bool has_upper(const char *s, size_t len) {
        for (size_t i = 0; i < len; i++)
                if (s[i] >= 'A' && s[i] <= 'Z')
                        return true;
        return false;
}

/* The first component is a domain when it has '.' or ':' or is "localhost". */
static int split_domain(berth_reference *ref, const char *text, const char *name, berth_error *err) {
        const char *slash = strchr(name, '/');
        size_t first = slash ? (size_t) (slash - name) : 0;

        if (slash && (memchr(name, '.', first) || memchr(name, ':', first) ||
                      (first == 9 && strncmp(name, "localhost", 9) == 0) || has_upper(name, first))) {
                if (!valid_domain(name, first))
                        return berth_err(err, -EINVAL, "invalid reference \"%s\": bad registry host", text);
                ref->domain = xstrndup(name, first);
                ref->path = xstrdup(slash + 1);
        } else {
                ref->domain = xstrdup("docker.io");
                ref->path = xstrdup(name);
        }
        if (strcmp(ref->domain, "index.docker.io") == 0) {
                free(ref->domain);
                ref->domain = xstrdup("docker.io");
        }
        if (strcmp(ref->domain, "docker.io") == 0 && !strchr(ref->path, '/')) {
                char *full = xasprintf("library/%s", ref->path);
                free(ref->path);
                ref->path = full;
        }
        return 0;
}

static int check_path(const char *text, const char *path, berth_error *err) {
        for (const char *p = path;;) {
                size_t len = strcspn(p, "/");
                for (size_t i = 0; i < len; i++)
                        if (p[i] >= 'A' && p[i] <= 'Z')
                                return berth_err(err, -EINVAL,
                                                 "invalid reference \"%s\": repository name must be lowercase", text);
                if (!valid_component(p, len))
                        return berth_err(err, -EINVAL, "invalid reference format \"%s\"", text);
                if (!p[len])
                        return 0;
                p += len + 1;
        }
}

int berth_reference_parse(const char *text, berth_reference **ret, berth_error *err) {
        _cleanup_(berth_reference_freep) berth_reference *ref = xnew0(berth_reference, 1);
        _cleanup_free_ char *name = NULL;
        int r;

        if (!text || !*text)
                return berth_err(err, -EINVAL, "empty image reference");
        if (strlen(text) > NAME_MAX_LEN + TAG_MAX_LEN + 140)
                return berth_err(err, -EINVAL, "image reference is too long");
        r = split(text, &name, &ref->tag, &ref->digest, err);
        if (r < 0)
                return r;
        if (strlen(name) > NAME_MAX_LEN)
                return berth_err(err, -EINVAL, "invalid reference \"%s\": name longer than %d characters", text,
                                 NAME_MAX_LEN);
        r = split_domain(ref, text, name, err);
        if (r < 0)
                return r;
        r = check_path(text, ref->path, err);
        if (r < 0)
                return r;
        if (!ref->tag && !ref->digest)
                ref->tag = xstrdup("latest");
        *ret = TAKE_PTR(ref);
        return 0;
}

berth_reference *berth_reference_free(berth_reference *ref) {
        if (!ref)
                return NULL;
        free(ref->domain);
        free(ref->path);
        free(ref->tag);
        free(ref->digest);
        free(ref);
        return NULL;
}

char *berth_reference_repository(const berth_reference *ref) {
        return xasprintf("%s/%s", ref->domain, ref->path);
}

char *berth_reference_string(const berth_reference *ref) {
        return xasprintf("%s/%s%s%s%s%s", ref->domain, ref->path, ref->tag ? ":" : "", ref->tag ? ref->tag : "",
                         ref->digest ? "@" : "", ref->digest ? ref->digest : "");
}

char *berth_reference_familiar(const char *full) {
        if (strncmp(full, "docker.io/", 10) != 0)
                return xstrdup(full);
        full += 10;
        if (strncmp(full, "library/", 8) == 0 && !strchr(full + 8, '/'))
                full += 8;
        return xstrdup(full);
}
