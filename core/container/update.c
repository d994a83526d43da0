/* `docker update`: new resource limits and restart policy merged into a container's
 * HostConfig as Docker merges them, checked as create checks them (spec-resources.c),
 * applied live with the runtime's update and stored. */
#include "berth/container-ops.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "berth/alloc.h"
#include "container-internal.h"
#include "oci.h"
#include "spec.h"

/* Replaced when the update gives a non-zero value (Docker's UpdateContainer). */
static const char *const int_fields[] = {
        "BlkioWeight", "CpuShares",  "NanoCpus",          "CpuPeriod",         "CpuQuota",
        "Memory",      "MemorySwap", "MemoryReservation", "CpuRealtimePeriod", "CpuRealtimeRuntime",
};
static const char *const string_fields[] = { "CpusetCpus", "CpusetMems" };
static const char *const list_fields[] = {
        "BlkioWeightDevice",    "BlkioDeviceReadBps",  "BlkioDeviceWriteBps",
        "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps",
};

static json_int_t int_at(json_t *o, const char *key) {
        json_t *v = json_object_get(o, key);
        return json_is_integer(v) ? json_integer_value(v) : 0;
}

static int check_types(json_t *body, berth_error *err) {
        for (size_t i = 0; i < ELEMENTSOF(int_fields); i++) {
                json_t *v = json_object_get(body, int_fields[i]);
                if (v && !json_is_null(v) && !json_is_integer(v))
                        return berth_err(err, -EINVAL, "%s must be an integer", int_fields[i]);
        }
        for (size_t i = 0; i < ELEMENTSOF(string_fields); i++) {
                json_t *v = json_object_get(body, string_fields[i]);
                if (v && !json_is_null(v) && !json_is_string(v))
                        return berth_err(err, -EINVAL, "%s must be a string", string_fields[i]);
        }
        json_t *pids = json_object_get(body, "PidsLimit"), *policy = json_object_get(body, "RestartPolicy");
        if (pids && !json_is_null(pids) && !json_is_integer(pids))
                return berth_err(err, -EINVAL, "PidsLimit must be an integer");
        if (policy && !json_is_null(policy) && !json_is_object(policy))
                return berth_err(err, -EINVAL, "RestartPolicy must be an object");
        return 0;
}

/* NanoCpus sets period and quota: once one way is stored, the other cannot be updated. */
static int check_cpu_conflicts(json_t *cur, json_t *body, const char *id, berth_error *err) {
        static const struct {
                const char *given, *stored, *message;
        } rules[] = {
                { "NanoCpus", "CpuPeriod", "Nano CPUs cannot be updated as CPU Period has already been set" },
                { "NanoCpus", "CpuQuota", "Nano CPUs cannot be updated as CPU Quota has already been set" },
                { "CpuPeriod", "NanoCpus", "CPU Period cannot be updated as NanoCPUs has already been set" },
                { "CpuQuota", "NanoCpus", "CPU Quota cannot be updated as NanoCPUs has already been set" },
        };
        for (size_t i = 0; i < ELEMENTSOF(rules); i++)
                if (int_at(body, rules[i].given) > 0 && int_at(cur, rules[i].stored) > 0)
                        return berth_err(err, -EEXIST, "Cannot update container %s: Conflicting options: %s", id,
                                         rules[i].message);
        return 0;
}

static int merge_restart_policy(json_t *host, json_t *policy, const char *id, berth_error *err) {
        const char *name = json_string_value(json_object_get(policy, "Name"));
        json_int_t retries = int_at(policy, "MaximumRetryCount");

        if (!name || !*name)
                return 0;
        if (strcmp(name, "on-failure") == 0) {
                if (retries < 0)
                        return berth_err(err, -EINVAL, "maximum retry count cannot be negative");
        } else if (strcmp(name, "always") == 0 || strcmp(name, "unless-stopped") == 0 || strcmp(name, "no") == 0) {
                if (retries != 0)
                        return berth_err(err, -EINVAL, "maximum retry count cannot be used with restart policy '%s'",
                                         name);
        } else
                return berth_err(err, -EINVAL, "invalid restart policy '%s'", name);
        if (json_is_true(json_object_get(host, "AutoRemove")) && strcmp(name, "no") != 0)
                return berth_err(err, -EEXIST,
                                 "Cannot update container %s: Conflicting options: Restart policy cannot be updated because AutoRemove is enabled for the container",
                                 id);
        json_object_set_new(host, "RestartPolicy",
                            json_pack("{s:s, s:I}", "Name", name, "MaximumRetryCount", retries));
        return 0;
}

