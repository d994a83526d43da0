/* Spooling an incoming image archive: every member read once from the stream, checked
 * for names that lead out, and kept in memory or in ROOT/tmp until it is used. */
#include "archive-spool.h"


#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive-api.h"
#include "berth/alloc.h"
#include "berth/fileio.h"
#include "berth/path.h"
#include "image-store.h"

#define BUF_SIZE (64 * 1024)
#define SMALL_MAX (256u * 1024)       /* members up to this stay in memory... */
#define MEMORY_MAX (16u << 20)        /* ...while all of them stay below this */
#define MEMBERS_MAX 100000
#define LINK_HOPS 16

/* "a/./b//c" -> "a/b/c"; "" is the root. -EBADMSG for an absolute name, or (unless
 * `climb`) any "..", or a ".." above the root. */
static int normalize(const char *name, bool climb, char **ret) {
        _cleanup_free_ char *copy = xstrdup(name);
        _cleanup_free_ char *out = xnew0(char, strlen(name) + 1);
        size_t len = 0;
        char *save = NULL;

        if (name[0] == '/')
                return -EBADMSG;
        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (strcmp(c, ".") == 0)
                        continue;
                if (strcmp(c, "..") == 0) {
                        char *slash = strrchr(out, '/');
                        if (!climb || len == 0)
                                return -EBADMSG;
                        len = slash ? (size_t) (slash - out) : 0;
                        out[len] = '\0';
                        continue;
                }
                len += (size_t) sprintf(out + len, "%s%s", len ? "/" : "", c);
        }
        *ret = TAKE_PTR(out);
        return 0;
}

struct input {
        berth_read_fn read;
        void *cls;
        unsigned char *buf;
        int error;
};

static la_ssize_t input_cb(struct archive *a, void *cls, const void **buf) {
        struct input *in = cls;
        ssize_t n = in->read(in->cls, in->buf, BUF_SIZE);
        if (n < 0) {
                in->error = (int) n;
                archive_set_error(a, (int) -n, "reading the archive failed");
                return ARCHIVE_FATAL;
        }
        *buf = in->buf;
        return n;
}

static int archive_failure(struct archive *a, struct input *in, berth_error *err) {
        if (in->error)
                return berth_err_errno(err, in->error, "reading the image archive failed");
        return berth_err(err, -EBADMSG, "the image archive is not a valid tar: %s",
                         archive_error_string(a) ? archive_error_string(a) : "unknown error");
}

static int keep_in_memory(struct spool_member *m, struct archive *a, struct input *in, size_t size,
                          berth_error *err) {
        size_t got = 0;
        m->data = xmalloc(size + 1);
        while (got < size) {
                la_ssize_t n = archive_read_data(a, m->data + got, size - got);
                if (n < 0)
                        return archive_failure(a, in, err);
                if (n == 0)
                        break;
                got += (size_t) n;
        }
        m->data[got] = '\0';
        m->size = got;
        return 0;
}

static int keep_on_disk(struct archive_spool *s, struct spool_member *m, struct archive *a, struct input *in,
                        berth_error *err) {
        _cleanup_free_ char *buf = xmalloc(BUF_SIZE);
        _cleanup_close_ int fd = -1;

        m->file = xasprintf("%s/%zu", s->dir, s->n_members);
        fd = open(m->file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
                return berth_err_errno(err, -errno, "cannot create %s", m->file);
        for (;;) {
                la_ssize_t n = archive_read_data(a, buf, BUF_SIZE);
                if (n < 0)
                        return archive_failure(a, in, err);
                if (n == 0)
                        break;
                for (la_ssize_t done = 0; done < n;) {
                        ssize_t w = write(fd, buf + done, (size_t) (n - done));
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0)
                                return berth_err_errno(err, -errno, "cannot write %s", m->file);
                        done += w;
                }
                m->size += (size_t) n;
        }
        return 0;
}

static int refused(const char *what, const char *name, berth_error *err) {
        return berth_err(err, -EBADMSG, "archive member %s is refused: %s", name, what);
}

static int add_member(struct archive_spool *s, struct archive *a, struct archive_entry *entry, struct input *in,
                      berth_error *err) {
        const char *path = archive_entry_pathname(entry), *target;
        struct spool_member m = { 0 };
        int rc;

        if (!path)
                return berth_err(err, -EBADMSG, "an archive member's name cannot be read");
        if (normalize(path, false, &m.name) < 0)
                return refused("its name is absolute or leads out of the archive", path, err);
        if (!*m.name || (!archive_entry_hardlink(entry) && archive_entry_filetype(entry) != AE_IFREG &&
                         archive_entry_filetype(entry) != AE_IFLNK)) {
                free(m.name);   /* directories (and anything else) hold nothing we read */
                return 0;
        }
        if (s->n_members >= MEMBERS_MAX) {
                free(m.name);
                return berth_err(err, -E2BIG, "the image archive has more than %d members", MEMBERS_MAX);
        }
        if ((target = archive_entry_hardlink(entry))) {
                if (normalize(target, false, &m.link) < 0)
                        rc = refused("its link target leads out of the archive", path, err);
                else
                        rc = 0;
        } else if (archive_entry_filetype(entry) == AE_IFLNK) {
                target = archive_entry_symlink(entry);
                const char *slash = strrchr(m.name, '/');
                _cleanup_free_ char *joined = target && target[0] != '/'
                                                      ? xasprintf("%.*s%s%s", slash ? (int) (slash - m.name) : 0,
                                                                  m.name, slash ? "/" : "", target)
                                                      : NULL;
                rc = joined && normalize(joined, true, &m.link) >= 0
                             ? 0
                             : refused("its link target leads out of the archive", path, err);
        } else {
                size_t size = archive_entry_size_is_set(entry) ? (size_t) archive_entry_size(entry) : SIZE_MAX;
                if (size <= SMALL_MAX && s->in_memory + size <= MEMORY_MAX) {
                        rc = keep_in_memory(&m, a, in, size, err);
                        s->in_memory += m.size;
                } else
                        rc = keep_on_disk(s, &m, a, in, err);
        }
        s->members = xrealloc(s->members, (s->n_members + 1) * sizeof(*s->members));
        s->members[s->n_members++] = m;   /* even when failed: freed with the spool */
        return rc;
}

