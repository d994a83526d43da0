/* libpod's SpecGenerator (podman 4.3's POST /libpod/containers/create body) translated to
 * Docker's create body, the one create format core understands. Pure functions. */
#pragma once

#include <stddef.h>

#include "berth/error.h"

/* body/size: the SpecGenerator JSON. On success *ret_docker_json is a malloc'ed Docker
 * create body (Config fields at the top level plus "HostConfig"). -EINVAL with a message
 * naming the field for malformed JSON, wrong types, a missing image or a value Docker's
 * body cannot carry (e.g. a mount type other than bind or tmpfs). Unknown fields are
 * ignored. */
int specgen_to_docker(const char *body, size_t size, char **ret_docker_json, berth_error *err);

/* The "name" of a SpecGenerator body (malloc'ed), or NULL when absent, empty or unparsable. */
char *specgen_name(const char *body, size_t size);
