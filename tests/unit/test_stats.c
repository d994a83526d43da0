/* container_stats_read_from() over fake cgroup v1 and v2 trees, and the StatsJSON that
 * `docker stats` computes its percentages from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "stats.h"

#define GIB (UINT64_C(1) << 30)

typedef struct fixture {
        char *top;
        char *proc_stat;
        struct container_stats_source src;
} fixture;

static void write_at(const char *top, const char *rel, const char *data) {
        char *path = xasprintf("%s/%s", top, rel);
        FILE *f;

        for (char *p = strchr(path + strlen(top) + 1, '/'); p; p = strchr(p + 1, '/')) {
                *p = '\0';
                mkdir(path, 0755);
                *p = '/';
        }
        f = fopen(path, "we");
        assert_non_null(f);
        fputs(data, f);
        fclose(f);
        free(path);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st, (void) flag, (void) ftw;
        return remove(path);
}

static int setup_common(void **state, int version) {
        fixture *f = calloc(1, sizeof(*f));
        f->top = xstrdup("/tmp/berth-stats-test-XXXXXX");
        assert_non_null(mkdtemp(f->top));
        f->proc_stat = xasprintf("%s/proc-stat", f->top);
        write_at(f->top, "proc-stat", "cpu  600 0 200 1000 200 0 0 5 0 0\ncpu0 300 0 100 500 100 0 0 0 0 0\n");
        f->src = (struct container_stats_source) {
                .cgroup_root = f->top, .version = version, .proc_stat = f->proc_stat,
                .machine_memory = 8 * GIB, .online_cpus = 2, .clock_ticks = 100,
        };
        *state = f;
        return 0;
}

static int setup_v1(void **state) {
        fixture *f;
        setup_common(state, 1);
        f = *state;
        write_at(f->top, "memory/berth/c1/memory.usage_in_bytes", "104857600\n");
        write_at(f->top, "memory/berth/c1/memory.max_usage_in_bytes", "209715200\n");
        write_at(f->top, "memory/berth/c1/memory.limit_in_bytes", "9223372036854771712\n");
        write_at(f->top, "memory/berth/c1/memory.failcnt", "3\n");
        write_at(f->top, "memory/berth/c1/memory.stat",
                 "cache 8192\nrss 4096\ninactive_file 1024\ntotal_inactive_file 4194304\ntotal_rss 4096\n");
        write_at(f->top, "cpuacct/berth/c1/cpuacct.usage", "2000000000\n");
        write_at(f->top, "cpuacct/berth/c1/cpuacct.usage_percpu", "1500000000 500000000 \n");
        write_at(f->top, "cpuacct/berth/c1/cpuacct.stat", "user 150\nsystem 50\n");
        write_at(f->top, "cpu/berth/c1/cpu.stat", "nr_periods 10\nnr_throttled 2\nthrottled_time 3000\n");
        write_at(f->top, "pids/berth/c1/pids.current", "3\n");
        write_at(f->top, "pids/berth/c1/pids.max", "max\n");
        /* CFQ's file is empty under other schedulers: the throttle one counts. */
        write_at(f->top, "blkio/berth/c1/blkio.io_service_bytes_recursive", "Total 0\n");
        write_at(f->top, "blkio/berth/c1/blkio.throttle.io_service_bytes_recursive",
                 "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Async 12288\n8:0 Total 12288\nTotal 12288\n");
        /* Only a memory cgroup: everything else reads as 0. */
        write_at(f->top, "memory/berth/c2/memory.usage_in_bytes", "5\n");
        return 0;
}

