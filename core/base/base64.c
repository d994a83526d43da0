/* Base64 through OpenSSL's block coder, which wants the standard alphabet, whole
 * 4-character groups, and counts padding as decoded bytes. */
#include "berth/base64.h"

#include <errno.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "crypto-api.h"

char *berth_base64_encode(const void *data, size_t size) {
        char *out = xmalloc(4 * ((size + 2) / 3) + 1);

        crypto_api()->EVP_EncodeBlock((unsigned char *) out, data, (int) size);
        return out;
}

#define ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_"

int berth_base64_decode(const char *text, char **ret, size_t *ret_size) {
        size_t len = strspn(text, ALPHABET), pad = strspn(text + len, "=");
        size_t padded = (len + 3) / 4 * 4, end = len + pad;
        _cleanup_free_ char *std = NULL;
        _cleanup_free_ char *out = NULL;
        int n;

        /* Padding only at the end, only as much as the last group lacks; then at most
         * white space (a line end in a hand-edited auth file). */
        end += strspn(text + end, " \t\r\n");
        if (text[end] || len % 4 == 1 || (pad && len + pad != padded) || len > (size_t) 1 << 30)
                return -EINVAL;
        std = xmalloc(padded + 1);
        for (size_t i = 0; i < padded; i++)
                std[i] = i >= len ? '=' : text[i] == '-' ? '+' : text[i] == '_' ? '/' : text[i];
        std[padded] = '\0';
        out = xmalloc(padded / 4 * 3 + 1);
        n = crypto_api()->EVP_DecodeBlock((unsigned char *) out, (unsigned char *) std, (int) padded);
        if (n < 0 || (size_t) n < padded - len)
                return -EINVAL;
        n -= (int) (padded - len);   /* the block coder counts padding as decoded bytes */
        out[n] = '\0';
        *ret_size = (size_t) n;
        *ret = TAKE_PTR(out);
        return 0;
}
