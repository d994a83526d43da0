/* conmon's k8s-file log: record parsing, the backward tail scan and the filtered forward
 * reader. */
#include "k8s-log.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

#define NSEC_PER_SEC 1000000000LL
/* The first read chunk, the backward scan block, and the longest line the reader keeps
 * (conmon writes at most its 8 KiB buffer per record; longer lines are not conmon's). */
#define READ_CHUNK (64 * 1024)
#define MAX_LINE (1024 * 1024)
/* Longest valid header: 35-byte timestamp, " stderr", " F", " ". */
#define HEADER_MAX 64

/* Reads exactly `n` decimal digits. */
static bool digits(const char **p, const char *end, int n, int *ret) {
        int v = 0;

        if (end - *p < n)
                return false;
        for (int i = 0; i < n; i++) {
                char c = (*p)[i];
                if (c < '0' || c > '9')
                        return false;
                v = v * 10 + (c - '0');
        }
        *p += n;
        *ret = v;
        return true;
}

static bool expect_char(const char **p, const char *end, char c) {
        if (*p >= end || **p != c)
                return false;
        (*p)++;
        return true;
}

static bool leap_year(int y) {
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m) {
        static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil). */
static int64_t days_from_civil(int y, int m, int d) {
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        int64_t yoe = y - era * 400;
        int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
}

/* Fraction of 1-9 digits after '.', as nanoseconds. */
static bool fraction(const char **p, const char *end, int64_t *ret_ns) {
        int64_t ns = 0;
        int n = 0;

        while (*p < end && **p >= '0' && **p <= '9' && n < 9) {
                ns = ns * 10 + (**p - '0');
                (*p)++;
                n++;
        }
        if (n == 0 || (*p < end && **p >= '0' && **p <= '9'))
                return false;
        for (; n < 9; n++)
                ns *= 10;
        *ret_ns = ns;
        return true;
}

/* `Z`, or `+HH:MM` / `-HH:MM`, as seconds east of UTC. */
static bool zone(const char **p, const char *end, int *ret_off) {
        int sign, h, m;

        if (*p < end && **p == 'Z') {
                (*p)++;
                *ret_off = 0;
                return true;
        }
        if (*p >= end || (**p != '+' && **p != '-'))
                return false;
        sign = **p == '-' ? -1 : 1;
        (*p)++;
        if (!digits(p, end, 2, &h) || !expect_char(p, end, ':') || !digits(p, end, 2, &m) || h > 23 || m > 59)
                return false;
        *ret_off = sign * (h * 3600 + m * 60);
        return true;
}

static int parse_timestamp(const char **p, const char *end, int64_t *ret_ns) {
        int y, mo, d, h, mi, s, off;
        int64_t frac = 0, secs, ns;

        if (!digits(p, end, 4, &y) || !expect_char(p, end, '-') || !digits(p, end, 2, &mo) ||
            !expect_char(p, end, '-') || !digits(p, end, 2, &d) || !expect_char(p, end, 'T') ||
            !digits(p, end, 2, &h) || !expect_char(p, end, ':') || !digits(p, end, 2, &mi) ||
            !expect_char(p, end, ':') || !digits(p, end, 2, &s))
                return -EINVAL;
        if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59)
                return -EINVAL;
        if (*p < end && **p == '.') {
                (*p)++;
                if (!fraction(p, end, &frac))
                        return -EINVAL;
        }
        if (!zone(p, end, &off))
                return -EINVAL;
        secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - off;
        /* int64 nanoseconds span the years 1677-2262. */
        if (__builtin_mul_overflow(secs, NSEC_PER_SEC, &ns) || __builtin_add_overflow(ns, frac, &ns))
                return -EINVAL;
        *ret_ns = ns;
        return 0;
}

/* Matches `word` followed by a space. */
static bool field(const char **p, const char *end, const char *word) {
        size_t n = strlen(word);
        if ((size_t) (end - *p) < n + 1 || memcmp(*p, word, n) != 0 || (*p)[n] != ' ')
                return false;
        *p += n + 1;
        return true;
}

