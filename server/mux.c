/* Docker stdcopy frames: the header encoder and an incremental decoder. */
#include "mux.h"

#include <errno.h>
#include <string.h>

void mux_header(uint8_t hdr[MUX_HEADER_SIZE], enum mux_stream s, uint32_t size) {
        hdr[0] = (uint8_t) s;
        hdr[1] = hdr[2] = hdr[3] = 0;
        hdr[4] = (uint8_t) (size >> 24);
        hdr[5] = (uint8_t) (size >> 16);
        hdr[6] = (uint8_t) (size >> 8);
        hdr[7] = (uint8_t) size;
}

/* Takes header bytes from the input; returns how many were used. */
static size_t take_header(struct mux_decoder *d, const uint8_t *p, size_t size) {
        size_t n = MUX_HEADER_SIZE - d->hdr_len;
        if (n > size)
                n = size;
        memcpy(d->hdr + d->hdr_len, p, n);
        d->hdr_len += n;
        return n;
}

int mux_decode(struct mux_decoder *d, const void *buf, size_t size, mux_fn fn, void *cls) {
        const uint8_t *p = buf;

        while (size > 0) {
                if (d->remaining == 0) {
                        size_t n = take_header(d, p, size);
                        p += n;
                        size -= n;
                        if (d->hdr_len < MUX_HEADER_SIZE)
                                break;
                        if (d->hdr[0] > MUX_SYSTEM)
                                return -EPROTO;
                        d->stream = (enum mux_stream) d->hdr[0];
                        d->remaining = (uint32_t) d->hdr[4] << 24 | (uint32_t) d->hdr[5] << 16 |
                                       (uint32_t) d->hdr[6] << 8 | d->hdr[7];
                        d->hdr_len = 0;
                        continue;
                }
                size_t n = size < d->remaining ? size : d->remaining;
                d->remaining -= (uint32_t) n;
                int r = fn(cls, d->stream, p, n);
                if (r < 0)
                        return r;
                p += n;
                size -= n;
        }
        return 0;
}

bool mux_decoder_at_boundary(const struct mux_decoder *d) {
        return d->hdr_len == 0 && d->remaining == 0;
}
