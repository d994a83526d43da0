/* import-changes.c: Docker's and podman's --change forms applied to a config, and the
 * instructions import refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "import-changes.h"

static char *applied(char *const *changes) {
        json_t *config = json_object();
        berth_error err = { 0 };
        if (import_changes_apply(config, changes, &err) < 0)
                fail_msg("%s", err.message);
        char *text = json_dumps(config, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(config);
        return text;
}

static void test_docker_forms(void **state) {
        (void) state;
        char *changes[] = { "CMD [\"sh\", \"-c\", \"echo hi\"]", "ENTRYPOINT /bin/tini --", "ENV A=b C=\"d e\"",
                            "ENV LEGACY the value", "ENV A=replaced", "LABEL a=1 b=2", "EXPOSE 80 53/udp",
                            "VOLUME [\"/data\"]", "USER app", "WORKDIR /srv", "STOPSIGNAL SIGINT", NULL };
        char *text = applied(changes);
        assert_string_equal(text, "{\"Cmd\":[\"sh\",\"-c\",\"echo hi\"],"
                                  "\"Entrypoint\":[\"/bin/sh\",\"-c\",\"/bin/tini --\"],"
                                  "\"Env\":[\"A=replaced\",\"C=d e\",\"LEGACY=the value\"],"
                                  "\"ExposedPorts\":{\"53/udp\":{},\"80/tcp\":{}},"
                                  "\"Labels\":{\"a\":\"1\",\"b\":\"2\"},\"StopSignal\":\"SIGINT\","
                                  "\"User\":\"app\",\"Volumes\":{\"/data\":{}},\"WorkingDir\":\"/srv\"}");
        free(text);
}

static void test_podman_equals_form(void **state) {
        (void) state;
        char *changes[] = { "CMD=/bin/sh", "workdir=/x", NULL };
        char *text = applied(changes);
        assert_string_equal(text, "{\"Cmd\":[\"/bin/sh\",\"-c\",\"/bin/sh\"],\"WorkingDir\":\"/x\"}");
        free(text);
}

static void test_refused(void **state) {
        static const struct {
                const char *change, *needle;
        } cases[] = {
                { "RUN rm -rf /", "RUN is not supported" },
                { "CMD", "is not INSTRUCTION VALUE" },
                { "ENV =x", "ENV needs KEY=VALUE" },
                { "LABEL lonely", "LABEL needs KEY=VALUE" },
        };
        (void) state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *changes[] = { (char *) cases[i].change, NULL };
                json_t *config = json_object();
                berth_error err = { 0 };
                assert_int_equal(import_changes_apply(config, changes, &err), -EINVAL);
                assert_non_null(strstr(err.message, cases[i].needle));
                json_decref(config);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_docker_forms),
                cmocka_unit_test(test_podman_equals_form),
                cmocka_unit_test(test_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
