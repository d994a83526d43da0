/* Encoders for images in the Docker and libpod shapes; pure functions of berth_image. */
#pragma once

#include <jansson.h>

#include "berth/image.h"

/* GET /images/json entries. */
json_t *json_docker_image_summary(const berth_image *img);
json_t *json_libpod_image_summary(const berth_image *img);
/* GET /images/{name}/json. layers_root: ROOT/layers, for GraphDriver.Data. */
json_t *json_docker_image_inspect(const berth_image *img, const char *layers_root);
json_t *json_libpod_image_inspect(const berth_image *img, const char *layers_root);
/* GET /images/{name}/history */
json_t *json_image_history(const berth_image *img);
/* [{"Untagged": ...}, {"Deleted": ...}] */
json_t *json_image_removal(const berth_image_removal *r, int familiar);
/* Seconds since the epoch from the config's RFC 3339 "created", 0 if absent. */
long long json_image_created(const berth_image *img);
