/* Image platforms ("linux/arm64/v8") as pull --platform and the APIs give them. */
#pragma once

#include <stdbool.h>

#include "berth/error.h"

typedef struct berth_platform {
        char *os, *arch, *variant;   /* NULL when not given */
} berth_platform;

/* "OS/ARCH[/VARIANT]", or "OS" alone when arch_optional (Docker's platform=linux).
 * Each part is letters, digits, '_' and '-'; the result is normalized as containerd's
 * platforms are (berth_platform_normalize). -EINVAL says what is expected. */
int berth_platform_parse(const char *text, bool arch_optional, berth_platform *ret, berth_error *err);

/* libpod's separate os, arch and variant (each NULL or "" when not given); arch may
 * carry the variant ("arm64/v8", as podman --remote sends --platform). */
int berth_platform_from_parts(const char *os, const char *arch, const char *variant, berth_platform *ret,
                              berth_error *err);

/* Lowercase; x86_64 -> amd64, aarch64 -> arm64 (whose only variant, v8, is dropped),
 * armhf -> arm/v7, armel -> arm/v6, i386 -> 386, arm's variant "7" -> "v7". */
void berth_platform_normalize(berth_platform *p);

void berth_platform_done(berth_platform *p);
