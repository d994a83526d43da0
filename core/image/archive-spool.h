/* The members of an incoming image archive (docker-archive or oci-archive), kept until
 * they are read, since a tar may hold them in any order: small ones in memory, the
 * rest as files under ROOT/tmp. Internal. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "berth/engine.h"
#include "berth/layer.h"

struct spool_member {
        char *name;     /* relative, without "." or ".." components */
        char *link;     /* a symlink's or hardlink's target member, else NULL */
        char *data;     /* a member kept in memory */
        size_t size;
        char *file;     /* a member kept on disk */
};

struct archive_spool {
        char *dir;      /* ROOT/tmp/archive-XXXXXX */
        struct spool_member *members;
        size_t n_members;
        size_t in_memory;
};

/* Reads the whole archive (plain or compressed tar). A member name or link target that
 * is absolute or leads out with ".." is refused (-EBADMSG naming it). */
int archive_spool_read(berth_engine *e, berth_read_fn read, void *cls, struct archive_spool *ret,
                       berth_error *err);
/* Frees it and removes its directory. */
void archive_spool_done(struct archive_spool *s);

/* The member `name` names, following links within the archive; NULL if none. */
const struct spool_member *archive_spool_find(const struct archive_spool *s, const char *name);

/* A member's whole content (NUL-terminated); -ENOENT when absent, -EFBIG above max. */
int archive_spool_slurp(const struct archive_spool *s, const char *name, size_t max, char **ret_data,
                        size_t *ret_size, berth_error *err);

struct spool_reader {
        const struct spool_member *member;
        size_t offset;
        int fd;
};
/* Opens a member for reading with spool_reader_read (a berth_read_fn). */
int archive_spool_open(const struct archive_spool *s, const char *name, struct spool_reader *ret,
                       berth_error *err);
ssize_t spool_reader_read(void *reader, void *buf, size_t max);
void spool_reader_done(struct spool_reader *r);
