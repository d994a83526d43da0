/* --creds USERNAME:PASSWORD and the X-Registry-Auth header that carries them to berthd. */
#pragma once

#include "berth/error.h"

/* Splits "USERNAME:PASSWORD" at the first ':' (the password may hold more). Neither part
 * may be empty: berth does not prompt for a password. */
int registry_creds_parse(const char *creds, char **ret_username, char **ret_password, berth_error *err);

/* "X-Registry-Auth: <base64url of {"username":..,"password":..}>", as podman sends it. */
char *registry_creds_header(const char *username, const char *password);
