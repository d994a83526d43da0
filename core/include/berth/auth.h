/* Registry credentials: the auth file berth writes (containers-auth.json format) and
 * Docker's ~/.docker/config.json, which it reads too. */
#pragma once

#include "berth/error.h"

/* $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json, else
 * /run/containers/<uid>/auth.json. */
char *berth_auth_file_path(void);

/* Finds credentials for a registry host ("docker.io" also matches Docker Hub's
 * historical keys). -ENOENT when none are stored. */
int berth_auth_lookup(const char *domain, char **ret_username, char **ret_password);

/* Stores or removes credentials in the auth file (mode 0600, written atomically). */
int berth_auth_store(const char *domain, const char *username, const char *password, berth_error *err);
int berth_auth_remove(const char *domain, berth_error *err);
