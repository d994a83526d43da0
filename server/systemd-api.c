/* Loading libsystemd (dlopen) only while berthd talks to the service manager, as systemd
 * loads its own optional libraries: at start (the passed socket, READY=1) and at stop
 * (STOPPING=1). In between it is unloaded again, so a socket-activated daemon idles
 * without it and the compression and crypto libraries behind it. */
#include "systemd-api.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "berth/log.h"

#define LIBSYSTEMD "libsystemd.so.0"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static void *library;
static struct {
        __typeof__(&sd_listen_fds) listen_fds;
        __typeof__(&sd_is_socket_unix) is_socket_unix;
        __typeof__(&sd_notify) notify;
} api;

static int load_locked(berth_error *err) {
        void *dl;

        if (library)
                return 0;
        dl = dlopen(LIBSYSTEMD, RTLD_NOW | RTLD_LOCAL);
        if (!dl)
                return berth_err(err, -ENOENT, "cannot load %s (install libsystemd0): %s", LIBSYSTEMD, dlerror());
        *(void **) &api.listen_fds = dlsym(dl, "sd_listen_fds");
        *(void **) &api.is_socket_unix = dlsym(dl, "sd_is_socket_unix");
        *(void **) &api.notify = dlsym(dl, "sd_notify");
        if (!api.listen_fds || !api.is_socket_unix || !api.notify) {
                dlclose(dl);
                return berth_err(err, -ENOENT, "%s lacks sd_listen_fds, sd_is_socket_unix or sd_notify", LIBSYSTEMD);
        }
        library = dl;
        return 0;
}

int systemd_listen_fds(berth_error *err) {
        int r;

        if (!getenv("LISTEN_FDS"))
                return 0;
        pthread_mutex_lock(&lock);
        r = load_locked(err);
        if (r >= 0) {
                r = api.listen_fds(1);
                if (r < 0)
                        berth_err_errno(err, r, "cannot read LISTEN_FDS");
        }
        pthread_mutex_unlock(&lock);
        return r;
}

bool systemd_is_listening_unix_stream(int fd) {
        bool yes;

        pthread_mutex_lock(&lock);
        yes = library && api.is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) > 0;
        pthread_mutex_unlock(&lock);
        return yes;
}

void systemd_notify(const char *state) {
        berth_error err = { 0 };
        int r;

        if (!getenv("NOTIFY_SOCKET"))
                return;
        pthread_mutex_lock(&lock);
        r = load_locked(&err);
        if (r < 0)
                log_warn("not telling the service manager \"%s\": %s", state, err.message);
        else if (api.notify(0, state) < 0)
                log_warn("cannot tell the service manager \"%s\"", state);
        pthread_mutex_unlock(&lock);
}

void systemd_unload(void) {
        pthread_mutex_lock(&lock);
        if (library)
                dlclose(library);
        library = NULL;
        api = (__typeof__(api)) { 0 };
        pthread_mutex_unlock(&lock);
}
