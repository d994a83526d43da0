/* berth_image_save: the named images as a docker-archive or an OCI image layout in one
 * uncompressed tar, every layer written exactly as its diff_id says. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive-api.h"
#include "berth/alloc.h"
#include "berth/path.h"
#include "berth/reference.h"
#include "engine-internal.h"
#include "image-record.h"
#include "image-store.h"
#include "manifest.h"
#include "tar-split.h"

#define COPY_BUF (64 * 1024)

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive_entry *, archive_entry_free);

struct save_image {
        struct image_record rec;
        char **tags;            /* name keys that become RepoTags */
};

struct written_layer {
        char *diff_id;
        uint64_t size;
};

struct save {
        berth_engine *e;
        berth_archive_format format;
        struct save_image *images;
        size_t n_images;
        struct written_layer *layers;
        size_t n_layers;
        struct archive *a;
        berth_write_fn write;
        void *cls;
        int write_error;
        bool aborted;           /* failed: libarchive must not end the tar as if complete */
};

static void save_done(struct save *s) {
        for (size_t i = 0; i < s->n_images; i++) {
                image_record_done(&s->images[i].rec);
                strv_freep(&s->images[i].tags);
        }
        for (size_t i = 0; i < s->n_layers; i++)
                free(s->layers[i].diff_id);
        free(s->images);
        free(s->layers);
        if (s->a)
                archive_write_free(s->a);
}

/* ---- which images, with which names ---- */

static int add_image(struct save *s, store_txn *t, const char *id, const char *tag, berth_error *err) {
        struct save_image *img = NULL;
        for (size_t i = 0; i < s->n_images && !img; i++)
                if (strcmp(s->images[i].rec.image.id, id) == 0)
                        img = &s->images[i];
        if (!img) {
                struct image_record rec;
                int rc = image_record_get(t, id, &rec, err);
                if (rc < 0)
                        return rc;
                s->images = xrealloc(s->images, (s->n_images + 1) * sizeof(*s->images));
                img = &s->images[s->n_images++];
                *img = (struct save_image) { .rec = rec };
        }
        if (tag)
                strv_add(&img->tags, tag);
        return 0;
}

/* "busybox" or "localhost:5000/x", without a tag or digest. */
static bool name_only(const char *name) {
        const char *last = strrchr(name, '/');
        last = last ? last + 1 : name;
        return !strchr(last, ':') && !strchr(last, '@');
}

struct repo_tags {
        char **keys, **ids;
};

static int collect_tag(void *cls, const char *key, size_t key_size, const char *data, size_t size) {
        struct repo_tags *r = cls;
        _cleanup_free_ char *k = xstrndup(key, key_size), *id = xstrndup(data, size);
        strv_add(&r->keys, k);
        r->ids = xrealloc(r->ids, (strv_length(r->keys) + 1) * sizeof(char *));
        r->ids[strv_length(r->keys) - 1] = TAKE_PTR(id);
        r->ids[strv_length(r->keys)] = NULL;
        return 0;
}

/* As Docker: a repository name without a tag saves every tag it has. */
static int add_repository(struct save *s, store_txn *t, const berth_reference *ref, bool *ret_found,
                          berth_error *err) {
        _cleanup_free_ char *prefix = xasprintf("%s/%s:", ref->domain, ref->path);
        struct repo_tags r = { .keys = xnew0(char *, 1), .ids = xnew0(char *, 1) };
        int rc = store_foreach(t, STORE_NAMES, prefix, collect_tag, &r, err);

        for (size_t i = 0; rc >= 0 && r.keys[i]; i++)
                rc = add_image(s, t, r.ids[i], r.keys[i], err);
        *ret_found = r.keys[0] != NULL;
        strv_freep(&r.keys);
        strv_freep(&r.ids);
        return rc;
}

static int add_name(struct save *s, store_txn *t, const char *name, berth_error *err) {
        _cleanup_(berth_reference_freep) berth_reference *ref = NULL;
        _cleanup_free_ char *id = NULL, *key = NULL;
        bool is_ref = berth_reference_parse(name, &ref, NULL) >= 0, found = false;
        const char *data;
        size_t size;
        int rc;

        if (is_ref && name_only(name) && ((rc = add_repository(s, t, ref, &found, err)) < 0 || found))
                return rc;
        rc = image_resolve(t, name, &id, err);
        if (rc < 0)
                return rc;
        /* A tag given that names the image becomes a RepoTag; an ID or digest names none. */
        if (is_ref && !ref->digest) {
                key = reference_key(ref);
                if (store_get(t, STORE_NAMES, key, &data, &size, NULL) < 0 || size != strlen(id) ||
                    memcmp(data, id, size) != 0)
                        key = (free(key), NULL);
        }
        return add_image(s, t, id, key, err);
}

