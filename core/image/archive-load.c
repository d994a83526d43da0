/* berth_image_load: the archive is spooled, its images planned (docker-archive or
 * oci-archive), every layer unpacked and verified, then all images are recorded in one
 * transaction; on any failure nothing of the archive stays. */
#include "archive-load.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>
#include <time.h>

#include "berth/alloc.h"
#include "berth/reference.h"
#include "berth/events.h"
#include "engine-internal.h"
#include "image-record.h"
#include "image-store.h"
#include "layer-install.h"

#define JSON_MAX (16u << 20)
#define CONFIG_MAX (8u << 20)
#define MEDIA_DOCKER_LAYER_TAR "application/vnd.docker.image.rootfs.diff.tar"

void load_plan_done(struct load_plan *p) {
        for (size_t i = 0; i < p->n_images; i++) {
                struct load_image *img = &p->images[i];
                free(img->config);
                config_info_done(&img->info);
                for (size_t j = 0; j < img->n_layers; j++) {
                        free(img->layers[j].member);
                        free(img->layers[j].digest);
                        free(img->layers[j].media_type);
                }
                free(img->layers);
                strv_freep(&img->tags);
        }
        free(p->images);
        *p = (struct load_plan) { 0 };
}

int load_plan_image(struct load_plan *p, const struct archive_spool *s, const char *member,
                    const char *expect_digest, struct load_image **ret, berth_error *err) {
        _cleanup_free_ char *config = NULL;
        char digest[BERTH_DIGEST_MAX], algorithm[16] = "sha256";
        struct load_image img = { 0 };
        size_t size;
        int rc = archive_spool_slurp(s, member, CONFIG_MAX, &config, &size, err);

        if (rc == -ENOENT)
                return berth_err(err, -EBADMSG, "the archive has no %s, the config of an image it lists", member);
        if (rc >= 0 && expect_digest)
                rc = berth_digest_algorithm(expect_digest, algorithm, sizeof(algorithm));
        if (rc >= 0)
                rc = berth_digest_buffer(algorithm, config, size, digest, err);
        if (rc < 0)
                return rc;
        if (expect_digest && strcmp(digest, expect_digest) != 0)
                return berth_err(err, -EBADMSG, "image config %s in the archive does not match its digest %s", member,
                                 expect_digest);
        for (size_t i = 0; i < p->n_images; i++)
                if (strcmp(p->images[i].id, digest) == 0) {
                        *ret = &p->images[i];
                        return 0;
                }
        rc = config_parse(config, size, &img.info, err);
        if (rc < 0)
                return berth_err_prefix(err, "%s in the archive", member);
        memcpy(img.id, digest, sizeof(img.id));
        img.config = TAKE_PTR(config);
        img.config_size = size;
        p->images = xrealloc(p->images, (p->n_images + 1) * sizeof(*p->images));
        p->images[p->n_images] = img;
        *ret = &p->images[p->n_images++];
        return 0;
}

int load_image_name(struct load_image *img, const char *name, berth_error *err) {
        _cleanup_(berth_reference_freep) berth_reference *ref = NULL;
        int rc = berth_reference_parse(name, &ref, err);
        if (rc < 0)
                return berth_err_prefix(err, "the archive names image %s", img->id);
        if (!ref->digest) {
                _cleanup_free_ char *key = reference_key(ref);
                strv_add(&img->tags, key);
        }
        return 0;
}

void load_image_layer(struct load_image *img, const char *member, const char *digest, const char *media_type,
                      int64_t size) {
        img->layers = xrealloc(img->layers, (img->n_layers + 1) * sizeof(*img->layers));
        img->layers[img->n_layers++] = (struct load_layer) {
                .member = xstrdup(member),
                .digest = digest ? xstrdup(digest) : NULL,
                .media_type = xstrdup(media_type),
                .size = size,
        };
}

