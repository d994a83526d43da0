/* What the frame's own files share about requests; handlers use http.h. */
#pragma once

#include "http.h"

struct request *request_new(struct server *s, struct MHD_Connection *conn, const char *method, const char *url);
void request_free(struct request *req);

/* The immutable /_ping reply, built once and queued for every ping. */
struct MHD_Response *http_ping_response(void);
