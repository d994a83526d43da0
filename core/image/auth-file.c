/* The auth file: {"auths": {"HOST": {"auth": base64("user:password")}}}. */
#include "berth/auth.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/base64.h"
#include "berth/cleanup.h"
#include "berth/path.h"

char *berth_auth_file_path(void) {
        const char *env = getenv("REGISTRY_AUTH_FILE"), *xdg = getenv("XDG_RUNTIME_DIR");
        if (env && *env)
                return xstrdup(env);
        if (xdg && *xdg)
                return xasprintf("%s/containers/auth.json", xdg);
        return xasprintf("/run/containers/%u/auth.json", (unsigned) getuid());
}

static char *docker_config_path(void) {
        const char *home = getenv("HOME");
        return home ? xasprintf("%s/.docker/config.json", home) : NULL;
}

static bool key_matches(const char *key, const char *domain) {
        const char *k = key;
        if (strncmp(k, "https://", 8) == 0)
                k += 8;
        else if (strncmp(k, "http://", 7) == 0)
                k += 7;
        size_t len = strcspn(k, "/");
        if (strcmp(domain, "docker.io") == 0 &&
            ((len == 15 && strncmp(k, "index.docker.io", 15) == 0) ||
             (len == 18 && strncmp(k, "registry-1.docker.io", 18) == 0)))
                return true;
        return strlen(domain) == len && strncmp(k, domain, len) == 0;
}

static int decode_auth(const char *b64, char **ret_user, char **ret_pass) {
        _cleanup_free_ char *out = NULL;
        size_t len;

        if (berth_base64_decode(b64, &out, &len) < 0 || strlen(out) != len)
                return -EINVAL;
        char *colon = strchr(out, ':');
        if (!colon)
                return -EINVAL;
        *ret_user = xstrndup(out, (size_t) (colon - out));
        *ret_pass = xstrdup(colon + 1);
        return 0;
}

static int lookup_in(const char *path, const char *domain, char **ret_user, char **ret_pass) {
        json_t *j = path ? json_load_file(path, 0, NULL) : NULL, *entry;
        const char *key;
        int rc = -ENOENT;

        json_object_foreach(json_object_get(j, "auths"), key, entry) {
                const char *auth = json_string_value(json_object_get(entry, "auth"));
                if (auth && key_matches(key, domain) && decode_auth(auth, ret_user, ret_pass) >= 0) {
                        rc = 0;
                        break;
                }
        }
        json_decref(j);
        return rc;
}

int berth_auth_lookup(const char *domain, char **ret_username, char **ret_password) {
        _cleanup_free_ char *ours = berth_auth_file_path(), *docker = docker_config_path();
        if (lookup_in(ours, domain, ret_username, ret_password) >= 0)
                return 0;
        return lookup_in(docker, domain, ret_username, ret_password);
}

static int write_atomically(const char *path, json_t *j, berth_error *err) {
        _cleanup_free_ char *dir_copy = xstrdup(path), *tmp = xasprintf("%s.XXXXXX", path);
        int rc = berth_mkdir_p(dirname(dir_copy), 0700, err), fd;

        if (rc < 0)
                return rc;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return berth_err_errno(err, -errno, "cannot write %s", path);
        rc = json_dumpfd(j, fd, JSON_INDENT(8)) == 0 && fsync(fd) == 0 ? 0 : -EIO;
        close(fd);
        if (rc == 0 && rename(tmp, path) < 0)
                rc = -errno;
        if (rc < 0) {
                unlink(tmp);
                return berth_err_errno(err, rc, "cannot write %s", path);
        }
        return 0;
}

static json_t *load_or_empty(const char *path) {
        json_t *j = json_load_file(path, 0, NULL);
        if (!json_is_object(j)) {
                json_decref(j);
                j = json_object();
        }
        if (!json_is_object(json_object_get(j, "auths")))
                json_object_set_new(j, "auths", json_object());
        return j;
}

int berth_auth_store(const char *domain, const char *username, const char *password, berth_error *err) {
        _cleanup_free_ char *path = berth_auth_file_path();
        _cleanup_free_ char *pair = xasprintf("%s:%s", username, password);
        _cleanup_free_ char *b64 = berth_base64_encode(pair, strlen(pair));
        json_t *j = load_or_empty(path);

        json_object_set_new(json_object_get(j, "auths"), domain, json_pack("{s:s}", "auth", b64));
        int rc = write_atomically(path, j, err);
        json_decref(j);
        return rc;
}

int berth_auth_remove(const char *domain, berth_error *err) {
        _cleanup_free_ char *path = berth_auth_file_path();
        json_t *j = load_or_empty(path);
        int rc;

        if (json_object_del(json_object_get(j, "auths"), domain) < 0)
                rc = berth_err(err, -ENOENT, "not logged in to %s", domain);
        else
                rc = write_atomically(path, j, err);
        json_decref(j);
        return rc;
}
