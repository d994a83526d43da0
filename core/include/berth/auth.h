/* Registry credentials: the auth file berth writes (containers-auth.json format) and
 * Docker's ~/.docker/config.json, which it reads too; logins that check them first. */
#pragma once

#include "berth/engine.h"
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

/* The registry host a login address names: "https://host:port/v2/" -> "host:port";
 * Docker Hub's addresses ("", "https://index.docker.io/v1/", "registry-1.docker.io")
 * -> "docker.io". */
char *berth_registry_domain(const char *server);

/* Checks the credentials with the registry `server` names (GET /v2/ with them, through
 * its token server when it has one) and stores them in the auth file, so later pulls
 * and pushes without credentials use them. Rejected credentials are -EKEYREJECTED. */
int berth_registry_login(berth_engine *e, const char *server, const char *username, const char *password,
                         berth_error *err);
