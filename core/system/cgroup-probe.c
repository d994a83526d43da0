/* cgroup version and controller detection from statfs and /proc/cgroups. */
#include "cgroup-probe.h"

#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/fileio.h"

static bool is_cgroup2(const char *path) {
        struct statfs sf;
        return statfs(path, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

static void push(char ***v, size_t *n, const char *s, size_t len) {
        *v = xrealloc(*v, (*n + 2) * sizeof(char *));
        (*v)[(*n)++] = xstrndup(s, len);
        (*v)[*n] = NULL;
}

/* v2: the space-separated list in cgroup.controllers. */
static char **v2_controllers(void) {
        _cleanup_free_ char *line = NULL;
        char **v = xnew0(char *, 1);
        size_t n = 0;

        if (berth_read_line("/sys/fs/cgroup/cgroup.controllers", &line) < 0)
                return v;
        for (char *p = line; *p;) {
                size_t len = strcspn(p, " ");
                if (len)
                        push(&v, &n, p, len);
                p += len;
                p += strspn(p, " ");
        }
        return v;
}

/* v1: the enabled controllers that are mounted in a hierarchy. */
static char **v1_controllers(void) {
        _cleanup_free_ char *data = NULL;
        char **v = xnew0(char *, 1);
        size_t n = 0;

        if (berth_read_file("/proc/cgroups", 65536, &data, NULL, NULL) < 0)
                return v;
        for (char *line = data; line && *line;) {
                char *next = strchr(line, '\n');
                char name[64];
                int hierarchy, count, enabled;
                if (next)
                        *next++ = '\0';
                if (line[0] != '#' &&
                    sscanf(line, "%63s %d %d %d", name, &hierarchy, &count, &enabled) == 4 && hierarchy > 0 &&
                    enabled)
                        push(&v, &n, name, strlen(name));
                line = next;
        }
        return v;
}

void cgroup_probe(int *ret_version, bool *ret_hybrid, char ***ret_controllers) {
        if (is_cgroup2("/sys/fs/cgroup")) {
                *ret_version = 2;
                *ret_hybrid = false;
                *ret_controllers = v2_controllers();
                return;
        }
        *ret_version = 1;
        *ret_hybrid = is_cgroup2("/sys/fs/cgroup/unified");
        *ret_controllers = v1_controllers();
}
