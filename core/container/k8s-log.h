/* conmon's k8s-file container log: record parsing and a filtered, tail-aware reader that a
 * follower can call again from where it stopped. Internal. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "berth/error.h"

/* One record: `TIMESTAMP STREAM TAG DATA`. conmon (src/ctr_logging.c) writes TAG F for
 * data that ended in a newline (the newline is the record's own terminator, so `data`
 * holds the line without it) and P for output that did not (the next record of the same
 * stream continues it; a consumer adds no newline after P data). */
struct k8s_log_line {
        int64_t time_ns;   /* nanoseconds since the epoch, UTC */
        bool is_stderr;
        bool partial;      /* TAG P */
        const char *data;  /* points into the parsed line; not NUL-terminated */
        size_t size;
};

/* Parses one record given without its trailing newline. The timestamp is RFC 3339 with an
 * optional 1-9 digit fraction and a `Z` or `+HH:MM`/`-HH:MM` offset (conmon writes the
 * host's local offset, e.g. +02:00; Podman reads it with time.RFC3339Nano); it is
 * converted to UTC. -EINVAL for anything else: a bad or out-of-range timestamp, a stream
 * other than stdout/stderr, a tag other than F/P, a missing field or separator. */
int k8s_log_parse(const char *line, size_t size, struct k8s_log_line *ret);

struct k8s_log_options {
        bool out, err;     /* deliver stdout / stderr records */
        /* 0 = no bound. As Docker (daemon/logger/loggerutils/logfile.go): records with
         * time < since_ns are skipped, and the first record with time > until_ns ends the
         * read; both bounds are inclusive. */
        int64_t since_ns, until_ns;
        /* -1 = everything; N >= 0 = start at the last N lines of the range, counted before
         * the stream and time filters as Docker does. A line is a run of P records ended
         * by an F record; P records at the end with no F yet count as one line. */
        long tail;
};

/* Called for every record that passes the filters; `l->data` is valid during the call
 * only. A negative return stops the read and is returned by it (*err is not touched: the
 * callback reports its own failure). */
typedef int (*k8s_log_fn)(void *cls, const struct k8s_log_line *l);

/* k8s_log_read_from() returns this when a record newer than until_ns ended the read
 * (a follower stops then); 0 means the end of the file was reached. */
#define K8S_LOG_UNTIL 1

/* Reads the log from byte `start` to its end with pread() (the fd's own offset is
 * neither used nor moved) and calls `fn` for each record passing `o` (NULL = all
 * records). Malformed lines are skipped, and so is an incomplete last line without a
 * newline (conmon may be writing it). On return >= 0, *ret_end is the offset just after
 * the last complete line consumed (or, for K8S_LOG_UNTIL, the start of the record that
 * ended the read): a follower calls again with start = *ret_end and tail = -1. Tail is
 * found by scanning backwards from the end in blocks. A file shorter than `start`
 * (truncated or replaced) reads nothing and leaves *ret_end = start. */
int k8s_log_read_from(int fd, off_t start, const struct k8s_log_options *o, k8s_log_fn fn, void *cls,
                      off_t *ret_end, berth_error *err);

/* k8s_log_read_from(fd, 0, ...): the whole log. */
int k8s_log_read(int fd, const struct k8s_log_options *o, k8s_log_fn fn, void *cls, off_t *ret_end,
                 berth_error *err);
