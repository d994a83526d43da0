/* Socket activation or a socket of our own, with stale-file and live-daemon checks. */
#include "listen.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/log.h"
#include "berth/path.h"
#include "systemd-api.h"

static int activated_socket(int n, int *ret_fd, berth_error *err) {
        int fd = SD_LISTEN_FDS_START;

        if (n > 1)
                log_warn("%d sockets passed by the service manager; serving the first", n);
        if (!systemd_is_listening_unix_stream(fd))
                return berth_err(err, -EINVAL, "the socket passed by the service manager (fd %d) is not a "
                                               "listening Unix stream socket", fd);
        for (int extra = fd + 1; extra < SD_LISTEN_FDS_START + n; extra++)
                close(extra);
        if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
                return berth_err_errno(err, -errno, "cannot set flags on the passed socket");
        *ret_fd = fd;
        return 0;
}

static int fill_addr(const char *path, struct sockaddr_un *sa, berth_error *err) {
        *sa = (struct sockaddr_un) { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(sa->sun_path))
                return berth_err(err, -ENAMETOOLONG, "socket path %s is longer than %zu bytes", path,
                                 sizeof(sa->sun_path) - 1);
        strcpy(sa->sun_path, path);
        return 0;
}

/* A socket file nobody answers on is stale and may go; anything else stays. */
static int clear_stale(const char *path, const struct sockaddr_un *sa, berth_error *err) {
        struct stat st;
        _cleanup_close_ int probe = -1;

        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : berth_err_errno(err, -errno, "cannot stat %s", path);
        if (!S_ISSOCK(st.st_mode))
                return berth_err(err, -EEXIST, "%s exists and is not a socket; not replacing it", path);
        probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (probe < 0)
                return berth_err_errno(err, -errno, "cannot create a socket");
        if (connect(probe, (const struct sockaddr *) sa, sizeof(*sa)) == 0)
                return berth_err(err, -EADDRINUSE, "another daemon is already listening on %s", path);
        if (errno != ECONNREFUSED)
                return berth_err_errno(err, -errno, "cannot probe existing socket %s", path);
        log_info("removing stale socket %s", path);
        if (unlink(path) < 0 && errno != ENOENT)
                return berth_err_errno(err, -errno, "cannot remove stale socket %s", path);
        return 0;
}

/* The group from /etc/group itself, as dockerd looks up its "docker" group: going
 * through NSS would map its modules (libnss_systemd and more) into the daemon for one
 * lookup at start. */
static bool find_group(const char *name, gid_t *ret) {
        _cleanup_fclose_ FILE *f = fopen("/etc/group", "re");
        struct group grp, *found = NULL;
        char buf[4096];

        while (f && fgetgrent_r(f, &grp, buf, sizeof(buf), &found) == 0 && found)
                if (strcmp(found->gr_name, name) == 0) {
                        *ret = found->gr_gid;
                        return true;
                }
        return false;
}

static int set_access(const char *path, berth_error *err) {
        gid_t gid;

        if (!find_group("berth", &gid))
                return 0;       /* bound under umask 0177: already 0600 */
        if (chown(path, (uid_t) -1, gid) < 0 || chmod(path, 0660) < 0)
                return berth_err_errno(err, -errno, "cannot give group berth access to %s", path);
        return 0;
}

static int create_socket(const char *path, int *ret_fd, berth_error *err) {
        _cleanup_free_ char *dir_copy = xstrdup(path);
        _cleanup_close_ int fd = -1;
        struct sockaddr_un sa;
        mode_t old_umask;
        int r;

        r = fill_addr(path, &sa, err);
        if (r < 0)
                return r;
        r = berth_mkdir_p(dirname(dir_copy), 0711, err);
        if (r < 0)
                return r;
        r = clear_stale(path, &sa, err);
        if (r < 0)
                return r;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return berth_err_errno(err, -errno, "cannot create a socket");
        old_umask = umask(0177);
        r = bind(fd, (const struct sockaddr *) &sa, sizeof(sa));
        umask(old_umask);
        if (r < 0)
                return berth_err_errno(err, -errno, "cannot bind %s", path);
        r = set_access(path, err);
        if (r >= 0 && listen(fd, SOMAXCONN) < 0)
                r = berth_err_errno(err, -errno, "cannot listen on %s", path);
        if (r < 0) {
                unlink(path);
                return r;
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int listen_open(const char *path, int *ret_fd, bool *ret_activated, berth_error *err) {
        int n = systemd_listen_fds(err);

        if (n < 0)
                return n;
        *ret_activated = n > 0;
        if (n > 0)
                return activated_socket(n, ret_fd, err);
        return create_socket(path, ret_fd, err);
}

void listen_close(int fd, const char *path, bool activated) {
        safe_close(fd);
        if (!activated)
                unlink(path);
}