static int docker_entry(struct load_plan *p, const struct archive_spool *s, json_t *entry, size_t index,
                        berth_error *err) {
        const char *config = json_string_value(json_object_get(entry, "Config"));
        json_t *layers = json_object_get(entry, "Layers"), *tags = json_object_get(entry, "RepoTags"), *v;
        struct load_image *img;
        size_t i;
        int rc;

        if (!config || !json_is_array(layers))
                return berth_err(err, -EBADMSG, "manifest.json: entry %zu has no Config or Layers", index);
        rc = load_plan_image(p, s, config, NULL, &img, err);
        if (rc < 0)
                return rc;
        if (img->n_layers == 0 && json_array_size(layers) != img->info.n_diff_ids)
                return berth_err(err, -EBADMSG, "manifest.json lists %zu layers for image %s, but its config has %zu",
                                 json_array_size(layers), img->id, img->info.n_diff_ids);
        if (img->n_layers == 0)
                json_array_foreach(layers, i, v) {
                        if (!json_is_string(v))
                                return berth_err(err, -EBADMSG, "manifest.json: entry %zu: layer %zu is not a path",
                                                 index, i);
                        load_image_layer(img, json_string_value(v), NULL, MEDIA_DOCKER_LAYER_TAR, 0);
                }
        json_array_foreach(tags, i, v)
                if (json_is_string(v) && (rc = load_image_name(img, json_string_value(v), err)) < 0)
                        return rc;
        return 0;
}

int load_plan_docker(struct load_plan *p, const struct archive_spool *s, berth_error *err) {
        _cleanup_free_ char *text = NULL;
        json_t *j, *entry;
        size_t size, i;
        int rc = archive_spool_slurp(s, "manifest.json", JSON_MAX, &text, &size, err);

        if (rc < 0)
                return rc;
        j = json_loadb(text, size, 0, NULL);
        if (!json_is_array(j))
                rc = berth_err(err, -EBADMSG, "manifest.json in the archive is not a JSON array");
        json_array_foreach(j, i, entry)
                if (rc >= 0)
                        rc = docker_entry(p, s, entry, i, err);
        json_decref(j);
        return rc;
}

struct load {
        berth_engine *e;
        struct archive_spool spool;
        struct load_plan plan;
        struct layer_install *installed;
        size_t n_installed;
};

static const struct layer_install *installed(const struct load *l, const char *diff_id) {
        for (size_t i = 0; i < l->n_installed; i++)
                if (strcmp(l->installed[i].digests.diff_id, diff_id) == 0)
                        return &l->installed[i];
        return NULL;
}

static int install_layer(struct load *l, const struct load_image *img, size_t i, berth_error *err) {
        const struct load_layer *layer = &img->layers[i];
        struct spool_reader r;
        struct layer_install inst;
        char algorithm[16] = "sha256";
        int rc = layer->digest ? berth_digest_algorithm(layer->digest, algorithm, sizeof(algorithm)) : 0;

        if (rc >= 0)
                rc = archive_spool_open(&l->spool, layer->member, &r, err);
        if (rc == -ENOENT)
                return berth_err(err, -EBADMSG, "the archive has no %s", layer->member);
        if (rc < 0)
                return rc;
        rc = layer_install(l->e, spool_reader_read, &r, algorithm, img->info.diff_ids[i], &inst, err);
        spool_reader_done(&r);
        if (rc < 0)
                return rc;
        l->installed = xrealloc(l->installed, (l->n_installed + 1) * sizeof(*l->installed));
        l->installed[l->n_installed++] = inst;   /* rolled back with the others on failure */
        if (layer->digest && strcmp(inst.digests.digest, layer->digest) != 0)
                return berth_err(err, -EBADMSG, "it does not match its digest %s (got %s)", layer->digest,
                                 inst.digests.digest);
        return 0;
}

static int install_layers(struct load *l, berth_error *err) {
        for (size_t n = 0; n < l->plan.n_images; n++) {
                const struct load_image *img = &l->plan.images[n];
                for (size_t i = 0; i < img->n_layers; i++) {
                        if (installed(l, img->info.diff_ids[i]))
                                continue;
                        int rc = install_layer(l, img, i, err);
                        if (rc < 0)
                                return berth_err_prefix(err, "image %s: layer %zu (%s)", img->id, i + 1,
                                                        img->layers[i].member);
                }
        }
        return 0;
}

