/* The pure and local helpers behind berth login, logout, pull, push and prune: registry
 * keys, logins kept in the client's auth file and sent as X-Registry-Auth, the entries
 * --authfile picks, and questions on standard input with the terminal's echo off for
 * passwords. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <pty.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "berth/auth.h"
#include "prompt.h"
#include "registry-creds.h"

static void expect_key(const char *registry, const char *want) {
        berth_error err = { 0 };
        char *key = NULL;

        assert_int_equal(registry_creds_key(registry, &key, &err), 0);
        assert_string_equal(key, want);
        free(key);
}

static void test_registry_key(void **state) {
        berth_error err = { 0 };
        char *key = NULL;
        (void) state;

        expect_key("localhost:5000", "localhost:5000");
        expect_key("Quay.IO", "quay.io");
        expect_key("https://127.0.0.1:5000/v2/", "127.0.0.1:5000");
        expect_key("http://registry.example.com", "registry.example.com");
        /* A repository names its registry. */
        expect_key("quay.io/team/app", "quay.io");
        /* Docker Hub's addresses are one key. */
        expect_key("https://index.docker.io/v1/", "docker.io");
        expect_key("registry-1.docker.io", "docker.io");
        expect_key("docker.io", "docker.io");
        assert_int_equal(registry_creds_key("https:///v2/", &key, &err), -EINVAL);
        assert_string_equal(err.message, "invalid registry \"https:///v2/\": no host");
        assert_int_equal(registry_creds_key("", &key, &err), -EINVAL);
        assert_null(key);
}

static void test_creds_flag(void **state) {
        berth_error err = { 0 };
        char *header = NULL;
        (void) state;

        assert_int_equal(registry_creds_flag("berth:secret", &header, &err), 0);
        assert_string_equal(header, "X-Registry-Auth: eyJ1c2VybmFtZSI6ImJlcnRoIiwicGFzc3dvcmQiOiJzZWNyZXQifQ==");
        free(header);
        header = NULL;
        assert_int_equal(registry_creds_flag(":secret", &header, &err), -EINVAL);
        assert_string_equal(err.message, "invalid --creds: expected USERNAME:PASSWORD, both not empty");
        assert_null(header);
}

/* A private auth file for each test, in $REGISTRY_AUTH_FILE as berth reads it. */
struct auth_dir {
        char dir[64], file[96];
};

static int auth_setup(void **state) {
        struct auth_dir *a = calloc(1, sizeof(*a));

        snprintf(a->dir, sizeof(a->dir), "/tmp/berth-test-auth-XXXXXX");
        if (!mkdtemp(a->dir))
                return -1;
        snprintf(a->file, sizeof(a->file), "%s/sub/auth.json", a->dir);
        setenv("REGISTRY_AUTH_FILE", a->file, 1);
        /* No Docker config of the user running the tests may answer a lookup. */
        setenv("HOME", a->dir, 1);
        *state = a;
        return 0;
}

static int auth_teardown(void **state) {
        struct auth_dir *a = *state;
        char cmd[128];

        unsetenv("REGISTRY_AUTH_FILE");
        snprintf(cmd, sizeof(cmd), "rm -rf %s", a->dir);
        if (system(cmd) != 0)
                return -1;
        free(a);
        return 0;
}

