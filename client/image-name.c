/* Image names and IDs: the repo/tag split of libpod's tag and untag, and the ID columns. */
#include "image-name.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "berth/alloc.h"

int image_name_split(const char *name, char **ret_repo, char **ret_tag) {
        const char *slash = strrchr(name, '/'), *colon = strrchr(name, ':');

        if (strchr(name, '@')) {
                if (name[0] == '@')
                        return -EINVAL;
                *ret_repo = xstrdup(name);
                *ret_tag = NULL;
                return 0;
        }
        if (colon && slash && colon < slash)
                colon = NULL;
        if (colon == name || (colon && colon[1] == '\0') || name[0] == '\0')
                return -EINVAL;
        *ret_repo = colon ? xstrndup(name, (size_t) (colon - name)) : xstrdup(name);
        *ret_tag = xstrdup(colon ? colon + 1 : "latest");
        return 0;
}

const char *image_id_hex(const char *id) {
        return strncmp(id, "sha256:", 7) == 0 ? id + 7 : id;
}

void image_id_column(const char *id, bool no_trunc, char *buf, size_t n) {
        const char *hex = image_id_hex(id);

        if (no_trunc || strlen(hex) < 12)
                snprintf(buf, n, "sha256:%s", hex);
        else
                snprintf(buf, n, "%.12s", hex);
}
