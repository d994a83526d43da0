/* A container's seccomp filter as the runtime spec's `linux.seccomp`: Docker's default
 * profile (kept as C data) or a user profile in Docker's format, filtered for this host. */
#pragma once

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "berth/error.h"

/* Docker's profile format as C data (seccomp-default.c). String lists end with NULL. */
struct seccomp_arg {
        unsigned index;
        uint64_t value, value_two;
        const char *op; /* NULL ends a list of args */
};
struct seccomp_filter {
        const char *const *caps;   /* all must be held (includes); any held (excludes) */
        const char *const *arches; /* Docker's arch names: amd64, x86, x32, arm64, ... */
        const char *min_kernel;    /* "<kernel>.<major>" */
};
struct seccomp_rule {
        const char *const *names;
        const char *action;
        unsigned errno_ret; /* 0: not set (the default profile never returns 0) */
        const struct seccomp_arg *args;
        struct seccomp_filter includes, excludes;
};
struct seccomp_arch_map {
        const char *arch;
        const char *const *sub_arches;
};

extern const char seccomp_default_action[];
extern const struct seccomp_arch_map seccomp_default_arch_map[];
extern const size_t seccomp_default_n_arch_map;
extern const struct seccomp_rule seccomp_default_rules[];
extern const size_t seccomp_default_n_rules;

/* Docker's default profile (moby profiles/seccomp/default.json, v20.10) as a profile
 * json_t in Docker's format, for container_seccomp_apply(). */
json_t *seccomp_default_profile(void);

/* Docker's default profile for a container holding `caps` ("CAP_X" names, NULL for none),
 * as the runtime spec's `linux.seccomp` object for this machine's architecture and kernel
 * in *ret_seccomp (json_decref() it). */
int container_seccomp_default(char *const *caps, json_t **ret_seccomp, berth_error *err);

/* The same from the text of a user's profile in Docker's format. A profile with neither
 * "defaultAction" nor "syscalls" means no filter, as with Docker: *ret_seccomp = NULL.
 * Malformed JSON, a wrong shape or an unknown action, op or architecture is -EINVAL with
 * a message starting "seccomp profile: ". */
int container_seccomp_profile(const char *json_text, size_t size, char *const *caps, json_t **ret_seccomp,
                              berth_error *err);

/* Filters a parsed profile in Docker's format (the two functions above end here). */
int container_seccomp_apply(json_t *profile, char *const *caps, json_t **ret_seccomp, berth_error *err);
