/* -u/--user and --group-add resolution in the container's rootfs: reading /etc/passwd and
 * /etc/group without leaving the rootfs, and moby/sys/user's lookup rules. */
#include "user.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

#define USER_FILE_MAX (16 * 1024 * 1024)
#define ID_MAX 2147483647U /* moby/sys/user maxID, for 32-bit compatibility */
#define RANGE_MESSAGE "uids and gids must be in range 0-2147483647"

struct span {
        const char *p;
        size_t n;
};

/* A file of the rootfs in memory; data == NULL when the file does not exist. */
struct user_file {
        char *data;
        size_t size;
};

static int read_fd(int fd, const char *path, struct user_file *ret, berth_error *err) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, alloc = 0;
        struct stat st;

        if (fstat(fd, &st) < 0)
                return berth_err_errno(err, -errno, "cannot stat %s in the container", path);
        if (!S_ISREG(st.st_mode))
                return berth_err(err, -EINVAL, "%s in the container is not a regular file", path);
        for (;;) {
                if (alloc - size < 4096) {
                        alloc = alloc ? alloc * 2 : 8192;
                        buf = xrealloc(buf, alloc);
                }
                ssize_t n = read(fd, buf + size, alloc - size);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return berth_err_errno(err, -errno, "cannot read %s in the container", path);
                }
                if (n == 0)
                        break;
                size += (size_t) n;
                if (size > USER_FILE_MAX)
                        return berth_err(err, -EFBIG, "%s in the container is larger than 16 MiB", path);
        }
        ret->data = buf ? TAKE_PTR(buf) : xmalloc(1);
        ret->size = size;
        return 0;
}

/* Opens `path` (absolute inside the rootfs) as if the rootfs were "/": symlinks and ".."
 * resolve within it. */
