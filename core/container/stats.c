/* cgroup v1 and v2 readers for `docker stats`, and Docker's StatsJSON encoding of a
 * sample (the fields and units dockerd and the docker CLI use). */
#include "stats.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/fileio.h"
#include "cgroup-probe.h"

#define NSEC_PER_SEC UINT64_C(1000000000)
#define STAT_FILE_MAX (256 * 1024)


void container_stats_done(struct container_stats *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n_mem_stats; i++)
                free(s->mem_stats[i].key);
        free(s->mem_stats);
        free(s->percpu_ns);
        free(s->blkio);
        *s = (struct container_stats) { 0 };
}

/* ---- files ---- */

/* The file's text, or NULL when it is missing or unreadable (its values read as 0). */
static char *read_text(const char *dir, const char *file) {
        _cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
        char *data = NULL;
        return berth_read_file(path, STAT_FILE_MAX, &data, NULL, NULL) < 0 ? NULL : data;
}

/* A single number; "max" is UINT64_MAX. */
static uint64_t read_u64(const char *dir, const char *file) {
        _cleanup_free_ char *text = read_text(dir, file);
        if (!text)
                return 0;
        if (strncmp(text, "max", 3) == 0)
                return UINT64_MAX;
        return strtoull(text, NULL, 10);
}

/* The value of `key` in "key value" lines (cpu.stat, cpuacct.stat, memory.events). */
static uint64_t keyed_u64(const char *text, const char *key) {
        size_t len = strlen(key);
        for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
                if (strncmp(line, key, len) == 0 && line[len] == ' ')
                        return strtoull(line + len + 1, NULL, 10);
        return 0;
}

static int cmp_kv(const void *a, const void *b) {
        return strcmp(((const struct container_stat_kv *) a)->key, ((const struct container_stat_kv *) b)->key);
}

static void read_memory_stat(const char *dir, struct container_stats *s) {
        _cleanup_free_ char *text = read_text(dir, "memory.stat");
        char key[128];
        uint64_t value;

        for (char *line = text; line && *line;) {
                char *next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (sscanf(line, "%127s %" SCNu64, key, &value) == 2) {
                        s->mem_stats = xrealloc(s->mem_stats, (s->n_mem_stats + 1) * sizeof(*s->mem_stats));
                        s->mem_stats[s->n_mem_stats++] = (struct container_stat_kv) { xstrdup(key), value };
                }
                line = next;
        }
        if (s->n_mem_stats)
                qsort(s->mem_stats, s->n_mem_stats, sizeof(*s->mem_stats), cmp_kv);
}

static const struct container_stat_kv *mem_stat(const struct container_stats *s, const char *key) {
        struct container_stat_kv k = { .key = (char *) key };
        return s->n_mem_stats ? bsearch(&k, s->mem_stats, s->n_mem_stats, sizeof(k), cmp_kv) : NULL;
}

static void add_blkio(struct container_stats *s, unsigned major, unsigned minor, const char *op, uint64_t value) {
        struct container_blkio_entry *e;

        s->blkio = xrealloc(s->blkio, (s->n_blkio + 1) * sizeof(*s->blkio));
        e = &s->blkio[s->n_blkio++];
        *e = (struct container_blkio_entry) { .major = major, .minor = minor, .value = value };
        snprintf(e->op, sizeof(e->op), "%s", op);
        if (op[0] == 'r' || op[0] == 'R')
                s->blk_read += value;
        else if (op[0] == 'w' || op[0] == 'W')
                s->blk_write += value;
}

/* ---- cgroup v1: one directory per controller ---- */

static char *v1_dir(const char *root, const char *controller, const char *rel) {
        return xasprintf("%s/%s/%s", root, controller, rel + strspn(rel, "/"));
}

static void v1_cpu(const struct container_stats_source *src, const char *rel, struct container_stats *s) {
        _cleanup_free_ char *acct = v1_dir(src->cgroup_root, "cpuacct", rel), *cpu = v1_dir(src->cgroup_root, "cpu", rel);
        _cleanup_free_ char *stat = read_text(acct, "cpuacct.stat"), *percpu = read_text(acct, "cpuacct.usage_percpu");
        _cleanup_free_ char *throttle = read_text(cpu, "cpu.stat");

        s->cpu_total_ns = read_u64(acct, "cpuacct.usage");
        /* cpuacct.stat counts USER_HZ ticks. */
        if (stat) {
                s->cpu_user_ns = keyed_u64(stat, "user") * NSEC_PER_SEC / (uint64_t) src->clock_ticks;
                s->cpu_system_ns = keyed_u64(stat, "system") * NSEC_PER_SEC / (uint64_t) src->clock_ticks;
        }
        for (char *p = percpu, *end; p && *p; p = end) {
                uint64_t v = strtoull(p, &end, 10);
                if (end == p)
                        break;
                s->percpu_ns = xrealloc(s->percpu_ns, (s->n_percpu + 1) * sizeof(*s->percpu_ns));
                s->percpu_ns[s->n_percpu++] = v;
        }
        if (throttle) {
                s->throttle_periods = keyed_u64(throttle, "nr_periods");
                s->throttled_periods = keyed_u64(throttle, "nr_throttled");
                s->throttled_ns = keyed_u64(throttle, "throttled_time");
        }
}

