/* berth_image_pull_all_tags: the registry's tag list, then one pull per tag (podman's
 * pull --all-tags, Docker's pull without a tag). */
#include <errno.h>

#include "berth/alloc.h"
#include "berth/strv.h"
#include "pull.h"

static int list_tags(berth_engine *e, const berth_reference *ref, const berth_pull_options *o, char ***ret_tags,
                     berth_error *err) {
        _cleanup_(registry_freep) registry *r = NULL;
        struct registry_options ro;
        int rc;

        pull_registry_options(e, ref->domain, o, &ro);
        rc = registry_open(ref->domain, &ro, &r, err);
        if (rc >= 0)
                rc = registry_list_tags(r, ref->path, ret_tags, err);
        return rc;
}

int berth_image_pull_all_tags(berth_engine *e, const char *name, const berth_pull_options *o,
                              berth_progress_fn progress, void *cls, char ***ret_ids, berth_error *err) {
        _cleanup_(berth_reference_freep) berth_reference *ref = NULL;
        _cleanup_(strv_freep) char **tags = NULL, **ids = xnew0(char *, 1);
        _cleanup_free_ char *repo = NULL;
        int rc = berth_reference_parse(name, &ref, err);

        if (rc < 0)
                return rc;
        repo = berth_reference_repository(ref);
        rc = list_tags(e, ref, o, &tags, err);
        if (rc < 0) {
                if (err)
                        berth_err_prefix(err, "pulling every tag of %s", repo);
                return rc;
        }
        if (!tags[0])
                return berth_err(err, -ENOENT, "pulling every tag of %s: the repository has no tags", repo);
        for (char **t = tags; *t; t++) {
                _cleanup_free_ char *tagged = xasprintf("%s:%s", repo, *t), *id = NULL;
                rc = berth_image_pull(e, tagged, o, progress, cls, &id, err);
                if (rc < 0)
                        return rc;
                strv_push(&ids, id);
        }
        *ret_ids = TAKE_PTR(ids);
        return 0;
}
