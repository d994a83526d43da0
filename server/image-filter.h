/* Docker's image list filters (dangling, reference, label, before, since), applied to
 * a listing; pure functions of the images. */
#pragma once

#include <stdbool.h>

#include "berth/error.h"
#include "berth/image.h"

struct image_filter;

/* Parses the `filters` query value ({"dangling":["true"], ...}); unknown keys and
 * malformed values are -EINVAL naming them. */
int image_filter_parse(const char *json, struct image_filter **ret, berth_error *err);
void image_filter_free(struct image_filter *f);

/* Prune reads "dangling" differently: unset means dangling only, false (or libpod's
 * all=true) means every image; call after parsing filters for a prune. */
void image_filter_prune_mode(struct image_filter *f, bool all);

/* before/since name images: resolved against the listing itself. */
bool image_filter_match(const struct image_filter *f, const berth_image *img, berth_image *const *all);