int k8s_log_parse(const char *line, size_t size, struct k8s_log_line *ret) {
        const char *p = line, *end = line + size;
        struct k8s_log_line l = { 0 };

        if (parse_timestamp(&p, end, &l.time_ns) < 0 || !expect_char(&p, end, ' '))
                return -EINVAL;
        if (field(&p, end, "stderr"))
                l.is_stderr = true;
        else if (!field(&p, end, "stdout"))
                return -EINVAL;
        if (field(&p, end, "P"))
                l.partial = true;
        else if (!field(&p, end, "F"))
                return -EINVAL;
        l.data = p;
        l.size = (size_t) (end - p);
        *ret = l;
        return 0;
}

static int pread_full(int fd, void *buf, size_t size, off_t off, size_t *ret_n) {
        size_t done = 0;

        while (done < size) {
                ssize_t n = pread(fd, (char *) buf + done, size - done, off + (off_t) done);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                done += (size_t) n;
        }
        *ret_n = done;
        return 0;
}

/* Backward scan state: one block of the file in memory. */
struct rscan {
        int fd;
        char *buf;
        off_t buf_off;
        size_t buf_len;
};

/* Parses the header of the record at [off, off+len) (len without the newline), from the
 * block in memory when it holds it, else with a small pread. */
static int rscan_record(struct rscan *s, off_t off, size_t len, struct k8s_log_line *ret) {
        char head[HEADER_MAX];
        size_t n = len < HEADER_MAX ? len : HEADER_MAX, got = 0;
        const char *p;
        int r;

        if (off >= s->buf_off && off + (off_t) n <= s->buf_off + (off_t) s->buf_len)
                p = s->buf + (off - s->buf_off);
        else {
                r = pread_full(s->fd, head, n, off, &got);
                if (r < 0)
                        return r;
                if (got < n)
                        return -EINVAL;
                p = head;
        }
        /* A valid header is shorter than HEADER_MAX, so a cut data part still parses. */
        return k8s_log_parse(p, n, ret) < 0 ? 0 : 1;
}

/* Counts a record met backwards; returns true when it starts line tail+1 from the end,
 * so that the tail begins right after it. */
static bool tail_boundary(const struct k8s_log_line *l, long tail, long *count, bool *open) {
        bool new_line = !l->partial || !*open;
        *open = true;
        if (!new_line)
                return false;
        if (*count >= tail)
                return true;
        (*count)++;
        return false;
}

/* Finds where the last `tail` lines of [start, size) begin. */
static int tail_start(int fd, off_t start, off_t size, long tail, off_t *ret_off, berth_error *err) {
        _cleanup_free_ char *buf = xmalloc(READ_CHUNK);
        struct rscan s = { .fd = fd, .buf = buf };
        off_t line_end = -1; /* offset of the '\n' ending the record being assembled */
        off_t pos = size;
        long count = 0;
        bool open = false;

        while (pos > start) {
                size_t want = pos - start < READ_CHUNK ? (size_t) (pos - start) : READ_CHUNK, got = 0;
                int r = pread_full(fd, buf, want, pos - (off_t) want, &got);
                if (r < 0)
                        return berth_err_errno(err, r, "cannot read the container log");
                if (got < want) {
                        *ret_off = start; /* truncated under us: read what is left */
                        return 0;
                }
                s.buf_off = pos - (off_t) want;
                s.buf_len = want;
                for (size_t i = want; i-- > 0;) {
                        if (buf[i] != '\n')
                                continue;
                        off_t nl = s.buf_off + (off_t) i;
                        if (line_end >= 0) {
                                struct k8s_log_line l;
                                r = rscan_record(&s, nl + 1, (size_t) (line_end - nl - 1), &l);
                                if (r < 0)
                                        return berth_err_errno(err, r, "cannot read the container log");
                                if (r > 0 && tail_boundary(&l, tail, &count, &open)) {
                                        *ret_off = line_end + 1;
                                        return 0;
                                }
                        }
                        line_end = nl;
                }
                pos = s.buf_off;
        }
        if (line_end >= 0) {
                struct k8s_log_line l;
                int r = rscan_record(&s, start, (size_t) (line_end - start), &l);
                if (r < 0)
                        return berth_err_errno(err, r, "cannot read the container log");
                if (r > 0 && tail_boundary(&l, tail, &count, &open)) {
                        *ret_off = line_end + 1;
                        return 0;
                }
        }
        *ret_off = start;
        return 0;
}

