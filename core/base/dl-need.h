/* Loading a library that is a hard dependency of the package (libarchive, libcrypto) on
 * first use: a missing library or symbol is a broken install, so both abort with a
 * message naming it and the Debian package to install. Internal to core. */
#pragma once

/* dlopen(lib, RTLD_NOW | RTLD_LOCAL), or abort. */
void *dl_need_library(const char *lib, const char *package);

/* dlsym(dl, name), or abort. */
void *dl_need_symbol(void *dl, const char *lib, const char *name);
