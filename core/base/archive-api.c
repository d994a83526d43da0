/* Loading libarchive on first use (dlopen), the way systemd loads optional libraries. */
#include "archive-api.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "dl-need.h"

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
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool loaded;
static void *library;
static unsigned long live;   /* objects made and not yet freed; a miscount only keeps it loaded */

static void load_locked(void) {
        void *dl = dl_need_library(LIBARCHIVE, "libarchive13");
#define ARCHIVE_API_LOAD(name) *(void **) &table.name = dl_need_symbol(dl, LIBARCHIVE, #name);
        ARCHIVE_API_SYMBOLS(ARCHIVE_API_LOAD)
#undef ARCHIVE_API_LOAD
        library = dl;
        atomic_store_explicit(&loaded, true, memory_order_release);
}

const struct archive_api *archive_api(void) {
        if (!atomic_load_explicit(&loaded, memory_order_acquire)) {
                pthread_mutex_lock(&lock);
                if (!atomic_load_explicit(&loaded, memory_order_relaxed))
                        load_locked();
                pthread_mutex_unlock(&lock);
        }
        return &table;
}

/* Loaded, and one more object counted, under the lock: an unload cannot slip in
 * between. */
static void hold(void) {
        pthread_mutex_lock(&lock);
        if (!atomic_load_explicit(&loaded, memory_order_relaxed))
                load_locked();
        live++;
        pthread_mutex_unlock(&lock);
}

static void release(void) {
        pthread_mutex_lock(&lock);
        if (live > 0)
                live--;
        pthread_mutex_unlock(&lock);
}

struct archive *archive_api_read_new(void) {
        hold();
        return table.archive_read_new();
}

struct archive *archive_api_write_new(void) {
        hold();
        return table.archive_write_new();
}

struct archive_entry *archive_api_entry_new(void) {
        hold();
        return table.archive_entry_new();
}

struct archive_entry *archive_api_entry_clone(struct archive_entry *e) {
        hold();
        return table.archive_entry_clone(e);
}

struct archive_entry_linkresolver *archive_api_linkresolver_new(void) {
        hold();
        return table.archive_entry_linkresolver_new();
}

int archive_api_read_free(struct archive *a) {
        if (!a)
                return ARCHIVE_OK;
        int r = table.archive_read_free(a);
        release();
        return r;
}

int archive_api_write_free(struct archive *a) {
        if (!a)
                return ARCHIVE_OK;
        int r = table.archive_write_free(a);
        release();
        return r;
}

void archive_api_entry_free(struct archive_entry *e) {
        if (!e)
                return;
        table.archive_entry_free(e);
        release();
}

void archive_api_linkresolver_free(struct archive_entry_linkresolver *r) {
        if (!r)
                return;
        table.archive_entry_linkresolver_free(r);
        release();
}

void archive_api_unload_if_unused(void) {
        pthread_mutex_lock(&lock);
        if (atomic_load_explicit(&loaded, memory_order_relaxed) && live == 0) {
                atomic_store_explicit(&loaded, false, memory_order_release);
                dlclose(library);
                library = NULL;
        }
        pthread_mutex_unlock(&lock);
}
