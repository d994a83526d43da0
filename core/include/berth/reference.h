/* Image references as Docker resolves them: "busybox" is docker.io/library/busybox:latest. */
#pragma once

#include "berth/cleanup.h"
#include "berth/error.h"

typedef struct berth_reference {
        char *domain;   /* docker.io, localhost:5000, quay.io, ... */
        char *path;     /* library/busybox, team/app */
        char *tag;      /* NULL only when a digest is given without a tag */
        char *digest;   /* "sha256:<64 hex>" or "sha512:<128 hex>", or NULL */
} berth_reference;

/* Parses and normalizes: adds docker.io and library/ as Docker does, "latest" when
 * neither tag nor digest is given. Malformed input is -EINVAL naming the problem. */
int berth_reference_parse(const char *text, berth_reference **ret, berth_error *err);
berth_reference *berth_reference_free(berth_reference *ref);
DEFINE_TRIVIAL_CLEANUP_FUNC(berth_reference *, berth_reference_free);

/* "domain/path[:tag][@digest]" */
char *berth_reference_string(const berth_reference *ref);
/* "domain/path" */
char *berth_reference_repository(const berth_reference *ref);

/* Checks "algo:hex": sha256 with 64 or sha512 with 128 lowercase hex digits. */
int berth_digest_validate(const char *digest, berth_error *err);

/* How Docker shows a stored name: "docker.io/library/busybox:latest" -> "busybox:latest",
 * "docker.io/team/app:v1" -> "team/app:v1"; other registries unchanged. */
char *berth_reference_familiar(const char *full);
