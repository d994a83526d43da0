/* Platform strings: parsing, the libpod parameters, and containerd's normalization, so
 * "linux/aarch64" picks the same manifest list entry as "linux/arm64". */
#include "berth/platform.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"

static bool valid_part(const char *s, size_t len) {
        if (len == 0)
                return false;
        for (size_t i = 0; i < len; i++)
                if (!isalnum((unsigned char) s[i]) && s[i] != '_' && s[i] != '-')
                        return false;
        return true;
}

static void set(char **field, const char *value) {
        free(*field);
        *field = value ? xstrdup(value) : NULL;
}

static void lowercase(char *s) {
        for (; s && *s; s++)
                *s = (char) tolower((unsigned char) *s);
}

static bool is(const char *s, const char *a) {
        return s && strcmp(s, a) == 0;
}

void berth_platform_normalize(berth_platform *p) {
        lowercase(p->os);
        lowercase(p->arch);
        lowercase(p->variant);
        if (is(p->os, "macos"))
                set(&p->os, "darwin");
        if (is(p->arch, "i386")) {
                set(&p->arch, "386");
                set(&p->variant, NULL);
        } else if (is(p->arch, "x86_64") || is(p->arch, "x86-64") || is(p->arch, "amd64")) {
                set(&p->arch, "amd64");
                if (is(p->variant, "v1"))
                        set(&p->variant, NULL);
        } else if (is(p->arch, "aarch64") || is(p->arch, "arm64")) {
                set(&p->arch, "arm64");
                if (is(p->variant, "8") || is(p->variant, "v8"))
                        set(&p->variant, NULL);
        } else if (is(p->arch, "armhf")) {
                set(&p->arch, "arm");
                set(&p->variant, "v7");
        } else if (is(p->arch, "armel")) {
                set(&p->arch, "arm");
                set(&p->variant, "v6");
        } else if (is(p->arch, "arm")) {
                if (!p->variant || is(p->variant, "7"))
                        set(&p->variant, "v7");
                else if (is(p->variant, "5") || is(p->variant, "6") || is(p->variant, "8")) {
                        char v[3] = { 'v', p->variant[0], '\0' };
                        set(&p->variant, v);
                }
        }
}

/* Up to three valid parts: -E2BIG for more, -EINVAL for an empty or odd one. */
static int split(const char *text, char *parts[3], size_t *ret_n) {
        size_t n = 0;

        for (const char *s = text;; n++) {
                size_t len = strcspn(s, "/");
                if (n == 3)
                        return -E2BIG;
                if (!valid_part(s, len))
                        return -EINVAL;
                parts[n] = xstrndup(s, len);
                if (!s[len])
                        break;
                s += len + 1;
        }
        *ret_n = n + 1;
        return 0;
}

int berth_platform_parse(const char *text, bool arch_optional, berth_platform *ret, berth_error *err) {
        char *parts[3] = { 0 };
        size_t n = 0;
        int rc = split(text, parts, &n);

        if (rc < 0 || (n < 2 && !arch_optional)) {
                for (size_t i = 0; i < 3; i++)
                        free(parts[i]);
                return berth_err(err, -EINVAL, "invalid platform \"%s\": expected %sOS/ARCH[/VARIANT]%s", text,
                                 arch_optional ? "OS or " : "",
                                 rc == -EINVAL ? ", each part of letters, digits, '_' and '-'" : "");
        }
        *ret = (berth_platform) { .os = parts[0], .arch = parts[1], .variant = parts[2] };
        berth_platform_normalize(ret);
        return 0;
}

static const char *given(const char *s) {
        return s && *s ? s : NULL;
}

int berth_platform_from_parts(const char *os, const char *arch, const char *variant, berth_platform *ret,
                              berth_error *err) {
        const char *slash = given(arch) ? strchr(arch, '/') : NULL;
        berth_platform p = { 0 };

        if (given(os) && !valid_part(os, strlen(os)))
                return berth_err(err, -EINVAL, "invalid OS \"%s\": expected letters, digits, '_' and '-'", os);
        if (slash && given(variant))
                return berth_err(err, -EINVAL, "invalid architecture \"%s\": the variant \"%s\" is given too", arch,
                                 variant);
        if (given(arch) && (!valid_part(arch, slash ? (size_t) (slash - arch) : strlen(arch)) ||
                            (slash && !valid_part(slash + 1, strlen(slash + 1)))))
                return berth_err(err, -EINVAL, "invalid architecture \"%s\": expected ARCH[/VARIANT]", arch);
        if (given(variant) && !valid_part(variant, strlen(variant)))
                return berth_err(err, -EINVAL, "invalid variant \"%s\": expected letters, digits, '_' and '-'",
                                 variant);
        p.os = given(os) ? xstrdup(os) : NULL;
        p.arch = !given(arch) ? NULL : slash ? xstrndup(arch, (size_t) (slash - arch)) : xstrdup(arch);
        p.variant = slash ? xstrdup(slash + 1) : given(variant) ? xstrdup(variant) : NULL;
        berth_platform_normalize(&p);
        *ret = p;
        return 0;
}

void berth_platform_done(berth_platform *p) {
        free(p->os);
        free(p->arch);
        free(p->variant);
        *p = (berth_platform) { 0 };
}