static void build_record(const struct load *l, const struct load_image *img, struct image_record *rec,
                         uint64_t *sizes) {
        *rec = (struct image_record) { 0 };
        rec->image.id = xstrdup(img->id);
        rec->image.config = xstrndup(img->config, img->config_size);
        rec->image.added = time(NULL);
        rec->image.diff_ids = xnew0(char *, img->n_layers + 1);
        rec->layers = xnew0(struct image_layer_ref, img->n_layers + 1);
        for (size_t i = 0; i < img->n_layers; i++) {
                const struct layer_install *inst = installed(l, img->info.diff_ids[i]);
                const struct load_layer *layer = &img->layers[i];
                rec->image.diff_ids[i] = xstrdup(img->info.diff_ids[i]);
                rec->layers[i] = (struct image_layer_ref) {
                        .diff_id = xstrdup(img->info.diff_ids[i]),
                        .digest = xstrdup(layer->digest ? layer->digest : img->info.diff_ids[i]),
                        .media_type = xstrdup(layer->media_type),
                        /* docker-archive: the layer as stored, an uncompressed tar */
                        .size = layer->digest ? layer->size : (int64_t) inst->digests.uncompressed_size,
                };
                sizes[i] = inst->digests.uncompressed_size;
                rec->n_layers++;
        }
}

static int commit(struct load *l, berth_error *err) {
        _cleanup_(store_txn_abortp) store_txn *t = NULL;
        int rc = store_txn_begin(engine_store(l->e), true, &t, err);

        for (size_t n = 0; rc >= 0 && n < l->plan.n_images; n++) {
                const struct load_image *img = &l->plan.images[n];
                _cleanup_free_ uint64_t *sizes = xnew0(uint64_t, img->n_layers + 1);
                struct image_record rec;
                build_record(l, img, &rec, sizes);
                rc = image_add(t, &rec, sizes, img->tags, err);
                image_record_done(&rec);
        }
        if (rc >= 0)
                rc = image_commit(l->e, &t, err);
        return rc;
}

static char **loaded_names(const struct load_plan *p) {
        char **names = xnew0(char *, 1);
        for (size_t n = 0; n < p->n_images; n++) {
                for (char **t = p->images[n].tags; t && *t; t++)
                        strv_add(&names, *t);
                if (!p->images[n].tags || !p->images[n].tags[0])
                        strv_add(&names, p->images[n].id);
        }
        return names;
}

static int plan(struct load *l, berth_error *err) {
        int rc;
        if (archive_spool_find(&l->spool, "manifest.json"))
                rc = load_plan_docker(&l->plan, &l->spool, err);
        else if (archive_spool_find(&l->spool, "index.json"))
                rc = load_plan_oci(&l->plan, &l->spool, err);
        else
                return berth_err(err, -EBADMSG,
                                 "the archive has neither manifest.json (docker-archive) nor index.json (oci-archive)");
        if (rc >= 0 && l->plan.n_images == 0)
                rc = berth_err(err, -EBADMSG, "the archive holds no image");
        return rc;
}

int berth_image_load(berth_engine *e, berth_read_fn read, void *cls, char ***ret_loaded_names, berth_error *err) {
        struct load l = { .e = e };
        int rc = archive_spool_read(e, read, cls, &l.spool, err);

        if (rc >= 0)
                rc = plan(&l, err);
        if (rc >= 0)
                rc = install_layers(&l, err);
        if (rc >= 0)
                rc = commit(&l, err);
        for (size_t i = 0; rc < 0 && i < l.n_installed; i++)
                layer_install_rollback(e, &l.installed[i]);
        for (size_t i = 0; rc >= 0 && i < l.plan.n_images; i++)
                berth_event_emit(e, "image", "load", l.plan.images[i].id, "name", l.plan.images[i].id, NULL);
        if (rc >= 0 && ret_loaded_names)
                *ret_loaded_names = loaded_names(&l.plan);
        archive_spool_done(&l.spool);
        load_plan_done(&l.plan);
        free(l.installed);
        return rc;
}
