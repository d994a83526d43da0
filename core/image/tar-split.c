/* The tar-split recorder (a streaming tar parser that keeps all but file contents) and
 * the assembler that rebuilds the tar from a record and the unpacked layer. */
#include "tar-split.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "archive-api.h"
#include "berth/alloc.h"
#include "berth/cleanup.h"

#define BLOCK 512
#define RAW_FLUSH (64 * 1024)
#define COPY_BUF (64 * 1024)
#define META_MAX (1u << 20)   /* pax and GNU long-name members */
#define PATH_RECORD_MAX 65536

/* Records of the (decompressed) file: bytes to write as they are, or a file's contents
 * to read from the layer. Integers are little-endian. */
#define REC_RAW 'R'    /* u32 length, the bytes */
#define REC_FILE 'F'   /* u64 size, u32 path length, the path */

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive_entry *, archive_entry_free);

enum state { ST_HEADER, ST_META, ST_FILE, ST_RAW, ST_PAD, ST_TRAILER, ST_BROKEN };

struct tar_split_recorder {
        struct archive *out;
        int fd;
        char *path;
        bool finished;
        enum state state;
        unsigned char block[BLOCK];
        size_t block_len;
        uint64_t left, pad;         /* member data still to come, then its padding */
        char meta_type;
        char *meta;
        size_t meta_len;
        char *pax_path, *long_name; /* for the next member */
        uint64_t pax_size;
        bool has_pax_size, sparse;
        unsigned zero_blocks;
        unsigned char *raw;
        size_t raw_len;
        const char *broken;         /* why the tar could not be followed */
};

static void put_le(unsigned char *p, uint64_t v, size_t n) {
        for (size_t i = 0; i < n; i++)
                p[i] = (unsigned char) (v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, size_t n) {
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++)
                v |= (uint64_t) p[i] << (8 * i);
        return v;
}

static void give_up(tar_split_recorder *r, const char *why) {
        if (r->state != ST_BROKEN)
                r->broken = why;
        r->state = ST_BROKEN;
}

static void emit(tar_split_recorder *r, const void *data, size_t size) {
        if (r->state != ST_BROKEN && size && archive_write_data(r->out, data, size) != (la_ssize_t) size)
                give_up(r, "cannot write the tar-split record");
}

static void flush_raw(tar_split_recorder *r) {
        unsigned char head[5] = { REC_RAW };
        if (!r->raw_len)
                return;
        put_le(head + 1, r->raw_len, 4);
        emit(r, head, sizeof(head));
        emit(r, r->raw, r->raw_len);
        r->raw_len = 0;
}

static void add_raw(tar_split_recorder *r, const unsigned char *data, size_t size) {
        while (size > 0) {
                size_t take = RAW_FLUSH - r->raw_len < size ? RAW_FLUSH - r->raw_len : size;
                memcpy(r->raw + r->raw_len, data, take);
                r->raw_len += take;
                data += take, size -= take;
                if (r->raw_len == RAW_FLUSH)
                        flush_raw(r);
        }
}

static void add_file(tar_split_recorder *r, const char *path, uint64_t size) {
        unsigned char head[13] = { REC_FILE };
        size_t len = strlen(path);
        flush_raw(r);
        put_le(head + 1, size, 8);
        put_le(head + 9, len, 4);
        emit(r, head, sizeof(head));
        emit(r, path, len);
}

/* Octal (space or NUL terminated) or base-256, as tar writers use them. */
static bool parse_number(const unsigned char *f, size_t n, uint64_t *ret) {
        uint64_t v = 0;
        size_t i = 0;
        if (f[0] & 0x80) {
                if (f[0] & 0x40)
                        return false;   /* negative */
                v = f[0] & 0x3f;
                for (i = 1; i < n; i++) {
                        if (v > (UINT64_MAX >> 8))
                                return false;
                        v = v << 8 | f[i];
                }
                *ret = v;
                return true;
        }
        while (i < n && (f[i] == ' ' || f[i] == '\t'))
                i++;
        for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
                if (v > (UINT64_MAX >> 3))
                        return false;
                v = v << 3 | (uint64_t) (f[i] - '0');
        }
        if (i < n && f[i] != ' ' && f[i] != '\0')
                return false;
        *ret = v;
        return true;
}