static int resolve(struct save *s, char *const *names, berth_error *err) {
        _cleanup_(store_txn_abortp) store_txn *t = NULL;
        int rc = store_txn_begin(engine_store(s->e), false, &t, err);

        if (rc >= 0 && (!names || !names[0]))
                rc = berth_err(err, -EINVAL, "no image to save");
        for (size_t i = 0; rc >= 0 && names[i]; i++)
                rc = add_name(s, t, names[i], err);
        return rc;
}

/* ---- the tar ---- */

static la_ssize_t out_cb(struct archive *a, void *cls, const void *buf, size_t n) {
        struct save *s = cls;
        int rc = s->aborted ? -ECANCELED : s->write(s->cls, buf, n);
        if (rc < 0) {
                s->write_error = rc;
                archive_set_error(a, -rc, "the archive's consumer failed");
                return ARCHIVE_FATAL;
        }
        return (la_ssize_t) n;
}

static int tar_error(struct save *s, const char *what, berth_error *err) {
        if (s->write_error)
                return berth_err_errno(err, s->write_error, "cannot write the image archive");
        return berth_err(err, -EIO, "cannot write %s into the image archive: %s", what,
                         archive_error_string(s->a) ? archive_error_string(s->a) : "unknown error");
}

static int put_header(struct save *s, const char *name, unsigned type, uint64_t size, berth_error *err) {
        _cleanup_(archive_entry_freep) struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, type);
        archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
        archive_entry_set_size(e, type == AE_IFDIR ? 0 : (la_int64_t) size);
        archive_entry_set_mtime(e, 0, 0);   /* the same images give the same archive */
        return archive_write_header(s->a, e) == ARCHIVE_OK ? 0 : tar_error(s, name, err);
}

/* A berth_write_fn into the current member. */
static int put_data(void *cls, const void *buf, size_t n) {
        struct save *s = cls;
        if (archive_write_data(s->a, buf, n) == (la_ssize_t) n)
                return 0;
        return s->write_error ? s->write_error : -EIO;
}

static int put_file(struct save *s, const char *name, const char *data, size_t size, berth_error *err) {
        int rc = put_header(s, name, AE_IFREG, size, err);
        if (rc >= 0 && put_data(s, data, size) < 0)
                rc = tar_error(s, name, err);
        return rc;
}

static int put_json(struct save *s, const char *name, json_t *j, berth_error *err) {
        _cleanup_free_ char *text = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        if (!text)
                abort();
        return put_file(s, name, text, strlen(text), err);
}

static int fd_write(void *cls, const void *buf, size_t n) {
        int fd = *(int *) cls;
        for (size_t done = 0; done < n;) {
                ssize_t w = write(fd, (const char *) buf + done, n - done);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -errno;
                done += (size_t) w;
        }
        return 0;
}

/* Without a tar-split: packed again into an unlinked temp file (its size must be known
 * before its data), and kept only when it reproduces the diff_id. */
static int put_packed_layer(struct save *s, const char *diff_id, const char *dir, const char *member,
                            uint64_t *ret_size, berth_error *err) {
        _cleanup_free_ char *buf = NULL;
        _cleanup_close_ int fd = -1;
        berth_layer_digests d;
        int rc = layer_tmp_file(s->e, "save", &fd, err);

        if (rc < 0)
                return rc;
        rc = berth_layer_pack(dir, fd_write, &fd, &d, err);
        if (rc >= 0 && strcmp(d.diff_id, diff_id) != 0)
                return berth_err(err, -EIO,
                                 "layer %s cannot be saved: its original tar was not kept (no tar-split), and "
                                 "packing the directory again gives %s, which the image's config would refuse",
                                 diff_id, d.diff_id);
        if (rc >= 0 && lseek(fd, 0, SEEK_SET) < 0)
                rc = berth_err_errno(err, -errno, "cannot rewind the packed copy of layer %s", diff_id);
        if (rc >= 0)
                rc = put_header(s, member, AE_IFREG, d.uncompressed_size, err);
        buf = xmalloc(COPY_BUF);
        while (rc >= 0) {
                ssize_t n = read(fd, buf, COPY_BUF);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        rc = n < 0 ? berth_err_errno(err, -errno, "cannot read the packed copy of layer %s", diff_id) : 0;
                        break;
                }
                if (put_data(s, buf, (size_t) n) < 0)
                        rc = tar_error(s, member, err);
        }
        *ret_size = d.uncompressed_size;
        return rc;
}

