/* POST /auth: Docker's login check; the daemon keeps the credentials for later pulls. */
#include <errno.h>
#include <microhttpd.h>

#include "berth/auth.h"
#include "http.h"
#include "json/decode.h"
#include "routes/routes.h"

int route_auth_login(struct request *req) {
        const char *username = NULL, *password = "", *server = NULL;
        json_t *body = NULL;
        int rc = req_body_object(req, &body);

        if (rc >= 0)
                rc = json_read_string(body, "username", &username, &req->err);
        if (rc >= 0)
                rc = json_read_string(body, "password", &password, &req->err);
        if (rc >= 0)
                rc = json_read_string(body, "serveraddress", &server, &req->err);
        if (rc >= 0 && (!username || !*username))
                rc = http_fail(req, -EINVAL, "username: required");
        if (rc >= 0)
                rc = berth_registry_login(req_engine(req), server, username, password, &req->err);
        json_decref(body);
        if (rc < 0)
                return rc;
        return reply_json(req, MHD_HTTP_OK, json_pack("{s:s, s:s}", "Status", "Login Succeeded", "IdentityToken", ""));
}
