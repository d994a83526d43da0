/* Container records: the JSON kept in the store's containers table, and deep copies. */
#include "container-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "berth/alloc.h"
#include "berth/strv.h"

static const char *const status_names[] = {
        [BERTH_CONTAINER_CREATED] = "created",       [BERTH_CONTAINER_RUNNING] = "running",
        [BERTH_CONTAINER_PAUSED] = "paused",         [BERTH_CONTAINER_RESTARTING] = "restarting",
        [BERTH_CONTAINER_REMOVING] = "removing",     [BERTH_CONTAINER_EXITED] = "exited",
        [BERTH_CONTAINER_DEAD] = "dead",
};

const char *berth_container_status_name(berth_container_status s) {
        return (size_t) s < ELEMENTSOF(status_names) ? status_names[s] : "unknown";
}

int berth_container_status_from_name(const char *name, berth_container_status *ret) {
        for (size_t i = 0; i < ELEMENTSOF(status_names); i++)
                if (strcmp(name, status_names[i]) == 0) {
                        *ret = (berth_container_status) i;
                        return 0;
                }
        return -EINVAL;
}

int64_t container_now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void container_fields_done(berth_container *c) {
        free(c->id);
        free(c->name);
        free(c->image_id);
        free(c->image);
        free(c->config);
        free(c->host_config);
        free(c->runtime);
        strv_freep(&c->diff_ids);
        free(c->bundle);
        free(c->rootfs);
        free(c->upper);
        free(c->log_path);
        free(c->state.error);
}

berth_container *berth_container_free(berth_container *c) {
        if (!c)
                return NULL;
        container_fields_done(c);
        free(c);
        return NULL;
}

void berth_container_list_free(berth_container **list) {
        for (size_t i = 0; list && list[i]; i++)
                berth_container_free(list[i]);
        free(list);
}

static char *dup_or_null(const char *s) {
        return s ? xstrdup(s) : NULL;
}

berth_container *container_copy(const berth_container *c) {
        berth_container *d = xnew0(berth_container, 1);
        *d = *c;
        d->id = xstrdup(c->id);
        d->name = xstrdup(c->name);
        d->image_id = xstrdup(c->image_id);
        d->image = xstrdup(c->image);
        d->config = xstrdup(c->config);
        d->host_config = xstrdup(c->host_config);
        d->runtime = dup_or_null(c->runtime);
        d->diff_ids = strv_copy(c->diff_ids);
        d->bundle = xstrdup(c->bundle);
        d->rootfs = xstrdup(c->rootfs);
        d->upper = xstrdup(c->upper);
        d->log_path = xstrdup(c->log_path);
        d->state.error = dup_or_null(c->state.error);
        return d;
}

static json_t *strv_to_json(char *const *v) {
        json_t *a = json_array();
        for (size_t i = 0; v && v[i]; i++)
                json_array_append_new(a, json_string(v[i]));
        return a;
}

static json_t *state_to_json(const berth_container_state *s) {
        json_t *o = json_pack("{s:s, s:I, s:I, s:i, s:b, s:I, s:I, s:I, s:I}", "status",
                              berth_container_status_name(s->status), "pid", (json_int_t) s->pid, "conmon_pid",
                              (json_int_t) s->conmon_pid, "exit_code", s->exit_code, "oom_killed", s->oom_killed,
                              "started_at", (json_int_t) s->started_at, "finished_at", (json_int_t) s->finished_at,
                              "restart_count", (json_int_t) s->restart_count, "exits", (json_int_t) s->exits);
        if (s->error)
                json_object_set_new(o, "error", json_string(s->error));
        return o;
}

