/* The OCI runtime's commands (runc's CLI, which crun shares) that berth runs itself;
 * create and exec go through conmon. State lives under `root` (runc --root). */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "berth/error.h"

struct oci_runtime {
        const char *path;
        const char *root;
};

int oci_start(const struct oci_runtime *rt, const char *id, berth_error *err);
/* signal: a number; all: every process of the container (--all). */
int oci_kill(const struct oci_runtime *rt, const char *id, int signal, bool all, berth_error *err);
/* Already gone is success. */
int oci_delete(const struct oci_runtime *rt, const char *id, bool force, berth_error *err);
int oci_pause(const struct oci_runtime *rt, const char *id, berth_error *err);
int oci_resume(const struct oci_runtime *rt, const char *id, berth_error *err);
/* resources_json: a LinuxResources object, given on stdin as "-r -". */
int oci_update(const struct oci_runtime *rt, const char *id, const char *resources_json, berth_error *err);
/* "created", "running", "paused", "stopped"; -ENOENT when the runtime does not know it. */
int oci_state(const struct oci_runtime *rt, const char *id, char **ret_status, pid_t *ret_pid, berth_error *err);
/* The pids of the container's processes. */
int oci_ps(const struct oci_runtime *rt, const char *id, pid_t **ret_pids, size_t *ret_n, berth_error *err);