static bool all_zero(const unsigned char *b, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (b[i])
                        return false;
        return true;
}

/* As the unpacker places members: no "." or empty components; ".." or "" is refused. */
static char *normalize(const char *path) {
        _cleanup_free_ char *copy = xstrdup(path);
        char *out = xnew0(char, strlen(path) + 1), *save = NULL;
        size_t len = 0;

        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (strcmp(c, ".") == 0)
                        continue;
                if (strcmp(c, "..") == 0) {
                        free(out);
                        return NULL;
                }
                len += (size_t) sprintf(out + len, "%s%s", len ? "/" : "", c);
        }
        if (!len) {
                free(out);
                return NULL;
        }
        return out;
}

static char *header_name(const unsigned char *b) {
        _cleanup_free_ char *name = xstrndup((const char *) b, 100);
        if (memcmp(b + 257, "ustar\0", 6) == 0 && b[345])
                return xasprintf("%.155s/%s", (const char *) b + 345, name);
        return TAKE_PTR(name);
}

static void clear_pending(tar_split_recorder *r) {
        free(r->pax_path);
        free(r->long_name);
        r->pax_path = r->long_name = NULL;
        r->has_pax_size = r->sparse = false;
}

static void parse_pax(tar_split_recorder *r) {
        const char *p = r->meta, *end = r->meta + r->meta_len;
        while (p < end) {
                char *num_end;
                unsigned long len = strtoul(p, &num_end, 10);
                const char *rec_end = p + len, *key = num_end + 1, *eq;
                if (num_end == p || *num_end != ' ' || len > (size_t) (end - p) || key >= rec_end ||
                    rec_end[-1] != '\n') {
                        give_up(r, "a pax header is malformed");
                        return;
                }
                eq = memchr(key, '=', (size_t) (rec_end - key));
                if (!eq) {
                        give_up(r, "a pax header record has no '='");
                        return;
                }
                size_t key_len = (size_t) (eq - key), value_len = (size_t) (rec_end - 1 - (eq + 1));
                if (key_len == 4 && memcmp(key, "path", 4) == 0) {
                        free(r->pax_path);
                        r->pax_path = xstrndup(eq + 1, value_len);
                } else if (key_len == 4 && memcmp(key, "size", 4) == 0) {
                        _cleanup_free_ char *v = xstrndup(eq + 1, value_len);
                        char *e;
                        errno = 0;
                        r->pax_size = strtoull(v, &e, 10);
                        if (errno || *e || !*v) {
                                give_up(r, "a pax size is malformed");
                                return;
                        }
                        r->has_pax_size = true;
                } else if (key_len > 11 && memcmp(key, "GNU.sparse.", 11) == 0)
                        r->sparse = true;
                p = rec_end;
        }
}

static void meta_done(tar_split_recorder *r) {
        r->meta[r->meta_len] = '\0';
        if (r->meta_type == 'L') {
                free(r->long_name);
                r->long_name = xstrndup(r->meta, r->meta_len);
        } else if (r->meta_type == 'x' || r->meta_type == 'X')
                parse_pax(r);
        /* 'g' (global pax) and 'K' (long link name) say nothing about where data is. */
}

static void member(tar_split_recorder *r, char type, uint64_t size) {
        _cleanup_free_ char *name = header_name(r->block), *norm = NULL;
        const char *path = r->long_name ? r->long_name : r->pax_path ? r->pax_path : name;

        if (r->has_pax_size)
                size = r->pax_size;
        r->left = size;
        r->pad = (BLOCK - size % BLOCK) % BLOCK;
        r->state = ST_RAW;
        if (size > 0 && (!(type == '0' || type == '\0' || type == '7') || r->sparse))
                give_up(r, "a member other than a plain file carries data");
        else if (size > 0 && !(norm = normalize(path)))
                give_up(r, "a member name is not a relative path");
        else if (size > 0) {
                const char *base = strrchr(norm, '/');
                base = base ? base + 1 : norm;
                /* A whiteout's data (should it have any) is not on disk: keep it. */
                if (strncmp(base, ".wh.", 4) != 0) {
                        add_file(r, norm, size);
                        r->state = ST_FILE;
                }
        }
        clear_pending(r);
}

