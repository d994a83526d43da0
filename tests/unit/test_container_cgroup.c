/* Where a container's cgroup is, per cgroup manager: the spec's cgroupsPath and the
 * directory berthd reads stats and OOM kills from must name the same cgroup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "berth/cleanup.h"
#include "container-internal.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_cgroupfs(void **state) {
        berth_container c = { .id = (char *) ID };
        _cleanup_free_ char *path = container_cgroups_path(&c), *dir = container_cgroup(&c);

        (void) state;
        assert_string_equal(path, "/berth/" ID);
        assert_string_equal(dir, "/berth/" ID);
}

/* runc and crun read "slice:prefix:name" as the scope prefix-name.scope in slice. */
static void test_systemd(void **state) {
        berth_container c = { .id = (char *) ID, .systemd_cgroup = true };
        _cleanup_free_ char *path = container_cgroups_path(&c), *dir = container_cgroup(&c);

        (void) state;
        assert_string_equal(path, "machine.slice:berth:" ID);
        assert_string_equal(dir, "/machine.slice/berth-" ID ".scope");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cgroupfs),
                cmocka_unit_test(test_systemd),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
