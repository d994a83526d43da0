/* Manifest, index and config parsing: what a pull accepts and the errors it gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

static int classify(const char *ct, const char *json, enum manifest_kind *kind, berth_error *err) {
        return manifest_classify(ct, json, strlen(json), kind, err);
}

static void test_classify(void **state) {
        enum manifest_kind kind;
        berth_error err;
        (void) state;

        assert_int_equal(classify(MEDIA_OCI_MANIFEST, "{\"mediaType\":\"" MEDIA_OCI_MANIFEST "\"}", &kind, &err), 0);
        assert_int_equal(kind, MANIFEST_IMAGE);
        assert_int_equal(classify(MEDIA_DOCKER_LIST, "{\"schemaVersion\":2}", &kind, &err), 0);
        assert_int_equal(kind, MANIFEST_INDEX);
        /* OCI allows leaving mediaType out; the shape decides. */
        assert_int_equal(classify("", "{\"manifests\":[]}", &kind, &err), 0);
        assert_int_equal(kind, MANIFEST_INDEX);
        assert_int_equal(classify("", "{\"config\":{}}", &kind, &err), 0);
        assert_int_equal(kind, MANIFEST_IMAGE);

        assert_int_equal(classify("application/vnd.docker.distribution.manifest.v1+prettyjws",
                                  "{\"schemaVersion\":1,\"fsLayers\":[]}", &kind, &err),
                         -EOPNOTSUPP);
        assert_non_null(strstr(err.message, "schema 1 is not supported"));
        assert_int_equal(classify("application/x-weird", "{\"mediaType\":\"application/x-weird\"}", &kind, &err),
                         -EOPNOTSUPP);
        assert_non_null(strstr(err.message, "unsupported manifest media type \"application/x-weird\""));
        assert_int_equal(classify("", "[1]", &kind, &err), -EBADMSG);
        assert_int_equal(classify("", "{", &kind, &err), -EBADMSG);
}

static void test_parse(void **state) {
        struct image_manifest m;
        berth_error err;
        const char *ok = "{\"mediaType\":\"" MEDIA_DOCKER_MANIFEST "\",\"config\":{\"digest\":\"" D1 "\",\"size\":5},"
                         "\"layers\":[{\"mediaType\":\"" MEDIA_DOCKER_LAYER_GZIP "\",\"digest\":\"" D2 "\",\"size\":9}]}";
        const char *weird = "{\"config\":{\"digest\":\"" D1 "\"},\"layers\":[{\"mediaType\":\"x/y\",\"digest\":\"" D2 "\"}]}";
        const char *bad_digest = "{\"config\":{\"digest\":\"sha256:abc\"},\"layers\":[]}";
        (void) state;

        assert_int_equal(manifest_parse(ok, strlen(ok), &m, &err), 0);
        assert_string_equal(m.config_digest, D1);
        assert_int_equal(m.n_layers, 1);
        assert_string_equal(m.layers[0].digest, D2);
        assert_int_equal(m.layers[0].size, 9);
        manifest_done(&m);

        assert_int_equal(manifest_parse(weird, strlen(weird), &m, &err), -EOPNOTSUPP);
        assert_non_null(strstr(err.message, "unsupported layer media type \"x/y\""));
        assert_int_equal(manifest_parse(bad_digest, strlen(bad_digest), &m, &err), -EINVAL);
        assert_non_null(strstr(err.message, "manifest: config"));
}

static void test_index(void **state) {
        const char *idx = "{\"manifests\":["
                          "{\"digest\":\"" D1 "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}},"
                          "{\"digest\":\"" D2 "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";
        char *digest = NULL;
        berth_error err;
        (void) state;

        assert_int_equal(index_choose(idx, strlen(idx), "linux", "amd64", NULL, &digest, &err), 0);
        assert_string_equal(digest, D2);
        free(digest);
        assert_int_equal(index_choose(idx, strlen(idx), "linux", "arm64", "v8", &digest, &err), 0);
        assert_string_equal(digest, D1);
        free(digest);
        assert_int_equal(index_choose(idx, strlen(idx), "linux", "s390x", NULL, &digest, &err), -ENOENT);
        assert_non_null(strstr(err.message, "no image for platform linux/s390x"));
        assert_non_null(strstr(err.message, "linux/arm64, linux/amd64"));
        /* An arm entry without a variant is v7 (berth normalizes a bare arm to arm/v7). */
        const char *arm = "{\"manifests\":[{\"digest\":\"" D1 "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\"}}]}";
        assert_int_equal(index_choose(arm, strlen(arm), "linux", "arm", "v7", &digest, &err), 0);
        assert_string_equal(digest, D1);
        free(digest);
        assert_int_equal(index_choose(arm, strlen(arm), "linux", "arm", "v6", &digest, &err), -ENOENT);
}

static void test_config(void **state) {
        struct image_config_info c;
        berth_error err;
        const char *ok = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\"]}}";
        const char *bad = "{\"rootfs\":{\"diff_ids\":[\"nope\"]}}";
        (void) state;

        assert_int_equal(config_parse(ok, strlen(ok), &c, &err), 0);
        assert_int_equal(c.n_diff_ids, 1);
        assert_string_equal(c.diff_ids[0], D1);
        assert_string_equal(c.architecture, "amd64");
        config_info_done(&c);
        assert_int_equal(config_parse(bad, strlen(bad), &c, &err), -EBADMSG);
        assert_non_null(strstr(err.message, "rootfs.diff_ids[0] is not a digest"));
        assert_int_equal(config_parse("{}", 2, &c, &err), -EBADMSG);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_classify), cmocka_unit_test(test_parse), cmocka_unit_test(test_index),
                cmocka_unit_test(test_config),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