static int setup_v2(void **state) {
        fixture *f;
        setup_common(state, 2);
        f = *state;
        write_at(f->top, "berth/c1/cpu.stat",
                 "usage_usec 2000000\nuser_usec 1500000\nsystem_usec 500000\nnr_periods 4\nnr_throttled 1\n"
                 "throttled_usec 7\n");
        write_at(f->top, "berth/c1/memory.current", "52428800\n");
        write_at(f->top, "berth/c1/memory.max", "268435456\n");
        write_at(f->top, "berth/c1/memory.stat", "anon 4096\nfile 8192\ninactive_file 2048\nactive_file 6144\n");
        write_at(f->top, "berth/c1/memory.events", "low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n");
        write_at(f->top, "berth/c1/pids.current", "7\n");
        write_at(f->top, "berth/c1/pids.max", "100\n");
        write_at(f->top, "berth/c1/io.stat",
                 "8:0 rbytes=1024 wbytes=2048 rios=1 wios=2 dbytes=0 dios=0\n"
                 "253:1 rbytes=10 wbytes=20 rios=1 wios=1 dbytes=0 dios=0\n");
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;
        nftw(f->top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(f->proc_stat);
        free(f->top);
        free(f);
        return 0;
}

static uint64_t mem_stat(const struct container_stats *s, const char *key) {
        for (size_t i = 0; i < s->n_mem_stats; i++)
                if (strcmp(s->mem_stats[i].key, key) == 0)
                        return s->mem_stats[i].value;
        fail_msg("memory.stat has no %s", key);
        return 0;
}

static void test_v1(void **state) {
        fixture *f = *state;
        struct container_stats s = { 0 };
        berth_error err = { 0 };

        if (container_stats_read_from(&f->src, "/berth/c1", &s, &err) < 0)
                fail_msg("read: %s", err.message);
        assert_int_equal(s.cgroup_version, 1);
        assert_int_equal(s.cpu_total_ns, 2000000000);
        assert_int_equal(s.cpu_user_ns, 1500000000);  /* 150 ticks of 10 ms */
        assert_int_equal(s.cpu_system_ns, 500000000);
        assert_int_equal(s.n_percpu, 2);
        assert_int_equal(s.percpu_ns[0], 1500000000);
        assert_int_equal(s.percpu_ns[1], 500000000);
        assert_int_equal(s.throttle_periods, 10);
        assert_int_equal(s.throttled_periods, 2);
        assert_int_equal(s.throttled_ns, 3000);
        /* 600+0+200+1000+200+0+0 ticks; steal is not counted, as in Docker. */
        assert_int_equal(s.system_cpu_ns, UINT64_C(20000000000));
        assert_int_equal(s.online_cpus, 2);
        assert_int_equal(s.mem_usage, 104857600);
        assert_int_equal(s.mem_max_usage, 209715200);
        assert_int_equal(s.mem_limit, 8 * GIB);       /* unlimited: the host's memory */
        assert_int_equal(s.mem_failcnt, 3);
        assert_int_equal(s.mem_cache, 4194304);       /* total_inactive_file */
        assert_int_equal(s.n_mem_stats, 5);
        assert_string_equal(s.mem_stats[0].key, "cache");     /* sorted */
        assert_int_equal(mem_stat(&s, "rss"), 4096);
        assert_int_equal(s.pids_current, 3);
        assert_int_equal(s.pids_limit, 0);
        assert_int_equal(s.n_blkio, 5);
        assert_int_equal(s.blkio[0].major, 8);
        assert_string_equal(s.blkio[0].op, "Read");
        assert_int_equal(s.blk_read, 4096);
        assert_int_equal(s.blk_write, 8192);
        assert_true(s.read_ns > 0);
        container_stats_done(&s);
        assert_null(s.mem_stats);
}

static void test_v1_missing_files(void **state) {
        fixture *f = *state;
        struct container_stats s = { 0 };
        berth_error err = { 0 };

        assert_int_equal(container_stats_read_from(&f->src, "/berth/c2", &s, &err), 0);
        assert_int_equal(s.mem_usage, 5);
        assert_int_equal(s.cpu_total_ns, 0);
        assert_int_equal(s.n_percpu, 0);
        assert_int_equal(s.pids_current, 0);
        assert_int_equal(s.n_blkio, 0);
        assert_int_equal(s.mem_limit, 8 * GIB);
        container_stats_done(&s);
}

static void test_missing_cgroup(void **state) {
        fixture *f = *state;
        struct container_stats s = { 0 };
        berth_error err = { 0 };

        assert_int_equal(container_stats_read_from(&f->src, "/berth/gone", &s, &err), -ENOENT);
        assert_string_equal(err.message, "cgroup /berth/gone does not exist (is the container running?)");
        assert_null(s.mem_stats);
}

static void test_host_missing_cgroup(void **state) {
        struct container_stats s = { 0 };
        berth_error err = { 0 };
        (void) state;

        assert_int_equal(container_stats_read("/berth/no-such-container-for-a-test", &s, &err), -ENOENT);
        assert_string_equal(err.message,
                            "cgroup /berth/no-such-container-for-a-test does not exist (is the container running?)");
}

/* The host's root cgroup exists under v1 and v2 alike. */
static void test_host_root_cgroup(void **state) {
        struct container_stats s = { 0 };
        berth_error err = { 0 };
        (void) state;

        if (container_stats_read("/", &s, &err) < 0)
                fail_msg("read: %s", err.message);
        assert_true(s.system_cpu_ns > 0);
        assert_true(s.online_cpus > 0);
        assert_true(s.cgroup_version == 1 || s.cgroup_version == 2);
        container_stats_done(&s);
}

static void test_v2(void **state) {
        fixture *f = *state;
        struct container_stats s = { 0 };
        berth_error err = { 0 };

        if (container_stats_read_from(&f->src, "/berth/c1", &s, &err) < 0)
                fail_msg("read: %s", err.message);
        assert_int_equal(s.cgroup_version, 2);
        assert_int_equal(s.cpu_total_ns, 2000000000);
        assert_int_equal(s.cpu_user_ns, 1500000000);
        assert_int_equal(s.cpu_system_ns, 500000000);
        assert_int_equal(s.n_percpu, 0);
        assert_int_equal(s.throttled_ns, 7000);
        assert_int_equal(s.mem_usage, 52428800);
        assert_int_equal(s.mem_limit, 268435456);
        assert_int_equal(s.mem_cache, 2048);
        assert_int_equal(s.mem_failcnt, 1);
        assert_int_equal(s.pids_current, 7);
        assert_int_equal(s.pids_limit, 100);
        assert_int_equal(s.n_blkio, 4);
        assert_string_equal(s.blkio[1].op, "write");
        assert_int_equal(s.blkio[2].major, 253);
        assert_int_equal(s.blk_read, 1034);
        assert_int_equal(s.blk_write, 2068);
        container_stats_done(&s);
        write_at(f->top, "berth/c1/memory.max", "max\n");
        write_at(f->top, "berth/c1/pids.max", "max\n");
        assert_int_equal(container_stats_read_from(&f->src, "/berth/c1", &s, &err), 0);
        assert_int_equal(s.mem_limit, 8 * GIB);
        assert_int_equal(s.pids_limit, 0);
        container_stats_done(&s);
}

static json_t *parse(const char *text) {
        json_error_t jerr;
        json_t *j = json_loads(text, 0, &jerr);
        if (!j)
                fail_msg("bad JSON (%s): %s", jerr.text, text);
        return j;
}

static uint64_t num(json_t *j, const char *path) {
        json_t *v = j;
        char *copy = xstrdup(path), *save = NULL;
        for (char *k = strtok_r(copy, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
                v = json_object_get(v, k);
        free(copy);
        if (!json_is_integer(v))
                fail_msg("%s is not a number", path);
        return (uint64_t) json_integer_value(v);
}

/* The docker CLI's calculateCPUPercentUnix() and memory numbers, from the JSON alone. */
static double cli_cpu_percent(json_t *j) {
        double cpu = (double) num(j, "cpu_stats.cpu_usage.total_usage") - (double) num(j, "precpu_stats.cpu_usage.total_usage");
        double sys = (double) num(j, "cpu_stats.system_cpu_usage") -
                     (double) json_integer_value(json_object_get(json_object_get(j, "precpu_stats"), "system_cpu_usage"));
        double cpus = (double) num(j, "cpu_stats.online_cpus");
        return sys > 0 && cpu > 0 ? cpu / sys * cpus * 100.0 : 0.0;
}

static void test_docker_json(void **state) {
        fixture *f = *state;
        struct container_stats prev = { 0 }, cur = { 0 };
        json_t *j, *blk, *usage;
        char *text;

        assert_int_equal(container_stats_read_from(&f->src, "/berth/c1", &prev, NULL), 0);
        /* One second of host time (2 CPUs: 200 ticks), half a second of container CPU. */
        write_at(f->top, "cpuacct/berth/c1/cpuacct.usage", "2500000000\n");
        write_at(f->top, "proc-stat", "cpu  650 0 250 1100 200 0 0 5 0 0\n");
        assert_int_equal(container_stats_read_from(&f->src, "/berth/c1", &cur, NULL), 0);
        cur.read_ns = INT64_C(1700000000123456789);
        prev.read_ns = INT64_C(1700000000120000000);
        text = container_stats_docker_json(&cur, &prev, "c1id", "web");
        j = parse(text);
        assert_float_equal(cli_cpu_percent(j), 50.0, 1e-9);
        assert_string_equal(json_string_value(json_object_get(j, "read")), "2023-11-14T22:13:20.123456789Z");
        assert_string_equal(json_string_value(json_object_get(j, "preread")), "2023-11-14T22:13:20.12Z");
        assert_string_equal(json_string_value(json_object_get(j, "name")), "/web");
        assert_string_equal(json_string_value(json_object_get(j, "id")), "c1id");
        usage = json_object_get(json_object_get(j, "cpu_stats"), "cpu_usage");
        assert_int_equal(json_array_size(json_object_get(usage, "percpu_usage")), 2);
        assert_int_equal(num(j, "cpu_stats.throttling_data.throttled_periods"), 2);
        /* The CLI's memory: usage minus total_inactive_file, over the limit. */
        assert_int_equal(num(j, "memory_stats.usage") - num(j, "memory_stats.stats.total_inactive_file"), 100663296);
        assert_int_equal(num(j, "memory_stats.limit"), 8 * GIB);
        assert_int_equal(num(j, "pids_stats.current"), 3);
        assert_null(json_object_get(json_object_get(j, "pids_stats"), "limit"));
        blk = json_object_get(json_object_get(j, "blkio_stats"), "io_service_bytes_recursive");
        assert_int_equal(json_array_size(blk), 5);
        assert_string_equal(json_string_value(json_object_get(json_array_get(blk, 1), "op")), "Write");
        assert_int_equal(json_integer_value(json_object_get(json_array_get(blk, 1), "value")), 8192);
        assert_true(json_is_null(json_object_get(json_object_get(j, "blkio_stats"), "io_serviced_recursive")));
        assert_null(json_object_get(j, "networks"));
        json_decref(j);
        free(text);

        /* The first sample of a stream: no previous one. */
        text = container_stats_docker_json(&cur, NULL, "c1id", "web");
        j = parse(text);
        assert_string_equal(json_string_value(json_object_get(j, "preread")), "0001-01-01T00:00:00Z");
        assert_int_equal(num(j, "precpu_stats.cpu_usage.total_usage"), 0);
        assert_null(json_object_get(json_object_get(j, "precpu_stats"), "system_cpu_usage"));
        assert_float_equal(cli_cpu_percent(j), 2500000000.0 / 22000000000.0 * 2 * 100, 1e-9);
        json_decref(j);
        free(text);
        container_stats_done(&prev);
        container_stats_done(&cur);
}

static void test_docker_json_v2(void **state) {
        fixture *f = *state;
        struct container_stats s = { 0 };
        json_t *j, *blk;
        char *text;

        assert_int_equal(container_stats_read_from(&f->src, "/berth/c1", &s, NULL), 0);
        text = container_stats_docker_json(&s, NULL, "x", "y");
        j = parse(text);
        assert_null(json_object_get(json_object_get(json_object_get(j, "cpu_stats"), "cpu_usage"), "percpu_usage"));
        assert_int_equal(num(j, "memory_stats.stats.inactive_file"), 2048);
        assert_int_equal(num(j, "pids_stats.limit"), 100);
        blk = json_object_get(json_object_get(j, "blkio_stats"), "io_service_bytes_recursive");
        assert_string_equal(json_string_value(json_object_get(json_array_get(blk, 0), "op")), "read");
        json_decref(j);
        free(text);
        container_stats_done(&s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_v1, setup_v1, teardown),
                cmocka_unit_test_setup_teardown(test_v1_missing_files, setup_v1, teardown),
                cmocka_unit_test_setup_teardown(test_missing_cgroup, setup_v1, teardown),
                cmocka_unit_test_setup_teardown(test_missing_cgroup, setup_v2, teardown),
                cmocka_unit_test(test_host_missing_cgroup),
                cmocka_unit_test(test_host_root_cgroup),
                cmocka_unit_test_setup_teardown(test_v2, setup_v2, teardown),
                cmocka_unit_test_setup_teardown(test_docker_json, setup_v1, teardown),
                cmocka_unit_test_setup_teardown(test_docker_json_v2, setup_v2, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
