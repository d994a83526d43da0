/* The query parameters pulls and pushes share: tlsVerify and the platform. */
#pragma once

#include "berth/image.h"
#include "berth/platform.h"

struct request;

/* libpod's tlsVerify: absent is the daemon's default; a malformed value fails the
 * request (400). */
int req_query_tls_verify(struct request *req, berth_tls_verify *ret);

/* The platform of a libpod pull (os, arch, variant; podman --remote sends
 * --platform's "ARCH/VARIANT" in arch), or of a Docker pull (platform=OS[/ARCH[/VARIANT]]).
 * Nothing given leaves ret empty; a malformed value fails the request (400). */
int req_query_libpod_platform(struct request *req, berth_platform *ret);
int req_query_docker_platform(struct request *req, berth_platform *ret);

/* Points o's os, arch and variant at p's (borrowed). */
void pull_options_set_platform(berth_pull_options *o, const berth_platform *p);
