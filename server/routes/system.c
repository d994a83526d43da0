/* System routes shared by both APIs: ping, version, info. */
#include <dirent.h>
#include <errno.h>
#include <microhttpd.h>

#include "berth/host.h"
#include "http.h"
#include "json/system.h"
#include "routes/routes.h"

int route_system_ping(struct request *req) {
        return reply_shared(req, MHD_HTTP_OK, req->server->ping);
}

static int count_dir_entries(const char *path) {
        DIR *d = opendir(path);
        int n = 0;
        if (!d)
                return 0;
        while (readdir(d))
                n++;
        closedir(d);
        return n > 2 ? n - 2 : 0;
}

static int gather(struct request *req, struct system_report *r) {
        berth_engine *e = req_engine(req);

        *r = (struct system_report) { 0 };
        r->facts = berth_engine_host_facts(e);
        if (!r->facts)
                return http_fail(req, -EIO, "cannot read the host's facts (see the daemon log)");
        r->config = berth_engine_config(e);
        r->runtime = berth_engine_runtime(e);
        r->conmon = berth_engine_conmon(e);
        r->engine_id = berth_engine_id(e);
        clock_gettime(CLOCK_REALTIME, &r->now);
        r->open_fds = count_dir_entries("/proc/self/fd");
        r->threads = count_dir_entries("/proc/self/task");
        return berth_host_usage_read(r->config->root, &r->usage, &req->err);
}

int route_system_version(struct request *req) {
        struct system_report r;
        int rc = gather(req, &r);
        if (rc < 0)
                return rc;
        return reply_json(req, MHD_HTTP_OK,
                          req->match.api == API_LIBPOD ? json_libpod_version(&r) : json_docker_version(&r));
}

int route_system_info(struct request *req) {
        struct system_report r;
        int rc = gather(req, &r);
        if (rc < 0)
                return rc;
        return reply_json(req, MHD_HTTP_OK, req->match.api == API_LIBPOD ? json_libpod_info(&r) : json_docker_info(&r));
}