char *container_record_encode(const berth_container *c) {
        json_t *config = container_json_parse(c->config), *host = container_json_parse(c->host_config);
        json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:o, s:o, s:o, s:o}", "id", c->id, "name", c->name,
                              "created", (json_int_t) c->created, "image_id", c->image_id, "image", c->image,
                              "config", config ? config : json_object(), "host_config",
                              host ? host : json_object(), "diff_ids", strv_to_json(c->diff_ids), "state",
                              state_to_json(&c->state));
        if (c->runtime)
                json_object_set_new(o, "runtime", json_string(c->runtime));
        if (c->systemd_cgroup)
                json_object_set_new(o, "cgroup_manager", json_string("systemd"));
        char *text = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        return text;
}

static int decode_state(json_t *s, berth_container_state *st) {
        json_int_t pid = 0, conmon = 0, started = 0, finished = 0, restarts = 0, exits = 0;
        const char *status = NULL, *error = NULL;
        int exit_code = 0, oom = 0;

        if (json_unpack(s, "{s:s, s?I, s?I, s?i, s?b, s?I, s?I, s?I, s?I, s?s}", "status", &status, "pid", &pid,
                        "conmon_pid", &conmon, "exit_code", &exit_code, "oom_killed", &oom, "started_at", &started,
                        "finished_at", &finished, "restart_count", &restarts, "exits", &exits, "error", &error) < 0)
                return -EINVAL;
        if (berth_container_status_from_name(status, &st->status) < 0)
                return -EINVAL;
        st->pid = (pid_t) pid;
        st->conmon_pid = (pid_t) conmon;
        st->exit_code = exit_code;
        st->oom_killed = oom;
        st->started_at = started;
        st->finished_at = finished;
        st->restart_count = (unsigned) restarts;
        st->exits = (uint64_t) exits;
        st->error = dup_or_null(error);
        return 0;
}

int container_record_decode(const char *data, size_t size, berth_container *ret, berth_error *err) {
        json_t *o = json_loadb(data, size, 0, NULL), *config, *host, *diffs, *state, *v;
        const char *id, *name, *image_id, *image, *runtime = NULL, *manager = NULL;
        json_int_t created;
        berth_container c = {};
        size_t i;

        if (!o || json_unpack(o, "{s:s, s:s, s:I, s:s, s:s, s:o, s:o, s:o, s:o, s?s, s?s}", "id", &id, "name",
                              &name, "created", &created, "image_id", &image_id, "image", &image, "config", &config,
                              "host_config", &host, "diff_ids", &diffs, "state", &state, "runtime", &runtime,
                              "cgroup_manager", &manager) < 0) {
                json_decref(o);
                return berth_err(err, -EBADMSG, "damaged container record");
        }
        c.id = xstrdup(id);
        c.name = xstrdup(name);
        c.created = created;
        c.image_id = xstrdup(image_id);
        c.image = xstrdup(image);
        c.config = json_dumps(config, JSON_COMPACT);
        c.host_config = json_dumps(host, JSON_COMPACT);
        c.runtime = dup_or_null(runtime);
        c.systemd_cgroup = manager && strcmp(manager, "systemd") == 0;
        c.diff_ids = xnew0(char *, json_array_size(diffs) + 1);
        json_array_foreach (diffs, i, v)
                c.diff_ids[i] = xstrdup(json_string_value(v) ? json_string_value(v) : "");
        int r = decode_state(state, &c.state);
        json_decref(o);
        if (r < 0) {
                container_fields_done(&c);
                return berth_err(err, -EBADMSG, "damaged state in the record of container %s", id);
        }
        *ret = c;
        return 0;
}

json_t *container_json_parse(const char *text) {
        return text ? json_loads(text, 0, NULL) : NULL;
}

const char *json_string_at(json_t *obj, const char *key) {
        return json_string_value(json_object_get(obj, key));
}

int64_t json_int_at(json_t *obj, const char *key, int64_t def) {
        json_t *v = json_object_get(obj, key);
        return json_is_integer(v) ? (int64_t) json_integer_value(v) : def;
}

bool json_bool_at(json_t *obj, const char *key) {
        return json_is_true(json_object_get(obj, key));
}
