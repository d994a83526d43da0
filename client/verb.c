/* Flag parsing and usage helpers every verb shares, with podman's error wording. */
#include "verb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "output.h"

const struct verb *verb_find(const struct verb *table, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(table[i].name, name) == 0)
                        return &table[i];
        return NULL;
}

int verb_run(struct client *c, const struct verb *v, int argc, char **argv) {
        optind = 0;     /* each verb's getopt starts afresh at argv[1] */
        return v->run(c, argc, argv);
}

static void group_usage(FILE *f, const char *noun, const char *summary, const struct verb *table, size_t n) {
        fprintf(f, "Usage: berth %s COMMAND\n\n%s\n\nAvailable Commands:\n", noun, summary);
        for (size_t i = 0; i < n; i++)
                fprintf(f, "  %-12s%s\n", table[i].name, table[i].summary);
        fprintf(f, "\nRun 'berth %s COMMAND --help' for more information on a command.\n", noun);
}

int verb_group_run(struct client *c, const char *noun, const char *summary, const struct verb *table, size_t n,
                   int argc, char **argv) {
        static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
        const struct verb *v;
        /* '+': the options end at the command, which parses its own. */
        int opt = verb_getopt(argc, argv, "+h", options, &c->error);

        if (opt < 0)
                return opt;
        if (opt == 'h') {
                group_usage(stdout, noun, summary, table, n);
                return 0;
        }
        if (optind >= argc) {
                group_usage(stderr, noun, summary, table, n);
                return berth_err(&c->error, -EINVAL, "missing command 'berth %s COMMAND'", noun);
        }
        v = verb_find(table, n, argv[optind]);
        if (!v)
                return berth_err(&c->error, -EINVAL,
                                 "unrecognized command `berth %s %s`\nTry 'berth %s --help' for more information",
                                 noun, argv[optind], noun);
        return verb_run(c, v, argc - optind, argv + optind);
}

void verb_print_error(const berth_error *err) {
        fflush(stdout);         /* what the verb printed comes before the error */
        fprintf(stderr, "Error: %s\n", err->message);
}

/* Long flags are reported by name without any "=value". */
static int unknown_flag(const char *arg, int short_opt, berth_error *err) {
        if (strncmp(arg, "--", 2) == 0)
                return berth_err(err, -EINVAL, "unknown flag: %.*s", (int) strcspn(arg, "="), arg);
        return berth_err(err, -EINVAL, "unknown shorthand flag: '%c' in %s", short_opt, arg);
}

static int missing_value(const char *arg, int short_opt, berth_error *err) {
        if (strncmp(arg, "--", 2) == 0)
                return berth_err(err, -EINVAL, "flag needs an argument: %s", arg);
        return berth_err(err, -EINVAL, "flag needs an argument: '%c' in %s", short_opt, arg);
}

int verb_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts, berth_error *err) {
        char spec[128];
        int opt;

        /* ':' first (after any '+') makes getopt report a missing value apart from an
         * unknown flag, and keeps it quiet: the message is ours. */
        if (shortopts[0] == '+')
                snprintf(spec, sizeof(spec), "+:%s", shortopts + 1);
        else
                snprintf(spec, sizeof(spec), ":%s", shortopts);
        opterr = 0;
        opt = getopt_long(argc, argv, spec, longopts, NULL);
        if (opt == -1)
                return 0;
        if (opt == '?')
                return unknown_flag(argv[optind - 1], optopt, err);
        if (opt == ':')
                return missing_value(argv[optind - 1], optopt, err);
        return opt;
}

int verb_no_args(int argc, char **argv, berth_error *err) {
        if (optind < argc)
                return berth_err(err, -EINVAL, "\"berth %s\" takes no arguments", argv[0]);
        return 0;
}

int verb_args(int argc, int min, int max, berth_error *err) {
        int n = argc - optind;

        if (min == max && n != min)
                return berth_err(err, -EINVAL, "accepts %d arg(s), received %d", min, n);
        if (n < min)
                return berth_err(err, -EINVAL, "requires at least %d arg(s), only received %d", min, n);
        if (max >= 0 && n > max)
                return berth_err(err, -EINVAL, "accepts at most %d arg(s), received %d", max, n);
        return 0;
}

int verb_usage(const char *usage) {
        fputs(usage, stdout);
        return 0;
}

int verb_format_json(const char *format, berth_error *err) {
        if (!format)
                return 0;
        if (output_format_is_json(format))
                return 1;
        return berth_err(err, -EINVAL, "unsupported --format \"%s\": berth knows only --format json", format);
}
