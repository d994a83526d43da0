/* Hostile layers (tests/fixtures/malicious, made by make-corpus.py) unpacked into a
 * directory inside another: each must fail or land inside, and nothing outside changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "berth/alloc.h"
#include "berth/layer.h"
#include "test_layer_support.h"

#define CANARY "berth-layer-escape-canary"
#define TARGET "berth-layer-escape-target"
#define TARGET_CONTENT "original\n"

typedef struct sandbox {
        char *outer;
        char *inner;
        char *target;
        struct stat outer_st;
        struct stat target_st;
        struct stat passwd_st;
} sandbox;

typedef struct corpus_case {
        const char *file;
        int code;               /* 0: must unpack, inside */
        const char *needle;     /* in the error message */
        void (*check)(const sandbox *s);
} corpus_case;

static char *at(const sandbox *s, const char *rel) {
        return tl_path(s->inner, rel);
}

static struct stat lstat_ok(const char *path) {
        struct stat st;
        if (lstat(path, &st) < 0)
                fail_msg("%s: %s", path, strerror(errno));
        return st;
}

static void assert_content(const char *path, const char *want) {
        char *data = tl_read_file(path);
        if (!data || strcmp(data, want) != 0)
                fail_msg("%s: \"%s\", want \"%s\"", path, data ? data : "(unreadable)", want);
        free(data);
}

static void check_file_replaced_link(const sandbox *s) {
        char *p = at(s, "link");
        assert_true(S_ISREG(lstat_ok(p).st_mode));
        assert_content(p, "pwned\n");
        free(p);
}

static void check_dir_replaced_link(const sandbox *s) {
        char *d = at(s, "d"), *c = at(s, "d/" CANARY);
        assert_true(S_ISDIR(lstat_ok(d).st_mode));
        assert_content(c, "pwned\n");
        free(d), free(c);
}

static void check_dir_became_symlink(const sandbox *s) {
        tl_assert_link(s->inner, "x", "..");
}

static void check_symlinks_kept(const sandbox *s) {
        tl_assert_link(s->inner, "ok", "../../../etc/shadow");
        tl_assert_link(s->inner, "abs", "/etc/shadow");
}

static void check_hardlinked_symlink_replaced(const sandbox *s) {
        char *h = at(s, "h"), *sl = at(s, "s");
        assert_true(S_ISREG(lstat_ok(h).st_mode));
        assert_content(h, "pwned\n");
        assert_true(S_ISLNK(lstat_ok(sl).st_mode));
        free(h), free(sl);
}

static void check_hardlink_data_ignored(const sandbox *s) {
        char *h = at(s, "h");
        assert_true(S_ISLNK(lstat_ok(h).st_mode));
        free(h);
}

static void check_no_overlay_xattrs(const sandbox *s) {
        char *d = at(s, "d"), list[1024];
        ssize_t n = llistxattr(d, list, sizeof(list));
        assert_true(S_ISDIR(lstat_ok(d).st_mode));
        for (ssize_t i = 0; i < n; i += (ssize_t) strlen(list + i) + 1)
                if (strncmp(list + i, "trusted.overlay.", 16) == 0)
                        fail_msg("d has %s", list + i);
        free(d);
}

static const corpus_case CASES[] = {
        { "dotdot.tar", -EINVAL, "layer entry \"../" CANARY "\": the path has a \"..\" component", NULL },
        { "dotdot-nested.tar", -EINVAL, "the path has a \"..\" component", NULL },
        { "absolute.tar", -EINVAL, "layer entry \"/tmp/" CANARY "\": the path is absolute", NULL },
        { "empty-name.tar", -EINVAL, "layer entry \"\": the name is empty", NULL },
        { "root-as-symlink.tar", -EINVAL, "layer entry \".\": the layer root can only be a directory", NULL },
        { "long-path.tar", -ENAMETOOLONG, "the path is too long", NULL },
        { "symlink-escape-abs.tar", -EINVAL, "Cannot extract through symlink", NULL },
        { "symlink-escape-dotdot.tar", -EINVAL, "Cannot extract through symlink", NULL },
        { "symlink-parent-chain.tar", -EINVAL, "Cannot extract through symlink", NULL },
        { "symlink-dir-entry.tar", -EINVAL, "Cannot extract through symlink", NULL },
        { "symlink-then-file.tar", 0, NULL, check_file_replaced_link },
        { "symlink-then-dir.tar", 0, NULL, check_dir_replaced_link },
        { "symlink-target-outside.tar", 0, NULL, check_symlinks_kept },
        { "dir-then-symlink.tar", 0, NULL, check_dir_became_symlink },
        { "hardlink-escape-dotdot.tar", -EINVAL, "hardlink target \"../" TARGET "\": the path has a \"..\"", NULL },
        { "hardlink-escape-abs.tar", -EINVAL, "hardlink target \"/etc/passwd\": the path is absolute", NULL },
        { "hardlink-through-symlink.tar", -EINVAL, "is reached through a symlink", NULL },
        { "hardlink-to-dir.tar", -EINVAL, "hardlink target \"d\" is a directory", NULL },
        { "hardlink-to-symlink-then-file.tar", 0, NULL, check_hardlinked_symlink_replaced },
        { "hardlink-to-symlink-with-data.tar", 0, NULL, check_hardlink_data_ignored },
        { "whiteout-dotdot.tar", -EINVAL, "the whiteout hides no valid name", NULL },
        { "whiteout-in-dir-name.tar", -EINVAL, "a whiteout name is used as a directory", NULL },
        { "whiteout-through-symlink.tar", -EINVAL, "Cannot extract through symlink", NULL },
        { "opaque-through-symlink.tar", -EINVAL, "its directory is reached through a symlink", NULL },
        { "overlay-xattrs.tar", 0, NULL, check_no_overlay_xattrs },
};

