/* Parsing of manifests, indexes and configs, with errors that say what is wrong. */
#include "manifest.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/reference.h"

static json_t *load(const char *data, size_t size, const char *what, berth_error *err) {
        json_error_t jerr;
        json_t *j = json_loadb(data, size, 0, &jerr);
        if (!j)
                berth_err(err, -EBADMSG, "%s is not valid JSON: %s", what, jerr.text);
        else if (!json_is_object(j)) {
                json_decref(j);
                j = NULL;
                berth_err(err, -EBADMSG, "%s is not a JSON object", what);
        }
        return j;
}

static const char *str(json_t *o, const char *key) {
        return json_string_value(json_object_get(o, key));
}

int manifest_classify(const char *content_type, const char *data, size_t size, enum manifest_kind *ret,
                      berth_error *err) {
        json_t *j = load(data, size, "manifest", err);
        const char *mt;
        int rc = 0;

        if (!j)
                return err ? err->code : -EBADMSG;
        mt = str(j, "mediaType");
        if (!mt || !*mt)
                mt = content_type;
        if (json_integer_value(json_object_get(j, "schemaVersion")) == 1 ||
            (mt && strncmp(mt, "application/vnd.docker.distribution.manifest.v1", 47) == 0))
                rc = berth_err(err, -EOPNOTSUPP, "image manifest schema 1 is not supported; push the image again "
                                                 "with a current client to get a schema 2 or OCI manifest");
        else if (mt && (strcmp(mt, MEDIA_DOCKER_LIST) == 0 || strcmp(mt, MEDIA_OCI_INDEX) == 0))
                *ret = MANIFEST_INDEX;
        else if (mt && (strcmp(mt, MEDIA_DOCKER_MANIFEST) == 0 || strcmp(mt, MEDIA_OCI_MANIFEST) == 0))
                *ret = MANIFEST_IMAGE;
        else if ((!mt || !*mt) && json_is_array(json_object_get(j, "manifests")))
                *ret = MANIFEST_INDEX;   /* OCI allows an index without mediaType */
        else if ((!mt || !*mt) && json_is_object(json_object_get(j, "config")))
                *ret = MANIFEST_IMAGE;
        else
                rc = berth_err(err, -EOPNOTSUPP, "unsupported manifest media type \"%s\"", mt ? mt : "");
        json_decref(j);
        return rc;
}

static bool layer_type_supported(const char *mt) {
        static const char *const ok[] = {
                MEDIA_DOCKER_LAYER_GZIP, MEDIA_OCI_LAYER, MEDIA_OCI_LAYER_GZIP, MEDIA_OCI_LAYER_ZSTD,
                "application/vnd.docker.image.rootfs.diff.tar",
        };
        for (size_t i = 0; i < ELEMENTSOF(ok); i++)
                if (strcmp(mt, ok[i]) == 0)
                        return true;
        return false;
}

static int parse_descriptor(json_t *d, const char *what, char **ret_digest, char **ret_mt, int64_t *ret_size,
                            berth_error *err) {
        const char *digest = str(d, "digest"), *mt = str(d, "mediaType");
        int rc;
        if (!json_is_object(d) || !digest)
                return berth_err(err, -EBADMSG, "manifest: %s has no digest", what);
        rc = berth_digest_validate(digest, err);
        if (rc < 0)
                return berth_err_prefix(err, "manifest: %s", what);
        *ret_digest = xstrdup(digest);
        *ret_mt = xstrdup(mt ? mt : "");
        *ret_size = json_integer_value(json_object_get(d, "size"));
        return 0;
}

int manifest_parse(const char *data, size_t size, struct image_manifest *ret, berth_error *err) {
        json_t *j = load(data, size, "manifest", err), *layers, *l;
        struct image_manifest m = { 0 };
        size_t i;
        int rc;

        if (!j)
                return err ? err->code : -EBADMSG;
        m.media_type = xstrdup(str(j, "mediaType") ? str(j, "mediaType") : MEDIA_OCI_MANIFEST);
        _cleanup_free_ char *config_mt = NULL;
        rc = parse_descriptor(json_object_get(j, "config"), "config", &m.config_digest, &config_mt, &m.config_size,
                              err);
        layers = json_object_get(j, "layers");
        if (rc >= 0 && !json_is_array(layers))
                rc = berth_err(err, -EBADMSG, "manifest has no layers array");
        if (rc >= 0) {
                m.layers = xnew0(struct manifest_layer, json_array_size(layers) + 1);
                json_array_foreach(layers, i, l) {
                        char what[32];
                        snprintf(what, sizeof(what), "layer %zu", i);
                        rc = parse_descriptor(l, what, &m.layers[i].digest, &m.layers[i].media_type,
                                              &m.layers[i].size, err);
                        if (rc < 0)
                                break;
                        m.n_layers++;
                        if (!layer_type_supported(m.layers[i].media_type)) {
                                rc = berth_err(err, -EOPNOTSUPP, "unsupported layer media type \"%s\" (layer %s)",
                                               m.layers[i].media_type, m.layers[i].digest);
                                break;
                        }
                }
        }
        json_decref(j);
        if (rc < 0) {
                manifest_done(&m);
                return rc;
        }
        *ret = m;
        return 0;
}

