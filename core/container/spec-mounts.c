/* The spec's mounts: Docker's defaults, the generated /etc files, then the user's
 * binds, mounts and tmpfs; a user mount replaces a default one at the same place. */
#include "spec.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

#define DEFAULT_SHM_SIZE 67108864

static json_t *mount_new(const char *dest, const char *type, const char *source, const char *options) {
        json_t *opts = json_array();
        _cleanup_free_ char *copy = xstrdup(options);
        char *save = NULL;
        for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save))
                json_array_append_new(opts, json_string(o));
        return json_pack("{s:s, s:s, s:s, s:o}", "destination", dest, "type", type, "source", source, "options",
                         opts);
}

static bool under(const char *path, const char *dir) {
        size_t n = strlen(dir);
        return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Drops mounts at `dest`, and below it when a user mounts a whole tree there (/dev). */
static void drop_covered(json_t *mounts, const char *dest) {
        for (size_t i = json_array_size(mounts); i-- > 0;) {
                const char *d = json_string_value(json_object_get(json_array_get(mounts, i), "destination"));
                if (d && (strcmp(d, dest) == 0 || (strcmp(dest, "/dev") == 0 && under(d, "/dev"))))
                        json_array_remove(mounts, i);
        }
}

static void add_defaults(json_t *m, json_t *host, bool privileged) {
        const char *ipc = json_string_value(json_object_get(host, "IpcMode"));
        json_int_t shm = json_integer_value(json_object_get(host, "ShmSize"));
        char shm_opts[128];

        json_array_append_new(m, mount_new("/proc", "proc", "proc", "nosuid,noexec,nodev"));
        json_array_append_new(m, mount_new("/dev", "tmpfs", "tmpfs", "nosuid,strictatime,mode=755,size=65536k"));
        json_array_append_new(m, mount_new("/dev/pts", "devpts", "devpts",
                                           "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5"));
        json_array_append_new(m, mount_new("/sys", "sysfs", "sysfs", privileged ? "nosuid,noexec,nodev,rw"
                                                                                 : "nosuid,noexec,nodev,ro"));
        json_array_append_new(m, mount_new("/sys/fs/cgroup", "cgroup", "cgroup",
                                           privileged ? "rw,nosuid,noexec,nodev" : "ro,nosuid,noexec,nodev"));
        json_array_append_new(m, mount_new("/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev"));
        if (ipc && strcmp(ipc, "none") == 0)
                return;
        if (ipc && strcmp(ipc, "host") == 0) {
                json_array_append_new(m, mount_new("/dev/shm", "bind", "/dev/shm", "rbind,rprivate"));
                return;
        }
        snprintf(shm_opts, sizeof(shm_opts), "nosuid,noexec,nodev,mode=1777,size=%lld",
                 (long long) (shm > 0 ? shm : DEFAULT_SHM_SIZE));
        json_array_append_new(m, mount_new("/dev/shm", "tmpfs", "shm", shm_opts));
}

static void add_etc_files(json_t *m, const char *bundle, bool readonly) {
        static const char *const files[] = { "hostname", "hosts", "resolv.conf" };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *src = xasprintf("%s/%s", bundle, files[i]);
                _cleanup_free_ char *dst = xasprintf("/etc/%s", files[i]);
                json_array_append_new(m, mount_new(dst, "bind", src, readonly ? "rbind,rprivate,ro" : "rbind,rprivate"));
        }
}

static const char *const propagations[] = { "private", "rprivate", "shared", "rshared", "slave", "rslave", NULL };

static bool is_propagation(const char *o) {
        for (const char *const *p = propagations; *p; p++)
                if (strcmp(o, *p) == 0)
                        return true;
        return false;
}

char *spec_anonymous_volume(const char *id, const char *path) {
        uint64_t h = 1469598103934665603ULL;   /* FNV-1a */
        for (const char *p = path; *p; p++)
                h = (h ^ (unsigned char) *p) * 1099511628211ULL;
        return xasprintf("%.12s_%016llx", id, (unsigned long long) h);
}

