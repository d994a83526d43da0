/* Connecting to the daemon's Unix socket and formatting requests, shared by the bench tools. */
#include "unix-client.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "berth/cleanup.h"

/* A new stream socket and the address of path, or a negative errno. */
static int unix_socket(const char *path, struct sockaddr_un *sa) {
        int fd;

        *sa = (struct sockaddr_un) { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(sa->sun_path))
                return -ENAMETOOLONG;
        strcpy(sa->sun_path, path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        return fd < 0 ? -errno : fd;
}

int unix_connect(const char *path, bool nonblock, int *ret_fd) {
        struct sockaddr_un sa;
        _cleanup_close_ int fd = unix_socket(path, &sa);

        if (fd < 0)
                return fd;
        if (connect(fd, (const struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        if (nonblock && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int unix_listen(const char *path) {
        struct sockaddr_un sa;
        _cleanup_close_ int fd = unix_socket(path, &sa);

        if (fd < 0)
                return fd;
        if (bind(fd, (const struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, SOMAXCONN) < 0)
                return -errno;
        return TAKE_FD(fd);
}

int http_request_format(char *buf, size_t size, const char *method, const char *path) {
        int n = snprintf(buf, size, "%s %s HTTP/1.1\r\nHost: localhost\r\nUser-Agent: berth-bench\r\n\r\n",
                         method, path);
        return n < 0 || (size_t) n >= size ? -ENAMETOOLONG : n;
}

int write_all(int fd, const char *data, size_t len) {
        while (len > 0) {
                ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                data += n;
                len -= (size_t) n;
        }
        return 0;
}
