/* Exec sessions: a command run in a running container (`docker exec`), through conmon's
 * exec mode. Sessions live in memory only; the daemon forgets them on restart, as Docker. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "berth/cleanup.h"
#include "berth/engine.h"
#include "berth/error.h"

/* What POST /containers/{id}/exec asks for (Docker's ExecConfig). */
typedef struct berth_exec_config {
        char *const *cmd;          /* NULL-terminated; must not be empty */
        char *const *env;          /* "K=V" set, "K" unset; may be NULL */
        const char *user;          /* NULL or "": the container's user */
        const char *working_dir;   /* NULL or "": the container's WorkingDir, else "/" */
        const char *detach_keys;   /* as given (already checked by the caller), or NULL */
        bool tty, privileged;
        bool attach_stdin, attach_stdout, attach_stderr;
} berth_exec_config;

/* Registers a session in the running container `container` (ID, prefix or name). No
 * such container -ENOENT, not running -ENOTCONN "Container ID is not running", paused
 * -EBUSY "Container NAME is paused, unpause the container before exec", an empty cmd
 * -EINVAL "No exec command specified". */
int berth_exec_create(berth_engine *e, const char *container, const berth_exec_config *cfg, char **ret_id,
                      berth_error *err);

typedef struct berth_exec_info {
        char *id, *container_id;
        bool running;
        bool exited;               /* exit_code is meaningful */
        int exit_code;
        pid_t pid;                 /* 0 until it runs */
        bool tty, privileged, open_stdin, open_stdout, open_stderr;
        bool can_remove;
        char *entrypoint;          /* cmd[0] */
        char **arguments;          /* cmd[1..], NULL-terminated */
        char *user;                /* as given, or the container's */
        char *detach_keys;         /* as given, or NULL */
} berth_exec_info;

berth_exec_info *berth_exec_info_free(berth_exec_info *info);
DEFINE_TRIVIAL_CLEANUP_FUNC(berth_exec_info *, berth_exec_info_free);

/* -ENOENT "No such exec instance: ID" (also once its container is gone). */
int berth_exec_inspect(berth_engine *e, const char *id, berth_exec_info **ret, berth_error *err);

/* Whether the session can start now: -ENOENT; -EBUSY "Error: Exec command ID has already
 * run" (or "is already running"); -ENOTCONN when its container is not running; -EBUSY
 * when it is paused. */
int berth_exec_check(berth_engine *e, const char *id, berth_error *err);

typedef struct berth_exec_start_options {
        bool attach;                  /* hand back conmon's attach socket */
        unsigned height, width;       /* the terminal's first size; 0: leave it */
} berth_exec_start_options;

/* Runs the session's process and returns once it runs (with attach, *ret_fd is a
 * SOCK_SEQPACKET socket to conmon connected before the process started: packets are one
 * stream byte, 2 stdout or 3 stderr, and data; what is written is stdin). A command that
 * cannot run fails with the runtime's words, -EINVAL, and leaves the session exited with
 * 127 (not found) or 126 (cannot run), as Docker. */
int berth_exec_start(berth_engine *e, const char *id, const berth_exec_start_options *o, int *ret_fd,
                     berth_error *err);

/* Waits until a started session's process has exited (at most timeout_ms, < 0 forever;
 * -ETIMEDOUT then) and gives its exit code. */
int berth_exec_wait(berth_engine *e, const char *id, int timeout_ms, int *ret_exit_code, berth_error *err);

/* Resizes the session's terminal (conmon's ctl fifo), waiting up to 10 s for a session
 * that is starting. A session that has exited is left alone. */
int berth_exec_resize(berth_engine *e, const char *id, unsigned height, unsigned width, berth_error *err);

/* Forgets every session of a container (its removal); their processes are gone with it. */
void berth_exec_forget_container(berth_engine *e, const char *container_id);