static int put_layer(struct save *s, const char *diff_id, const char *member, uint64_t *ret_size,
                     berth_error *err) {
        _cleanup_free_ char *split = layer_tar_split_path(s->e, diff_id), *dir = layer_dir(s->e, diff_id);
        char got[BERTH_DIGEST_MAX];
        int rc;

        if (access(split, F_OK) < 0)
                return put_packed_layer(s, diff_id, dir, member, ret_size, err);
        rc = tar_split_size(split, ret_size, err);
        if (rc >= 0)
                rc = put_header(s, member, AE_IFREG, *ret_size, err);
        if (rc >= 0)
                rc = tar_split_assemble(split, dir, put_data, s, got, err);
        if (rc < 0 && s->write_error)
                return tar_error(s, member, err);
        if (rc >= 0 && strcmp(got, diff_id) != 0)
                rc = berth_err(err, -EIO, "layer %s rebuilt from its tar-split gives %s: its directory %s changed",
                               diff_id, got, dir);
        return rc;
}

static const char *hex(const char *digest) {
        const char *colon = strchr(digest, ':');
        return colon ? colon + 1 : digest;
}

static uint64_t layer_size(const struct save *s, const char *diff_id) {
        for (size_t i = 0; i < s->n_layers; i++)
                if (strcmp(s->layers[i].diff_id, diff_id) == 0)
                        return s->layers[i].size;
        return 0;
}

static bool layer_written(const struct save *s, const char *diff_id) {
        for (size_t i = 0; i < s->n_layers; i++)
                if (strcmp(s->layers[i].diff_id, diff_id) == 0)
                        return true;
        return false;
}

static int put_layers(struct save *s, berth_error *err) {
        for (size_t n = 0; n < s->n_images; n++)
                for (char **d = s->images[n].rec.image.diff_ids; d && *d; d++) {
                        _cleanup_free_ char *dir = xasprintf("%s/", hex(*d));
                        _cleanup_free_ char *member = s->format == BERTH_ARCHIVE_OCI
                                                              ? xasprintf("blobs/sha256/%s", hex(*d))
                                                              : xasprintf("%s/layer.tar", hex(*d));
                        uint64_t size;
                        int rc;
                        if (layer_written(s, *d))
                                continue;
                        rc = s->format == BERTH_ARCHIVE_OCI ? 0 : put_header(s, dir, AE_IFDIR, 0, err);
                        if (rc >= 0)
                                rc = put_layer(s, *d, member, &size, err);
                        if (rc < 0)
                                return rc;
                        s->layers = xrealloc(s->layers, (s->n_layers + 1) * sizeof(*s->layers));
                        s->layers[s->n_layers++] = (struct written_layer) { .diff_id = xstrdup(*d), .size = size };
                }
        return 0;
}

/* manifest.json and repositories, with Docker's familiar names. */
static int put_docker_index(struct save *s, berth_error *err) {
        json_t *manifest = json_array(), *repos = json_object();
        int rc = 0;

        for (size_t n = 0; rc >= 0 && n < s->n_images; n++) {
                const berth_image *img = &s->images[n].rec.image;
                _cleanup_free_ char *config = xasprintf("%s.json", hex(img->id));
                json_t *layers = json_array(), *tags = json_array();
                size_t n_layers = strv_length(img->diff_ids);
                for (char **d = img->diff_ids; d && *d; d++)
                        json_array_append_new(layers, json_sprintf("%s/layer.tar", hex(*d)));
                for (char **t = s->images[n].tags; t && *t; t++) {
                        _cleanup_free_ char *familiar = berth_reference_familiar(*t);
                        char *colon = strrchr(familiar, ':');
                        json_array_append_new(tags, json_string(familiar));
                        *colon = '\0';
                        if (!json_object_get(repos, familiar))
                                json_object_set_new(repos, familiar, json_object());
                        json_object_set_new(json_object_get(repos, familiar), colon + 1,
                                            json_string(n_layers ? hex(img->diff_ids[n_layers - 1]) : ""));
                }
                json_array_append_new(manifest, json_pack("{s:s, s:o, s:o}", "Config", config, "RepoTags",
                                                          json_array_size(tags) ? tags : json_null(), "Layers",
                                                          layers));
                if (!json_array_size(tags))
                        json_decref(tags);
                rc = put_file(s, config, img->config, strlen(img->config), err);
        }
        if (rc >= 0)
                rc = put_json(s, "manifest.json", json_incref(manifest), err);
        if (rc >= 0 && json_object_size(repos))
                rc = put_json(s, "repositories", json_incref(repos), err);
        json_decref(manifest);
        json_decref(repos);
        return rc;
}