/* The update's non-zero fields over the stored HostConfig `host`. */
static int merge(json_t *host, json_t *body, const char *id, berth_error *err) {
        json_int_t mem = int_at(body, "Memory"), swap = int_at(body, "MemorySwap"), cur_swap = int_at(host, "MemorySwap");
        json_t *pids = json_object_get(body, "PidsLimit");
        int r = check_types(body, err);

        if (r >= 0)
                r = check_cpu_conflicts(host, body, id, err);
        if (r < 0)
                return r;
        /* A stored swap limit below the new memory would be refused by the kernel.
         * (Docker also refuses when no swap limit was ever set; berth then derives it.) */
        if (mem > 0 && cur_swap > 0 && mem > cur_swap && swap == 0)
                return berth_err(err, -EEXIST,
                                 "Cannot update container %s: Conflicting options: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time",
                                 id);
        for (size_t i = 0; i < ELEMENTSOF(int_fields); i++)
                if (int_at(body, int_fields[i]) != 0)
                        json_object_set(host, int_fields[i], json_object_get(body, int_fields[i]));
        for (size_t i = 0; i < ELEMENTSOF(string_fields); i++) {
                const char *v = json_string_value(json_object_get(body, string_fields[i]));
                if (v && *v)
                        json_object_set_new(host, string_fields[i], json_string(v));
        }
        for (size_t i = 0; i < ELEMENTSOF(list_fields); i++) {
                json_t *v = json_object_get(body, list_fields[i]);
                if (json_is_array(v))
                        json_object_set(host, list_fields[i], v);
        }
        if (json_is_integer(pids))
                json_object_set(host, "PidsLimit", pids);
        return merge_restart_policy(host, json_object_get(body, "RestartPolicy"), id, err);
}

/* The LinuxResources for `runc update`, from the merged HostConfig; also its check. */
static int resources_of(json_t *host, bool pids_given, char **ret, berth_error *err) {
        _cleanup_(json_decrefp) json_t *linux_ = json_object();
        int r = spec_add_resources(linux_, host, json_is_true(json_object_get(host, "Privileged")), err);
        json_t *res;

        if (r < 0)
                return r;
        res = json_object_get(linux_, "resources");
        json_object_del(res, "devices");   /* device rules are not the update's business */
        /* runc leaves a zero pids limit alone; -1 lifts it. */
        if (pids_given && int_at(host, "PidsLimit") <= 0)
                json_object_set_new(res, "pids", json_pack("{s:i}", "limit", -1));
        *ret = json_dumps(res, JSON_COMPACT);
        if (!*ret)
                abort();
        return 0;
}

static int update_locked(berth_engine *e, struct ctr *c, json_t *body, berth_error *err) {
        struct engine_containers *ec = engine_containers(e);
        _cleanup_(berth_container_freep) berth_container *snap = ctr_snapshot(e, c);
        _cleanup_(json_decrefp) json_t *host = container_json_parse(snap->host_config);
        _cleanup_free_ char *resources = NULL, *rtroot = NULL, *text = NULL;
        berth_container_status st = snap->state.status;
        struct oci_runtime rt;
        int r;

        if (st == BERTH_CONTAINER_REMOVING || st == BERTH_CONTAINER_DEAD)
                return berth_err(err, -EBUSY,
                                 "Cannot update container %s: container is marked for removal and cannot be \"update\"",
                                 snap->id);
        if (!json_is_object(host))
                host = json_object();
        r = merge(host, body, snap->id, err);
        if (r >= 0)
                r = resources_of(host, json_is_integer(json_object_get(body, "PidsLimit")), &resources, err);
        if (r < 0)
                return r;
        /* Stopped: the stored HostConfig is enough, start builds the spec from it. */
        if (st == BERTH_CONTAINER_RUNNING || st == BERTH_CONTAINER_PAUSED) {
                ctr_runtime(e, snap, &rt, &rtroot);
                r = oci_update(&rt, snap->id, resources, err);
                if (r < 0)
                        return berth_err_prefix(err, "Cannot update container %s", snap->id);
        }
        text = json_dumps(host, JSON_COMPACT);
        if (!text)
                abort();
        pthread_mutex_lock(&ec->lock);
        free(c->c.host_config);
        c->c.host_config = TAKE_PTR(text);
        ctr_changed(e);
        pthread_mutex_unlock(&ec->lock);
        return ctr_save(e, c, err);
}

int berth_container_update(berth_engine *e, const char *name, const char *body, berth_error *err) {
        _cleanup_(json_decrefp) json_t *req = json_loads(body ? body : "", 0, NULL);
        struct ctr *c;
        int r;

        if (!json_is_object(req))
                return berth_err(err, -EINVAL, "the update body must be a JSON object");
        r = ctr_find_op_locked(e, name, &c, err);
        if (r < 0)
                return r;
        r = update_locked(e, c, req, err);
        ctr_op_release(e, c);
        return r;
}
