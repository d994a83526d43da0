/* Containers: create, start, stop, wait, attach, exec and remove, on the OCI runtime
 * under conmon. Configuration travels as Docker's create body (JSON text): it is the
 * one format core understands; the libpod API's SpecGenerator is translated to it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "berth/cleanup.h"
#include "berth/engine.h"
#include "berth/error.h"

typedef enum berth_container_status {
        BERTH_CONTAINER_CREATED,
        BERTH_CONTAINER_RUNNING,
        BERTH_CONTAINER_PAUSED,
        BERTH_CONTAINER_RESTARTING,
        BERTH_CONTAINER_REMOVING,
        BERTH_CONTAINER_EXITED,
        BERTH_CONTAINER_DEAD,
} berth_container_status;

/* Docker's words: "created", "running", ... */
const char *berth_container_status_name(berth_container_status s);
/* -EINVAL for an unknown word. */
int berth_container_status_from_name(const char *name, berth_container_status *ret);

typedef struct berth_container_state {
        berth_container_status status;
        pid_t pid;               /* the container's init, 0 when not running */
        pid_t conmon_pid;
        int exit_code;
        bool oom_killed;
        int64_t started_at;      /* nanoseconds since the epoch; 0 never */
        int64_t finished_at;
        char *error;             /* why the last start failed, or NULL */
        unsigned restart_count;
        uint64_t exits;          /* how many times it has exited (wait's next-exit) */
} berth_container_state;

typedef struct berth_container {
        char *id;                /* 64 hex digits */
        char *name;              /* without Docker's leading '/' */
        int64_t created;         /* nanoseconds since the epoch */
        char *image_id;          /* "sha256:..." */
        char *image;             /* what the user asked for ("busybox") */
        char *config;            /* Docker's Config, image defaults applied (JSON) */
        char *host_config;       /* Docker's HostConfig (JSON) */
        char *runtime;           /* path of the OCI runtime it runs with */
        bool systemd_cgroup;     /* its cgroup is a systemd scope (berthd's cgroup-manager) */
        char **diff_ids;         /* the image's layers, lowest first; NULL-terminated */
        char *bundle;            /* ROOT/containers/ID/userdata */
        char *rootfs;            /* ROOT/containers/ID/merged */
        char *upper;             /* ROOT/containers/ID/diff */
        char *log_path;
        berth_container_state state;
} berth_container;

