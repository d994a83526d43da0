/* Query parameters of pulls and pushes that choose how the registry is reached. */
#include "routes/registry-params.h"

#include <errno.h>

#include "http.h"

int req_query_tls_verify(struct request *req, berth_tls_verify *ret) {
        bool verify;
        int rc;

        *ret = BERTH_TLS_DEFAULT;
        if (!req_query(req, "tlsVerify"))
                return 0;
        rc = req_query_bool(req, "tlsVerify", true, &verify);
        if (rc < 0)
                return rc;
        *ret = verify ? BERTH_TLS_VERIFY : BERTH_TLS_SKIP;
        return 0;
}

int req_query_libpod_platform(struct request *req, berth_platform *ret) {
        /* The message is the user's to read; -EINVAL answers 400. */
        return berth_platform_from_parts(req_query(req, "os"), req_query(req, "arch"), req_query(req, "variant"), ret,
                                         &req->err);
}

int req_query_docker_platform(struct request *req, berth_platform *ret) {
        const char *platform = req_query(req, "platform");

        *ret = (berth_platform) { 0 };
        if (!platform || !*platform)
                return 0;
        return berth_platform_parse(platform, true, ret, &req->err);
}

void pull_options_set_platform(berth_pull_options *o, const berth_platform *p) {
        o->os = p->os;
        o->arch = p->arch;
        o->variant = p->variant;
}
