/* A queue of JSON lines from a worker thread to a streamed reply (pull and push
 * progress). Shared by the worker and the reply; the last to let go frees it. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

struct progress_stream;

struct progress_stream *progress_new(void);
/* Appends the line (taking ownership of `line`) and wakes the reader. */
void progress_push(struct progress_stream *ps, json_t *line);
/* The worker is done; the reader ends after the queued lines. */
void progress_finish(struct progress_stream *ps);
void progress_ref(struct progress_stream *ps);
void progress_unref(void *ps);

/* Blocks until the first line or the end; true when a line came (the reply can be a
 * 200 stream), false when the worker finished silently (reply with its error). */
bool progress_wait_first(struct progress_stream *ps);

/* Whether any line was pushed yet; never blocks. */
bool progress_any(struct progress_stream *ps);

/* For reply_stream(): wakes the reply when lines arrive. */
struct stream_waker *progress_waker(struct progress_stream *ps);

/* A stream_read_fn: the queued lines, 0 when there are none yet, -1 after the last. */
ssize_t progress_read(void *ps, char *buf, size_t max);
