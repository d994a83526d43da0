/* The one place a negative errno becomes an HTTP status and an error body. */
#pragma once

#include <jansson.h>

unsigned http_status_for_errno(int code);
const char *http_cause_for_errno(int code);
/* {"message": ..., "cause": ..., "response": status}, as Docker and libpod send. */
json_t *http_error_body(unsigned status, const char *message, const char *cause);
