/* Scope-bound cleanup helpers and ownership transfer, as systemd's src/basic does. */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

/* Moves ownership out of a variable that is cleaned up at scope exit. */
#define TAKE_PTR(p)                                  \
        ({                                           \
                __typeof__(p) _took_ = (p);          \
                (p) = NULL;                          \
                _took_;                              \
        })
#define TAKE_FD(fd)                                  \
        ({                                           \
                int _took_fd_ = (fd);                \
                (fd) = -1;                           \
                _took_fd_;                           \
        })

/* Declares `static inline void funcp(type *p)` that calls func(*p) when *p is set. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)      \
        static inline void func##p(type *p) {        \
                if (*p)                              \
                        func(*p);                    \
        }

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir)
#define _cleanup_closedir_ _cleanup_(closedirp)

/* Closes without clobbering errno, so cleanup never hides the real failure. */
static inline int safe_close(int fd) {
        if (fd >= 0) {
                int saved = errno;
                close(fd);
                errno = saved;
        }
        return -1;
}
static inline void closep(int *fd) {
        *fd = safe_close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

/* A NULL-terminated array of owned strings. */
static inline void strv_freep(char ***v) {
        if (*v) {
                for (char **s = *v; *s; s++)
                        free(*s);
                free(*v);
        }
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
