/* What exec.c (the session registry and API) and exec-run.c (the process under conmon)
 * share. Internal. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "berth/container.h"
#include "berth/exec.h"

enum exec_state { EXEC_CREATED, EXEC_STARTING, EXEC_RUNNING, EXEC_EXITED };

struct exec_session {
        berth_engine *engine;
        char *id, *container_id, *bundle;
        char **cmd, **env;
        char *user, *working_dir, *detach_keys;
        bool tty, privileged, open_stdin, open_stdout, open_stderr;
        bool user_given;              /* -u: resolve it; else keep the container's user */
        enum exec_state state;
        bool ctl_ready;               /* conmon's ctl fifo exists: resizes can go */
        pid_t pid;
        int exit_code;
        int64_t created_ns, ended_ns;
        unsigned refs;                /* the registry's own, plus one per user */
};

/* Every session of the process; `lock` guards the sessions' state fields too, and
 * `changed` is broadcast when one starts, becomes resizable or ends. */
struct exec_registry {
        pthread_mutex_t lock;
        pthread_cond_t changed;
        struct exec_session **items;
        size_t n, alloc;
};
extern struct exec_registry exec_reg;

void exec_session_unref(struct exec_session *s);
/* Marks the session exited with `exit_code` and wakes its waiters. */
void exec_session_finish(struct exec_session *s, int exit_code);

/* Runs s's process in c (running) under conmon: writes its process file, spawns conmon,
 * connects the attach socket (with o->attach) and sizes the terminal before releasing
 * it, reads the pid and leaves a monitor thread to record the exit. When the runtime
 * could not run it, *ret_failure gets its words (for exec_failure_exit_code). */
int exec_session_run(berth_engine *e, struct exec_session *s, const berth_container *c,
                     const berth_exec_start_options *o, int *ret_fd, char **ret_failure, berth_error *err);
/* Docker's exit code for a process that could not run: 127 not found, else 126. */
int exec_failure_exit_code(const char *message);
/* "1 H W" to conmon's ctl fifo in `bundle`; a bundle already gone is success. */
int exec_write_ctl(const char *bundle, unsigned height, unsigned width, berth_error *err);
