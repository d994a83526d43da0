/* berth attach, and the attached session every attaching verb (run, start -a) uses:
 * libpod's hijacked attach, resizes and forwarded signals. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "attach-session.h"
#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "hijack.h"
#include "http.h"
#include "verb.h"
#include "verbs/container.h"

static const char attach_usage[] =
        "Usage: berth attach [options] CONTAINER\n"
        "\n"
        "Attach to a running container's input and output. With a TTY, the detach keys\n"
        "(ctrl-p ctrl-q) leave it running.\n"
        "\n"
        "Options:\n"
        "      --detach-keys KEYS   keys that detach (default ctrl-p,ctrl-q; \"\" for none)\n"
        "      --no-stdin           do not attach standard input\n"
        "      --sig-proxy          forward signals to the container (default true)\n"
        "  -h, --help               print this help\n";

int container_attach_open(struct client *c, const struct attach_request *a, int *ret_fd, berth_error *err) {
        _cleanup_free_ char *keys = http_escape(a->detach_keys ? a->detach_keys : DETACH_KEYS_DEFAULT, NULL);
        _cleanup_free_ char *tail = xasprintf("/attach?stream=true&stdin=%s&stdout=%s&stderr=%s&detachKeys=%s",
                                              a->stdin ? "true" : "false", a->stdout ? "true" : "false",
                                              a->stderr ? "true" : "false", keys);
        _cleanup_free_ char *path = container_path(a->id, tail);

        return hijack_open(c, "POST", path, NULL, ret_fd, err);
}

struct attached {
        struct client *c;
        const char *id;
};

static int resize(void *userdata, unsigned rows, unsigned cols) {
        struct attached *t = userdata;
        _cleanup_free_ char *tail = xasprintf("/resize?h=%u&w=%u&running=true", rows, cols);
        _cleanup_free_ char *path = container_path(t->id, tail);
        berth_error ignored = { 0 };

        /* A resize that races the container's exit is not worth a message. */
        return client_request_json(t->c, "POST", path, NULL, NULL, &ignored);
}

static int forward(void *userdata, int sig) {
        struct attached *t = userdata;
        _cleanup_free_ char *tail = xasprintf("/kill?signal=%d", sig);
        _cleanup_free_ char *path = container_path(t->id, tail);
        berth_error ignored = { 0 };

        return client_request_json(t->c, "POST", path, NULL, NULL, &ignored);
}

int container_attach_session(struct client *c, const struct attach_request *a, int fd, berth_error *err) {
        _cleanup_close_ int sock = fd;
        struct attached t = { .c = c, .id = a->id };
        struct attach_session s = {
                .fd = sock, .tty = a->tty, .stdin = a->stdin, .sig_proxy = a->sig_proxy,
                .resize = resize, .forward = forward, .userdata = &t,
        };
        int r = detach_keys_parse(a->detach_keys ? a->detach_keys : DETACH_KEYS_DEFAULT, &s.keys, err);

        if (r < 0)
                return r;
        return attach_session_run(&s, err);
}

int cmd_attach(struct client *c, int argc, char **argv) {
        static const struct option options[] = {
                { "detach-keys", required_argument, NULL, 'k' },
                { "no-stdin", no_argument, NULL, 'n' },
                { "sig-proxy", optional_argument, NULL, 's' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_(json_decrefp) json_t *info = NULL;
        struct attach_request a = { .stdout = true, .stderr = true, .sig_proxy = true };
        bool no_stdin = false;
        struct detach_keys check;
        int opt, r, fd;

        while ((opt = verb_getopt(argc, argv, "h", options, &c->error)) > 0) {
                switch (opt) {
                case 'k': a.detach_keys = optarg; break;
                case 'n': no_stdin = true; break;
                case 's': a.sig_proxy = !optarg || strcmp(optarg, "false") != 0; break;
                case 'h': return verb_usage(attach_usage);
                }
        }
        if (opt < 0 || (r = verb_args(argc, 1, 1, &c->error)) < 0)
                return opt < 0 ? opt : r;
        if (a.detach_keys && detach_keys_parse(a.detach_keys, &check, &c->error) < 0)
                return c->error.code;
        a.id = argv[optind];
        r = container_inspect(c, a.id, &info, &c->error);
        if (r < 0)
                return r;
        const json_t *config = json_object_get(info, "Config");
        const char *status = json_string_value(json_object_get(json_object_get(info, "State"), "Status"));
        if (status && strcmp(status, "running") != 0)
                return berth_err(&c->error, -EINVAL, "you can only attach to running containers");
        a.tty = json_is_true(json_object_get(config, "Tty"));
        a.stdin = !no_stdin && json_is_true(json_object_get(config, "OpenStdin"));
        r = container_attach_open(c, &a, &fd, &c->error);
        if (r < 0)
                return r;
        r = container_attach_session(c, &a, fd, &c->error);
        if (r < 0 || r == ATTACH_DETACHED || r > 1)
                return r == ATTACH_DETACHED ? 0 : r;
        /* As podman: attach exits with the container's code once it has stopped. */
        int code = 0;
        if (container_wait(c, a.id, "stopped", &code, &c->error) < 0)
                return 0;
        return code;
}

void container_resize_tty(struct client *c, const char *id) {
        struct attached t = { .c = c, .id = id };
        struct attach_session s = { .tty = true, .resize = resize, .userdata = &t };

        attach_session_send_size(&s);
}
