/* An attached terminal session on a hijacked stream (run, start -a, attach, exec): the
 * 8-byte frame demuxer, the detach-key matcher, raw terminal mode and the poll loop that
 * forwards stdin, output, window sizes and signals. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "berth/error.h"

/* Docker's and libpod's multiplexed stream without a TTY: frames of
 * [stream, 0, 0, 0, length as big-endian uint32] + data; stream 0 stdin, 1 stdout,
 * 2 stderr, 3 an error from the server. */
struct frame_demux {
        unsigned char head[8];
        size_t head_len;
        uint32_t left;          /* data bytes still due for the current frame */
        int stream;
};

typedef int (*frame_fn)(void *userdata, int stream, const char *data, size_t len);

/* Feeds bytes as they arrive, cut anywhere; fn gets each frame's data, possibly in
 * pieces. -EBADMSG for a head that is not a frame head; fn's negative errno is passed on. */
int frame_demux_feed(struct frame_demux *d, const char *data, size_t len, frame_fn fn, void *userdata);

/* True between frames: a stream may end only there. */
bool frame_demux_idle(const struct frame_demux *d);

#define DETACH_KEYS_MAX 16
#define DETACH_KEYS_DEFAULT "ctrl-p,ctrl-q"

struct detach_keys {
        unsigned char seq[DETACH_KEYS_MAX];
        size_t n;               /* 0: detaching is off */
        size_t matched;         /* how much of seq the input has matched so far */
};

/* Parses Docker's format: comma-separated "ctrl-X" (X in a-z, @, [, \, ], ^, _) or single
 * characters; "" turns detaching off. */
int detach_keys_parse(const char *spec, struct detach_keys *ret, berth_error *err);

/* Filters input: bytes to send go to `out` (room for len + DETACH_KEYS_MAX bytes); a
 * partial match is held back and sent when the sequence breaks. Returns 1 when the
 * sequence completes (what came before it is in out), else 0. */
int detach_keys_feed(struct detach_keys *k, const unsigned char *in, size_t len, unsigned char *out,
                     size_t *ret_len);

struct attach_session {
        int fd;                         /* the hijacked socket (owned by the caller) */
        bool tty;                       /* raw output; detach keys and resizes apply */
        bool stdin;                     /* forward standard input */
        bool sig_proxy;                 /* forward SIGINT, SIGTERM, ... to the container */
        struct detach_keys keys;
        /* Called with the terminal's size at start and on SIGWINCH (tty only). */
        int (*resize)(void *userdata, unsigned rows, unsigned cols);
        /* Called for each signal to forward (sig_proxy only). */
        int (*forward)(void *userdata, int sig);
        void *userdata;
};

enum attach_end {
        ATTACH_ENDED = 0,       /* the server closed the stream */
        ATTACH_DETACHED = 1,    /* the user typed the detach keys */
};

/* Runs the session until the stream ends or the user detaches; the terminal is raw
 * meanwhile (tty with stdin on a terminal) and restored on every path, at exit too.
 * A termination signal that is not forwarded ends the session: returns 128 + signal. */
int attach_session_run(struct attach_session *s, berth_error *err);

/* Calls s->resize with the terminal's size, if berth has a terminal. */
void attach_session_send_size(struct attach_session *s);

/* Puts standard input's terminal back as it was, if attach_session_run() changed it;
 * safe to call any time (it is also registered with atexit). */
void attach_session_restore_terminal(void);
