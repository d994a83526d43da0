/* What the container verbs share: paths, the attached session glue, Go-template output. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "berth/error.h"
#include "client.h"

/* "/containers/<id><tail>" with the name or ID escaped for a path. */
char *container_path(const char *id, const char *tail);

/* What an attach asks for. */
struct attach_request {
        const char *id;
        bool tty, stdin, stdout, stderr, sig_proxy;
        const char *detach_keys;        /* NULL: ctrl-p,ctrl-q */
};

/* Opens the hijacked attach stream of a container: *ret_fd then carries its output. */
int container_attach_open(struct client *c, const struct attach_request *a, int *ret_fd, berth_error *err);

/* Runs the attached session on fd (closed here) for container a->id: window sizes go to
 * its resize route, forwarded signals to its kill route. Returns what
 * attach_session_run() does. */
int container_attach_session(struct client *c, const struct attach_request *a, int fd, berth_error *err);

/* The container's libpod inspect object. */
int container_inspect(struct client *c, const char *id, json_t **ret, berth_error *err);

/* Waits for the container to stop and gives its exit code (libpod wait). */
int container_wait(struct client *c, const char *id, const char *condition, int *ret_code, berth_error *err);

/* Renders a Go template subset against a JSON object: {{.Field}}, {{.A.B}},
 * {{json .X}}, {{upper/lower .X}}, "\t" and "\n" escapes; a leading "table " is stripped
 * by the caller. Unknown fields are an error naming them. */
typedef const json_t *(*template_field_fn)(void *userdata, const char *name, json_t **scratch);
int template_render(const char *tmpl, template_field_fn field, void *userdata, char **ret, berth_error *err);

/* The heading row of a "table ..." template: the field names upper-cased, with podman's
 * names for the well known ones, id_heading for .ID. */
char *template_heading(const char *tmpl, const char *id_heading);

/* podman's flag for IDs and names read as the verb's arguments: one call per name, each
 * failure but the last printed, the last returned (as podman's multi-name verbs do). */
typedef int (*container_each_fn)(struct client *c, const char *name, void *userdata, berth_error *err);
int container_each(struct client *c, int argc, char **argv, container_each_fn fn, void *userdata);

/* POSTs a pull of `image` unless policy and presence say otherwise: "never" fails on a
 * missing image, "missing" pulls only when absent, "always"/"newer" always pull.
 * Progress goes to stderr. */
int container_pull_image(struct client *c, const char *image, const char *policy, berth_error *err);

int container_prune(struct client *c, int argc, char **argv);

/* Prints rows (JSON objects whose members are the template's fields) with a --format:
 * "table ..." as an aligned table with a heading unless no_heading, else one rendered
 * line per row. id_heading heads {{.ID}} ("CONTAINER ID" in ps, "ID" in stats). */
int template_print_rows(const char *format, json_t *const *rows, size_t n, bool no_heading, const char *id_heading,
                        berth_error *err);

/* Sends the terminal's size to a TTY container, if berth has a terminal; failures are
 * ignored (a resize is advice). */
void container_resize_tty(struct client *c, const char *id);
