/* Verbs: the table row type, every cmd_<verb>(), and the flag parsing they share.
 * A verb returns its exit status (>= 0), or a negative errno with c->error filled, which
 * main prints as "Error: <message>" with exit status 125. Verbs never call exit(): main
 * has an ssh child to stop and files to remove. */
#pragma once

#include <getopt.h>
#include <stddef.h>

#include "berth/error.h"
#include "client.h"

struct verb {
        const char *name;
        const char *summary;
        int (*run)(struct client *c, int argc, char **argv);
};

/* The row of `name` in a verb table, or NULL. */
const struct verb *verb_find(const struct verb *table, size_t n, const char *name);

/* Runs a verb with its own argv (argv[0] is its name); getopt starts afresh. */
int verb_run(struct client *c, const struct verb *v, int argc, char **argv);

/* A group of verbs ("berth NOUN COMMAND", argv[0] is NOUN): --help lists `table` under
 * `summary`, else the command's verb runs with its own argv. */
int verb_group_run(struct client *c, const char *noun, const char *summary, const struct verb *table, size_t n,
                   int argc, char **argv);

/* Prints "Error: <message>" after flushing what stdout holds, as main does for a failed
 * verb; for verbs that go on after a failure or exit with another status than 125. */
void verb_print_error(const berth_error *err);

/* getopt_long() for a verb's argv (argv[0] is the verb name, parsing restarts each
 * call sequence). Returns the option (> 0), 0 when the options end (optind points at
 * the first argument), or a negative errno with podman's "unknown flag" wording. */
int verb_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts, berth_error *err);

/* For verbs without arguments: fails if any are left after the options. */
int verb_no_args(int argc, char **argv, berth_error *err);

/* Checks the number of arguments left after the options (max < 0: no limit), with
 * podman's (cobra's) wording: "requires at least 1 arg(s), only received 0". */
int verb_args(int argc, int min, int max, berth_error *err);

/* Prints a verb's usage for --help; returns exit status 0. */
int verb_usage(const char *usage);

/* Fails unless --format is unset or means JSON; returns whether JSON was asked for. */
int verb_format_json(const char *format, berth_error *err);

int cmd_attach(struct client *c, int argc, char **argv);
int cmd_commit(struct client *c, int argc, char **argv);
int cmd_container(struct client *c, int argc, char **argv);
int cmd_container_exists(struct client *c, int argc, char **argv);
int cmd_container_inspect(struct client *c, int argc, char **argv);
int cmd_cp(struct client *c, int argc, char **argv);
int cmd_create(struct client *c, int argc, char **argv);
int cmd_diff(struct client *c, int argc, char **argv);
int cmd_exec(struct client *c, int argc, char **argv);
int cmd_export(struct client *c, int argc, char **argv);
int cmd_kill(struct client *c, int argc, char **argv);
int cmd_logs(struct client *c, int argc, char **argv);
int cmd_pause(struct client *c, int argc, char **argv);
int cmd_ps(struct client *c, int argc, char **argv);
int cmd_rename(struct client *c, int argc, char **argv);
int cmd_restart(struct client *c, int argc, char **argv);
int cmd_rm(struct client *c, int argc, char **argv);
int cmd_run(struct client *c, int argc, char **argv);
int cmd_start(struct client *c, int argc, char **argv);
int cmd_stats(struct client *c, int argc, char **argv);
int cmd_stop(struct client *c, int argc, char **argv);
int cmd_top(struct client *c, int argc, char **argv);
int cmd_unpause(struct client *c, int argc, char **argv);
int cmd_update(struct client *c, int argc, char **argv);
int cmd_wait(struct client *c, int argc, char **argv);
int cmd_history(struct client *c, int argc, char **argv);
int cmd_image(struct client *c, int argc, char **argv);
int cmd_image_exists(struct client *c, int argc, char **argv);
int cmd_image_inspect(struct client *c, int argc, char **argv);
int cmd_image_prune(struct client *c, int argc, char **argv);
int cmd_images(struct client *c, int argc, char **argv);
int cmd_import(struct client *c, int argc, char **argv);
int cmd_info(struct client *c, int argc, char **argv);
int cmd_system(struct client *c, int argc, char **argv);
int cmd_inspect(struct client *c, int argc, char **argv);
int cmd_load(struct client *c, int argc, char **argv);
int cmd_login(struct client *c, int argc, char **argv);
int cmd_logout(struct client *c, int argc, char **argv);
int cmd_pull(struct client *c, int argc, char **argv);
int cmd_push(struct client *c, int argc, char **argv);
int cmd_rmi(struct client *c, int argc, char **argv);
int cmd_save(struct client *c, int argc, char **argv);
int cmd_tag(struct client *c, int argc, char **argv);
int cmd_untag(struct client *c, int argc, char **argv);
int cmd_version(struct client *c, int argc, char **argv);