static int load_file(int rootfs_fd, const char *path, struct user_file *ret, berth_error *err) {
        struct open_how how = {
                .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        _cleanup_close_ int fd = (int) syscall(SYS_openat2, rootfs_fd, path + 1, &how, sizeof(how));

        if (fd < 0) {
                if (errno == ENOENT || errno == ENOTDIR)
                        return 0;
                if (errno == ENOSYS)
                        return berth_err(err, -ENOSYS, "cannot open %s in the container: the kernel lacks openat2()",
                                         path);
                return berth_err_errno(err, -errno, "cannot open %s in the container", path);
        }
        return read_fd(fd, path, ret, err);
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Next line with surrounding blanks trimmed, skipping empty lines and comments (as glibc
 * and moby/sys/user's group parser). */
static bool next_line(const char **p, const char *end, struct span *ret) {
        while (*p < end) {
                const char *nl = memchr(*p, '\n', (size_t) (end - *p));
                const char *s = *p, *e = nl ? nl : end;
                *p = nl ? nl + 1 : end;
                while (s < e && is_blank(*s))
                        s++;
                while (e > s && is_blank(e[-1]))
                        e--;
                if (s == e || *s == '#')
                        continue;
                *ret = (struct span) { s, (size_t) (e - s) };
                return true;
        }
        return false;
}

/* Splits at ':' into at most `max` fields (more are ignored); returns how many. */
static size_t split_fields(struct span line, struct span *fields, size_t max) {
        const char *p = line.p, *end = line.p + line.n;
        size_t n = 0;

        for (;;) {
                const char *c = memchr(p, ':', (size_t) (end - p));
                const char *e = c ? c : end;
                if (n < max)
                        fields[n++] = (struct span) { p, (size_t) (e - p) };
                if (!c)
                        return n;
                p = c + 1;
        }
}

static bool span_eq(struct span s, const char *str) {
        return s.n == strlen(str) && memcmp(s.p, str, s.n) == 0;
}

/* Decimal digits only, fitting 32 bits: the ids inside the files. */
static bool span_id(struct span s, uint32_t *ret) {
        uint64_t v = 0;

        if (s.n == 0 || s.n > 10)
                return false;
        for (size_t i = 0; i < s.n; i++) {
                if (s.p[i] < '0' || s.p[i] > '9')
                        return false;
                v = v * 10 + (uint64_t) (s.p[i] - '0');
        }
        if (v > UINT32_MAX)
                return false;
        *ret = (uint32_t) v;
        return true;
}

/* A user or group argument: a name, or a number as Go's strconv.Atoi reads it (an
 * optional sign, then digits). */
struct id_arg {
        const char *name; /* NULL when not given */
        bool numeric;
        uint32_t id;
};

static int parse_arg(const char *s, struct id_arg *ret, berth_error *err) {
        const char *d = s + (*s == '+' || *s == '-');
        bool neg = *s == '-';
        uint64_t v = 0;

        *ret = (struct id_arg) { .name = *s ? s : NULL };
        if (!*d || strspn(d, "0123456789") != strlen(d))
                return 0;
        for (; *d; d++) {
                v = v * 10 + (uint64_t) (*d - '0');
                if (v > ID_MAX)
                        return berth_err(err, -EINVAL, RANGE_MESSAGE);
        }
        if (neg && v > 0)
                return berth_err(err, -EINVAL, RANGE_MESSAGE);
        ret->numeric = true;
        ret->id = (uint32_t) v;
        return 0;
}

static bool arg_matches(const struct id_arg *a, struct span name, uint32_t id) {
        return a->numeric ? a->id == id : span_eq(name, a->name);
}

/* passwd: name:password:uid:gid:gecos:home:shell. First match wins. */
struct pw_entry {
        struct span name, home;
        uint32_t uid, gid;
};

static bool find_passwd(const struct user_file *f, const struct id_arg *a, struct pw_entry *ret) {
        const char *p = f->data, *end = f->data + f->size;
        struct span line, fl[7];

        while (f->data && next_line(&p, end, &line)) {
                size_t n = split_fields(line, fl, ELEMENTSOF(fl));
                if (n < 4 || !span_id(fl[2], &ret->uid) || !span_id(fl[3], &ret->gid))
                        continue;
                /* No user given: the default user, uid 0. */
                if (a->name ? !arg_matches(a, fl[0], ret->uid) : ret->uid != 0)
                        continue;
                ret->name = fl[0];
                ret->home = n > 5 ? fl[5] : (struct span) { "", 0 };
                return true;
        }
        return false;
}

/* group: name:password:gid:user1,user2. */
static bool group_lists(struct span list, struct span user) {
        const char *p = list.p, *end = list.p + list.n;

        for (;;) {
                const char *c = memchr(p, ',', (size_t) (end - p));
                struct span m = { p, (size_t) ((c ? c : end) - p) };
                if (m.n == user.n && memcmp(m.p, user.p, m.n) == 0)
                        return true;
                if (!c)
                        return false;
                p = c + 1;
        }
}

/* With `a`: the first group it names. Without: appends every group listing `user`. */
static bool scan_groups(const struct user_file *f, const struct id_arg *a, struct span user, uint32_t *ret_gid,
                        uint32_t **gids, size_t *n_gids) {
        const char *p = f->data, *end = f->data + f->size;
        struct span line, fl[4];
        uint32_t gid;

        while (f->data && next_line(&p, end, &line)) {
                size_t n = split_fields(line, fl, ELEMENTSOF(fl));
                if (n < 3 || !span_id(fl[2], &gid))
                        continue;
                if (a) {
                        if (arg_matches(a, fl[0], gid)) {
                                *ret_gid = gid;
                                return true;
                        }
                } else if (n == 4 && group_lists(fl[3], user)) {
                        *gids = xrealloc(*gids, (*n_gids + 1) * sizeof(uint32_t));
                        (*gids)[(*n_gids)++] = gid;
                }
        }
        return false;
}

static void append_gid(struct container_user *u, uint32_t gid) {
        u->additional_gids = xrealloc(u->additional_gids, (u->n_additional_gids + 1) * sizeof(uint32_t));
        u->additional_gids[u->n_additional_gids++] = gid;
}

static int cmp_u32(const void *a, const void *b) {
        uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
        return x < y ? -1 : x > y;
}

/* Drops repeated gids, keeping the first of each, in O(n log n). */
static void dedup_gids(struct container_user *u) {
        size_t n = u->n_additional_gids, out = 0;
        _cleanup_free_ uint32_t *sorted = xmalloc((n ? n : 1) * sizeof(uint32_t));
        _cleanup_free_ bool *seen = xcalloc(n ? n : 1, sizeof(bool));

        memcpy(sorted, u->additional_gids, n * sizeof(uint32_t));
        qsort(sorted, n, sizeof(uint32_t), cmp_u32);
        for (size_t i = 0; i < n; i++) {
                uint32_t *hit = bsearch(&u->additional_gids[i], sorted, n, sizeof(uint32_t), cmp_u32);
                /* bsearch may land on any copy; step back to the first. */
                while (hit > sorted && hit[-1] == *hit)
                        hit--;
                if (seen[hit - sorted])
                        continue;
                seen[hit - sorted] = true;
                u->additional_gids[out++] = u->additional_gids[i];
        }
        u->n_additional_gids = out;
}

/* --group-add: names must exist in /etc/group, numbers need not. */
static int add_groups(const struct user_file *group, char *const *group_add, struct container_user *u,
                      berth_error *err) {
        for (char *const *g = group_add; g && *g; g++) {
                struct id_arg a;
                uint32_t gid;
                int r = parse_arg(*g, &a, err);
                if (r < 0)
                        return r;
                if (!a.name)
                        return berth_err(err, -EINVAL, "unable to find group : no matching entries in group file");
                if (scan_groups(group, &a, (struct span) { 0 }, &gid, NULL, NULL)) {
                        if (gid > ID_MAX)
                                return berth_err(err, -EINVAL, RANGE_MESSAGE);
                } else if (a.numeric)
                        gid = a.id;
                else
                        return berth_err(err, -EINVAL, "unable to find group %s: no matching entries in group file", *g);
                append_gid(u, gid);
        }
        return 0;
}

void container_user_done(struct container_user *u) {
        if (!u)
                return;
        free(u->additional_gids);
        free(u->home);
        *u = (struct container_user) { 0 };
}

static void user_file_done(struct user_file *f) {
        free(f->data);
}

int container_user_resolve(int rootfs_fd, const char *user, char *const *group_add, struct container_user *ret,
                           berth_error *err) {
        _cleanup_(user_file_done) struct user_file passwd = { 0 }, group = { 0 };
        _cleanup_(container_user_done) struct container_user u = { 0 };
        _cleanup_free_ char *spec = xstrdup(user ? user : "");
        _cleanup_free_ uint32_t *sgids = NULL;
        size_t n_sgids = 0;
        struct id_arg ua, ga;
        struct pw_entry pw = { 0 };
        bool matched;
        int r;

        char *colon = strchr(spec, ':');
        if (colon)
                *colon++ = '\0';
        r = parse_arg(spec, &ua, err);
        if (r >= 0)
                r = parse_arg(colon ? colon : "", &ga, err);
        if (r >= 0)
                r = load_file(rootfs_fd, "/etc/passwd", &passwd, err);
        if (r >= 0)
                r = load_file(rootfs_fd, "/etc/group", &group, err);
        if (r < 0)
                return r;

        matched = find_passwd(&passwd, &ua, &pw);
        if (matched) {
                u.uid = pw.uid;
                u.gid = pw.gid;
                u.home = pw.home.n > 0 ? xstrndup(pw.home.p, pw.home.n) : NULL;
        } else if (ua.name && !ua.numeric)
                return berth_err(err, -EINVAL, "unable to find user %s: no matching entries in passwd file", ua.name);
        else
                u.uid = ua.id;
        if (!u.home)
                u.home = xstrdup("/");

        if (ga.name) {
                if (!scan_groups(&group, &ga, pw.name, &u.gid, NULL, NULL)) {
                        if (!ga.numeric)
                                return berth_err(err, -EINVAL, "unable to find group %s: no matching entries in group file",
                                                 ga.name);
                        u.gid = ga.id;
                }
        } else if (matched && pw.name.n > 0)
                scan_groups(&group, NULL, pw.name, NULL, &sgids, &n_sgids);

        append_gid(&u, u.gid);
        for (size_t i = 0; i < n_sgids; i++)
                append_gid(&u, sgids[i]);
        r = add_groups(&group, group_add, &u, err);
        if (r < 0)
                return r;
        dedup_gids(&u);
        *ret = u;
        u = (struct container_user) { 0 };
        return 0;
}
