/* What the image verbs share: the path of one image in libpod's API. */
#pragma once

/* "/images/<name><tail>" with the name escaped for a path but its '/', ':' and '@' kept:
 * berthd takes the longest match, so a name may hold slashes. */
char *image_path(const char *name, const char *tail);
