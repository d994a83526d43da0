/* conmon, the per-container monitor: its command line, its spawning, and the sync
 * pipe through which it reports the container's pid or the runtime's failure. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "berth/error.h"

struct conmon_options {
        const char *conmon, *runtime, *runtime_root;
        const char *id, *uuid, *name;
        const char *bundle, *pidfile, *conmon_pidfile;
        const char *exit_dir;
        const char *log_path;            /* k8s-file; NULL: "none" */
        bool tty, stdin;
        const char *exit_command;        /* absolute path, or NULL */
        char *const *exit_command_args;  /* NULL-terminated, may be NULL */
        const char *exec_process_spec;   /* exec mode when set */
        const char *runtime_log;         /* runc's --log file */
        bool systemd_cgroup;             /* the runtime creates the cgroup through systemd */
};

/* The argv conmon gets (pure; freed with strv_freep). */
char **conmon_argv(const struct conmon_options *o);

struct conmon_process {
        pid_t conmon_pid;
        int sync_fd;      /* read end of the sync pipe */
        int start_fd;     /* write end of the start pipe (exec mode), else -1 */
        int attach_fd;    /* read end of the attach pipe (exec mode), else -1 */
};

/* Starts conmon and waits for its first process (it double-forks and leaves the
 * monitor running on its own). Signals are unblocked and reset for it. */
int conmon_spawn(const struct conmon_options *o, struct conmon_process *ret, berth_error *err);
void conmon_process_done(struct conmon_process *p);

/* Reads one line of the sync pipe within timeout_ms: {"data": N[, "message": M]}. EOF
 * without a line is -EPIPE (conmon died). */
int conmon_read_sync(int fd, int timeout_ms, int *ret_data, char **ret_message, berth_error *err);