/* Applies the filters to one complete line. Returns 1 to stop at it (until passed). */
static int deliver(const char *line, size_t size, const struct k8s_log_options *o, k8s_log_fn fn, void *cls) {
        struct k8s_log_line l;

        if (k8s_log_parse(line, size, &l) < 0)
                return 0;
        if (o->until_ns != 0 && l.time_ns > o->until_ns)
                return K8S_LOG_UNTIL;
        if (o->since_ns != 0 && l.time_ns < o->since_ns)
                return 0;
        if (l.is_stderr ? !o->err : !o->out)
                return 0;
        int r = fn(cls, &l);
        return r < 0 ? r : 0;
}

/* Forward reader: a growing buffer holding the unconsumed tail of what was read. */
struct fscan {
        char *buf;
        size_t cap, have;
        off_t buf_off;  /* file offset of buf[0] */
        bool skipping;  /* inside a line longer than MAX_LINE: drop it up to its newline */
};

/* Hands every complete line in the buffer to deliver(); keeps the remainder. */
static int fscan_lines(struct fscan *f, const struct k8s_log_options *o, k8s_log_fn fn, void *cls,
                       off_t *consumed) {
        size_t pos = 0;
        char *nl;

        while ((nl = memchr(f->buf + pos, '\n', f->have - pos))) {
                size_t len = (size_t) (nl - (f->buf + pos));
                if (f->skipping)
                        f->skipping = false;
                else {
                        int r = deliver(f->buf + pos, len, o, fn, cls);
                        if (r != 0) {
                                *consumed = f->buf_off + (off_t) pos;
                                return r;
                        }
                }
                pos += len + 1;
                *consumed = f->buf_off + (off_t) pos;
        }
        memmove(f->buf, f->buf + pos, f->have - pos);
        f->have -= pos;
        f->buf_off += (off_t) pos;
        if (f->have == f->cap) {
                if (f->cap < MAX_LINE) {
                        f->cap *= 2;
                        f->buf = xrealloc(f->buf, f->cap);
                } else {
                        f->skipping = true;
                        f->buf_off += (off_t) f->have;
                        f->have = 0;
                }
        }
        return 0;
}

int k8s_log_read_from(int fd, off_t start, const struct k8s_log_options *o, k8s_log_fn fn, void *cls,
                      off_t *ret_end, berth_error *err) {
        static const struct k8s_log_options all = { .out = true, .err = true, .tail = -1 };
        struct fscan f = { .cap = READ_CHUNK };
        _cleanup_free_ char *buf = NULL;
        off_t consumed = start;
        struct stat st;
        int r;

        o = o ? o : &all;
        if (start < 0)
                return berth_err(err, -EINVAL, "invalid container log offset %lld", (long long) start);
        if (fstat(fd, &st) < 0)
                return berth_err_errno(err, -errno, "cannot stat the container log");
        if (st.st_size < start) {
                *ret_end = start;
                return 0;
        }
        f.buf_off = start;
        if (o->tail >= 0) {
                r = tail_start(fd, start, st.st_size, o->tail, &f.buf_off, err);
                if (r < 0)
                        return r;
                consumed = f.buf_off;
        }
        buf = f.buf = xmalloc(f.cap);
        for (;;) {
                ssize_t n = pread(fd, f.buf + f.have, f.cap - f.have, f.buf_off + (off_t) f.have);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return berth_err_errno(err, -errno, "cannot read the container log");
                }
                if (n == 0)
                        break;
                f.have += (size_t) n;
                r = fscan_lines(&f, o, fn, cls, &consumed);
                buf = f.buf; /* may have moved */
                if (r < 0)
                        return r;
                if (r == K8S_LOG_UNTIL) {
                        *ret_end = consumed;
                        return K8S_LOG_UNTIL;
                }
        }
        *ret_end = consumed;
        return 0;
}

int k8s_log_read(int fd, const struct k8s_log_options *o, k8s_log_fn fn, void *cls, off_t *ret_end,
                 berth_error *err) {
        return k8s_log_read_from(fd, 0, o, fn, cls, ret_end, err);
}
