/* Docker's create: the body checked, the image's defaults applied, one record stored. */
#include "container-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "berth/alloc.h"
#include "berth/image.h"
#include "berth/strv.h"
#include "container-create.h"
#include "engine-internal.h"
#include "spec.h"

static void random_hex(char *out, size_t bytes) {
        unsigned char buf[64];
        size_t got = 0;
        while (got < bytes) {
                ssize_t n = getrandom(buf + got, bytes - got, 0);
                if (n > 0)
                        got += (size_t) n;
        }
        for (size_t i = 0; i < bytes; i++)
                sprintf(out + 2 * i, "%02x", buf[i]);
}

int container_name_check(const char *name, berth_error *err) {
        const char *n = name[0] == '/' ? name + 1 : name;
        size_t len = strlen(n);
        static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

        /* Docker's ^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$ */
        if (len < 2 || len > 253 || !strchr(alnum, n[0]) ||
            strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != len)
                return berth_err(err, -EINVAL,
                                 "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name);
        return 0;
}

/* Docker generates adjective_surname; these lists are our own. */
static char *generate_name(void) {
        static const char *const left[] = { "agile", "brave", "calm", "eager", "fond", "gentle", "happy",
                                            "keen", "lucid", "merry", "nimble", "proud", "quiet", "sharp",
                                            "steady", "tender", "vivid", "witty", "zen", "bold" };
        static const char *const right[] = { "anchor", "beacon", "buoy", "cove", "current", "dock", "ferry",
                                             "harbor", "jetty", "keel", "lagoon", "mast", "pier", "quay",
                                             "reef", "rudder", "sail", "tide", "wharf", "wake" };
        unsigned char r[2];
        while (getrandom(r, sizeof(r), 0) != sizeof(r))
                ;
        return xasprintf("%s_%s", left[r[0] % ELEMENTSOF(left)], right[r[1] % ELEMENTSOF(right)]);
}

/* Docker fills Config.Hostname at create (spec_hostname's rule). */
static void default_hostname(char **config, const char *host_config, const char *id) {
        json_t *cfg = json_loads(*config, 0, NULL), *host = json_loads(host_config, 0, NULL);
        const char *h = json_string_value(json_object_get(cfg, "Hostname"));

        if (cfg && (!h || !*h)) {
                _cleanup_free_ char *name = spec_hostname(cfg, host, id);
                json_object_set_new(cfg, "Hostname", json_string(name));
                free(*config);
                *config = json_dumps(cfg, JSON_COMPACT);
        }
        json_decref(cfg);
        json_decref(host);
}

static int store_new(berth_engine *e, berth_container *c, berth_error *err) {
        _cleanup_(store_txn_abortp) store_txn *t = NULL;
        _cleanup_free_ char *text = container_record_encode(c);
        int r = store_txn_begin(engine_store(e), true, &t, err);
        if (r < 0)
                return r;
        r = store_put(t, STORE_CONTAINERS, c->id, text, strlen(text), err);
        if (r < 0)
                return r;
        return store_txn_commit(TAKE_PTR(t), err);
}

/* Picks the name under the index lock and adds the container, so two creates with
 * one name cannot both win. */
static int claim_name_and_add(berth_engine *e, const char *wanted, berth_container *c, berth_error *err) {
        struct engine_containers *ec = engine_containers(e);
        struct ctr *holder;
        int r;

        pthread_mutex_lock(&ec->lock);
        for (int tries = 0; !wanted && tries < 100; tries++) {
                free(c->name);
                c->name = generate_name();
                if (tries >= 50) {
                        char *numbered = xasprintf("%s%d", c->name, tries);
                        free(c->name);
                        c->name = numbered;
                }
                if (!ctr_index_by_name_locked(ec, c->name))
                        break;
        }
        if (wanted)
                c->name = xstrdup(wanted[0] == '/' ? wanted + 1 : wanted);
        holder = ctr_index_by_name_locked(ec, c->name);
        if (holder) {
                r = berth_err(err, -EEXIST,
                              "Conflict. The container name \"/%s\" is already in use by container \"%s\". You "
                              "have to remove (or rename) that container to be able to reuse that name.",
                              c->name, holder->c.id);
                pthread_mutex_unlock(&ec->lock);
                return r;
        }
        /* Stored before it is visible; the index lock keeps the name ours meanwhile. */
        r = store_new(e, c, err);
        if (r >= 0)
                ctr_index_add_locked(e, c);
        pthread_mutex_unlock(&ec->lock);
        return r;
}

int berth_container_create(berth_engine *e, const char *name, const char *body, char **ret_id,
                           berth_error *err) {
        _cleanup_(berth_image_freep) berth_image *img = NULL;
        _cleanup_(json_decrefp) json_t *req = NULL;
        struct create_request cr = {};
        berth_container *c;
        char id[65];
        int r;

        if (name && *name && container_name_check(name, err) < 0)
                return -EINVAL;
        r = create_request_parse(body, &req, &cr, err);
        if (r < 0)
                return r;
        r = berth_image_lookup(e, cr.image, &img, err);
        if (r < 0)
                return r == -ENOENT ? berth_err(err, -ENOENT, "No such image: %s", cr.image) : r;

        c = xnew0(berth_container, 1);
        r = create_request_merge(&cr, img->config, &c->config, &c->host_config, err);
        if (r >= 0)
                r = spec_validate(c->config, c->host_config, err);
        if (r < 0) {
                berth_container_free(c);
                return r;
        }
        random_hex(id, 32);
        default_hostname(&c->config, c->host_config, id);
        c->id = xstrdup(id);
        c->created = container_now_ns();
        c->image_id = xstrdup(img->id);
        c->image = xstrdup(cr.image);
        c->runtime = xstrdup(berth_engine_runtime(e) ? berth_engine_runtime(e)->path : "");
        c->systemd_cgroup = container_manager_is_systemd(e);
        c->diff_ids = strv_copy(img->diff_ids);
        c->state.status = BERTH_CONTAINER_CREATED;
        r = claim_name_and_add(e, name && *name ? name : NULL, c, err);
        if (r < 0) {
                berth_container_free(c);
                return r;
        }
        /* c now belongs to the index. */
        struct ctr *added = ctr_find_id(e, id);
        if (added) {
                ctr_event_of(e, added, "create", NULL, NULL);
                ctr_unref(e, added);
        }
        *ret_id = xstrdup(id);
        return 0;
}
