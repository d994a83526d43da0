/* The OCI `process` of an exec session (runc exec --process FILE), derived from the
 * running container's own process as Docker does (daemon/exec.go). Internal. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "berth/error.h"
#include "user.h"

struct exec_spec_request {
        char *const *cmd;                    /* NULL-terminated, not empty */
        char *const *env;                    /* the exec's Env ("K=V" sets, "K" unsets); may be NULL */
        const char *cwd;                     /* NULL or "": the container's WorkingDir, else "/" */
        bool tty;
        const struct container_user *user;   /* NULL: the container's process user */
        char *const *caps;                   /* NULL: the container's capabilities (else: --privileged) */
};

/* `container_process` is the `process` object of the running container's config.json;
 * `container_config` its Docker Config (JSON text: Env, WorkingDir). The environment is
 * Docker's: PATH, HOSTNAME, TERM=xterm with a TTY, then the container's Env, then the
 * exec's, each replacing what came before. Everything else (noNewPrivileges, rlimits,
 * apparmor, oomScoreAdj) is the container's. -EINVAL on a damaged input or an empty cmd. */
int exec_process_build(json_t *container_process, const char *container_config, const struct exec_spec_request *r,
                       json_t **ret, berth_error *err);