static json_t *oci_manifest(const struct save *s, const berth_image *img) {
        json_t *layers = json_array();
        for (char **d = img->diff_ids; d && *d; d++)
                json_array_append_new(layers, json_pack("{s:s, s:s, s:I}", "mediaType", MEDIA_OCI_LAYER, "digest", *d,
                                                        "size", (json_int_t) layer_size(s, *d)));
        return json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:o}", "schemaVersion", 2, "mediaType", MEDIA_OCI_MANIFEST,
                         "config", "mediaType", MEDIA_OCI_CONFIG, "digest", img->id, "size",
                         (json_int_t) strlen(img->config), "layers", layers);
}

/* oci-layout, config and manifest blobs, index.json: one entry per name, annotated as
 * Docker and containerd do. */
static int put_oci_index(struct save *s, berth_error *err) {
        static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
        json_t *entries = json_array();
        int rc = put_file(s, "oci-layout", layout, strlen(layout), err);

        for (size_t n = 0; rc >= 0 && n < s->n_images; n++) {
                const berth_image *img = &s->images[n].rec.image;
                _cleanup_free_ char *config = xasprintf("blobs/sha256/%s", hex(img->id)), *member = NULL;
                json_t *m = oci_manifest(s, img);
                _cleanup_free_ char *text = json_dumps(m, JSON_COMPACT);
                char digest[BERTH_DIGEST_MAX];
                json_decref(m);
                rc = berth_digest_buffer("sha256", text, strlen(text), digest, err);
                if (rc >= 0)
                        rc = put_file(s, config, img->config, strlen(img->config), err);
                member = xasprintf("blobs/sha256/%s", hex(digest));
                if (rc >= 0)
                        rc = put_file(s, member, text, strlen(text), err);
                for (char **t = s->images[n].tags; t && *t; t++)
                        json_array_append_new(entries, json_pack("{s:s, s:s, s:I, s:{s:s, s:s}}", "mediaType",
                                                                 MEDIA_OCI_MANIFEST, "digest", digest, "size",
                                                                 (json_int_t) strlen(text), "annotations",
                                                                 "io.containerd.image.name", *t,
                                                                 "org.opencontainers.image.ref.name",
                                                                 strrchr(*t, ':') + 1));
                if (!s->images[n].tags || !s->images[n].tags[0])
                        json_array_append_new(entries, json_pack("{s:s, s:s, s:I}", "mediaType", MEDIA_OCI_MANIFEST,
                                                                 "digest", digest, "size", (json_int_t) strlen(text)));
        }
        if (rc >= 0)
                rc = put_json(s, "index.json",
                              json_pack("{s:i, s:s, s:O}", "schemaVersion", 2, "mediaType", MEDIA_OCI_INDEX,
                                        "manifests", entries),
                              err);
        json_decref(entries);
        return rc;
}

int berth_image_save(berth_engine *e, char *const *names, berth_archive_format format, berth_write_fn write,
                     void *cls, berth_error *err) {
        struct save s = { .e = e, .format = format, .write = write, .cls = cls };
        int rc = resolve(&s, names, err);

        if (rc >= 0) {
                s.a = archive_write_new();
                if (!s.a)
                        abort();
                archive_write_set_format_pax_restricted(s.a);
                archive_write_set_bytes_in_last_block(s.a, 1);
                if (archive_write_open2(s.a, &s, NULL, out_cb, NULL, NULL) != ARCHIVE_OK)
                        rc = tar_error(&s, "the header", err);
        }
        if (rc >= 0)
                rc = put_layers(&s, err);
        if (rc >= 0)
                rc = format == BERTH_ARCHIVE_OCI ? put_oci_index(&s, err) : put_docker_index(&s, err);
        if (rc >= 0 && archive_write_close(s.a) != ARCHIVE_OK)
                rc = tar_error(&s, "the end", err);
        s.aborted = rc < 0;
        save_done(&s);
        return rc;
}