static void on_header(tar_split_recorder *r) {
        char type = (char) r->block[156];
        uint64_t size;

        if (all_zero(r->block, BLOCK)) {
                if (++r->zero_blocks >= 2)
                        r->state = ST_TRAILER;   /* everything after the end is kept as is */
                return;
        }
        r->zero_blocks = 0;
        if (!parse_number(r->block + 124, 12, &size)) {
                give_up(r, "a member's size field is malformed");
                return;
        }
        if (type == 'x' || type == 'X' || type == 'g' || type == 'L' || type == 'K') {
                if (size > META_MAX) {
                        give_up(r, "a metadata member is too large");
                        return;
                }
                r->meta_type = type;
                r->meta = xrealloc(r->meta, (size_t) size + 1);
                r->meta_len = 0;
                r->left = size;
                r->pad = (BLOCK - size % BLOCK) % BLOCK;
                r->state = ST_META;
                return;
        }
        member(r, type, size);
}

/* Moves past states with nothing left to read. */
static void settle(tar_split_recorder *r) {
        for (;;) {
                if (r->state == ST_META && r->left == 0) {
                        r->state = ST_PAD;
                        meta_done(r);
                } else if ((r->state == ST_FILE || r->state == ST_RAW) && r->left == 0)
                        r->state = ST_PAD;
                else if (r->state == ST_PAD && r->pad == 0)
                        r->state = ST_HEADER;
                else
                        return;
        }
}

void tar_split_feed(tar_split_recorder *r, const void *data, size_t size) {
        const unsigned char *p = data;

        while (size > 0 && r->state != ST_BROKEN) {
                size_t take = size;
                switch (r->state) {
                case ST_TRAILER:
                        add_raw(r, p, size);
                        break;
                case ST_HEADER:
                        take = BLOCK - r->block_len < size ? BLOCK - r->block_len : size;
                        memcpy(r->block + r->block_len, p, take);
                        r->block_len += take;
                        if (r->block_len == BLOCK) {
                                r->block_len = 0;
                                add_raw(r, r->block, BLOCK);
                                on_header(r);
                        }
                        break;
                case ST_META:
                        take = r->left < size ? (size_t) r->left : size;
                        memcpy(r->meta + r->meta_len, p, take);
                        r->meta_len += take;
                        add_raw(r, p, take);
                        r->left -= take;
                        break;
                case ST_FILE:
                        take = r->left < size ? (size_t) r->left : size;
                        r->left -= take;
                        break;
                case ST_RAW:
                        take = r->left < size ? (size_t) r->left : size;
                        add_raw(r, p, take);
                        r->left -= take;
                        break;
                case ST_PAD:
                        take = r->pad < size ? (size_t) r->pad : size;
                        add_raw(r, p, take);
                        r->pad -= take;
                        break;
                case ST_BROKEN:
                        return;
                }
                p += take, size -= take;
                settle(r);
        }
}

int tar_split_recorder_new(const char *path, tar_split_recorder **ret, berth_error *err) {
        _cleanup_(tar_split_recorder_freep) tar_split_recorder *r = xnew0(tar_split_recorder, 1);
        _cleanup_(archive_entry_freep) struct archive_entry *e = NULL;

        r->path = xstrdup(path);
        r->raw = xmalloc(RAW_FLUSH);
        r->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (r->fd < 0)
                return berth_err_errno(err, -errno, "cannot create %s", path);
        r->out = archive_write_new();
        if (!r->out)
                abort();
        archive_write_add_filter_gzip(r->out);
        archive_write_set_format_raw(r->out);
        archive_write_set_bytes_in_last_block(r->out, 1);
        e = archive_entry_new();
        archive_entry_set_pathname(e, "tar-split");
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0600);
        if (archive_write_open_fd(r->out, r->fd) != ARCHIVE_OK || archive_write_header(r->out, e) != ARCHIVE_OK)
                return berth_err(err, -EIO, "cannot write %s: %s", path, archive_error_string(r->out));
        *ret = TAKE_PTR(r);
        return 0;
}