static void forget_canaries(void) {
        /* Left by an earlier, broken build: they would make every check below moot. */
        unlink("/tmp/" CANARY);
        unlink("/" CANARY);
}

static void sandbox_new(sandbox *s) {
        s->outer = tl_mkdtemp();
        s->inner = tl_path(s->outer, "inner");
        s->target = tl_path(s->outer, TARGET);
        assert_int_equal(mkdir(s->inner, 0755), 0);
        tl_write_file(s->target, TARGET_CONTENT);
        s->target_st = lstat_ok(s->target);
        s->outer_st = lstat_ok(s->outer);
        s->passwd_st = lstat_ok("/etc/passwd");
}

static void sandbox_free(sandbox *s) {
        tl_rm_rf(s->outer);
        free(s->outer), free(s->inner), free(s->target);
}

static const sandbox *walk_sandbox;

static int no_shared_inode(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) flag, (void) ftw;
        if ((st->st_ino == walk_sandbox->target_st.st_ino && st->st_dev == walk_sandbox->target_st.st_dev) ||
            (st->st_ino == walk_sandbox->passwd_st.st_ino && st->st_dev == walk_sandbox->passwd_st.st_dev))
                fail_msg("%s is a hardlink to a file outside the layer", path);
        return 0;
}

/* Nothing outside the inner directory was created, linked, written or marked. */
static void assert_contained(const char *file, const sandbox *s) {
        DIR *d = opendir(s->outer);
        struct dirent *de;
        struct stat st;
        char value[64];

        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, "inner") &&
                    strcmp(de->d_name, TARGET))
                        fail_msg("%s: created %s/%s", file, s->outer, de->d_name);
        closedir(d);
        st = lstat_ok(s->outer);
        assert_int_equal(st.st_mode, s->outer_st.st_mode);
        assert_int_equal(st.st_uid, s->outer_st.st_uid);
        assert_int_equal(st.st_mtim.tv_sec, s->outer_st.st_mtim.tv_sec);
        assert_int_equal(st.st_mtim.tv_nsec, s->outer_st.st_mtim.tv_nsec);
        st = lstat_ok(s->target);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_nlink, 1);
        assert_int_equal(st.st_ino, s->target_st.st_ino);
        assert_content(s->target, TARGET_CONTENT);
        assert_int_equal(lstat_ok("/etc/passwd").st_nlink, s->passwd_st.st_nlink);
        if (lstat("/tmp/" CANARY, &st) == 0 || lstat("/" CANARY, &st) == 0)
                fail_msg("%s: created a canary in /tmp or /", file);
        if (lgetxattr(s->outer, "trusted.overlay.opaque", value, sizeof(value)) >= 0)
                fail_msg("%s: marked %s opaque", file, s->outer);
        walk_sandbox = s;
        nftw(s->inner, no_shared_inode, 16, FTW_PHYS);
}

static void run_case(const corpus_case *c) {
        char *path = xasprintf("%s/%s", CORPUS_DIR, c->file), *data;
        sandbox s = { 0 };
        berth_layer_digests d;
        berth_error err = { 0 };
        tl_buf blob = { 0 };
        struct stat st;
        int r;

        assert_int_equal(stat(path, &st), 0);
        data = tl_read_file(path);
        assert_non_null(data);
        tl_buf_append(&blob, data, (size_t) st.st_size);
        sandbox_new(&s);
        r = tl_unpack(&blob, 0, "sha256", s.inner, &d, &err);
        if (r != c->code || (c->needle && !strstr(err.message, c->needle)))
                fail_msg("%s: got %d \"%s\", want %d with \"%s\"", c->file, r, err.message, c->code,
                         c->needle ? c->needle : "");
        assert_contained(c->file, &s);
        if (c->check)
                c->check(&s);
        sandbox_free(&s);
        tl_buf_free(&blob);
        free(data);
        free(path);
}

static void test_corpus(void **state) {
        (void) state;
        forget_canaries();
        for (size_t i = 0; i < ELEMENTSOF(CASES); i++)
                run_case(&CASES[i]);
}

/* Every .tar in the corpus has a case above: a new one cannot go untested. */
static void test_corpus_complete(void **state) {
        DIR *d = opendir(CORPUS_DIR);
        struct dirent *de;
        size_t tars = 0;

        (void) state;
        assert_non_null(d);
        while ((de = readdir(d))) {
                size_t len = strlen(de->d_name);
                bool known = false;
                if (len < 4 || strcmp(de->d_name + len - 4, ".tar") != 0)
                        continue;
                tars++;
                for (size_t i = 0; i < ELEMENTSOF(CASES); i++)
                        known = known || strcmp(CASES[i].file, de->d_name) == 0;
                if (!known)
                        fail_msg("%s has no case in test_layer_malicious.c", de->d_name);
        }
        closedir(d);
        assert_int_equal(tars, ELEMENTSOF(CASES));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_corpus),
                cmocka_unit_test(test_corpus_complete),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
