/* Docker's multiplexed stream framing (pkg/stdcopy): an 8-byte header [stream, 0, 0, 0,
 * big-endian size] before each frame; used for attach/logs/exec output without a TTY. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mux_stream { MUX_STDIN = 0, MUX_STDOUT = 1, MUX_STDERR = 2, MUX_SYSTEM = 3 };

#define MUX_HEADER_SIZE 8

/* Writes the header of a frame of `size` bytes on stream `s`. */
void mux_header(uint8_t hdr[MUX_HEADER_SIZE], enum mux_stream s, uint32_t size);

/* Receives decoded payload bytes; a frame may arrive in several pieces, never an empty
 * one. A negative return stops mux_decode() and is returned by it. */
typedef int (*mux_fn)(void *cls, enum mux_stream s, const void *data, size_t size);

/* Decoder state; zero-initialize (`struct mux_decoder d = { 0 };`) before the first
 * chunk. It holds no allocations. */
struct mux_decoder {
        uint8_t hdr[MUX_HEADER_SIZE];
        size_t hdr_len;       /* header bytes gathered so far */
        uint32_t remaining;   /* payload bytes of the current frame still to come */
        enum mux_stream stream;
};

/* Feeds one chunk of any size (headers may be split across chunks). -EPROTO when a
 * header names a stream other than 0-3 (as Docker's StdCopy, the three padding bytes
 * are not checked); the decoder is then unusable. */
int mux_decode(struct mux_decoder *d, const void *buf, size_t size, mux_fn fn, void *cls);

/* True between frames: the input so far ended on a frame boundary (false means a
 * stream that ends now was cut short). */
bool mux_decoder_at_boundary(const struct mux_decoder *d);
