/* Engine lifetime and the lazily computed facts every info endpoint reads. */
#include "berth/engine.h"

#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/log.h"
#include "berth/path.h"
#include "berth/store.h"
#include "archive-api.h"
#include "berth/container.h"
#include "berth/events.h"
#include "container/container-internal.h"
#include "engine-internal.h"
#include "image/image-store.h"

struct berth_engine {
        berth_config config;
        berth_store *store;

        pthread_mutex_t lock;   /* guards the lazily filled fields below */
        berth_host_facts *facts;
        berth_program *runtime;
        berth_program *conmon;
        bool versions_loaded;

        struct engine_images images;
        struct engine_containers containers;
        atomic_bool wake_on_exit;
        berth_events *events;
};

berth_store *engine_store(berth_engine *e) {
        return e->store;
}

struct engine_images *engine_images(berth_engine *e) {
        return &e->images;
}

berth_events *berth_engine_events(berth_engine *e) {
        return e->events;
}

struct engine_containers *engine_containers(berth_engine *e) {
        return &e->containers;
}

/* runc's and crun's systemd driver asks systemd for a scope per container. */
static int check_cgroup_manager(const berth_config *cfg, berth_error *err) {
        if (!cfg->cgroup_manager || strcmp(cfg->cgroup_manager, "systemd") != 0)
                return 0;
        if (access("/run/systemd/system", F_OK) < 0)
                return berth_err(err, -EOPNOTSUPP, "cgroup-manager systemd: systemd is not this host's init "
                                                   "(no /run/systemd/system); use cgroupfs");
        return 0;
}

int berth_engine_open(berth_config *cfg, berth_engine **ret, berth_error *err) {
        _cleanup_(berth_engine_freep) berth_engine *e = xnew0(berth_engine, 1);
        berth_error missing;
        int r;

        e->config = *cfg;
        berth_config_init(cfg);
        pthread_mutex_init(&e->lock, NULL);
        pthread_mutex_init(&e->images.lock, NULL);
        pthread_cond_init(&e->images.changed, NULL);
        engine_containers_init(&e->containers);
        e->events = berth_events_new(BERTH_EVENTS_KEPT);

        r = check_cgroup_manager(&e->config, err);
        if (r < 0)
                return r;
        r = berth_store_open(e->config.root, &e->store, err);
        if (r < 0)
                return r;
        r = berth_mkdir_p(e->config.runroot, 0711, err);
        if (r < 0)
                return r;
        r = image_store_recover(e, err);
        if (r < 0)
                return r;
        if (e->config.runtime) {
                r = berth_runtime_resolve(e->config.runtime, &e->runtime, err);
                if (r < 0)
                        return r;
        } else if (berth_runtime_resolve(NULL, &e->runtime, &missing) < 0)
                log_warn("%s", missing.message);
        if (berth_program_resolve("conmon", &e->conmon, NULL) < 0)
                log_warn("conmon not found: containers cannot run until it is installed");
        r = berth_containers_start_monitor(e, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(e);
        return 0;
}

berth_engine *berth_engine_free(berth_engine *e) {
        if (!e)
                return NULL;
        engine_containers_stop_monitor(&e->containers);
        engine_containers_done(&e->containers);
        berth_store_free(e->store);
        berth_host_facts_free(e->facts);
        berth_program_free(e->runtime);
        berth_program_free(e->conmon);
        berth_config_done(&e->config);
        berth_events_free(e->events);
        pthread_mutex_destroy(&e->lock);
        pthread_mutex_destroy(&e->images.lock);
        pthread_cond_destroy(&e->images.changed);
        free(e);
        return NULL;
}

void berth_engine_release_idle_memory(berth_engine *e) {
        (void) e;
        archive_api_unload_if_unused();
        malloc_trim(0);
}

void berth_engine_set_wake_on_exit(berth_engine *e, bool wake) {
        atomic_store(&e->wake_on_exit, wake);
}

bool berth_engine_wake_on_exit(const berth_engine *e) {
        return atomic_load(&e->wake_on_exit);
}

const berth_config *berth_engine_config(const berth_engine *e) {
        return &e->config;
}

const char *berth_engine_id(const berth_engine *e) {
        return berth_store_engine_id(e->store);
}

const berth_host_facts *berth_engine_host_facts(berth_engine *e) {
        const berth_host_facts *facts;
        berth_error err;

        pthread_mutex_lock(&e->lock);
        if (!e->facts && berth_host_facts_read(e->config.root, &e->facts, &err) < 0)
                log_error("reading host facts: %s", err.message);
        facts = e->facts;
        pthread_mutex_unlock(&e->lock);
        return facts;
}

static void load_versions_locked(berth_engine *e) {
        berth_program *programs[] = { e->runtime, e->conmon };
        berth_error err;

        if (e->versions_loaded)
                return;
        for (size_t i = 0; i < ELEMENTSOF(programs); i++)
                if (programs[i] && berth_program_load_version(programs[i], &err) < 0)
                        log_warn("%s", err.message);
        e->versions_loaded = true;
}

const berth_program *berth_engine_runtime(berth_engine *e) {
        pthread_mutex_lock(&e->lock);
        load_versions_locked(e);
        pthread_mutex_unlock(&e->lock);
        return e->runtime;
}

const berth_program *berth_engine_conmon(berth_engine *e) {
        pthread_mutex_lock(&e->lock);
        load_versions_locked(e);
        pthread_mutex_unlock(&e->lock);
        return e->conmon;
}