static void write_file(const char *path, const char *text) {
        FILE *f = fopen(path, "we");

        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static void expect_header(const char *reference, const char *user, const char *password) {
        char *got = registry_creds_stored_header(reference), *want;

        if (!user) {
                assert_null(got);
                return;
        }
        want = registry_creds_header(user, password);
        assert_non_null(got);
        assert_string_equal(got, want);
        free(got);
        free(want);
}

static void test_stored_logins(void **state) {
        struct auth_dir *a = *state;
        berth_error err = { 0 };
        json_t *file;
        struct stat st;
        (void) a;

        /* No file: no login, and nothing to forget. */
        expect_header("127.0.0.1:5000/app:1", NULL, NULL);
        assert_int_equal(registry_creds_forget_all(&err), 0);

        /* berth login stores through core, as berthd does: the directory is made, the
         * file is private. */
        assert_int_equal(berth_auth_store("127.0.0.1:5000", "berth", "se:cret", &err), 0);
        assert_int_equal(berth_auth_store("docker.io", "hub", "pw", &err), 0);
        assert_int_equal(stat(a->file, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        expect_header("127.0.0.1:5000/app:1", "berth", "se:cret");
        expect_header("127.0.0.1:5000/team/app@sha256:0123456789012345678901234567890123456789012345678901234567890123",
                      "berth", "se:cret");
        /* A name without a registry is Docker Hub's. */
        expect_header("busybox", "hub", "pw");
        expect_header("docker.io/library/busybox:latest", "hub", "pw");
        expect_header("quay.io/app", NULL, NULL);
        expect_header("127.0.0.1:5001/app", NULL, NULL);
        expect_header("Bad Name", NULL, NULL);

        /* Forgetting all keeps what else the file holds. */
        file = json_load_file(a->file, 0, NULL);
        json_object_set_new(file, "credHelpers", json_pack("{s:s}", "example.com", "pass"));
        assert_int_equal(json_dump_file(file, a->file, 0), 0);
        json_decref(file);
        assert_int_equal(registry_creds_forget_all(&err), 0);
        expect_header("127.0.0.1:5000/app:1", NULL, NULL);
        expect_header("busybox", NULL, NULL);
        file = json_load_file(a->file, 0, NULL);
        assert_int_equal(json_object_size(json_object_get(file, "auths")), 0);
        assert_string_equal(json_string_value(json_object_get(json_object_get(file, "credHelpers"), "example.com")),
                            "pass");
        json_decref(file);
        /* Logging out of what is not there says so. */
        assert_int_equal(berth_auth_remove("127.0.0.1:5000", &err), -ENOENT);

        /* A file that is not JSON is not silently emptied. */
        write_file(a->file, "{ not json");
        assert_int_equal(registry_creds_forget_all(&err), -EINVAL);
        assert_true(strncmp(err.message, "cannot read ", 12) == 0);
        assert_non_null(strstr(err.message, a->file));
}

static void expect_authfile(const char *path, const char *reference, const char *user, const char *password) {
        berth_error err = { 0 };
        char *got = NULL, *want = registry_creds_header(user, password);

        if (registry_creds_authfile_header(path, reference, &got, &err) < 0)
                fail_msg("%s: %s", reference, err.message);
        assert_string_equal(got, want);
        free(got);
        free(want);
}

static void expect_authfile_error(const char *path, const char *reference, int code, const char *message) {
        berth_error err = { 0 };
        char *got = NULL;

        assert_int_equal(registry_creds_authfile_header(path, reference, &got, &err), code);
        assert_null(got);
        assert_string_equal(err.message, message);
}

/* --authfile: the most specific key covering the image, whatever the key's form. */
static void test_authfile_header(void **state) {
        struct auth_dir *a = *state;
        char path[128], message[512], *got = NULL;
        berth_error err = { 0 };

        snprintf(path, sizeof(path), "%s/given.json", a->dir);
        /* berth:se:cret, team:pw, hub:pw, url:pw, other:pw */
        write_file(path, "{\"auths\": {"
                         "\"127.0.0.1:5000\": {\"auth\": \"YmVydGg6c2U6Y3JldA==\"},"
                         "\"127.0.0.1:5000/team\": {\"auth\": \"dGVhbTpwdw==\"},"
                         "\"https://index.docker.io/v1/\": {\"auth\": \"aHViOnB3\"},"
                         "\"http://Quay.IO/v2/\": {\"auth\": \"dXJsOnB3\"},"
                         "\"quay.io/other/\": {\"auth\": \"b3RoZXI6cHc=\"},"
                         "\"bad.example\": {\"auth\": \"bm90LWEtcGFpcg==\"},"
                         "\"nopad.example\": {\"auth\": \"dGVhbTpwdw\"},"
                         "\"junk.example\": {\"auth\": \"dGVh!bTpwdw==\"},"
                         "\"nul.example\": {\"auth\": \"dQB4OnB3\"},"
                         "\"empty.example\": {}}}");
        expect_authfile(path, "127.0.0.1:5000/app:1", "berth", "se:cret");
        expect_authfile(path, "docker://127.0.0.1:5000/app", "berth", "se:cret");
        expect_authfile(path, "127.0.0.1:5000/team/app", "team", "pw");
        expect_authfile(path, "127.0.0.1:5000/team", "team", "pw");
        expect_authfile(path, "127.0.0.1:5000/teams/app", "berth", "se:cret");
        expect_authfile(path, "busybox", "hub", "pw");
        expect_authfile(path, "quay.io/app/x", "url", "pw");
        expect_authfile(path, "quay.io/other/x", "other", "pw");

        /* No key covers it: no credentials, as podman. */
        assert_int_equal(registry_creds_authfile_header(path, "127.0.0.1:5001/app", &got, &err), 0);
        assert_null(got);
        snprintf(message, sizeof(message), "the auth file %s: the entry for bad.example is not base64 of "
                 "USERNAME:PASSWORD", path);
        expect_authfile_error(path, "bad.example/app", -EINVAL, message);
        snprintf(message, sizeof(message), "the auth file %s: the entry for empty.example is not base64 of "
                 "USERNAME:PASSWORD", path);
        expect_authfile_error(path, "empty.example/app", -EINVAL, message);
        expect_authfile(path, "nopad.example/app", "team", "pw");
        snprintf(message, sizeof(message), "the auth file %s: the entry for junk.example is not base64 of "
                 "USERNAME:PASSWORD", path);
        expect_authfile_error(path, "junk.example/app", -EINVAL, message);
        snprintf(message, sizeof(message), "the auth file %s: the entry for nul.example is not base64 of "
                 "USERNAME:PASSWORD", path);
        expect_authfile_error(path, "nul.example/app", -EINVAL, message);
        /* The reference is checked as berthd would. */
        assert_int_equal(registry_creds_authfile_header(path, "Bad Name", &got, &err), -EINVAL);
        assert_non_null(strstr(err.message, "Bad Name"));

        write_file(path, "{\"credHelpers\": {}}");
        snprintf(message, sizeof(message), "the auth file %s has no \"auths\" object", path);
        expect_authfile_error(path, "busybox", -EINVAL, message);
        write_file(path, "[1");
        assert_int_equal(registry_creds_authfile_header(path, "busybox", &got, &err), -EINVAL);
        snprintf(message, sizeof(message), "cannot read the auth file %s: ", path);
        assert_true(strncmp(err.message, message, strlen(message)) == 0);
        assert_null(got);
        snprintf(path, sizeof(path), "%s/none.json", a->dir);
        snprintf(message, sizeof(message), "cannot read the auth file %s: No such file or directory", path);
        expect_authfile_error(path, "busybox", -ENOENT, message);
}

/* A pipe holding `text`, its write end closed. */
static int pipe_with(const char *text) {
        int p[2];

        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        assert_int_equal(write(p[1], text, strlen(text)), (ssize_t) strlen(text));
        close(p[1]);
        return p[0];
}

static void test_prompt_lines(void **state) {
        char *out_text = NULL, *answer = NULL, rest[16] = "";
        size_t out_size = 0;
        FILE *out = open_memstream(&out_text, &out_size);
        berth_error err = { 0 };
        int fd = pipe_with("berth\r\nsecond\nlast");
        (void) state;

        assert_int_equal(prompt_read(fd, out, "Username: ", false, &answer, &err), 0);
        assert_string_equal(answer, "berth");
        free(answer);
        fflush(out);
        assert_string_equal(out_text, "Username: ");
        /* One line is taken, no more: the next reader finds the rest. */
        assert_int_equal(read(fd, rest, 7), 7);
        assert_string_equal(rest, "second\n");
        /* A last line without "\n" still counts; then the input has ended. */
        assert_int_equal(prompt_read(fd, out, "? ", false, &answer, &err), 0);
        assert_string_equal(answer, "last");
        free(answer);
        answer = NULL;
        assert_int_equal(prompt_read(fd, out, "? ", false, &answer, &err), -ENODATA);
        assert_string_equal(err.message, "no answer: standard input ended");
        assert_null(answer);
        close(fd);

        /* A secret needs a terminal to hide it on. */
        fd = pipe_with("secret\n");
        assert_int_equal(prompt_read(fd, out, "Password: ", true, &answer, &err), -ENOTTY);
        assert_string_equal(err.message, "cannot prompt for a secret: standard input is not a terminal");
        close(fd);
        fclose(out);
        free(out_text);

        assert_true(prompt_is_yes("y"));
        assert_true(prompt_is_yes("Yes"));
        assert_false(prompt_is_yes("n"));
        assert_false(prompt_is_yes(""));
        assert_false(prompt_is_yes(" y"));
}

static void test_prompt_read_all(void **state) {
        berth_error err = { 0 };
        char *password = NULL, *big = malloc(PROMPT_MAX + 2);
        int fd = pipe_with("se\ncret\r\n");
        (void) state;

        /* --password-stdin: the lines joined, as podman does. */
        assert_int_equal(prompt_read_all(fd, &password, &err), 0);
        assert_string_equal(password, "secret");
        free(password);
        close(fd);
        fd = pipe_with("");
        assert_int_equal(prompt_read_all(fd, &password, &err), 0);
        assert_string_equal(password, "");
        free(password);
        close(fd);
        memset(big, 'x', PROMPT_MAX + 1);
        big[PROMPT_MAX + 1] = '\0';
        fd = pipe_with(big);
        password = NULL;
        assert_int_equal(prompt_read_all(fd, &password, &err), -E2BIG);
        assert_null(password);
        close(fd);
        free(big);
}

struct typist {
        int master, slave;
        bool saw_echo_off;
};

/* Types the password once the echo is off: typed earlier, TCSAFLUSH would drop it. */
static void *type_password(void *arg) {
        struct typist *t = arg;
        struct timespec pause = { 0, 1000000 };

        for (int i = 0; i < 10000; i++) {
                struct termios now;
                if (tcgetattr(t->slave, &now) == 0 && !(now.c_lflag & ECHO)) {
                        t->saw_echo_off = true;
                        break;
                }
                nanosleep(&pause, NULL);
        }
        if (write(t->master, "s3cret\n", 7) != 7)
                t->saw_echo_off = false;
        return NULL;
}

static void test_prompt_secret_on_a_terminal(void **state) {
        struct typist t = { 0 };
        struct termios before, after;
        char *out_text = NULL, *answer = NULL, shown[256] = "";
        size_t out_size = 0;
        FILE *out = open_memstream(&out_text, &out_size);
        berth_error err = { 0 };
        pthread_t thread;
        ssize_t n;
        (void) state;

        assert_int_equal(openpty(&t.master, &t.slave, NULL, NULL, NULL), 0);
        assert_int_equal(tcgetattr(t.slave, &before), 0);
        assert_true(before.c_lflag & ECHO);
        assert_int_equal(pthread_create(&thread, NULL, type_password, &t), 0);
        assert_int_equal(prompt_read(t.slave, out, "Password: ", true, &answer, &err), 0);
        pthread_join(thread, NULL);
        assert_true(t.saw_echo_off);
        assert_string_equal(answer, "s3cret");
        free(answer);
        /* The echo is back, and the user's Enter, which was not shown, is made up for. */
        assert_int_equal(tcgetattr(t.slave, &after), 0);
        assert_true(after.c_lflag & ECHO);
        fflush(out);
        assert_string_equal(out_text, "Password: \n");
        /* Nothing of the password reached the screen. */
        fcntl(t.master, F_SETFL, O_NONBLOCK);
        n = read(t.master, shown, sizeof(shown) - 1);
        if (n > 0)
                shown[n] = '\0';
        assert_null(strstr(shown, "s3cret"));
        fclose(out);
        free(out_text);
        close(t.master);
        close(t.slave);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_registry_key),
                cmocka_unit_test(test_creds_flag),
                cmocka_unit_test_setup_teardown(test_stored_logins, auth_setup, auth_teardown),
                cmocka_unit_test_setup_teardown(test_authfile_header, auth_setup, auth_teardown),
                cmocka_unit_test(test_prompt_lines),
                cmocka_unit_test(test_prompt_read_all),
                cmocka_unit_test(test_prompt_secret_on_a_terminal),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
