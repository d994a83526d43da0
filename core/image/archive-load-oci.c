/* The images of an OCI image layout in a tar (oci-archive, and `docker save` since
 * Docker 25): index.json -> manifests (through a nested index for this platform) ->
 * configs and layer blobs, every document checked against its digest. */
#include <errno.h>
#include <jansson.h>
#include <string.h>
#include <sys/utsname.h>

#include "archive-load.h"
#include "berth/alloc.h"
#include "berth/host.h"
#include "berth/reference.h"

#define JSON_MAX (16u << 20)

static char *blob_member(const char *digest) {
        const char *colon = strchr(digest, ':');
        return xasprintf("blobs/%.*s/%s", (int) (colon - digest), digest, colon + 1);
}

/* A blob read whole and checked against its digest. */
static int read_blob(const struct archive_spool *s, const char *digest, char **ret, size_t *ret_size,
                     berth_error *err) {
        _cleanup_free_ char *member = NULL, *data = NULL;
        char algorithm[16], got[BERTH_DIGEST_MAX];
        size_t size;
        int rc = berth_digest_validate(digest, err);

        if (rc < 0)
                return berth_err_prefix(err, "index.json");
        member = blob_member(digest);
        rc = archive_spool_slurp(s, member, JSON_MAX, &data, &size, err);
        if (rc == -ENOENT)
                return berth_err(err, -EBADMSG, "the archive has no blob %s", digest);
        if (rc >= 0)
                rc = berth_digest_algorithm(digest, algorithm, sizeof(algorithm));
        if (rc >= 0)
                rc = berth_digest_buffer(algorithm, data, size, got, err);
        if (rc < 0)
                return rc;
        if (strcmp(got, digest) != 0)
                return berth_err(err, -EBADMSG, "blob %s in the archive does not match its digest", digest);
        *ret = TAKE_PTR(data);
        *ret_size = size;
        return 0;
}

static const char *annotation(json_t *desc, const char *key) {
        return json_string_value(json_object_get(json_object_get(desc, "annotations"), key));
}

/* containerd's full name, else a ref.name that is a whole reference ("busybox:latest",
 * "quay.io/x/y"), not a bare tag, which names no repository. */
static const char *entry_name(json_t *desc) {
        const char *n = annotation(desc, "io.containerd.image.name");
        if (n && *n)
                return n;
        n = annotation(desc, "org.opencontainers.image.ref.name");
        return n && (strchr(n, ':') || strchr(n, '/')) ? n : NULL;
}

static int add_manifest(struct load_plan *p, const struct archive_spool *s, json_t *desc, const char *digest,
                        berth_error *err) {
        _cleanup_free_ char *data = NULL, *config = NULL;
        struct image_manifest m = { 0 };
        struct load_image *img;
        const char *name = entry_name(desc);
        size_t size;
        int rc = read_blob(s, digest, &data, &size, err);

        if (rc >= 0)
                rc = manifest_parse(data, size, &m, err);
        if (rc >= 0) {
                config = blob_member(m.config_digest);
                rc = load_plan_image(p, s, config, m.config_digest, &img, err);
        }
        if (rc >= 0 && img->n_layers == 0) {   /* not seen under another name before */
                if (m.n_layers != img->info.n_diff_ids)
                        rc = berth_err(err, -EBADMSG, "manifest %s lists %zu layers, but its config has %zu",
                                       digest, m.n_layers, img->info.n_diff_ids);
                for (size_t i = 0; rc >= 0 && i < m.n_layers; i++) {
                        _cleanup_free_ char *member = blob_member(m.layers[i].digest);
                        load_image_layer(img, member, m.layers[i].digest, m.layers[i].media_type,
                                         m.layers[i].size);
                }
        }
        if (rc >= 0 && name)
                rc = load_image_name(img, name, err);
        manifest_done(&m);
        return rc;
}

static int add_entry(struct load_plan *p, const struct archive_spool *s, json_t *desc, size_t index,
                     berth_error *err) {
        const char *digest = json_string_value(json_object_get(desc, "digest"));
        const char *mt = json_string_value(json_object_get(desc, "mediaType"));
        _cleanup_free_ char *data = NULL, *chosen = NULL;
        struct utsname u;
        size_t size;
        int rc;

        if (!digest)
                return berth_err(err, -EBADMSG, "index.json: manifests[%zu] has no digest", index);
        if (!mt || (strcmp(mt, MEDIA_OCI_INDEX) != 0 && strcmp(mt, MEDIA_DOCKER_LIST) != 0))
                return add_manifest(p, s, desc, digest, err);
        /* An index inside: the image for this machine, named by the outer entry. */
        uname(&u);
        rc = read_blob(s, digest, &data, &size, err);
        if (rc >= 0)
                rc = index_choose(data, size, "linux", berth_arch_from_machine(u.machine), NULL, &chosen, err);
        return rc < 0 ? rc : add_manifest(p, s, desc, chosen, err);
}

int load_plan_oci(struct load_plan *p, const struct archive_spool *s, berth_error *err) {
        _cleanup_free_ char *text = NULL;
        json_t *j, *manifests, *desc;
        size_t size, i;
        int rc = archive_spool_slurp(s, "index.json", JSON_MAX, &text, &size, err);

        if (rc < 0)
                return rc;
        j = json_loadb(text, size, 0, NULL);
        manifests = json_object_get(j, "manifests");
        if (!json_is_array(manifests))
                rc = berth_err(err, -EBADMSG, "index.json in the archive has no manifests array");
        json_array_foreach(manifests, i, desc)
                if (rc >= 0)
                        rc = add_entry(p, s, desc, i, err);
        json_decref(j);
        return rc;
}
