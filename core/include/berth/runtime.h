/* The external programs the engine drives: the OCI runtime (runc, crun) and conmon. */
#pragma once

#include <stddef.h>

#include "berth/cleanup.h"
#include "berth/error.h"

typedef struct berth_program {
        char *name;     /* runc, crun, conmon, or the basename of a path */
        char *path;
        char *version;  /* what `PATH --version` prints, whole; NULL if it failed */
} berth_program;

/* Resolves the runtime: `wanted` is a name or a path; NULL means runc if installed,
 * else crun. Fails with -ENOENT naming what was looked for. */
int berth_runtime_resolve(const char *wanted, berth_program **ret, berth_error *err);

/* Resolves a helper program by name (conmon, catatonit). */
int berth_program_resolve(const char *name, berth_program **ret, berth_error *err);

/* Runs `--version` once and keeps the text in prog->version. */
int berth_program_load_version(berth_program *prog, berth_error *err);

/* The first line's last word ("1.1.5+ds1" of "runc version 1.1.5+ds1"), in buf. */
const char *berth_program_short_version(const berth_program *prog, char *buf, size_t size);

berth_program *berth_program_free(berth_program *prog);
DEFINE_TRIVIAL_CLEANUP_FUNC(berth_program *, berth_program_free);
