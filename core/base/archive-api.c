/* Loading libarchive on first use (dlopen), the way systemd loads optional libraries. */
#include "archive-api.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* Here the names are the table's fields, not the redirecting macros. */
#undef archive_entry_clone
#undef archive_entry_copy_stat
#undef archive_entry_filetype
#undef archive_entry_free
#undef archive_entry_gid
#undef archive_entry_hardlink
#undef archive_entry_linkify
#undef archive_entry_linkresolver_free
#undef archive_entry_linkresolver_new
#undef archive_entry_linkresolver_set_strategy
#undef archive_entry_mtime
#undef archive_entry_mtime_nsec
#undef archive_entry_new
#undef archive_entry_pathname
#undef archive_entry_set_filetype
#undef archive_entry_set_gid
#undef archive_entry_set_hardlink
#undef archive_entry_set_mtime
#undef archive_entry_set_pathname
#undef archive_entry_set_perm
#undef archive_entry_set_rdev
#undef archive_entry_set_size
#undef archive_entry_set_symlink
#undef archive_entry_set_uid
#undef archive_entry_size
#undef archive_entry_size_is_set
#undef archive_entry_symlink
#undef archive_entry_uid
#undef archive_entry_unset_atime
#undef archive_entry_unset_birthtime
#undef archive_entry_unset_ctime
#undef archive_entry_xattr_add_entry
#undef archive_entry_xattr_clear
#undef archive_entry_xattr_next
#undef archive_entry_xattr_reset
#undef archive_errno
#undef archive_error_string
#undef archive_format
#undef archive_read_data
#undef archive_read_data_block
#undef archive_read_free
#undef archive_read_new
#undef archive_read_next_header
#undef archive_read_open
#undef archive_read_open2
#undef archive_read_open_fd
#undef archive_read_support_filter_bzip2
#undef archive_read_support_filter_gzip
#undef archive_read_support_filter_xz
#undef archive_read_support_filter_zstd
#undef archive_read_support_format_raw
#undef archive_read_support_format_tar
#undef archive_set_error
#undef archive_write_add_filter_gzip
#undef archive_write_close
#undef archive_write_data
#undef archive_write_data_block
#undef archive_write_disk_new
#undef archive_write_disk_set_options
#undef archive_write_fail
#undef archive_write_finish_entry
#undef archive_write_free
#undef archive_write_header
#undef archive_write_new
#undef archive_write_open2
#undef archive_write_open_fd
#undef archive_write_set_bytes_in_last_block
#undef archive_write_set_bytes_per_block
#undef archive_write_set_filter_option
#undef archive_write_set_format_option
#undef archive_write_set_format_pax_restricted
#undef archive_write_set_format_raw

#define LIBARCHIVE "libarchive.so.13"

static struct archive_api table;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void *need(void *dl, const char *name) {
        void *fn = dlsym(dl, name);
        if (!fn) {
                fprintf(stderr, "berth: %s has no %s\n", LIBARCHIVE, name);
                abort();
        }
        return fn;
}

static void load(void) {
        void *dl = dlopen(LIBARCHIVE, RTLD_NOW | RTLD_LOCAL);
        if (!dl) {
                fprintf(stderr, "berth: cannot load %s (install libarchive13): %s\n", LIBARCHIVE, dlerror());
                abort();
        }
#define ARCHIVE_API_LOAD(name) *(void **) &table.name = need(dl, #name);
        ARCHIVE_API_SYMBOLS(ARCHIVE_API_LOAD)
#undef ARCHIVE_API_LOAD
}

const struct archive_api *archive_api(void) {
        pthread_once(&once, load);
        return &table;
}
