/* The documents a push writes: the schema 2 manifest and a config with new diff IDs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

static void test_manifest_reads_back(void **state) {
        struct manifest_blob config = { D1, 1234 }, layers[] = { { D2, 10 }, { D3, 5000000000 } };
        char *text = manifest_build(&config, layers, 2);
        struct image_manifest m;
        enum manifest_kind kind;
        (void) state;

        /* What the pull side parses is what the push side wrote. */
        assert_int_equal(manifest_classify(NULL, text, strlen(text), &kind, NULL), 0);
        assert_int_equal(kind, MANIFEST_IMAGE);
        assert_int_equal(manifest_parse(text, strlen(text), &m, NULL), 0);
        assert_string_equal(m.media_type, MEDIA_DOCKER_MANIFEST);
        assert_string_equal(m.config_digest, D1);
        assert_int_equal(m.config_size, 1234);
        assert_int_equal(m.n_layers, 2);
        assert_string_equal(m.layers[1].digest, D3);
        assert_string_equal(m.layers[1].media_type, MEDIA_DOCKER_LAYER_GZIP);
        assert_true(m.layers[1].size == 5000000000);
        json_t *j = json_loads(text, 0, NULL);
        assert_string_equal(json_string_value(json_object_get(json_object_get(j, "config"), "mediaType")),
                            MEDIA_DOCKER_CONFIG);
        assert_int_equal(json_integer_value(json_object_get(j, "schemaVersion")), 2);
        json_decref(j);
        manifest_done(&m);
        free(text);
}

static void test_config_diff_ids(void **state) {
        const char *config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"]},"
                             "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\"]}}";
        char *ids[] = { D2, D3, NULL }, *out = NULL;
        struct image_config_info info;
        berth_error err = { 0 };
        (void) state;

        assert_int_equal(config_set_diff_ids(config, ids, &out, NULL), 0);
        assert_int_equal(config_parse(out, strlen(out), &info, NULL), 0);
        assert_int_equal(info.n_diff_ids, 2);
        assert_string_equal(info.diff_ids[0], D2);
        assert_string_equal(info.diff_ids[1], D3);
        /* Everything else stays, in order. */
        assert_non_null(strstr(out, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"]}"));
        config_info_done(&info);
        free(out);

        assert_int_equal(config_set_diff_ids("{\"os\":\"linux\"}", ids, &out, &err), -EBADMSG);
        assert_string_equal(err.message, "the stored image config has no rootfs");
        assert_int_equal(config_set_diff_ids("not json", ids, &out, NULL), -EBADMSG);
}

int main(void) {
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_manifest_reads_back),
                                            cmocka_unit_test(test_config_diff_ids) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
