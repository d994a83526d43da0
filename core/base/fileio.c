/* Small-file reads, and whole-file writes renamed into place. */
#include "berth/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"

int berth_read_file(const char *path, size_t max, char **ret_data, size_t *ret_size, berth_error *err) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, alloc = 0;

        if (fd < 0)
                return berth_err_errno(err, -errno, "cannot open %s", path);
        for (;;) {
                if (alloc - size < 4096) {
                        alloc = alloc ? alloc * 2 : 8192;
                        buf = xrealloc(buf, alloc);
                }
                ssize_t n = read(fd, buf + size, alloc - size - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return berth_err_errno(err, -errno, "cannot read %s", path);
                }
                if (n == 0)
                        break;
                size += (size_t) n;
                if (size > max)
                        return berth_err(err, -EFBIG, "%s is larger than %zu bytes", path, max);
        }
        buf = buf ? buf : xmalloc(1);
        buf[size] = '\0';
        *ret_data = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = size;
        return 0;
}

int berth_read_line(const char *path, char **ret_line) {
        char *data;
        int r = berth_read_file(path, 1 << 20, &data, NULL, NULL);
        if (r < 0)
                return r;
        data[strcspn(data, "\n")] = '\0';
        *ret_line = data;
        return 0;
}

int berth_write_file_atomic(const char *path, const char *text, mode_t mode, berth_error *err) {
        _cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        size_t len = strlen(text);
        ssize_t n = fd < 0 ? -1 : write(fd, text, len);
        int r;

        if (n == (ssize_t) len && rename(tmp, path) == 0)
                return 0;
        r = n >= 0 && n != (ssize_t) len ? -EIO : -errno;   /* a short write sets no errno */
        if (fd >= 0)
                unlink(tmp);
        return berth_err_errno(err, r, "cannot write %s", path);
}
