/* Capability names checked with libcap, and Docker's --cap-add/--cap-drop/--privileged
 * rules (moby oci/caps, TweakCapabilities) computed over a bit set of capability values. */
#include "caps.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

static const char *const default_caps[] = {
        "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",     "CAP_MKNOD",
        "CAP_NET_RAW", "CAP_SETGID",       "CAP_SETUID",           "CAP_SETFCAP",    "CAP_SETPCAP",
        "CAP_NET_BIND_SERVICE",            "CAP_SYS_CHROOT",       "CAP_KILL",       "CAP_AUDIT_WRITE",
};

/* One bit per capability value; Linux has far fewer than 64. */
typedef uint64_t cap_bits;

/* How many capability values this kernel has (libcap probes it when loaded). */
static cap_value_t cap_count(void) {
        cap_value_t n = cap_max_bits();
        return n > 64 ? 64 : n;
}

/* "CAP_X" for a value libcap has a name for, else NULL (a kernel newer than libcap). */
static char *cap_upper_name(cap_value_t value) {
        char *lower = cap_to_name(value);
        char *name = NULL;
        if (lower && strncasecmp(lower, "cap_", 4) == 0) {
                name = xstrdup(lower);
                for (char *p = name; *p; p++)
                        *p = (char) toupper((unsigned char) *p);
        }
        cap_free(lower);
        return name;
}

/* Every capability berthd itself may pass on: its bounding set (a capability outside
 * it can never be granted; runc fails to apply it), as Podman does for --privileged. */
static cap_bits all_caps(void) {
        cap_bits bits = 0;
        for (cap_value_t v = 0; v < cap_count(); v++) {
                _cleanup_free_ char *name = cap_upper_name(v);
                if (name && cap_get_bound(v) == 1)
                        bits |= UINT64_C(1) << v;
        }
        return bits;
}

/* Docker's normalization: upper case, "CAP_" prefixed, and known; "ALL" sets *is_all. */
static int cap_parse(const char *text, cap_value_t *ret_value, bool *ret_all, berth_error *err) {
        _cleanup_free_ char *upper = NULL;
        cap_value_t value;

        upper = strncasecmp(text, "CAP_", 4) == 0 ? xstrdup(text) : xasprintf("CAP_%s", text);
        for (char *p = upper; *p; p++)
                *p = (char) toupper((unsigned char) *p);
        if (strcmp(upper, "CAP_ALL") == 0 && strncasecmp(text, "CAP_", 4) != 0) {
                *ret_all = true;
                return 0;
        }
        /* cap_from_name() accepts numbers and ignores trailing junk: check the round trip. */
        if (cap_from_name(upper, &value) == 0 && value >= 0 && value < cap_count()) {
                _cleanup_free_ char *canonical = cap_upper_name(value);
                if (canonical && strcmp(canonical, upper) == 0) {
                        *ret_value = value;
                        *ret_all = false;
                        return 0;
                }
        }
        return berth_err(err, -EINVAL, "unknown capability: \"%s\"", upper);
}

static int cap_parse_list(char *const *names, cap_bits *ret_bits, bool *ret_all, berth_error *err) {
        cap_bits bits = 0;
        bool any_all = false;
        for (char *const *n = names; n && *n; n++) {
                cap_value_t value = 0;
                bool all = false;
                int r = cap_parse(*n, &value, &all, err);
                if (r < 0)
                        return r;
                if (all)
                        any_all = true;
                else
                        bits |= UINT64_C(1) << value;
        }
        *ret_bits = bits;
        *ret_all = any_all;
        return 0;
}

static cap_bits default_bits(void) {
        cap_bits bits = 0;
        for (size_t i = 0; i < ELEMENTSOF(default_caps); i++) {
                cap_value_t value;
                if (cap_from_name(default_caps[i], &value) == 0 && value < cap_count())
                        bits |= UINT64_C(1) << value;
        }
        return bits;
}

static int strcmp_ptr(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The names of the bits set, sorted. */
static char **bits_to_strv(cap_bits bits) {
        char **v = xnew0(char *, 65);
        size_t n = 0;
        for (cap_value_t c = 0; c < 64; c++)
                if (bits & (UINT64_C(1) << c)) {
                        char *name = cap_upper_name(c);
                        if (name)
                                v[n++] = name;
                }
        qsort(v, n, sizeof(char *), strcmp_ptr);
        return v;
}

char **container_caps_default(void) {
        char **v = xnew0(char *, ELEMENTSOF(default_caps) + 1);
        for (size_t i = 0; i < ELEMENTSOF(default_caps); i++)
                v[i] = xstrdup(default_caps[i]);
        return v;
}

int container_caps_resolve(char *const *add, char *const *drop, bool privileged, char ***ret_caps,
                           berth_error *err) {
        cap_bits add_bits, drop_bits, bits;
        bool add_all, drop_all;
        int r;

        if (privileged) {
                /* Docker ignores --cap-add/--cap-drop for privileged containers. */
                *ret_caps = bits_to_strv(all_caps());
                return 0;
        }
        r = cap_parse_list(drop, &drop_bits, &drop_all, err);
        if (r < 0)
                return r;
        r = cap_parse_list(add, &add_bits, &add_all, err);
        if (r < 0)
                return r;
        if (add_all)
                bits = all_caps() & ~drop_bits;
        else if (drop_all)
                bits = add_bits;
        else
                bits = (default_bits() & ~drop_bits) | add_bits;
        *ret_caps = bits_to_strv(bits);
        return 0;
}