int tar_split_recorder_finish(tar_split_recorder *r, berth_error *err) {
        settle(r);
        if (r->state != ST_BROKEN && r->state != ST_TRAILER && !(r->state == ST_HEADER && r->block_len == 0))
                give_up(r, "the tar ends inside a member");
        flush_raw(r);
        if (r->state == ST_BROKEN)
                return berth_err(err, -EBADMSG, "%s", r->broken);
        if (archive_write_close(r->out) != ARCHIVE_OK)
                return berth_err(err, -EIO, "cannot write %s: %s", r->path, archive_error_string(r->out));
        r->finished = true;
        return 0;
}

tar_split_recorder *tar_split_recorder_free(tar_split_recorder *r) {
        if (!r)
                return NULL;
        if (r->out)
                archive_write_free(r->out);
        safe_close(r->fd);
        if (!r->finished && r->path)
                unlink(r->path);
        clear_pending(r);
        free(r->meta);
        free(r->raw);
        free(r->path);
        free(r);
        return NULL;
}

/* ---- reading a record back ---- */

struct reader {
        struct archive *a;
        int fd;
        const char *path;
};

static void reader_done(struct reader *r) {
        if (r->a)
                archive_read_free(r->a);
        safe_close(r->fd);
}

static int reader_open(const char *path, struct reader *r, berth_error *err) {
        struct archive_entry *e;
        *r = (struct reader) { .fd = open(path, O_RDONLY | O_CLOEXEC), .path = path };
        if (r->fd < 0)
                return berth_err_errno(err, -errno, "cannot open %s", path);
        r->a = archive_read_new();
        if (!r->a)
                abort();
        archive_read_support_filter_gzip(r->a);
        archive_read_support_format_raw(r->a);
        if (archive_read_open_fd(r->a, r->fd, COPY_BUF) != ARCHIVE_OK ||
            archive_read_next_header(r->a, &e) != ARCHIVE_OK)
                return berth_err(err, -EBADMSG, "cannot read %s: %s", path, archive_error_string(r->a));
        return 0;
}

/* 1 when n bytes were read, 0 at a clean end (nothing read), -EBADMSG otherwise. */
static int read_exact(struct reader *r, void *buf, size_t n, berth_error *err) {
        size_t got = 0;
        while (got < n) {
                la_ssize_t k = archive_read_data(r->a, (char *) buf + got, n - got);
                if (k < 0)
                        return berth_err(err, -EBADMSG, "cannot read %s: %s", r->path, archive_error_string(r->a));
                if (k == 0)
                        break;
                got += (size_t) k;
        }
        if (got == n)
                return 1;
        if (got == 0)
                return 0;
        return berth_err(err, -EBADMSG, "%s is truncated", r->path);
}

struct record {
        char kind;
        uint64_t size;      /* bytes of the tar it stands for */
        char path[PATH_RECORD_MAX + 1];
};

/* The next record's head (a raw record's bytes follow); 0 at the end. */
static int next_record(struct reader *r, struct record *rec, berth_error *err) {
        unsigned char head[12];
        uint32_t len;
        int rc = read_exact(r, &rec->kind, 1, err);

        if (rc <= 0)
                return rc;
        if (rec->kind == REC_RAW) {
                rc = read_exact(r, head, 4, err);
                rec->size = get_le(head, 4);
        } else if (rec->kind == REC_FILE) {
                rc = read_exact(r, head, 12, err);
                rec->size = get_le(head, 8);
                len = (uint32_t) get_le(head + 8, 4);
                if (rc > 0 && (len == 0 || len > PATH_RECORD_MAX))
                        return berth_err(err, -EBADMSG, "%s is damaged", r->path);
                if (rc > 0)
                        rc = read_exact(r, rec->path, len, err);
                rec->path[rc > 0 ? len : 0] = '\0';
        } else
                return berth_err(err, -EBADMSG, "%s is damaged", r->path);
        if (rc == 0)
                return berth_err(err, -EBADMSG, "%s is truncated", r->path);
        return rc;
}

static int skip(struct reader *r, uint64_t n, unsigned char *buf, berth_error *err) {
        while (n > 0) {
                size_t take = n < COPY_BUF ? (size_t) n : COPY_BUF;
                int rc = read_exact(r, buf, take, err);
                if (rc <= 0)
                        return rc < 0 ? rc : berth_err(err, -EBADMSG, "%s is truncated", r->path);
                n -= take;
        }
        return 0;
}

