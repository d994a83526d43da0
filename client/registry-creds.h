/* Registry credentials: --creds USERNAME:PASSWORD, --authfile, the logins of the
 * client's auth file, and the X-Registry-Auth header that carries them to berthd. */
#pragma once

#include "berth/error.h"

/* Splits "USERNAME:PASSWORD" at the first ':' (the password may hold more). Neither part
 * may be empty: berth does not prompt for a password. */
int registry_creds_parse(const char *creds, char **ret_username, char **ret_password, berth_error *err);

/* "X-Registry-Auth: <base64url of {"username":..,"password":..}>", as podman sends it. */
char *registry_creds_header(const char *username, const char *password);

/* --creds USERNAME:PASSWORD as the header: registry_creds_parse() then
 * registry_creds_header(). */
int registry_creds_flag(const char *creds, char **ret_header, berth_error *err);

/* The key a login is stored under for the REGISTRY argument of login and logout, as
 * podman takes it: the host[:port] of a URL ("https://Host:5000/v2/" -> "host:5000"),
 * "docker.io" for Docker Hub's addresses. -EINVAL for an empty registry. */
int registry_creds_key(const char *registry, char **ret_key, berth_error *err);

/* The X-Registry-Auth header for pushing or pulling `reference`, from the login of its
 * registry in the client's auth file (berth login), so that a remote berthd gets it too;
 * NULL when there is none or `reference` does not parse. */
char *registry_creds_stored_header(const char *reference);

/* The X-Registry-Auth header for pushing or pulling `reference` from the auth file at
 * `path` (--authfile; containers-auth.json, or docker's config.json): the entry of the
 * most specific key that covers the image ("host/namespace" before "host"), as podman
 * picks it; *ret_header NULL when no key covers it (podman then goes without
 * credentials). An unreadable or malformed file, or a malformed entry, is an error that
 * names the file. */
int registry_creds_authfile_header(const char *path, const char *reference, char **ret_header, berth_error *err);

/* Removes every login from the client's auth file (podman logout --all); other settings
 * in the file stay. Nothing to do without a file. */
int registry_creds_forget_all(berth_error *err);
