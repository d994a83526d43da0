/* berth's target URLs: selection order and the unix:// and ssh:// grammar with its errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "url.h"

static void test_select(void **state) {
        (void) state;
        assert_string_equal(client_url_select("unix:///a", "unix:///b"), "unix:///a");
        assert_string_equal(client_url_select(NULL, "unix:///b"), "unix:///b");
        assert_string_equal(client_url_select("", "unix:///b"), "unix:///b");
        assert_string_equal(client_url_select(NULL, ""), CLIENT_DEFAULT_URL);
        assert_string_equal(client_url_select(NULL, NULL), "unix:///run/berth/berth.sock");
}

static void test_unix(void **state) {
        struct client_url u;
        berth_error err = { 0 };
        (void) state;

        assert_int_equal(client_url_parse("unix:///run/berth/berth.sock", &u, &err), 0);
        assert_int_equal(u.scheme, CLIENT_URL_UNIX);
        assert_string_equal(u.path, "/run/berth/berth.sock");
        assert_null(u.host);
        assert_null(u.user);
        assert_null(u.port);
        client_url_done(&u);
        assert_null(u.path);
}

static void test_ssh_full(void **state) {
        struct client_url u;
        berth_error err = { 0 };
        (void) state;

        assert_int_equal(client_url_parse("ssh://root@build.example.com:2222/run/berth/berth.sock", &u, &err), 0);
        assert_int_equal(u.scheme, CLIENT_URL_SSH);
        assert_string_equal(u.user, "root");
        assert_string_equal(u.host, "build.example.com");
        assert_string_equal(u.port, "2222");
        assert_string_equal(u.path, "/run/berth/berth.sock");
        client_url_done(&u);
}

static void test_ssh_minimal(void **state) {
        struct client_url u;
        berth_error err = { 0 };
        (void) state;

        assert_int_equal(client_url_parse("ssh://host/s.sock", &u, &err), 0);
        assert_null(u.user);
        assert_null(u.port);
        assert_string_equal(u.host, "host");
        assert_string_equal(u.path, "/s.sock");
        client_url_done(&u);
}

static void test_ssh_ipv6_and_at_in_user(void **state) {
        struct client_url u;
        berth_error err = { 0 };
        (void) state;

        assert_int_equal(client_url_parse("ssh://me@[::1]:22/tmp/b.sock", &u, &err), 0);
        assert_string_equal(u.host, "::1");
        assert_string_equal(u.port, "22");
        client_url_done(&u);
        assert_int_equal(client_url_parse("ssh://[fe80::1]/tmp/b.sock", &u, &err), 0);
        assert_string_equal(u.host, "fe80::1");
        assert_null(u.port);
        client_url_done(&u);
        /* The last '@' separates the user, as ssh itself splits user@host. */
        assert_int_equal(client_url_parse("ssh://a@b@host/x.sock", &u, &err), 0);
        assert_string_equal(u.user, "a@b");
        assert_string_equal(u.host, "host");
        client_url_done(&u);
}

static void expect_error(const char *url, int code, const char *message) {
        struct client_url u = { .path = (char *) "untouched" };
        berth_error err = { 0 };

        assert_int_equal(client_url_parse(url, &u, &err), code);
        assert_int_equal(err.code, code);
        assert_string_equal(err.message, message);
        assert_string_equal(u.path, "untouched");   /* written only on success */
}

