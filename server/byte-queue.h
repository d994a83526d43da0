/* A bounded byte queue from a worker thread to a streamed reply (image save): the worker
 * waits while the queue holds more than its limit, the reply never waits. Shared by
 * both; the last to let go frees it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct byte_queue;

struct byte_queue *byte_queue_new(size_t limit);
void byte_queue_ref(struct byte_queue *q);
void byte_queue_unref(void *q);

/* Worker: appends, waiting while the queue is full; -EPIPE once the reply is gone.
 * A berth_write_fn. */
int byte_queue_write(void *q, const void *data, size_t size);
/* Worker: nothing more comes. A failure (error < 0) cuts the reply short, so the client
 * sees a broken stream rather than a complete-looking one. */
void byte_queue_finish(struct byte_queue *q, int error);

/* Blocks until the first bytes or the end; true when bytes came (the reply can be a
 * 200 stream), false when the worker finished without any (reply with its error). */
bool byte_queue_wait_first(struct byte_queue *q);

/* Reply side, a stream_read_fn: the queued bytes, 0 when there are none yet, then -1
 * at the end or -2 after a failure. */
ssize_t byte_queue_read(void *q, char *buf, size_t max);
/* Reply side: the reply is gone (client left, or done); the worker's writes fail. */
void byte_queue_close(struct byte_queue *q);
struct stream_waker *byte_queue_waker(struct byte_queue *q);