static void v1_memory(const char *dir, struct container_stats *s) {
        const struct container_stat_kv *inactive;

        s->mem_usage = read_u64(dir, "memory.usage_in_bytes");
        s->mem_max_usage = read_u64(dir, "memory.max_usage_in_bytes");
        s->mem_limit = read_u64(dir, "memory.limit_in_bytes");
        s->mem_failcnt = read_u64(dir, "memory.failcnt");
        read_memory_stat(dir, s);
        /* The docker CLI subtracts total_inactive_file on v1 (inactive_file without it). */
        inactive = mem_stat(s, "total_inactive_file") ?: mem_stat(s, "inactive_file");
        s->mem_cache = inactive ? inactive->value : 0;
}

/* "MAJ:MIN Op value" lines; a final "Total value" line names no device. */
static bool v1_blkio_parse(const char *text, struct container_stats *s) {
        bool any = false;
        for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
                unsigned major, minor;
                char op[16];
                uint64_t value;
                if (sscanf(line, "%u:%u %15s %" SCNu64, &major, &minor, op, &value) == 4) {
                        add_blkio(s, major, minor, op, value);
                        any = true;
                }
        }
        return any;
}

/* runc reads CFQ's file first and falls back to the throttle policy's, which every
 * block device accounts in (CFQ's is empty under other schedulers). */
static void v1_blkio(const char *dir, struct container_stats *s) {
        static const char *const files[] = {
                "blkio.io_service_bytes_recursive",
                "blkio.throttle.io_service_bytes_recursive",
                "blkio.throttle.io_service_bytes",
        };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *text = read_text(dir, files[i]);
                if (text && v1_blkio_parse(text, s))
                        return;
        }
}

static bool is_dir(const char *path) {
        struct stat st;
        return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int read_v1(const struct container_stats_source *src, const char *rel, struct container_stats *s,
                   berth_error *err) {
        static const char *const controllers[] = { "memory", "cpuacct", "cpu", "pids", "blkio" };
        _cleanup_free_ char *mem = v1_dir(src->cgroup_root, "memory", rel);
        _cleanup_free_ char *pids = v1_dir(src->cgroup_root, "pids", rel);
        _cleanup_free_ char *blkio = v1_dir(src->cgroup_root, "blkio", rel);
        bool found = false;

        for (size_t i = 0; i < ELEMENTSOF(controllers) && !found; i++) {
                _cleanup_free_ char *dir = v1_dir(src->cgroup_root, controllers[i], rel);
                found = is_dir(dir);
        }
        if (!found)
                return berth_err(err, -ENOENT, "cgroup %s does not exist (is the container running?)", rel);
        v1_cpu(src, rel, s);
        v1_memory(mem, s);
        s->pids_current = read_u64(pids, "pids.current");
        s->pids_limit = read_u64(pids, "pids.max");
        v1_blkio(blkio, s);
        return 0;
}

/* ---- cgroup v2: one directory ---- */

static void v2_blkio(const char *dir, struct container_stats *s) {
        _cleanup_free_ char *text = read_text(dir, "io.stat");

        for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
                _cleanup_free_ char *copy = NULL;
                unsigned major, minor;
                const char *eol = strchr(line, '\n');
                if (sscanf(line, "%u:%u", &major, &minor) != 2)
                        continue;
                copy = xstrndup(line, eol ? (size_t) (eol - line) : strlen(line));
                /* Docker reports rbytes and wbytes only, as "read" and "write". */
                for (char *f = strchr(copy, ' '); f; f = strchr(f + 1, ' ')) {
                        if (strncmp(f + 1, "rbytes=", 7) == 0)
                                add_blkio(s, major, minor, "read", strtoull(f + 8, NULL, 10));
                        else if (strncmp(f + 1, "wbytes=", 7) == 0)
                                add_blkio(s, major, minor, "write", strtoull(f + 8, NULL, 10));
                }
        }
}

