/* berth run/create flags (podman's) turned into libpod's SpecGenerator body for
 * POST /containers/create, plus the flags only the client acts on. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "berth/error.h"

struct create_flags {
        json_t *spec;                   /* the SpecGenerator */
        const char *image;              /* points into argv */
        bool detach, interactive, tty, rm;
        bool sig_proxy;                 /* default true */
        bool attach_stdin, attach_stdout, attach_stderr;
        bool attach_set;                /* -a given: only those streams */
        const char *pull;               /* "missing" (default), "always", "never", "newer" */
        const char *detach_keys;        /* NULL: ctrl-p,ctrl-q */
};

/* Parses argv (argv[0] is the verb, "run" or "create") up to the image and the command
 * after it. Returns 1 for --help, 0 when f is filled (free it with
 * create_flags_done() either way), or a negative errno with podman's wording. */
int create_flags_parse(int argc, char **argv, bool run, struct create_flags *f, berth_error *err);

void create_flags_done(struct create_flags *f);

/* Docker's RAMInBytes: "512m", "1g", "100k", "1024b", plain bytes; binary units. */
int parse_bytes(const char *s, int64_t *ret);

/* A signal by name ("SIGKILL", "KILL", "kill") or number; -EINVAL otherwise. */
int parse_signal(const char *s);

/* Go's duration strings as podman's health flags take them ("30s", "1m30s", "500ms"),
 * in nanoseconds. */
int parse_duration_ns(const char *s, int64_t *ret);

/* berth run's exit status for a container that could not start, from the error's text
 * as podman and docker map it: 127 for a command not found, 126 for one that cannot
 * run, else 125. */
int create_start_error_status(const char *message);
