/* One stats sample of a container: its cgroup (stats.c) and its network interfaces,
 * and Docker's StatsJSON of two samples. */
#include "berth/container-ops.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/fileio.h"
#include "container-internal.h"
#include "stats.h"

berth_stats *berth_stats_free(berth_stats *s) {
        if (!s)
                return NULL;
        if (s->raw)
                container_stats_done(s->raw);
        free(s->raw);
        free(s->id);
        free(s->name);
        free(s->nets);
        free(s);
        return NULL;
}

/* /proc/PID/net/dev: "  eth0: rxbytes rxpackets rxerrs rxdrop fifo frame compressed
 * multicast txbytes txpackets txerrs txdrop ..." after two heading lines. */
static void read_nets(pid_t pid, berth_stats *s) {
        _cleanup_free_ char *path = xasprintf("/proc/%d/net/dev", (int) pid), *text = NULL;
        char *save = NULL;

        if (pid <= 0 || berth_read_file(path, 256 * 1024, &text, NULL, NULL) < 0)
                return;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *colon = strchr(line, ':');
                uint64_t v[16] = { 0 };
                if (!colon)
                        continue;
                *colon = '\0';
                line += strspn(line, " ");
                if (strcmp(line, "lo") == 0 || strlen(line) >= sizeof(s->nets->name))
                        continue;
                if (sscanf(colon + 1,
                           "%" SCNu64 "%" SCNu64 "%" SCNu64 "%" SCNu64 "%" SCNu64 "%" SCNu64 "%" SCNu64 "%" SCNu64
                           "%" SCNu64 "%" SCNu64 "%" SCNu64 "%" SCNu64,
                           &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11]) != 12)
                        continue;
                s->nets = xrealloc(s->nets, (s->n_nets + 1) * sizeof(*s->nets));
                berth_stats_net *n = &s->nets[s->n_nets++];
                *n = (berth_stats_net) { .rx_bytes = v[0], .rx_packets = v[1], .rx_errors = v[2], .rx_dropped = v[3],
                                         .tx_bytes = v[8], .tx_packets = v[9], .tx_errors = v[10], .tx_dropped = v[11] };
                snprintf(n->name, sizeof(n->name), "%s", line);
        }
}

static void fill(berth_stats *s, struct container_stats *raw) {
        s->running = true;
        s->read_ns = raw->read_ns;
        s->cpu_total_ns = raw->cpu_total_ns;
        s->cpu_system_ns = raw->cpu_system_ns;
        s->percpu_ns = raw->percpu_ns;
        s->n_percpu = raw->n_percpu;
        s->system_cpu_ns = raw->system_cpu_ns;
        s->online_cpus = raw->online_cpus;
        s->mem_usage = raw->mem_usage;
        s->mem_cache = raw->mem_cache;
        s->mem_limit = raw->mem_limit;
        s->pids = raw->pids_current;
        s->blk_read = raw->blk_read;
        s->blk_write = raw->blk_write;
        s->raw = raw;
}

int berth_container_stats_sample(berth_engine *e, const char *name, berth_stats **ret, berth_error *err) {
        _cleanup_(berth_container_freep) berth_container *snap = NULL;
        _cleanup_(berth_stats_freep) berth_stats *s = xnew0(berth_stats, 1);
        int r = berth_container_lookup(e, name, &snap, err);

        if (r < 0)
                return r;
        s->id = xstrdup(snap->id);
        s->name = xstrdup(snap->name);
        s->started_at = snap->state.started_at;
        if (snap->state.status == BERTH_CONTAINER_RUNNING || snap->state.status == BERTH_CONTAINER_PAUSED) {
                _cleanup_free_ char *cgroup = container_cgroup(snap);
                struct container_stats *raw = xnew0(struct container_stats, 1);
                berth_error ignored = { 0 };
                /* Gone between the look-up and the read: it just stopped, and samples empty. */
                if (container_stats_read(cgroup, raw, &ignored) < 0)
                        free(raw);
                else {
                        fill(s, raw);
                        read_nets(snap->state.pid, s);
                }
        }
        *ret = TAKE_PTR(s);
        return 0;
}

static json_t *nets_json(const berth_stats *s) {
        json_t *nets = json_object();
        for (size_t i = 0; i < s->n_nets; i++) {
                const berth_stats_net *n = &s->nets[i];
                json_object_set_new(nets, n->name,
                                    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "rx_bytes",
                                              (json_int_t) n->rx_bytes, "rx_packets", (json_int_t) n->rx_packets,
                                              "rx_errors", (json_int_t) n->rx_errors, "rx_dropped",
                                              (json_int_t) n->rx_dropped, "tx_bytes", (json_int_t) n->tx_bytes,
                                              "tx_packets", (json_int_t) n->tx_packets, "tx_errors",
                                              (json_int_t) n->tx_errors, "tx_dropped", (json_int_t) n->tx_dropped));
        }
        return nets;
}

char *berth_stats_docker_json(const berth_stats *cur, const berth_stats *prev) {
        static const struct container_stats none = { 0 };
        char *text = container_stats_docker_json(cur->raw ? cur->raw : &none, prev ? prev->raw : NULL, cur->id,
                                                 cur->name);
        if (cur->n_nets == 0)
                return text;
        /* Docker's "networks" (omitted when there are none). */
        json_t *root = json_loads(text, 0, NULL);
        free(text);
        if (!root)
                abort();
        json_object_set_new(root, "networks", nets_json(cur));
        text = json_dumps(root, JSON_COMPACT);
        json_decref(root);
        if (!text)
                abort();
        return text;
}
