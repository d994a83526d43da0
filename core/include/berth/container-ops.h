/* What runs in a container and what it may use: its processes (top), samples of its
 * cgroup (stats) and live changes to its resource limits (update). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "berth/cleanup.h"
#include "berth/engine.h"
#include "berth/error.h"

typedef struct berth_top {
        char **titles;           /* NULL-terminated */
        char ***processes;       /* n_processes rows, each NULL-terminated with one cell per title */
        size_t n_processes;
} berth_top;

berth_top *berth_top_free(berth_top *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(berth_top *, berth_top_free);

/* Docker's top: the host's `ps` with ps_args (NULL or "": "-ef"), split on spaces, keeping
 * the header and the rows of the container's processes. Not running: -ENOTCONN
 * ("Container ID is not running"); ps refusing its arguments: -EIO "ps: <its words>"; a
 * "key=PID" header other than pid=: -EINVAL. */
int berth_container_top(berth_engine *e, const char *name, const char *ps_args, berth_top **ret,
                        berth_error *err);

/* Podman's top: `descriptors` are ps format descriptors separated by commas or spaces
 * ("user,pid,args", AIX "%U %p"); NULL or "": podman's default set. PID and PPID are
 * as the container sees them (0 for a parent outside it). Arguments that are not all
 * descriptors ("-ef", "aux") are given to the host's ps as berth_container_top() does. */
int berth_container_top_descriptors(berth_engine *e, const char *name, const char *descriptors, berth_top **ret,
                                    berth_error *err);

struct container_stats;

typedef struct berth_stats_net {
        char name[32];
        uint64_t rx_bytes, rx_packets, rx_errors, rx_dropped;
        uint64_t tx_bytes, tx_packets, tx_errors, tx_dropped;
} berth_stats_net;

/* One sample of a container's resource use. A container that is not running samples
 * as zeros with running false (Docker's and Podman's empty stats). */
typedef struct berth_stats {
        char *id, *name;             /* name without Docker's leading '/' */
        bool running;
        int64_t read_ns;             /* CLOCK_REALTIME of the sample; 0 when not running */
        int64_t started_at;          /* the container's start, ns since the epoch */
        uint64_t cpu_total_ns, cpu_system_ns;
        uint64_t *percpu_ns;         /* cgroup v1 only; n_percpu entries */
        size_t n_percpu;
        uint64_t system_cpu_ns;      /* the host's CPU time, as Docker counts it */
        uint32_t online_cpus;
        uint64_t mem_usage, mem_cache, mem_limit;   /* mem_limit: at most the host's memory */
        uint64_t pids;
        uint64_t blk_read, blk_write;
        berth_stats_net *nets;       /* the container's interfaces but lo */
        size_t n_nets;
        struct container_stats *raw;   /* the whole cgroup sample, for Docker's encoding */
} berth_stats;

berth_stats *berth_stats_free(berth_stats *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(berth_stats *, berth_stats_free);

int berth_container_stats_sample(berth_engine *e, const char *name, berth_stats **ret, berth_error *err);
/* Docker's StatsJSON (one line, no newline); prev may be NULL (zero precpu/preread). */
char *berth_stats_docker_json(const berth_stats *cur, const berth_stats *prev);

/* Docker's update: `body` is the JSON of POST /containers/{id}/update (HostConfig's
 * resource fields and RestartPolicy). Non-zero fields replace the stored ones (PidsLimit
 * whenever given), the result is checked as create checks it, applied to a running or
 * paused container through the runtime, and stored. Bad values: -EINVAL, named. */
int berth_container_update(berth_engine *e, const char *name, const char *body, berth_error *err);
