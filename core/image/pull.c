/* berth_image_pull: reference -> manifest (via an index for this platform) -> config ->
 * layers -> one transaction that records the image and its names. */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "berth/alloc.h"
#include "berth/host.h"
#include "berth/log.h"
#include "berth/events.h"
#include "engine-internal.h"
#include "image-record.h"
#include "image-store.h"
#include "pull.h"

#define CONFIG_MAX (8u << 20)

void pull_report(struct pull *p, const char *id, const char *status, uint64_t current, uint64_t total) {
        if (!p->progress)
                return;
        berth_progress ev = { .id = id, .status = status, .current = current, .total = total };
        pthread_mutex_lock(&p->progress_lock);
        p->progress(p->progress_cls, &ev);
        pthread_mutex_unlock(&p->progress_lock);
}

static int fetch_manifest(struct pull *p, const berth_pull_options *o, berth_error *err) {
        const char *reference = p->ref->digest ? p->ref->digest : p->ref->tag;
        struct registry_manifest m = { 0 };
        enum manifest_kind kind;
        struct utsname u;
        int rc;

        rc = registry_get_manifest(p->registry, p->ref->path, reference, &m, err);
        if (rc >= 0)
                rc = manifest_classify(m.media_type, m.data, m.size, &kind, err);
        if (rc >= 0 && kind == MANIFEST_INDEX) {
                _cleanup_free_ char *chosen = NULL;
                p->from_index = true;
                uname(&u);
                rc = index_choose(m.data, m.size, o && o->os ? o->os : "linux",
                                  o && o->arch ? o->arch : berth_arch_from_machine(u.machine),
                                  o ? o->variant : NULL, &chosen, err);
                registry_manifest_done(&m);
                if (rc < 0)
                        return rc;
                m = (struct registry_manifest) { 0 };
                /* The digest of what was asked for, as Docker's RepoDigests record it. */
                rc = registry_get_manifest(p->registry, p->ref->path, chosen, &m, err);
                if (rc >= 0)
                        rc = manifest_classify(m.media_type, m.data, m.size, &kind, err);
                if (rc >= 0 && kind != MANIFEST_IMAGE)
                        rc = berth_err(err, -EOPNOTSUPP, "manifest list %s points at another list", chosen);
        }
        if (rc >= 0) {
                memcpy(p->manifest_digest, m.digest, sizeof(p->manifest_digest));
                rc = manifest_parse(m.data, m.size, &p->manifest, err);
        }
        registry_manifest_done(&m);
        return rc;
}

static int fetch_config(struct pull *p, berth_error *err) {
        int rc = registry_get_blob(p->registry, p->ref->path, p->manifest.config_digest, CONFIG_MAX, &p->config,
                                   &p->config_size, err);
        if (rc >= 0)
                rc = config_parse(p->config, p->config_size, &p->info, err);
        if (rc >= 0 && p->info.n_diff_ids != p->manifest.n_layers)
                rc = berth_err(err, -EBADMSG, "image config lists %zu layers but the manifest has %zu",
                               p->info.n_diff_ids, p->manifest.n_layers);
        return rc;
}

/* Docker's check of an image that came without a list to choose from. */
static int check_platform(const struct pull *p, const berth_pull_options *o, berth_error *err) {
        const char *os = p->info.os ? p->info.os : "", *arch = p->info.architecture ? p->info.architecture : "";

        if (!o || !o->platform_must_match || p->from_index || (!o->os && !o->arch))
                return 0;
        if ((!o->os || strcmp(o->os, os) == 0) && (!o->arch || strcmp(o->arch, arch) == 0))
                return 0;
        _cleanup_free_ char *ref = berth_reference_string(p->ref);
        return berth_err(err, -ENOENT, "image with reference %s was found but does not match the specified "
                         "platform: wanted %s/%s%s%s, actual: %s/%s", ref, o->os ? o->os : os, o->arch ? o->arch : arch,
                         o->variant ? "/" : "", o->variant ? o->variant : "", os, arch);
}

static void make_jobs(struct pull *p) {
        p->jobs = xnew0(struct layer_job, p->manifest.n_layers + 1);
        for (size_t i = 0; i < p->manifest.n_layers; i++) {
                struct layer_job *j = &p->jobs[i];
                const char *hex = strchr(p->manifest.layers[i].digest, ':') + 1;
                *j = (struct layer_job) { .pull = p, .index = i, .blob = &p->manifest.layers[i],
                                          .diff_id = p->info.diff_ids[i] };
                snprintf(j->short_id, sizeof(j->short_id), "%.12s", hex);
        }
}

/* The new image's record; names are added by commit(). */
static void build_record(struct pull *p, struct image_record *rec) {
        *rec = (struct image_record) { 0 };
        rec->image.id = xstrdup(p->manifest.config_digest);
        rec->image.config = xstrndup(p->config, p->config_size);
        rec->image.manifest_digest = xstrdup(p->manifest_digest);
        rec->image.added = image_now_ns();
        rec->image.diff_ids = xnew0(char *, p->manifest.n_layers + 1);
        rec->layers = xnew0(struct image_layer_ref, p->manifest.n_layers + 1);
        for (size_t i = 0; i < p->manifest.n_layers; i++) {
                rec->image.diff_ids[i] = xstrdup(p->info.diff_ids[i]);
                rec->layers[i] = (struct image_layer_ref) {
                        .diff_id = xstrdup(p->info.diff_ids[i]),
                        .digest = xstrdup(p->manifest.layers[i].digest),
                        .media_type = xstrdup(p->manifest.layers[i].media_type),
                        .size = p->manifest.layers[i].size,
                };
                rec->n_layers++;
        }
}

