/* What core's container modules share: the in-memory index of containers (the store
 * is its persistent copy), per-container operation locks and exit waiters. Internal. */
#pragma once

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "berth/container.h"
#include "tables.h"

struct ctr_waiter;

/* One container. Fields of `c` (and the rest, unless said otherwise) are read and
 * written under the index lock; `op` serializes operations that take time (start,
 * stop, remove) so different containers proceed in parallel. */
struct ctr {
        berth_container c;
        pthread_mutex_t op;
        unsigned refs;
        bool removed;                 /* gone from the index and the store */
        uint64_t created_seq;         /* bumped when the runtime has created it */
        unsigned attach_waiting;      /* attaches waiting to connect before start */
        bool stop_requested;          /* stop/kill by a user: no restart policy */
        unsigned pending_height, pending_width;   /* a resize before start (podman sends one) */
        unsigned restart_delay_ms;    /* the restart policy's back-off, doubled per quick exit */
        struct ctr_waiter *waiters;
};

/* Exit codes of recently removed containers (Podman keeps them for its waiters). */
#define REMOVED_KEPT 256
#define REMOVED_KEPT_NS (5LL * 60 * 1000000000)
struct removed_exit {
        char id[65];
        char *name;
        int exit_code;
        int64_t removed_at;
};

struct engine_containers {
        pthread_mutex_t lock;
        pthread_cond_t changed;       /* any state change: attaches and stops wait on it */
        struct ctr **items;           /* newest first */
        size_t n, alloc;
        atomic_uint_least64_t generation;
        int inotify_fd, stop_fd;
        pthread_t watcher;
        bool watching;
        bool stopping;                /* the engine is going away: pending restarts give up */
        unsigned restarts_pending;    /* restart threads still waiting out their back-off */
        unsigned exits_pending;       /* exit threads still recording an exit */
        struct removed_exit removed[REMOVED_KEPT];   /* a ring, under the lock */
        unsigned removed_next;
};

struct engine_containers *engine_containers(berth_engine *e);
void engine_containers_init(struct engine_containers *ec);
/* Stops the exit watcher and frees the index. */
void engine_containers_done(struct engine_containers *ec);

/* Index (container-index.c). Lookups return a referenced ctr: ctr_unref() it. */
int ctr_find(berth_engine *e, const char *name, struct ctr **ret, berth_error *err);
struct ctr *ctr_find_id(berth_engine *e, const char *id);
void ctr_unref(berth_engine *e, struct ctr *c);
/* Adds a new container (takes c); the name must already be checked unique. */
struct ctr *ctr_index_add(berth_engine *e, berth_container *c);
struct ctr *ctr_index_add_locked(berth_engine *e, berth_container *c);
void ctr_index_remove(berth_engine *e, struct ctr *c);
/* Whether another container has this name, under the index lock. */
struct ctr *ctr_index_by_name_locked(struct engine_containers *ec, const char *name);
/* A deep copy of the container, taken under the index lock. */
berth_container *ctr_snapshot(berth_engine *e, struct ctr *c);
berth_container *container_copy(const berth_container *c);
void container_fields_done(berth_container *c);
void ctr_changed(berth_engine *e);
/* Loads every record from the store into the index. */
int ctr_index_load(berth_engine *e, berth_error *err);

/* Locks a container for an operation and re-checks it still exists. */
int ctr_op_lock(berth_engine *e, struct ctr *c, berth_error *err);
void ctr_op_unlock(struct ctr *c);
/* ctr_find() and ctr_op_lock() in one: a referenced, op-locked container; ctr_op_release()
 * (or ctr_op_unlock() and then ctr_unref()) lets it go. */
int ctr_find_op_locked(berth_engine *e, const char *name, struct ctr **ret, berth_error *err);
void ctr_op_release(berth_engine *e, struct ctr *c);

/* Records (container-record.c): the stored JSON form. */
char *container_record_encode(const berth_container *c);
int container_record_decode(const char *data, size_t size, berth_container *ret, berth_error *err);
/* Writes c's record (under the index lock for a consistent copy) in its own transaction. */
int ctr_save(berth_engine *e, struct ctr *c, berth_error *err);

/* cgroups (container-cgroup.c) */
/* berthd runs with --cgroup-manager systemd: new containers get systemd scopes. */
bool container_manager_is_systemd(berth_engine *e);
/* The spec's linux.cgroupsPath for c. */
char *container_cgroups_path(const berth_container *c);
/* c's cgroup below each hierarchy's root ("/berth/ID", "/machine.slice/berth-ID.scope"). */
char *container_cgroup(const berth_container *c);

/* Paths (container-paths.c) */
char *container_dir(berth_engine *e, const char *id);
char *container_exit_dir(berth_engine *e);
char *container_runtime_root(berth_engine *e);

/* Waiters (wait.c): wakes those whose condition now holds. Index lock held. */
void ctr_waiters_exited_locked(struct ctr *c, int exit_code);
void ctr_waiters_removed_locked(struct ctr *c);

/* Exits (exits.c): records an exit code read from conmon's exit file (or chosen
 * when conmon vanished), cleans up the runtime state and rootfs, then applies
 * AutoRemove and the restart policy. Takes the op lock itself. finished_ns: when it
 * exited (the exit file's time), 0 for now. */
void ctr_handle_exit(berth_engine *e, struct ctr *c, int exit_code, const char *error, int64_t finished_ns);

/* Start pieces (start.c): releases the rootfs and runtime state of a stopped container. */
void ctr_teardown(berth_engine *e, struct ctr *c);

/* JSON helpers over the stored Config/HostConfig texts. */
json_t *container_json_parse(const char *text);
const char *json_string_at(json_t *obj, const char *key);
int64_t json_int_at(json_t *obj, const char *key, int64_t def);
bool json_bool_at(json_t *obj, const char *key);

int64_t container_now_ns(void);

struct oci_runtime;
/* The runtime a container runs with; *root is allocated (free it). */
void ctr_runtime(berth_engine *e, const berth_container *c, struct oci_runtime *rt, char **root);
/* Starts c; the op lock is held. */
int ctr_start_locked(berth_engine *e, struct ctr *c, berth_error *err);

/* Removes c (remove.c); a running one only with force (killed first). */
int ctr_remove(berth_engine *e, struct ctr *c, bool force, berth_error *err);
/* The same, and its anonymous volumes with `volumes` (docker rm -v, --rm). */
int ctr_remove_volumes(berth_engine *e, struct ctr *c, bool force, bool volumes, berth_error *err);
void engine_containers_stop_monitor(struct engine_containers *ec);
/* Stop signal, grace period, SIGKILL; waits for the exit (stop.c). */
int ctr_stop(berth_engine *e, struct ctr *c, int timeout, berth_error *err);
/* Emits a container event (container-events.c): extra key, value pairs end with NULL. */
void ctr_event(berth_engine *e, const berth_container *c, const char *action, ...) __attribute__((sentinel));
void ctr_event_of(berth_engine *e, struct ctr *c, const char *action, const char *key, const char *value);
/* Connects to conmon's attach socket in `bundle` (attach.c; exec uses it too). */
int container_attach_connect(const char *bundle, berth_error *err);
/* The runtime's state, the mount and the directory of a container whose record is gone
 * (remove.c); and the same for every such directory found at start. */
void container_remove_files(berth_engine *e, const berth_container *c);
void container_sweep_orphans(berth_engine *e);
/* Writes "1 H W" to conmon's ctl fifo in `bundle` (attach.c). */
int container_write_ctl_size(const char *bundle, const char *id, unsigned height, unsigned width,
                             berth_error *err);
