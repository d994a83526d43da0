/* Docker's create body: checked field by field, then merged with the image's config. */
#pragma once

#include <jansson.h>

#include "berth/error.h"

struct create_request {
        json_t *body;        /* borrowed from the caller's parsed request */
        const char *image;
};

/* Parses and checks the shape of every field berth reads; errors name the field. */
int create_request_parse(const char *text, json_t **ret_body, struct create_request *ret, berth_error *err);
/* Config with the image's defaults applied, and HostConfig with Docker's defaults,
 * as JSON texts. No command at all is -EINVAL ("No command specified"). */
int create_request_merge(const struct create_request *cr, const char *image_config, char **ret_config,
                         char **ret_host_config, berth_error *err);
int container_name_check(const char *name, berth_error *err);
