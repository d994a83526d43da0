/* libarchive, loaded on first use rather than when berthd starts: with libxml2, ICU and
 * libstdc++ behind it, it is the heaviest library berthd maps. Every file of core that
 * uses libarchive includes this instead of <archive.h>; each call goes through the table,
 * which is loaded (once, thread-safely) by the first call. Internal to core. */
#pragma once

#include <archive.h>
#include <archive_entry.h>

#define ARCHIVE_API_SYMBOLS(X) \
        X(archive_entry_clone) \
        X(archive_entry_copy_stat) \
        X(archive_entry_filetype) \
        X(archive_entry_free) \
        X(archive_entry_gid) \
        X(archive_entry_hardlink) \
        X(archive_entry_linkify) \
        X(archive_entry_linkresolver_free) \
        X(archive_entry_linkresolver_new) \
        X(archive_entry_linkresolver_set_strategy) \
        X(archive_entry_mtime) \
        X(archive_entry_mtime_nsec) \
        X(archive_entry_new) \
        X(archive_entry_pathname) \
        X(archive_entry_set_filetype) \
        X(archive_entry_set_gid) \
        X(archive_entry_set_hardlink) \
        X(archive_entry_set_mtime) \
        X(archive_entry_set_pathname) \
        X(archive_entry_set_perm) \
        X(archive_entry_set_rdev) \
        X(archive_entry_set_size) \
        X(archive_entry_set_symlink) \
        X(archive_entry_set_uid) \
        X(archive_entry_size) \
        X(archive_entry_size_is_set) \
        X(archive_entry_symlink) \
        X(archive_entry_uid) \
        X(archive_entry_unset_atime) \
        X(archive_entry_unset_birthtime) \
        X(archive_entry_unset_ctime) \
        X(archive_entry_xattr_add_entry) \
        X(archive_entry_xattr_clear) \
        X(archive_entry_xattr_next) \
        X(archive_entry_xattr_reset) \
        X(archive_errno) \
        X(archive_error_string) \
        X(archive_format) \
        X(archive_read_data) \
        X(archive_read_data_block) \
        X(archive_read_free) \
        X(archive_read_new) \
        X(archive_read_next_header) \
        X(archive_read_open) \
        X(archive_read_open2) \
        X(archive_read_open_fd) \
        X(archive_read_support_filter_bzip2) \
        X(archive_read_support_filter_gzip) \
        X(archive_read_support_filter_xz) \
        X(archive_read_support_filter_zstd) \
        X(archive_read_support_format_raw) \
        X(archive_read_support_format_tar) \
        X(archive_set_error) \
        X(archive_write_add_filter_gzip) \
        X(archive_write_close) \
        X(archive_write_data) \
        X(archive_write_data_block) \
        X(archive_write_disk_new) \
        X(archive_write_disk_set_options) \
        X(archive_write_fail) \
        X(archive_write_finish_entry) \
        X(archive_write_free) \
        X(archive_write_header) \
        X(archive_write_new) \
        X(archive_write_open2) \
        X(archive_write_open_fd) \
        X(archive_write_set_bytes_in_last_block) \
        X(archive_write_set_bytes_per_block) \
        X(archive_write_set_filter_option) \
        X(archive_write_set_format_option) \
        X(archive_write_set_format_pax_restricted) \
        X(archive_write_set_format_raw)

struct archive_api {
#define ARCHIVE_API_FIELD(name) __typeof__(&name) name;
        ARCHIVE_API_SYMBOLS(ARCHIVE_API_FIELD)
#undef ARCHIVE_API_FIELD
};

/* The loaded table; aborts with a message naming the library if it cannot be loaded
 * (libarchive is a hard dependency of the package: a missing one is a broken install). */
const struct archive_api *archive_api(void);

/* Objects are counted as they are made and freed, so the library (with libxml2, ICU and
 * libstdc++ behind it: megabytes resident) can be unloaded when none is alive. Every
 * other call takes one of these objects, so it never meets an unloaded library. */
struct archive *archive_api_read_new(void);
struct archive *archive_api_write_new(void);
struct archive_entry *archive_api_entry_new(void);
struct archive_entry *archive_api_entry_clone(struct archive_entry *e);
struct archive_entry_linkresolver *archive_api_linkresolver_new(void);
int archive_api_read_free(struct archive *a);
int archive_api_write_free(struct archive *a);
void archive_api_entry_free(struct archive_entry *e);
void archive_api_linkresolver_free(struct archive_entry_linkresolver *r);

/* Unloads libarchive when no object of it is alive (the daemon calls it when idle); the
 * next use loads it again. */
void archive_api_unload_if_unused(void);