static int add_layers(store_txn *t, struct pull *p, struct image_record *rec, berth_error *err) {
        for (size_t i = 0; i < rec->n_layers; i++) {
                uint64_t size = p->jobs ? p->jobs[i].size : 0;
                int rc = layer_ref(t, rec->layers[i].diff_id, size, err);
                if (rc < 0)
                        return rc;
                rec->image.size += size;
        }
        return 0;
}

static int commit(struct pull *p, bool *ret_new, berth_error *err) {
        _cleanup_(store_txn_abortp) store_txn *t = NULL;
        _cleanup_free_ char *tag_key = p->ref->tag ? xasprintf("%s/%s:%s", p->ref->domain, p->ref->path, p->ref->tag)
                                                   : NULL;
        _cleanup_free_ char *digest_key = xasprintf("%s/%s@%s", p->ref->domain, p->ref->path, p->manifest_digest);
        struct image_record rec;
        int rc = store_txn_begin(engine_store(p->engine), true, &t, err);

        if (rc < 0)
                return rc;
        rc = image_record_get(t, p->manifest.config_digest, &rec, NULL);
        *ret_new = rc == -ENOENT;
        if (*ret_new) {
                build_record(p, &rec);
                rc = add_layers(t, p, &rec, err);
        }
        if (rc < 0)
                return rc;
        if (tag_key && (rc = name_assign(t, tag_key, rec.image.id, false, err)) >= 0)
                strv_add(&rec.image.tags, tag_key);
        if (rc >= 0 && (rc = name_assign(t, digest_key, rec.image.id, true, err)) >= 0)
                strv_add(&rec.image.digests, digest_key);
        if (rc >= 0)
                rc = image_record_put(t, &rec, err);
        image_record_done(&rec);
        if (rc >= 0)
                rc = image_commit(p->engine, &t, err);
        return rc;
}

static bool image_present(struct pull *p) {
        _cleanup_(store_txn_abortp) store_txn *t = NULL;
        const char *data;
        size_t size;
        return store_txn_begin(engine_store(p->engine), false, &t, NULL) >= 0 &&
               store_get(t, STORE_IMAGES, p->manifest.config_digest, &data, &size, NULL) >= 0;
}

static void pull_done(struct pull *p) {
        registry_free(p->registry);
        berth_reference_free(p->ref);
        manifest_done(&p->manifest);
        config_info_done(&p->info);
        free(p->config);
        free(p->jobs);
        pthread_mutex_destroy(&p->progress_lock);
}

static int run(struct pull *p, const berth_pull_options *o, bool *ret_new, berth_error *err) {
        struct registry_options ro;
        _cleanup_free_ char *repo = xasprintf("%s/%s", p->ref->domain, p->ref->path);
        int rc;

        pull_registry_options(p->engine, p->ref->domain, o, &ro);
        rc = registry_open(p->ref->domain, &ro, &p->registry, err);
        if (rc >= 0)
                rc = fetch_manifest(p, o, err);
        if (rc >= 0) {
                /* Reported after the manifest is found, so "not found" comes as an error status. */
                _cleanup_free_ char *status = xasprintf("Pulling from %s", p->ref->path);
                pull_report(p, p->ref->digest ? p->ref->digest : p->ref->tag, status, 0, 0);
        }
        if (rc >= 0 && !image_present(p)) {
                rc = fetch_config(p, err);
                if (rc >= 0)
                        rc = check_platform(p, o, err);
                if (rc >= 0) {
                        make_jobs(p);
                        rc = pull_layers(p, err);
                }
        }
        if (rc >= 0)
                rc = commit(p, ret_new, err);
        pull_layers_release(p, rc >= 0);
        if (rc < 0 && err)
                berth_err_prefix(err, "pulling %s", repo);
        return rc;
}

int berth_image_pull(berth_engine *e, const char *ref, const berth_pull_options *o, berth_progress_fn progress,
                     void *cls, char **ret_id, berth_error *err) {
        struct pull p = { .engine = e, .progress = progress, .progress_cls = cls };
        bool is_new = false;
        char status[512];
        int rc;

        pthread_mutex_init(&p.progress_lock, NULL);
        rc = berth_reference_parse(ref, &p.ref, err);
        if (rc >= 0)
                rc = run(&p, o, &is_new, err);
        if (rc >= 0) {
                snprintf(status, sizeof(status), "Digest: %s", p.manifest_digest);
                pull_report(&p, NULL, status, 0, 0);
                snprintf(status, sizeof(status), "Status: %s for %s", is_new ? "Downloaded newer image" : "Image is up to date",
                         ref);
                pull_report(&p, NULL, status, 0, 0);
                if (ret_id)
                        *ret_id = xstrdup(p.manifest.config_digest);
                _cleanup_free_ char *full = berth_reference_string(p.ref);
                _cleanup_free_ char *shown = berth_reference_familiar(full);
                berth_event_emit(e, "image", "pull", shown, "name", shown, NULL);
        }
        pull_done(&p);
        return rc;
}