berth_container *berth_container_free(berth_container *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(berth_container *, berth_container_free);
void berth_container_list_free(berth_container **list);

/* Docker's create: `body` is the JSON of POST /containers/create (Config fields with
 * HostConfig and NetworkingConfig inside). `name` may be NULL (one is generated).
 * Unknown image -ENOENT, a taken name -EEXIST, bad input -EINVAL, each named. */
int berth_container_create(berth_engine *e, const char *name, const char *body, char **ret_id,
                           berth_error *err);

/* `name`: a full ID, a unique ID prefix, or a name. -ENOENT "No such container: NAME". */
int berth_container_lookup(berth_engine *e, const char *name, berth_container **ret, berth_error *err);
/* Every container, newest first. */
int berth_container_list(berth_engine *e, berth_container ***ret, berth_error *err);
/* Bumped by every change of any container; lets callers cache listings. */
uint64_t berth_container_generation(berth_engine *e);
/* How many containers were made from the image `image_id`. */
unsigned berth_container_count_using_image(berth_engine *e, const char *image_id);

/* Runs it. Already running: -EALREADY. A command that cannot run fails with the
 * runtime's own words (so clients map them to 126/127) and leaves it exited. */
int berth_container_start(berth_engine *e, const char *name, berth_error *err);
/* Sends the stop signal, then SIGKILL after `timeout` seconds (< 0: the container's
 * StopTimeout, else 10). Not running: -EALREADY. */
int berth_container_stop(berth_engine *e, const char *name, int timeout, berth_error *err);
/* Any signal, by name ("KILL", "SIGHUP") or number; NULL is SIGKILL. Not running:
 * -ENOTCONN ("is not running"). */
int berth_container_kill(berth_engine *e, const char *name, const char *signal, berth_error *err);
/* "KILL", "SIGKILL", "9", "RTMIN+3" -> the number; -EINVAL otherwise. */
int berth_signal_parse(const char *s, int *ret);
int berth_container_restart(berth_engine *e, const char *name, int timeout, berth_error *err);
int berth_container_pause(berth_engine *e, const char *name, berth_error *err);
int berth_container_unpause(berth_engine *e, const char *name, berth_error *err);
/* Running without force: -EBUSY ("stop the container before removing or force remove"). */
int berth_container_remove(berth_engine *e, const char *name, bool force, bool volumes, berth_error *err);
int berth_container_rename(berth_engine *e, const char *name, const char *new_name, berth_error *err);
/* Removes every stopped container; ret_ids: what went (NULL-terminated). */
int berth_container_prune(berth_engine *e, char ***ret_ids, berth_error *err);

typedef enum berth_wait_condition {
        BERTH_WAIT_NOT_RUNNING,
        BERTH_WAIT_NEXT_EXIT,
        BERTH_WAIT_REMOVED,
} berth_wait_condition;
int berth_wait_condition_from_name(const char *name, berth_wait_condition *ret);

/* Called once, from the thread that saw the exit (or from berth_container_wait
 * itself when the condition already holds): the exit code, -1 when the container
 * was removed without exiting. Must not block. */
typedef void (*berth_wait_fn)(void *cls, int exit_code);
typedef struct berth_waiter berth_waiter;
int berth_container_wait(berth_engine *e, const char *name, berth_wait_condition cond, berth_wait_fn fn,
                         void *cls, berth_waiter **ret, berth_error *err);
/* The exit code of a container removed in the last few minutes (by ID, prefix or name),
 * as Podman keeps them so a client that waits after a --rm container is gone still gets
 * its code. -ENOENT when unknown. */
int berth_container_removed_exit_code(berth_engine *e, const char *name, int *ret_code);
/* After it returns, fn is not running and is never called. NULL is fine. */
void berth_waiter_cancel(berth_waiter *w);

/* A connection to the container's stdio through conmon's attach socket: a SOCK_SEQPACKET
 * socket whose packets are one stream byte (2 stdout, 3 stderr) and data; what is
 * written to it is stdin. A container that has not started yet is waited for: start
 * connects every waiting attach before the process runs, so no output is lost.
 * ret_tty: whether the container has a terminal. While it waits, `abandon` (may be NULL)
 * is asked about once a second whether the caller gave up (-ECANCELED then). */
int berth_container_attach(berth_engine *e, const char *name, bool (*abandon)(void *cls), void *cls, int *ret_fd,
                           bool *ret_tty, berth_error *err);
/* Writes "1 H W" to conmon's ctl fifo. Not running: -ENOTCONN. */
int berth_container_resize(berth_engine *e, const char *name, unsigned height, unsigned width,
                           berth_error *err);

/* Adopts what runs, records exits that happened while no daemon ran, and starts
 * watching for exits. Called once at daemon start, before serving. */
int berth_containers_start_monitor(berth_engine *e, berth_error *err);

typedef struct berth_log_entry {
        bool is_stderr;
        bool partial;            /* no newline after data: the next entry continues it */
        int64_t time_ns;
        const char *data;
        size_t size;
} berth_log_entry;
/* An entry, or NULL every second or so while a follower waits (so the caller can
 * notice that its client left). A negative return stops the read. */
typedef int (*berth_log_fn)(void *cls, const berth_log_entry *entry);
typedef struct berth_log_options {
        bool out, err, follow;
        int64_t since_ns, until_ns;   /* 0: no bound */
        long tail;                    /* -1: all */
} berth_log_options;
/* The container's log (conmon's k8s-file); with follow, goes on until the container
 * stops (or `until` passes, or fn says stop). */
int berth_container_logs(berth_engine *e, const char *name, const berth_log_options *o, berth_log_fn fn,
                         void *cls, berth_error *err);

/* Bytes the container wrote (its overlay upper directory), and that plus its image. */
int berth_container_size(berth_engine *e, const berth_container *c, uint64_t *ret_rw, uint64_t *ret_rootfs);