#define archive_entry_clone archive_api_entry_clone
#define archive_entry_copy_stat (*archive_api()->archive_entry_copy_stat)
#define archive_entry_filetype (*archive_api()->archive_entry_filetype)
#define archive_entry_free archive_api_entry_free
#define archive_entry_gid (*archive_api()->archive_entry_gid)
#define archive_entry_hardlink (*archive_api()->archive_entry_hardlink)
#define archive_entry_linkify (*archive_api()->archive_entry_linkify)
#define archive_entry_linkresolver_free archive_api_linkresolver_free
#define archive_entry_linkresolver_new archive_api_linkresolver_new
#define archive_entry_linkresolver_set_strategy (*archive_api()->archive_entry_linkresolver_set_strategy)
#define archive_entry_mtime (*archive_api()->archive_entry_mtime)
#define archive_entry_mtime_nsec (*archive_api()->archive_entry_mtime_nsec)
#define archive_entry_new archive_api_entry_new
#define archive_entry_pathname (*archive_api()->archive_entry_pathname)
#define archive_entry_set_filetype (*archive_api()->archive_entry_set_filetype)
#define archive_entry_set_gid (*archive_api()->archive_entry_set_gid)
#define archive_entry_set_hardlink (*archive_api()->archive_entry_set_hardlink)
#define archive_entry_set_mtime (*archive_api()->archive_entry_set_mtime)
#define archive_entry_set_pathname (*archive_api()->archive_entry_set_pathname)
#define archive_entry_set_perm (*archive_api()->archive_entry_set_perm)
#define archive_entry_set_rdev (*archive_api()->archive_entry_set_rdev)
#define archive_entry_set_size (*archive_api()->archive_entry_set_size)
#define archive_entry_set_symlink (*archive_api()->archive_entry_set_symlink)
#define archive_entry_set_uid (*archive_api()->archive_entry_set_uid)
#define archive_entry_size (*archive_api()->archive_entry_size)
#define archive_entry_size_is_set (*archive_api()->archive_entry_size_is_set)
#define archive_entry_symlink (*archive_api()->archive_entry_symlink)
#define archive_entry_uid (*archive_api()->archive_entry_uid)
#define archive_entry_unset_atime (*archive_api()->archive_entry_unset_atime)
#define archive_entry_unset_birthtime (*archive_api()->archive_entry_unset_birthtime)
#define archive_entry_unset_ctime (*archive_api()->archive_entry_unset_ctime)
#define archive_entry_xattr_add_entry (*archive_api()->archive_entry_xattr_add_entry)
#define archive_entry_xattr_clear (*archive_api()->archive_entry_xattr_clear)
#define archive_entry_xattr_next (*archive_api()->archive_entry_xattr_next)
#define archive_entry_xattr_reset (*archive_api()->archive_entry_xattr_reset)
#define archive_errno (*archive_api()->archive_errno)
#define archive_error_string (*archive_api()->archive_error_string)
#define archive_format (*archive_api()->archive_format)
#define archive_read_data (*archive_api()->archive_read_data)
#define archive_read_data_block (*archive_api()->archive_read_data_block)
#define archive_read_free archive_api_read_free
#define archive_read_new archive_api_read_new
#define archive_read_next_header (*archive_api()->archive_read_next_header)
#define archive_read_open (*archive_api()->archive_read_open)
#define archive_read_open2 (*archive_api()->archive_read_open2)
#define archive_read_open_fd (*archive_api()->archive_read_open_fd)
#define archive_read_support_filter_bzip2 (*archive_api()->archive_read_support_filter_bzip2)
#define archive_read_support_filter_gzip (*archive_api()->archive_read_support_filter_gzip)
#define archive_read_support_filter_xz (*archive_api()->archive_read_support_filter_xz)
#define archive_read_support_filter_zstd (*archive_api()->archive_read_support_filter_zstd)
#define archive_read_support_format_raw (*archive_api()->archive_read_support_format_raw)
#define archive_read_support_format_tar (*archive_api()->archive_read_support_format_tar)
#define archive_set_error (*archive_api()->archive_set_error)
#define archive_write_add_filter_gzip (*archive_api()->archive_write_add_filter_gzip)
#define archive_write_close (*archive_api()->archive_write_close)
#define archive_write_data (*archive_api()->archive_write_data)
#define archive_write_data_block (*archive_api()->archive_write_data_block)
#define archive_write_disk_new (*archive_api()->archive_write_disk_new)
#define archive_write_disk_set_options (*archive_api()->archive_write_disk_set_options)
#define archive_write_fail (*archive_api()->archive_write_fail)
#define archive_write_finish_entry (*archive_api()->archive_write_finish_entry)
#define archive_write_free archive_api_write_free
#define archive_write_header (*archive_api()->archive_write_header)
#define archive_write_new archive_api_write_new
#define archive_write_open2 (*archive_api()->archive_write_open2)
#define archive_write_open_fd (*archive_api()->archive_write_open_fd)
#define archive_write_set_bytes_in_last_block (*archive_api()->archive_write_set_bytes_in_last_block)
#define archive_write_set_bytes_per_block (*archive_api()->archive_write_set_bytes_per_block)
#define archive_write_set_filter_option (*archive_api()->archive_write_set_filter_option)
#define archive_write_set_format_option (*archive_api()->archive_write_set_format_option)
#define archive_write_set_format_pax_restricted (*archive_api()->archive_write_set_format_pax_restricted)
#define archive_write_set_format_raw (*archive_api()->archive_write_set_format_raw)
