/* Every route handler, by resource; the two tables in compat.c and libpod.c use them. */
#pragma once

struct request;

/* system.c */
int route_system_ping(struct request *req);
int route_system_version(struct request *req);
int route_system_info(struct request *req);

/* images.c */
int route_image_list(struct request *req);
int route_image_inspect(struct request *req);
int route_image_exists(struct request *req);
int route_image_history(struct request *req);
int route_image_tag(struct request *req);
int route_image_remove(struct request *req);
int route_libpod_image_untag(struct request *req);
int route_libpod_image_remove_batch(struct request *req);
int route_image_prune(struct request *req);

/* image-pull.c */
int route_image_create(struct request *req);
int route_libpod_image_pull(struct request *req);

/* image-push.c */
int route_image_push(struct request *req);
int route_libpod_image_push(struct request *req);

/* login.c */
int route_auth_login(struct request *req);

/* image-archive.c */
int route_image_save(struct request *req);
int route_image_load(struct request *req);

/* image-import.c */
int route_image_import(struct request *req);
