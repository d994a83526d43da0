#include "dl-need.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

void *dl_need_library(const char *lib, const char *package) {
        void *dl = dlopen(lib, RTLD_NOW | RTLD_LOCAL);

        if (!dl) {
                fprintf(stderr, "berth: cannot load %s (install %s): %s\n", lib, package, dlerror());
                abort();
        }
        return dl;
}

void *dl_need_symbol(void *dl, const char *lib, const char *name) {
        void *fn = dlsym(dl, name);

        if (!fn) {
                fprintf(stderr, "berth: %s has no %s\n", lib, name);
                abort();
        }
        return fn;
}
