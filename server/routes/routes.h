/* Every route handler, by resource; the two tables in compat.c and libpod.c use them. */
#pragma once

struct request;

/* system.c */
int route_system_ping(struct request *req);
int route_system_version(struct request *req);
int route_system_info(struct request *req);
