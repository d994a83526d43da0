/* Image names and IDs as the CLI splits and shows them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Splits "[registry[:port]/]repo[:tag]" into its repository and tag: the tag follows the
 * last ':' after the last '/' (a ':' before that belongs to a registry port), "latest"
 * when there is none. A name with a digest ("repo@sha256:...") stays whole in *ret_repo
 * with *ret_tag NULL: berthd judges it as it is. -EINVAL for an empty repository or tag. */
int image_name_split(const char *name, char **ret_repo, char **ret_tag);

/* The hex digits of an image ID, without the "sha256:" berthd may put before them. */
const char *image_id_hex(const char *id);

/* The "IMAGE ID" of `podman images`: 12 hex digits, or "sha256:<hex>" when not truncated. */
void image_id_column(const char *id, bool no_trunc, char *buf, size_t n);
