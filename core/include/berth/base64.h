/* Base64 (RFC 4648), as registries, auth files and Docker's headers use it. */
#pragma once

#include <stddef.h>

/* The standard alphabet with padding; a new NUL-terminated string. */
char *berth_base64_encode(const void *data, size_t size);

/* Standard or URL-safe alphabet, padding optional. *ret is a new buffer with a NUL after
 * the *ret_size decoded bytes (so text decodes to a C string). -EINVAL if text is not
 * base64. */
int berth_base64_decode(const char *text, char **ret, size_t *ret_size);