static int read_v2(const struct container_stats_source *src, const char *rel, struct container_stats *s,
                   berth_error *err) {
        _cleanup_free_ char *dir = xasprintf("%s/%s", src->cgroup_root, rel + strspn(rel, "/"));
        _cleanup_free_ char *cpu = NULL, *events = NULL;
        const struct container_stat_kv *inactive;

        if (!is_dir(dir))
                return berth_err(err, -ENOENT, "cgroup %s does not exist (is the container running?)", rel);
        cpu = read_text(dir, "cpu.stat");
        if (cpu) {
                s->cpu_total_ns = keyed_u64(cpu, "usage_usec") * 1000;
                s->cpu_user_ns = keyed_u64(cpu, "user_usec") * 1000;
                s->cpu_system_ns = keyed_u64(cpu, "system_usec") * 1000;
                s->throttle_periods = keyed_u64(cpu, "nr_periods");
                s->throttled_periods = keyed_u64(cpu, "nr_throttled");
                s->throttled_ns = keyed_u64(cpu, "throttled_usec") * 1000;
        }
        s->mem_usage = read_u64(dir, "memory.current");
        s->mem_limit = read_u64(dir, "memory.max");
        events = read_text(dir, "memory.events");
        s->mem_failcnt = events ? keyed_u64(events, "oom") : 0;
        read_memory_stat(dir, s);
        inactive = mem_stat(s, "inactive_file");
        s->mem_cache = inactive ? inactive->value : 0;
        s->pids_current = read_u64(dir, "pids.current");
        s->pids_limit = read_u64(dir, "pids.max");
        v2_blkio(dir, s);
        return 0;
}

/* The "cpu" line of /proc/stat: user nice system idle iowait irq softirq, as Docker sums. */
static uint64_t system_cpu_ns(const struct container_stats_source *src) {
        _cleanup_free_ char *text = NULL;
        uint64_t v[7] = { 0 }, sum = 0;

        if (berth_read_file(src->proc_stat, STAT_FILE_MAX, &text, NULL, NULL) < 0 ||
            sscanf(text, "cpu %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64, &v[0],
                   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]) != 7)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(v); i++)
                sum += v[i];
        return sum * NSEC_PER_SEC / (uint64_t) src->clock_ticks;
}

int container_stats_read_from(const struct container_stats_source *src, const char *cgroup_rel,
                              struct container_stats *ret, berth_error *err) {
        _cleanup_(container_stats_done) struct container_stats s = { .cgroup_version = src->version };
        struct timespec now;
        int r;

        clock_gettime(CLOCK_REALTIME, &now);
        r = src->version == 2 ? read_v2(src, cgroup_rel, &s, err) : read_v1(src, cgroup_rel, &s, err);
        if (r < 0)
                return r;
        /* No limit reads as a huge number (or "max"): Docker shows the host's memory. */
        if (src->machine_memory && (s.mem_limit == 0 || s.mem_limit > src->machine_memory))
                s.mem_limit = src->machine_memory;
        if (s.pids_limit == UINT64_MAX)
                s.pids_limit = 0;
        s.system_cpu_ns = system_cpu_ns(src);
        s.online_cpus = src->online_cpus;
        s.read_ns = (int64_t) now.tv_sec * 1000000000 + now.tv_nsec;
        *ret = s;
        s = (struct container_stats) { 0 };
        return 0;
}

/* The host's layout and sizes do not change while berthd runs: probed once. */
static struct container_stats_source host_source;
static pthread_once_t host_once = PTHREAD_ONCE_INIT;

static void probe_host(void) {
        _cleanup_strv_free_ char **controllers = NULL;
        long cpus = sysconf(_SC_NPROCESSORS_ONLN), pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
        long ticks = sysconf(_SC_CLK_TCK);
        bool hybrid;

        host_source = (struct container_stats_source) {
                .cgroup_root = "/sys/fs/cgroup",
                .proc_stat = "/proc/stat",
                .machine_memory = pages > 0 && page > 0 ? (uint64_t) pages * (uint64_t) page : 0,
                .online_cpus = cpus > 0 ? (uint32_t) cpus : 0,
                .clock_ticks = ticks > 0 ? ticks : 100,
        };
        /* Hybrid hosts keep the controllers in v1: the unified mount has none. */
        cgroup_probe(&host_source.version, &hybrid, &controllers);
}

int container_stats_read(const char *cgroup_rel, struct container_stats *ret, berth_error *err) {
        pthread_once(&host_once, probe_host);
        return container_stats_read_from(&host_source, cgroup_rel, ret, err);
}

/* ---- Docker's StatsJSON ---- */

/* Go's time.Time in RFC 3339 with nanoseconds, trailing zeros dropped, in UTC. */
static json_t *go_time(int64_t ns) {
        char buf[64], frac[16] = "";
        time_t sec = (time_t) (ns / 1000000000);
        long nsec = (long) (ns % 1000000000);
        struct tm tm;

        if (ns <= 0)
                return json_string("0001-01-01T00:00:00Z");
        gmtime_r(&sec, &tm);
        if (nsec) {
                size_t len = (size_t) snprintf(frac, sizeof(frac), ".%09ld", nsec);
                while (len > 1 && frac[len - 1] == '0')
                        frac[--len] = '\0';
        }
        strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
        return json_pack("s++", buf, frac, "Z");
}

