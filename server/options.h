/* berthd's command line, turned into a configuration. */
#pragma once

#include <stdbool.h>

#include "berth/config.h"
#include "berth/error.h"

struct options {
        berth_config config;     /* flags only; unset fields come from the file and defaults */
        char *config_path;       /* --config; NULL: the default file if it exists */
        bool help;
        bool version;
};

int options_parse(int argc, char **argv, struct options *ret, berth_error *err);
void options_done(struct options *o);

/* Loads the config file under the flags and applies defaults: the final settings. */
int options_resolve(struct options *o, berth_config *ret, berth_error *err);

extern const char options_usage[];