int tar_split_size(const char *path, uint64_t *ret_size, berth_error *err) {
        _cleanup_(reader_done) struct reader r = { .fd = -1 };
        _cleanup_free_ unsigned char *buf = xmalloc(COPY_BUF);
        _cleanup_free_ struct record *rec = xmalloc(sizeof(*rec));
        uint64_t total = 0;
        int rc = reader_open(path, &r, err);

        while (rc >= 0 && (rc = next_record(&r, rec, err)) > 0) {
                total += rec->size;
                if (rec->kind == REC_RAW)
                        rc = skip(&r, rec->size, buf, err);
        }
        if (rc < 0)
                return rc;
        *ret_size = total;
        return 0;
}

static int open_beneath(int dir_fd, const char *path) {
        struct open_how how = {
                .flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
        };
        long fd = syscall(SYS_openat2, dir_fd, path, &how, sizeof(how));
        return fd < 0 ? -errno : (int) fd;
}

struct sink {
        berth_write_fn write;
        void *cls;
        berth_hasher *hash;
};

static int put(struct sink *s, const void *buf, size_t n, berth_error *err) {
        int rc = s->write(s->cls, buf, n);
        if (rc < 0)
                return berth_err_errno(err, rc, "cannot write the layer tar");
        berth_hasher_update(s->hash, buf, n);
        return 0;
}

static int copy_raw(struct reader *r, struct sink *s, uint64_t n, unsigned char *buf, berth_error *err) {
        while (n > 0) {
                size_t take = n < COPY_BUF ? (size_t) n : COPY_BUF;
                int rc = read_exact(r, buf, take, err);
                if (rc == 0)
                        rc = berth_err(err, -EBADMSG, "%s is truncated", r->path);
                if (rc < 0 || (rc = put(s, buf, take, err)) < 0)
                        return rc;
                n -= take;
        }
        return 0;
}

static int copy_file(int dir_fd, const char *dir, const struct record *rec, struct sink *s, unsigned char *buf,
                     berth_error *err) {
        _cleanup_close_ int fd = open_beneath(dir_fd, rec->path);
        struct stat st;
        uint64_t left = rec->size;

        if (fd < 0)
                return berth_err_errno(err, fd, "cannot open %s in layer %s", rec->path, dir);
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t) st.st_size != rec->size)
                return berth_err(err, -EBADMSG, "%s in layer %s is not the file the layer's tar held", rec->path,
                                 dir);
        while (left > 0) {
                ssize_t n = read(fd, buf, left < COPY_BUF ? (size_t) left : COPY_BUF);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? berth_err_errno(err, -errno, "cannot read %s in layer %s", rec->path, dir)
                                     : berth_err(err, -EBADMSG, "%s in layer %s got shorter", rec->path, dir);
                int rc = put(s, buf, (size_t) n, err);
                if (rc < 0)
                        return rc;
                left -= (uint64_t) n;
        }
        return 0;
}

int tar_split_assemble(const char *path, const char *dir, berth_write_fn write, void *cls,
                       char ret_diff_id[BERTH_DIGEST_MAX], berth_error *err) {
        _cleanup_(reader_done) struct reader r = { .fd = -1 };
        _cleanup_(berth_hasher_freep) berth_hasher *hash = NULL;
        _cleanup_free_ unsigned char *buf = xmalloc(COPY_BUF);
        _cleanup_free_ struct record *rec = xmalloc(sizeof(*rec));
        _cleanup_close_ int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct sink s = { .write = write, .cls = cls };
        int rc;

        if (dir_fd < 0)
                return berth_err_errno(err, -errno, "cannot open layer directory %s", dir);
        rc = berth_hasher_new("sha256", &hash, err);
        if (rc >= 0)
                rc = reader_open(path, &r, err);
        s.hash = hash;
        while (rc >= 0 && (rc = next_record(&r, rec, err)) > 0)
                rc = rec->kind == REC_RAW ? copy_raw(&r, &s, rec->size, buf, err)
                                          : copy_file(dir_fd, dir, rec, &s, buf, err);
        if (rc < 0)
                return rc;
        berth_hasher_final(hash, ret_diff_id);
        return 0;
}