void manifest_done(struct image_manifest *m) {
        for (size_t i = 0; i < m->n_layers; i++) {
                free(m->layers[i].digest);
                free(m->layers[i].media_type);
        }
        free(m->layers);
        free(m->media_type);
        free(m->config_digest);
        *m = (struct image_manifest) { 0 };
}

static bool platform_matches(json_t *p, const char *os, const char *arch, const char *variant) {
        const char *v = str(p, "variant");
        if (!str(p, "os") || !str(p, "architecture") || strcmp(str(p, "os"), os) != 0 ||
            strcmp(str(p, "architecture"), arch) != 0)
                return false;
        if (!v && strcmp(arch, "arm") == 0)
                v = "v7";       /* an arm entry without a variant is v7, as containerd reads it */
        return !variant || !*variant || (v && strcmp(v, variant) == 0);
}

int index_choose(const char *data, size_t size, const char *os, const char *arch, const char *variant,
                 char **ret_digest, berth_error *err) {
        json_t *j = load(data, size, "manifest list", err), *m;
        char offered[512] = "";
        size_t i;
        int rc = -ENOENT;

        if (!j)
                return err ? err->code : -EBADMSG;
        json_array_foreach(json_object_get(j, "manifests"), i, m) {
                json_t *p = json_object_get(m, "platform");
                if (platform_matches(p, os, arch, variant) && str(m, "digest") &&
                    berth_digest_validate(str(m, "digest"), NULL) >= 0) {
                        *ret_digest = xstrdup(str(m, "digest"));
                        rc = 0;
                        break;
                }
                size_t len = strlen(offered);
                snprintf(offered + len, sizeof(offered) - len, "%s%s/%s", len ? ", " : "",
                         str(p, "os") ? str(p, "os") : "?", str(p, "architecture") ? str(p, "architecture") : "?");
        }
        if (rc < 0)
                berth_err(err, -ENOENT, "no image for platform %s/%s%s%s in the manifest list (it offers: %s)", os,
                          arch, variant && *variant ? "/" : "", variant ? variant : "", *offered ? offered : "none");
        json_decref(j);
        return rc;
}

int config_parse(const char *data, size_t size, struct image_config_info *ret, berth_error *err) {
        json_t *j = load(data, size, "image config", err), *ids, *id;
        struct image_config_info c = { 0 };
        size_t i;

        if (!j)
                return err ? err->code : -EBADMSG;
        ids = json_object_get(json_object_get(j, "rootfs"), "diff_ids");
        if (!json_is_array(ids)) {
                json_decref(j);
                return berth_err(err, -EBADMSG, "image config has no rootfs.diff_ids");
        }
        c.diff_ids = xnew0(char *, json_array_size(ids) + 1);
        json_array_foreach(ids, i, id) {
                if (!json_is_string(id) || berth_digest_validate(json_string_value(id), NULL) < 0) {
                        config_info_done(&c);
                        json_decref(j);
                        return berth_err(err, -EBADMSG, "image config: rootfs.diff_ids[%zu] is not a digest", i);
                }
                c.diff_ids[c.n_diff_ids++] = xstrdup(json_string_value(id));
        }
        c.os = xstrdup(str(j, "os") ? str(j, "os") : "linux");
        c.architecture = xstrdup(str(j, "architecture") ? str(j, "architecture") : "");
        json_decref(j);
        *ret = c;
        return 0;
}

void config_info_done(struct image_config_info *c) {
        strv_freep(&c->diff_ids);
        free(c->os);
        free(c->architecture);
        *c = (struct image_config_info) { 0 };
}