static void test_errors(void **state) {
        (void) state;
        expect_error("", -EINVAL, "empty URL: expected unix:///path/to/berth.sock or "
                     "ssh://[user@]host[:port]/path/to/berth.sock");
        expect_error("tcp://localhost:8080", -EPROTONOSUPPORT,
                     "unsupported URL \"tcp://localhost:8080\": berth connects to unix:///path/to/berth.sock or "
                     "ssh://[user@]host[:port]/path/to/berth.sock");
        expect_error("/run/berth/berth.sock", -EPROTONOSUPPORT,
                     "unsupported URL \"/run/berth/berth.sock\": berth connects to unix:///path/to/berth.sock or "
                     "ssh://[user@]host[:port]/path/to/berth.sock");
        expect_error("unix://relative/b.sock", -EINVAL, "invalid URL \"unix://relative/b.sock\": unix:// needs an "
                     "absolute socket path, as in unix:///run/berth/berth.sock");
        expect_error("unix:///", -EINVAL, "invalid URL \"unix:///\": unix:// needs an absolute socket path, as in "
                     "unix:///run/berth/berth.sock");
        expect_error("ssh://host", -EINVAL, "invalid URL \"ssh://host\": no remote socket path (expected "
                     "ssh://[user@]host[:port]/path/to/berth.sock)");
        expect_error("ssh://host/", -EINVAL, "invalid URL \"ssh://host/\": no remote socket path (expected "
                     "ssh://[user@]host[:port]/path/to/berth.sock)");
        expect_error("ssh://user@/x.sock", -EINVAL, "invalid URL \"ssh://user@/x.sock\": no host (expected "
                     "ssh://[user@]host[:port]/path/to/berth.sock)");
        expect_error("ssh://:22/x.sock", -EINVAL, "invalid URL \"ssh://:22/x.sock\": no host (expected "
                     "ssh://[user@]host[:port]/path/to/berth.sock)");
        expect_error("ssh://@host/x.sock", -EINVAL, "invalid URL \"ssh://@host/x.sock\": empty user before '@'");
        expect_error("ssh://host:ssh/x.sock", -EINVAL, "invalid URL \"ssh://host:ssh/x.sock\": port \"ssh\" is not "
                     "a number");
        expect_error("ssh://host:/x.sock", -EINVAL, "invalid URL \"ssh://host:/x.sock\": port \"\" is not a number");
        expect_error("ssh://host:70000/x.sock", -EINVAL, "invalid URL \"ssh://host:70000/x.sock\": port 70000 is out "
                     "of range (1-65535)");
        expect_error("ssh://host:0/x.sock", -EINVAL, "invalid URL \"ssh://host:0/x.sock\": port 0 is out of range "
                     "(1-65535)");
        expect_error("ssh://[::1/x.sock", -EINVAL, "invalid URL \"ssh://[::1/x.sock\": unbalanced [ ] around the host");
        expect_error("ssh://[::1]x/x.sock", -EINVAL, "invalid URL \"ssh://[::1]x/x.sock\": unbalanced [ ] around "
                     "the host");
}

static void test_ssh_option_injection(void **state) {
        (void) state;
        expect_error("ssh://-oProxyCommand=evil/x.sock", -EINVAL, "invalid URL \"ssh://-oProxyCommand=evil/x.sock\": "
                     "user and host may not start with '-'");
        expect_error("ssh://-oX@host/x.sock", -EINVAL, "invalid URL \"ssh://-oX@host/x.sock\": user and host may "
                     "not start with '-'");
        expect_error("ssh://host/a:b.sock", -EINVAL, "invalid URL \"ssh://host/a:b.sock\": the remote socket path "
                     "may not contain ':'");
}

static void test_unix_path_too_long(void **state) {
        char url[200] = "unix:///";
        berth_error err = { 0 };
        struct client_url u;
        (void) state;

        memset(url + strlen(url), 'a', 120);
        assert_int_equal(client_url_parse(url, &u, &err), -ENAMETOOLONG);
        assert_non_null(strstr(err.message, "the socket path is longer than 107 bytes"));
        /* NULL err is allowed: the code alone comes back. */
        assert_int_equal(client_url_parse("ftp://x", &u, NULL), -EPROTONOSUPPORT);
        assert_int_equal(client_url_parse("ssh://h:99999/x", &u, NULL), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_select),         cmocka_unit_test(test_unix),
                cmocka_unit_test(test_ssh_full),       cmocka_unit_test(test_ssh_minimal),
                cmocka_unit_test(test_ssh_ipv6_and_at_in_user), cmocka_unit_test(test_errors),
                cmocka_unit_test(test_ssh_option_injection), cmocka_unit_test(test_unix_path_too_long),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