static json_t *u64(uint64_t v) {
        /* jansson's integers are signed; counters never reach 2^63 in practice. */
        return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t) v);
}

/* Sets key to v unless v is 0 (Go's omitempty). */
static void set_nonzero(json_t *obj, const char *key, uint64_t v) {
        if (v)
                json_object_set_new(obj, key, u64(v));
}

static json_t *cpu_stats(const struct container_stats *s) {
        json_t *usage = json_object(), *cpu = json_object(), *throttle = json_object();

        json_object_set_new(usage, "total_usage", u64(s ? s->cpu_total_ns : 0));
        if (s && s->n_percpu) {
                json_t *per = json_array();
                for (size_t i = 0; i < s->n_percpu; i++)
                        json_array_append_new(per, u64(s->percpu_ns[i]));
                json_object_set_new(usage, "percpu_usage", per);
        }
        json_object_set_new(usage, "usage_in_kernelmode", u64(s ? s->cpu_system_ns : 0));
        json_object_set_new(usage, "usage_in_usermode", u64(s ? s->cpu_user_ns : 0));
        json_object_set_new(cpu, "cpu_usage", usage);
        if (s) {
                set_nonzero(cpu, "system_cpu_usage", s->system_cpu_ns);
                set_nonzero(cpu, "online_cpus", s->online_cpus);
        }
        json_object_set_new(throttle, "periods", u64(s ? s->throttle_periods : 0));
        json_object_set_new(throttle, "throttled_periods", u64(s ? s->throttled_periods : 0));
        json_object_set_new(throttle, "throttled_time", u64(s ? s->throttled_ns : 0));
        json_object_set_new(cpu, "throttling_data", throttle);
        return cpu;
}

static json_t *memory_stats(const struct container_stats *s) {
        json_t *mem = json_object();

        set_nonzero(mem, "usage", s->mem_usage);
        set_nonzero(mem, "max_usage", s->mem_max_usage);
        if (s->n_mem_stats) {
                json_t *raw = json_object();
                for (size_t i = 0; i < s->n_mem_stats; i++)
                        json_object_set_new(raw, s->mem_stats[i].key, u64(s->mem_stats[i].value));
                json_object_set_new(mem, "stats", raw);
        }
        set_nonzero(mem, "failcnt", s->mem_failcnt);
        set_nonzero(mem, "limit", s->mem_limit);
        return mem;
}

static json_t *blkio_stats(const struct container_stats *s) {
        static const char *const unused[] = {
                "io_serviced_recursive", "io_queue_recursive", "io_service_time_recursive", "io_wait_time_recursive",
                "io_merged_recursive",   "io_time_recursive",  "sectors_recursive",
        };
        json_t *blkio = json_object(), *bytes = s->n_blkio ? json_array() : json_null();

        for (size_t i = 0; i < s->n_blkio; i++)
                json_array_append_new(bytes, json_pack("{s:I,s:I,s:s,s:o}", "major", (json_int_t) s->blkio[i].major,
                                                       "minor", (json_int_t) s->blkio[i].minor, "op", s->blkio[i].op,
                                                       "value", u64(s->blkio[i].value)));
        json_object_set_new(blkio, "io_service_bytes_recursive", bytes);
        for (size_t i = 0; i < ELEMENTSOF(unused); i++)
                json_object_set_new(blkio, unused[i], json_null());
        return blkio;
}

char *container_stats_docker_json(const struct container_stats *cur, const struct container_stats *prev,
                                  const char *id, const char *name) {
        _cleanup_(json_decrefp) json_t *root = json_object();
        json_t *pids = json_object();
        char *text;

        set_nonzero(pids, "current", cur->pids_current);
        set_nonzero(pids, "limit", cur->pids_limit);
        json_object_set_new(root, "read", go_time(cur->read_ns));
        json_object_set_new(root, "preread", go_time(prev ? prev->read_ns : 0));
        json_object_set_new(root, "pids_stats", pids);
        json_object_set_new(root, "blkio_stats", blkio_stats(cur));
        json_object_set_new(root, "num_procs", json_integer(0));
        json_object_set_new(root, "storage_stats", json_object());
        json_object_set_new(root, "cpu_stats", cpu_stats(cur));
        json_object_set_new(root, "precpu_stats", cpu_stats(prev));
        json_object_set_new(root, "memory_stats", memory_stats(cur));
        json_object_set_new(root, "name", json_sprintf("/%s", name));
        json_object_set_new(root, "id", json_string(id));
        text = json_dumps(root, JSON_COMPACT);
        if (!text)
                abort();
        return text;
}