static bool volume_name_ok(const char *name) {
        static const char first[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        return *name && strchr(first, *name) &&
               strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == strlen(name);
}

static int volume_source(const char *volumes_dir, const char *name, char **ret, berth_error *err) {
        if (!volume_name_ok(name))
                return berth_err(err, -EINVAL,
                                 "\"%s\" includes invalid characters for a local volume name, only "
                                 "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed",
                                 name);
        *ret = xasprintf("%s/%s/_data", volumes_dir, name);
        return 0;
}

/* "SRC:DST[:OPTS]": an absolute SRC is a host path, anything else a named volume. */
static int bind_from_string(const char *spec, const char *volumes_dir, json_t **ret, berth_error *err) {
        _cleanup_free_ char *vol = NULL;
        _cleanup_free_ char *copy = xstrdup(spec);
        char *dst = strchr(copy, ':'), *opts, *save = NULL;
        const char *propagation = "rprivate";
        bool ro = false;

        if (!dst || dst == copy)
                return berth_err(err, -EINVAL, "invalid volume specification: '%s'", spec);
        *dst++ = '\0';
        opts = strchr(dst, ':');
        if (opts)
                *opts++ = '\0';
        if (*dst != '/')
                return berth_err(err, -EINVAL, "invalid volume specification: '%s': mount path must be absolute", spec);
        if (*copy != '/' && volume_source(volumes_dir, copy, &vol, err) < 0)
                return -EINVAL;
        for (char *o = opts ? strtok_r(opts, ",", &save) : NULL; o; o = strtok_r(NULL, ",", &save)) {
                if (strcmp(o, "ro") == 0)
                        ro = true;
                else if (is_propagation(o))
                        propagation = o;
                else if (strcmp(o, "rw") && strcmp(o, "z") && strcmp(o, "Z") && strcmp(o, "nocopy"))
                        return berth_err(err, -EINVAL, "invalid mode: %s", o);
        }
        _cleanup_free_ char *mopts = xasprintf("rbind,%s%s", propagation, ro ? ",ro" : "");
        *ret = mount_new(dst, "bind", vol ? vol : copy, mopts);
        return 0;
}

static int mount_from_object(json_t *mo, const struct spec_inputs *in, json_t **ret, berth_error *err) {
        const char *type = json_string_value(json_object_get(mo, "Type"));
        const char *src = json_string_value(json_object_get(mo, "Source"));
        const char *dst = json_string_value(json_object_get(mo, "Target"));
        bool ro = json_is_true(json_object_get(mo, "ReadOnly"));
        json_t *bind = json_object_get(mo, "BindOptions"), *tmpfs = json_object_get(mo, "TmpfsOptions");

        if (!type || !dst || *dst != '/')
                return berth_err(err, -EINVAL, "invalid mount config: Type and an absolute Target are required");
        if (strcmp(type, "bind") == 0) {
                const char *prop = json_string_value(json_object_get(bind, "Propagation"));
                bool nonrec = json_is_true(json_object_get(bind, "NonRecursive"));
                if (!src || *src != '/')
                        return berth_err(err, -EINVAL, "invalid mount config for type \"bind\": invalid mount path: '%s' mount path must be absolute", src ? src : "");
                _cleanup_free_ char *o = xasprintf("%s,%s%s", nonrec ? "bind" : "rbind", prop && *prop ? prop : "rprivate",
                                                   ro ? ",ro" : "");
                *ret = mount_new(dst, "bind", src, o);
                return 0;
        }
        if (strcmp(type, "tmpfs") == 0) {
                json_int_t size = json_integer_value(json_object_get(tmpfs, "SizeBytes"));
                json_int_t mode = json_integer_value(json_object_get(tmpfs, "Mode"));
                char o[128];
                int n = snprintf(o, sizeof(o), "nosuid,nodev,noexec%s", ro ? ",ro" : "");
                if (size > 0)
                        n += snprintf(o + n, sizeof(o) - (size_t) n, ",size=%lld", (long long) size);
                if (mode > 0)
                        snprintf(o + n, sizeof(o) - (size_t) n, ",mode=%llo", (long long) mode);
                *ret = mount_new(dst, "tmpfs", "tmpfs", o);
                return 0;
        }
        if (strcmp(type, "volume") == 0) {
                _cleanup_free_ char *anon = src && *src ? NULL : spec_anonymous_volume(in->id, dst), *vol = NULL;
                if (volume_source(in->volumes_dir, anon ? anon : src, &vol, err) < 0)
                        return -EINVAL;
                *ret = mount_new(dst, "bind", vol, ro ? "rbind,rprivate,ro" : "rbind,rprivate");
                return 0;
        }
        return berth_err(err, -EINVAL, "invalid mount config: unknown mount type \"%s\"", type);
}

static int user_mounts(json_t *host, const struct spec_inputs *in, json_t **ret, berth_error *err) {
        json_t *out = json_array(), *x, *m = NULL;
        const char *dst;
        size_t i;
        int r;

        json_array_foreach (json_object_get(host, "Binds"), i, x) {
                r = json_is_string(x) ? bind_from_string(json_string_value(x), in->volumes_dir, &m, err)
                                      : berth_err(err, -EINVAL, "HostConfig.Binds must be an array of strings");
                if (r < 0)
                        goto fail;
                json_array_append_new(out, m);
        }
        json_array_foreach (json_object_get(host, "Mounts"), i, x) {
                r = json_is_object(x) ? mount_from_object(x, in, &m, err)
                                      : berth_err(err, -EINVAL, "HostConfig.Mounts must be an array of objects");
                if (r < 0)
                        goto fail;
                json_array_append_new(out, m);
        }
        json_object_foreach (json_object_get(host, "Tmpfs"), dst, x) {
                const char *o = json_string_value(x);
                _cleanup_free_ char *opts = xasprintf("noexec,nosuid,nodev%s%s", o && *o ? "," : "", o ? o : "");
                if (*dst != '/') {
                        json_decref(out);
                        return berth_err(err, -EINVAL, "invalid tmpfs mount path %s: must be absolute", dst);
                }
                json_array_append_new(out, mount_new(dst, "tmpfs", "tmpfs", opts));
        }
        *ret = out;
        return 0;
fail:
        json_decref(out);
        return r;
}

static bool has_destination(json_t *mounts, const char *dest) {
        size_t i;
        json_t *m;
        json_array_foreach (mounts, i, m)
                if (strcmp(json_string_value(json_object_get(m, "destination")) ?: "", dest) == 0)
                        return true;
        return false;
}

/* Docker gives every VOLUME of the image (and -v /path) a volume of its own. */
static void add_anonymous_volumes(json_t *mine, json_t *cfg, const struct spec_inputs *in) {
        const char *path;
        json_t *v;
        json_object_foreach (json_object_get(cfg, "Volumes"), path, v) {
                if (*path != '/' || has_destination(mine, path))
                        continue;
                _cleanup_free_ char *name = spec_anonymous_volume(in->id, path);
                _cleanup_free_ char *src = xasprintf("%s/%s/_data", in->volumes_dir, name);
                json_array_append_new(mine, mount_new(path, "bind", src, "rbind,rprivate"));
        }
}

int spec_add_mounts(json_t *spec, json_t *cfg, json_t *host, const struct spec_inputs *in, bool privileged,
                    berth_error *err) {
        json_t *mounts = json_array(), *mine, *m;
        size_t i;
        int r;

        json_object_set_new(spec, "mounts", mounts);
        add_defaults(mounts, host, privileged);
        add_etc_files(mounts, in->bundle, json_is_true(json_object_get(host, "ReadonlyRootfs")));
        r = user_mounts(host, in, &mine, err);
        if (r < 0)
                return r;
        add_anonymous_volumes(mine, cfg, in);
        json_array_foreach (mine, i, m)
                drop_covered(mounts, json_string_value(json_object_get(m, "destination")));
        json_array_extend(mounts, mine);
        json_decref(mine);
        return 0;
}

int spec_check_mounts(json_t *host, berth_error *err) {
        struct stat st;
        size_t i;
        json_t *x;

        json_array_foreach (json_object_get(host, "Mounts"), i, x) {
                const char *type = json_string_value(json_object_get(x, "Type"));
                const char *src = json_string_value(json_object_get(x, "Source"));
                if (type && strcmp(type, "bind") == 0 && src && *src == '/' && stat(src, &st) < 0)
                        return berth_err(err, -EINVAL,
                                         "invalid mount config for type \"bind\": bind source path does not exist: %s",
                                         src);
        }
        return 0;
}