int archive_spool_read(berth_engine *e, berth_read_fn read, void *cls, struct archive_spool *ret,
                       berth_error *err) {
        _cleanup_free_ unsigned char *buf = xmalloc(BUF_SIZE);
        struct archive_spool s = { 0 };
        struct input in = { .read = read, .cls = cls, .buf = buf };
        struct archive *a = NULL;
        struct archive_entry *entry;
        int rc = layer_tmp_mkdtemp(e, "archive", &s.dir, err);

        if (rc < 0)
                return rc;
        a = archive_read_new();
        if (!a)
                abort();
        archive_read_support_filter_gzip(a);
        archive_read_support_filter_bzip2(a);
        archive_read_support_filter_xz(a);
        archive_read_support_filter_zstd(a);
        archive_read_support_format_tar(a);
        if (archive_read_open2(a, &in, NULL, input_cb, NULL, NULL) != ARCHIVE_OK)
                rc = archive_failure(a, &in, err);
        while (rc >= 0) {
                int r = archive_read_next_header(a, &entry);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN)
                        rc = archive_failure(a, &in, err);
                else
                        rc = add_member(&s, a, entry, &in, err);
        }
        archive_read_free(a);
        if (rc < 0) {
                archive_spool_done(&s);
                return rc;
        }
        *ret = s;
        return 0;
}

void archive_spool_done(struct archive_spool *s) {
        for (size_t i = 0; i < s->n_members; i++) {
                free(s->members[i].name);
                free(s->members[i].link);
                free(s->members[i].data);
                free(s->members[i].file);
        }
        free(s->members);
        if (s->dir)
                berth_rm_rf(s->dir, NULL);
        free(s->dir);
        *s = (struct archive_spool) { 0 };
}

const struct spool_member *archive_spool_find(const struct archive_spool *s, const char *name) {
        _cleanup_free_ char *want = NULL;
        if (normalize(name, false, &want) < 0)
                return NULL;
        for (int hops = 0; hops < LINK_HOPS; hops++) {
                const struct spool_member *m = NULL;
                /* The last of equal names wins, as when a tar is extracted. */
                for (size_t i = s->n_members; i-- > 0 && !m;)
                        if (strcmp(s->members[i].name, want) == 0)
                                m = &s->members[i];
                if (!m || !m->link)
                        return m;
                free(want);
                want = xstrdup(m->link);
        }
        return NULL;
}

int archive_spool_slurp(const struct archive_spool *s, const char *name, size_t max, char **ret_data,
                        size_t *ret_size, berth_error *err) {
        const struct spool_member *m = archive_spool_find(s, name);
        if (!m)
                return berth_err(err, -ENOENT, "the archive has no %s", name);
        if (m->size > max)
                return berth_err(err, -EFBIG, "%s in the archive is larger than %zu bytes", name, max);
        if (m->file)
                return berth_read_file(m->file, max, ret_data, ret_size, err);
        *ret_data = xmalloc(m->size + 1);
        memcpy(*ret_data, m->data, m->size + 1);
        *ret_size = m->size;
        return 0;
}

int archive_spool_open(const struct archive_spool *s, const char *name, struct spool_reader *ret,
                       berth_error *err) {
        const struct spool_member *m = archive_spool_find(s, name);
        if (!m)
                return berth_err(err, -ENOENT, "the archive has no %s", name);
        *ret = (struct spool_reader) { .member = m, .fd = -1 };
        if (m->file && (ret->fd = open(m->file, O_RDONLY | O_CLOEXEC)) < 0)
                return berth_err_errno(err, -errno, "cannot open %s", m->file);
        return 0;
}

ssize_t spool_reader_read(void *reader, void *buf, size_t max) {
        struct spool_reader *r = reader;
        if (r->fd < 0) {
                size_t n = r->member->size - r->offset < max ? r->member->size - r->offset : max;
                memcpy(buf, r->member->data + r->offset, n);
                r->offset += n;
                return (ssize_t) n;
        }
        for (;;) {
                ssize_t n = read(r->fd, buf, max);
                if (n < 0 && errno == EINTR)
                        continue;
                return n < 0 ? -errno : n;
        }
}

void spool_reader_done(struct spool_reader *r) {
        r->fd = safe_close(r->fd);
}
