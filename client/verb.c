/* Flag parsing and usage helpers every verb shares, with podman's error wording. */
#include "verb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "output.h"

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
