/* Store lifetime: the root lock, the LMDB environment and its schema version. */
#include "berth/store.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/cleanup.h"
#include "berth/path.h"
#include "store-internal.h"
#include "tables.h"

#define STORE_SCHEMA_VERSION "1"
/* Address space only; pages cost memory when touched. */
#define STORE_MAP_SIZE (8ULL << 30)

static const char *const table_names[STORE_TABLE_MAX] = {
        [STORE_META] = "meta",     [STORE_IMAGES] = "images",         [STORE_NAMES] = "names",
        [STORE_LAYERS] = "layers", [STORE_CONTAINERS] = "containers",
};

struct berth_store {
        int lock_fd;
        char *root;
        MDB_env *env;
        MDB_dbi dbi[STORE_TABLE_MAX];
        char engine_id[40];
};

MDB_env *store_env(const berth_store *s) {
        return s->env;
}

MDB_dbi store_dbi(const berth_store *s, int table) {
        return s->dbi[table];
}

const char *store_root(const berth_store *s) {
        return s->root;
}

static int take_lock(const char *root, int *ret_fd, berth_error *err) {
        _cleanup_free_ char *path = xasprintf("%s/berth.lock", root);
        _cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        char pid[32] = "";

        if (fd < 0)
                return berth_err_errno(err, -errno, "cannot open lock file %s", path);
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                if (errno != EWOULDBLOCK)
                        return berth_err_errno(err, -errno, "cannot lock %s", path);
                ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
                pid[n > 0 ? n : 0] = '\0';
                pid[strcspn(pid, "\n")] = '\0';
                return berth_err(err, -EBUSY, "another berthd (pid %s) is using root %s", *pid ? pid : "?", root);
        }
        snprintf(pid, sizeof(pid), "%d\n", (int) getpid());
        if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, strlen(pid), 0) < 0)
                return berth_err_errno(err, -errno, "cannot write %s", path);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int store_lmdb_error(berth_error *err, int rc, const char *what) {
        /* LMDB returns positive errnos or its own MDB_* codes. */
        int code = rc > 0 ? -rc : -EIO;
        return berth_err(err, code, "metadata store: %s: %s", what, mdb_strerror(rc));
}

static void new_engine_id(char out[40]) {
        unsigned char b[16] = { 0 };
        _cleanup_close_ int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || read(fd, b, sizeof(b)) != (ssize_t) sizeof(b))
                for (size_t i = 0; i < sizeof(b); i++)
                        b[i] = (unsigned char) (getpid() * 31 + (int) i * 7);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                 b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static int meta_get_or_put(MDB_txn *txn, MDB_dbi dbi, const char *key, const char *fresh, char *out,
                           size_t out_size, berth_error *err) {
        MDB_val k = { .mv_size = strlen(key), .mv_data = (void *) key }, v;
        int rc = mdb_get(txn, dbi, &k, &v);

        if (rc == MDB_NOTFOUND) {
                v = (MDB_val) { .mv_size = strlen(fresh), .mv_data = (void *) fresh };
                rc = mdb_put(txn, dbi, &k, &v, 0);
        }
        if (rc != 0)
                return store_lmdb_error(err, rc, key);
        snprintf(out, out_size, "%.*s", (int) v.mv_size, (const char *) v.mv_data);
        return 0;
}

static int open_meta(berth_store *s, berth_error *err) {
        char schema[16], fresh_id[40];
        MDB_txn *txn;
        int rc, r;

        rc = mdb_txn_begin(s->env, NULL, 0, &txn);
        if (rc != 0)
                return store_lmdb_error(err, rc, "begin");
        for (int i = 0; i < STORE_TABLE_MAX; i++) {
                rc = mdb_dbi_open(txn, table_names[i], MDB_CREATE, &s->dbi[i]);
                if (rc != 0) {
                        mdb_txn_abort(txn);
                        return store_lmdb_error(err, rc, table_names[i]);
                }
        }
        new_engine_id(fresh_id);
        r = meta_get_or_put(txn, s->dbi[STORE_META], "schema-version", STORE_SCHEMA_VERSION, schema, sizeof(schema), err);
        if (r >= 0 && strcmp(schema, STORE_SCHEMA_VERSION) != 0)
                r = berth_err(err, -EPROTO, "metadata store has schema version %s; this berthd reads version %s",
                              schema, STORE_SCHEMA_VERSION);
        if (r >= 0)
                r = meta_get_or_put(txn, s->dbi[STORE_META], "engine-id", fresh_id, s->engine_id, sizeof(s->engine_id), err);
        if (r < 0) {
                mdb_txn_abort(txn);
                return r;
        }
        rc = mdb_txn_commit(txn);
        return rc ? store_lmdb_error(err, rc, "commit") : 0;
}

static int open_env(berth_store *s, const char *root, berth_error *err) {
        _cleanup_free_ char *dir = xasprintf("%s/db", root);
        int r, rc;

        r = berth_mkdir_p(dir, 0700, err);
        if (r < 0)
                return r;
        rc = mdb_env_create(&s->env);
        if (rc == 0)
                rc = mdb_env_set_maxdbs(s->env, 32);
        if (rc == 0)
                rc = mdb_env_set_mapsize(s->env, STORE_MAP_SIZE);
        if (rc == 0)
                rc = mdb_env_set_maxreaders(s->env, 512);
        if (rc == 0)
                rc = mdb_env_open(s->env, dir, MDB_NOTLS, 0600);
        if (rc != 0)
                return store_lmdb_error(err, rc, dir);
        /* Clear reader slots left by a daemon that was killed. */
        mdb_reader_check(s->env, NULL);
        return 0;
}

int berth_store_open(const char *root, berth_store **ret, berth_error *err) {
        berth_store *s = xnew0(berth_store, 1);
        int r;

        s->lock_fd = -1;
        s->root = xstrdup(root);
        r = berth_mkdir_p(root, 0700, err);
        if (r >= 0)
                r = take_lock(root, &s->lock_fd, err);
        if (r >= 0)
                r = open_env(s, root, err);
        if (r >= 0)
                r = open_meta(s, err);
        if (r < 0) {
                berth_store_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

berth_store *berth_store_free(berth_store *s) {
        if (!s)
                return NULL;
        if (s->env)
                mdb_env_close(s->env);
        safe_close(s->lock_fd);
        free(s->root);
        free(s);
        return NULL;
}

const char *berth_store_engine_id(const berth_store *s) {
        return s->engine_id;
}
