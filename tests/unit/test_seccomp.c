/* seccomp.c, seccomp-default.c: Docker's default profile filtered for this host, user
 * profiles in Docker's format, and the result built into a real filter as runc does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "seccomp-profile.h"
#include "berth/cleanup.h"

static json_t *default_for(char *const *caps) {
        json_t *seccomp = NULL;
        berth_error err = { 0 };
        if (container_seccomp_default(caps, &seccomp, &err) < 0)
                fail_msg("%s", err.message);
        assert_non_null(seccomp);
        return seccomp;
}

static bool names_contain(json_t *rule, const char *name) {
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(rule, "names"), i, v)
                if (strcmp(json_string_value(v), name) == 0)
                        return true;
        return false;
}

/* The first rule naming `name` with `action`, and with or without args. */
static json_t *find_rule(json_t *seccomp, const char *name, const char *action, bool with_args) {
        size_t i;
        json_t *rule;
        json_array_foreach(json_object_get(seccomp, "syscalls"), i, rule)
                if (names_contain(rule, name) && strcmp(json_string_value(json_object_get(rule, "action")), action) == 0 &&
                    (json_object_get(rule, "args") != NULL) == with_args)
                        return rule;
        return NULL;
}

static bool allows(json_t *seccomp, const char *name) {
        return find_rule(seccomp, name, "SCMP_ACT_ALLOW", false) != NULL;
}

static void test_default_without_caps(void **state) {
        (void) state;
        _cleanup_(json_decrefp) json_t *s = default_for(NULL);
        json_t *clone, *arg, *clone3;

        assert_string_equal(json_string_value(json_object_get(s, "defaultAction")), "SCMP_ACT_ERRNO");
        assert_null(json_object_get(s, "defaultErrnoRet"));
        assert_true(allows(s, "read"));
        assert_true(allows(s, "execve"));
        assert_true(allows(s, "ptrace")); /* minKernel 4.8 */
        assert_false(allows(s, "bpf"));
        assert_false(allows(s, "mount"));
        assert_false(allows(s, "reboot"));
        assert_false(allows(s, "clone"));
        assert_false(allows(s, "s390_runtime_instr"));

        /* clone without new namespaces: arg0 & CLONE_NEW* == 0 (s390 has it in arg1) */
        clone = find_rule(s, "clone", "SCMP_ACT_ALLOW", true);
        assert_non_null(clone);
        assert_int_equal(json_array_size(json_object_get(clone, "args")), 1);
        arg = json_array_get(json_object_get(clone, "args"), 0);
#if defined(__s390__) || defined(__s390x__)
        assert_int_equal(json_integer_value(json_object_get(arg, "index")), 1);
#else
        assert_int_equal(json_integer_value(json_object_get(arg, "index")), 0);
#endif
        assert_int_equal(json_integer_value(json_object_get(arg, "value")), 2114060288);
        assert_int_equal(json_integer_value(json_object_get(arg, "valueTwo")), 0);
        assert_string_equal(json_string_value(json_object_get(arg, "op")), "SCMP_CMP_MASKED_EQ");

        clone3 = find_rule(s, "clone3", "SCMP_ACT_ERRNO", false);
        assert_non_null(clone3);
        assert_int_equal(json_integer_value(json_object_get(clone3, "errnoRet")), ENOSYS);

        /* personality: five argument-filtered rules */
        size_t i, personas = 0;
        json_t *rule;
        json_array_foreach(json_object_get(s, "syscalls"), i, rule)
                if (names_contain(rule, "personality"))
                        personas++;
        assert_int_equal(personas, 5);
}

static void test_default_with_caps(void **state) {
        (void) state;
        char *caps[] = { "CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_SYS_TIME", NULL };
        _cleanup_(json_decrefp) json_t *s = default_for(caps);

        assert_true(allows(s, "bpf"));
        assert_true(allows(s, "clone"));
        assert_true(allows(s, "mount"));
        assert_true(allows(s, "unshare"));
        assert_true(allows(s, "process_vm_readv"));
        assert_true(allows(s, "settimeofday"));
        assert_null(find_rule(s, "clone", "SCMP_ACT_ALLOW", true));
        assert_null(find_rule(s, "clone3", "SCMP_ACT_ERRNO", false));
        assert_false(allows(s, "reboot"));
        assert_false(allows(s, "init_module"));
}

static void test_default_architectures(void **state) {
        (void) state;
        _cleanup_(json_decrefp) json_t *s = default_for(NULL);
        json_t *arches = json_object_get(s, "architectures");
#if defined(__x86_64__) && !defined(__ILP32__)
        assert_int_equal(json_array_size(arches), 3);
        assert_string_equal(json_string_value(json_array_get(arches, 0)), "SCMP_ARCH_X86_64");
        assert_string_equal(json_string_value(json_array_get(arches, 1)), "SCMP_ARCH_X86");
        assert_string_equal(json_string_value(json_array_get(arches, 2)), "SCMP_ARCH_X32");
        assert_true(allows(s, "arch_prctl"));
        assert_true(allows(s, "modify_ldt"));
        assert_false(allows(s, "cacheflush"));
#elif defined(__aarch64__)
        assert_int_equal(json_array_size(arches), 2);
        assert_string_equal(json_string_value(json_array_get(arches, 0)), "SCMP_ARCH_AARCH64");
        assert_string_equal(json_string_value(json_array_get(arches, 1)), "SCMP_ARCH_ARM");
        assert_false(allows(s, "arch_prctl"));
#else
        skip(); /* only amd64 and arm64 expectations are written down */
#endif
}

static bool one_of(const char *const *list, const char *s) {
        for (; *list; list++)
                if (strcmp(*list, s) == 0)
                        return true;
        return false;
}

static uint32_t spec_arch(const char *name) {
        static const struct {
                const char *name;
                uint32_t arch;
        } map[] = {
                { "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64 }, { "SCMP_ARCH_X86", SCMP_ARCH_X86 },
                { "SCMP_ARCH_X32", SCMP_ARCH_X32 },       { "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64 },
                { "SCMP_ARCH_ARM", SCMP_ARCH_ARM },       { "SCMP_ARCH_S390X", SCMP_ARCH_S390X },
                { "SCMP_ARCH_S390", SCMP_ARCH_S390 },
        };
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (strcmp(map[i].name, name) == 0)
                        return map[i].arch;
        fail_msg("architecture %s not mapped by the test", name);
        return 0;
}

static uint32_t spec_action(json_t *rule) {
        const char *action = json_string_value(json_object_get(rule, "action"));
        json_t *ret = json_object_get(rule, "errnoRet");
        if (strcmp(action, "SCMP_ACT_ALLOW") == 0)
                return SCMP_ACT_ALLOW;
        assert_string_equal(action, "SCMP_ACT_ERRNO");
        return SCMP_ACT_ERRNO(ret ? (uint16_t) json_integer_value(ret) : EPERM);
}

static enum scmp_compare spec_op(const char *op) {
        static const char *const names[] = { "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
                                             "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcmp(names[i], op) == 0)
                        return (enum scmp_compare) (SCMP_CMP_NE + i);
        fail_msg("op %s is not a runtime-spec op", op);
        return _SCMP_CMP_MIN;
}

/* Only the keys and names the runtime spec defines, as runc reads them. */
static void assert_spec_shape(json_t *s) {
        static const char *const actions[] = { "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
                                               "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE",
                                               "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", NULL };
        static const char *const top_keys[] = { "defaultAction", "defaultErrnoRet", "architectures", "syscalls", NULL };
        static const char *const rule_keys[] = { "names", "action", "errnoRet", "args", NULL };
        static const char *const arg_keys[] = { "index", "value", "valueTwo", "op", NULL };
        const char *key;
        json_t *v, *rule, *arg, *name;
        size_t i, j;

        json_object_foreach(s, key, v)
                assert_true(one_of(top_keys, key));
        assert_true(one_of(actions, json_string_value(json_object_get(s, "defaultAction"))));
        json_array_foreach(json_object_get(s, "syscalls"), i, rule) {
                json_object_foreach(rule, key, v)
                        assert_true(one_of(rule_keys, key));
                assert_true(one_of(actions, json_string_value(json_object_get(rule, "action"))));
                assert_true(json_array_size(json_object_get(rule, "names")) > 0);
                json_array_foreach(json_object_get(rule, "names"), j, name)
                        assert_int_not_equal(seccomp_syscall_resolve_name(json_string_value(name)), __NR_SCMP_ERROR);
                json_array_foreach(json_object_get(rule, "args"), j, arg) {
                        json_object_foreach(arg, key, v)
                                assert_true(one_of(arg_keys, key));
                        assert_true(json_integer_value(json_object_get(arg, "index")) < 6);
                        spec_op(json_string_value(json_object_get(arg, "op")));
                }
        }
}

/* What runc does with linux.seccomp: every rule must go into a libseccomp filter that
 * then compiles to BPF. */
static void assert_builds_filter(json_t *s) {
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
        json_t *v, *rule, *name, *arg;
        size_t i, j, k;
        int fd;

        assert_non_null(ctx);
        json_array_foreach(json_object_get(s, "architectures"), i, v) {
                int r = seccomp_arch_add(ctx, spec_arch(json_string_value(v)));
                assert_true(r == 0 || r == -EEXIST);
        }
        json_array_foreach(json_object_get(s, "syscalls"), i, rule) {
                struct scmp_arg_cmp cmps[6];
                unsigned n = 0;
                json_array_foreach(json_object_get(rule, "args"), k, arg)
                        cmps[n++] = (struct scmp_arg_cmp){
                                .arg = (unsigned) json_integer_value(json_object_get(arg, "index")),
                                .op = spec_op(json_string_value(json_object_get(arg, "op"))),
                                .datum_a = (scmp_datum_t) json_integer_value(json_object_get(arg, "value")),
                                .datum_b = (scmp_datum_t) json_integer_value(json_object_get(arg, "valueTwo")),
                        };
                json_array_foreach(json_object_get(rule, "names"), j, name) {
                        int nr = seccomp_syscall_resolve_name(json_string_value(name));
                        int r = seccomp_rule_add_array(ctx, spec_action(rule), nr, n, cmps);
                        if (r < 0)
                                fail_msg("rule %zu, %s: %s", i, json_string_value(name), strerror(-r));
                }
        }
        fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(seccomp_export_bpf(ctx, fd), 0);
        close(fd);
        seccomp_release(ctx);
}

static void test_default_is_what_runc_takes(void **state) {
        (void) state;
        char *all[] = { "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_MODULE", "CAP_SYS_PTRACE", "CAP_SYS_TIME",
                        "CAP_SYS_NICE", "CAP_SYSLOG", "CAP_DAC_READ_SEARCH", "CAP_SYS_RAWIO", NULL };
        _cleanup_(json_decrefp) json_t *none = default_for(NULL);
        _cleanup_(json_decrefp) json_t *many = default_for(all);
        assert_spec_shape(none);
        assert_spec_shape(many);
        assert_builds_filter(none);
        assert_builds_filter(many);
}

static void test_default_table(void **state) {
        (void) state;
        /* moby v20.10 default.json: 27 rules, the first the 347-name allowlist */
        size_t n = 0;
        assert_int_equal(seccomp_default_n_rules, 27);
        assert_int_equal(seccomp_default_n_arch_map, 7);
        while (seccomp_default_rules[0].names[n])
                n++;
        assert_int_equal(n, 347);
        assert_string_equal(seccomp_default_action, "SCMP_ACT_ERRNO");
}

static char *profile_for(const char *text, char *const *caps) {
        json_t *seccomp = NULL;
        berth_error err = { 0 };
        if (container_seccomp_profile(text, strlen(text), caps, &seccomp, &err) < 0)
                fail_msg("%s", err.message);
        if (!seccomp)
                return NULL;
        char *dump = json_dumps(seccomp, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(seccomp);
        return dump;
}

static void test_profile(void **state) {
        (void) state;
        static const char profile[] =
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 1, \"comment\": \"ignored\","
                " \"syscalls\": ["
                "  {\"name\": \"mkdir\", \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13},"
                "  {\"names\": [\"chmod\", \"no_such_syscall\"], \"action\": \"SCMP_ACT_KILL\","
                "   \"args\": [{\"index\": 1, \"value\": 511, \"op\": \"SCMP_CMP_GT\"}]},"
                "  {\"names\": [\"no_such_syscall\"], \"action\": \"SCMP_ACT_LOG\"},"
                "  {\"action\": \"SCMP_ACT_LOG\", \"args\": null},"
                "  {\"names\": [\"bpf\"], \"action\": \"SCMP_ACT_ERRNO\", \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},"
                "  {\"names\": [\"chown\"], \"action\": \"SCMP_ACT_ERRNO\", \"excludes\": {\"caps\": [\"CAP_CHOWN\"]}},"
                "  {\"names\": [\"uname\"], \"action\": \"SCMP_ACT_TRAP\", \"includes\": {\"minKernel\": \"255.0\"}},"
                "  {\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_TRAP\", \"includes\": {\"minKernel\": \"3.0\"}},"
                "  {\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_TRAP\", \"excludes\": {\"minKernel\": \"3.0\"}},"
                "  {\"names\": [\"sync\"], \"action\": \"SCMP_ACT_TRAP\", \"includes\": {\"arches\": [\"pdp11\"]}},"
                "  {\"names\": [\"fsync\"], \"action\": \"SCMP_ACT_TRAP\", \"excludes\": {\"arches\": [\"pdp11\"]}}"
                "]}";
        char *caps[] = { "CAP_CHOWN", NULL };
        char *text = profile_for(profile, caps);
        assert_string_equal(text, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":1,\"syscalls\":["
                                  "{\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13,\"names\":[\"mkdir\"]},"
                                  "{\"action\":\"SCMP_ACT_KILL\",\"args\":[{\"index\":1,\"op\":\"SCMP_CMP_GT\","
                                  "\"value\":511,\"valueTwo\":0}],\"names\":[\"chmod\"]},"
                                  "{\"action\":\"SCMP_ACT_TRAP\",\"names\":[\"getpid\"]},"
                                  "{\"action\":\"SCMP_ACT_TRAP\",\"names\":[\"fsync\"]}]}");
        free(text);
}

static void test_profile_architectures(void **state) {
        (void) state;
        char *text = profile_for("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86\","
                                 " \"SCMP_ARCH_AARCH64\"], \"archMap\": null}",
                                 NULL);
        assert_string_equal(text, "{\"architectures\":[\"SCMP_ARCH_X86\",\"SCMP_ARCH_AARCH64\"],"
                                  "\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[]}");
        free(text);
        /* an archMap without this machine's architecture gives no list (runc: native only) */
        text = profile_for("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"archMap\": [{\"architecture\": \"SCMP_ARCH_PPC\","
                           " \"subArchitectures\": null}]}",
                           NULL);
        assert_string_equal(text, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[]}");
        free(text);
}

static void test_profile_empty_means_unconfined(void **state) {
        (void) state;
        assert_null(profile_for("{}", NULL));
        assert_null(profile_for("{\"syscalls\": []}", NULL));
}

static void test_profile_errors(void **state) {
#define P(rest) "{\"defaultAction\": \"SCMP_ACT_ERRNO\", " rest "}"
#define RULE(rest) P("\"syscalls\": [{" rest "}]")
        static const struct {
                const char *text, *message;
        } cases[] = {
                { "[]", "seccomp profile: not a JSON object" },
                { P("\"syscalls\": {}"), "seccomp profile: \"syscalls\" must be an array" },
                { "{\"defaultAction\": \"SCMP_ACT_NOPE\"}", "seccomp profile: \"defaultAction\": unknown action \"SCMP_ACT_NOPE\"" },
                { "{\"defaultAction\": 7}", "seccomp profile: \"defaultAction\" must be a string" },
                { "{\"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
                  "seccomp profile: \"defaultAction\" must be a string" },
                { P("\"defaultErrnoRet\": -1"), "seccomp profile: \"defaultErrnoRet\" must be an integer from 0 to 4294967295" },
                { P("\"syscalls\": [5]"), "seccomp profile: \"syscalls[0]\" must be an object" },
                { RULE("\"names\": [\"read\"], \"action\": \"SCMP_ACT_FOO\""),
                  "seccomp profile: \"syscalls[0].action\": unknown action \"SCMP_ACT_FOO\"" },
                { RULE("\"names\": [\"read\"]"), "seccomp profile: \"syscalls[0].action\" must be a string" },
                { RULE("\"names\": \"read\", \"action\": \"SCMP_ACT_ALLOW\""),
                  "seccomp profile: \"syscalls[0].names\" must be an array of strings" },
                { RULE("\"names\": [\"read\", 3], \"action\": \"SCMP_ACT_ALLOW\""),
                  "seccomp profile: \"syscalls[0].names\" must be an array of strings" },
                { RULE("\"name\": \"read\", \"names\": [\"write\"], \"action\": \"SCMP_ACT_ALLOW\""),
                  "seccomp profile: \"syscalls[0]\" has both \"name\" and \"names\"; use one" },
                { RULE("\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": \"EPERM\""),
                  "seccomp profile: \"syscalls[0].errnoRet\" must be an integer from 0 to 4294967295" },
                { RULE("\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": {}"),
                  "seccomp profile: \"syscalls[0].args\" must be an array" },
                { RULE("\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [1]"),
                  "seccomp profile: \"syscalls[0].args[0]\" must be an object" },
                { RULE("\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 6, \"value\": 1, "
                       "\"op\": \"SCMP_CMP_EQ\"}]"),
                  "seccomp profile: \"syscalls[0].args[0].index\" must be an integer from 0 to 5" },
                { RULE("\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": -2, "
                       "\"op\": \"SCMP_CMP_EQ\"}]"),
                  "seccomp profile: \"syscalls[0].args[0].value\" must be an integer from 0 to 9223372036854775807" },
                { RULE("\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1}]"),
                  "seccomp profile: \"syscalls[0].args[0].op\" must be a string" },
                { RULE("\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1, "
                       "\"op\": \"SCMP_CMP_FOO\"}]"),
                  "seccomp profile: \"syscalls[0].args[0].op\": unknown op \"SCMP_CMP_FOO\"" },
                { RULE("\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": []"),
                  "seccomp profile: \"syscalls[0].includes\" must be an object" },
                { RULE("\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": \"CAP_X\"}"),
                  "seccomp profile: \"syscalls[0].includes.caps\" must be an array of strings" },
                { RULE("\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"excludes\": {\"arches\": [1]}"),
                  "seccomp profile: \"syscalls[0].excludes.arches\" must be an array of strings" },
                { RULE("\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"4.8.1\"}"),
                  "seccomp profile: \"syscalls[0].includes.minKernel\": invalid kernel version \"4.8.1\", expected "
                  "\"<kernel>.<major>\"" },
                { RULE("\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"excludes\": {\"minKernel\": \"0.0\"}"),
                  "seccomp profile: \"syscalls[0].excludes.minKernel\": invalid kernel version \"0.0\", expected "
                  "\"<kernel>.<major>\"" },
                { RULE("\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"4.256\"}"),
                  "seccomp profile: \"syscalls[0].includes.minKernel\": invalid kernel version \"4.256\", expected "
                  "\"<kernel>.<major>\"" },
                { P("\"architectures\": [\"SCMP_ARCH_X86\"], \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86\"}]"),
                  "seccomp profile: both \"architectures\" and \"archMap\" are set; use one" },
                { P("\"architectures\": [\"SCMP_ARCH_PDP11\"]"),
                  "seccomp profile: \"architectures\": unknown architecture \"SCMP_ARCH_PDP11\"" },
                { P("\"architectures\": \"SCMP_ARCH_X86\""), "seccomp profile: \"architectures\" must be an array of strings" },
                { P("\"archMap\": {}"), "seccomp profile: \"archMap\" must be an array" },
                { P("\"archMap\": [{\"subArchitectures\": []}]"), "seccomp profile: \"archMap[0].architecture\" must be a string" },
                { P("\"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\", \"subArchitectures\": [\"x86\"]}]"),
                  "seccomp profile: \"archMap[0].subArchitectures\": unknown architecture \"x86\"" },
        };
#undef RULE
#undef P
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                json_t *seccomp = (json_t *) &seccomp; /* must stay untouched */
                berth_error err = { 0 };
                int r = container_seccomp_profile(cases[i].text, strlen(cases[i].text), NULL, &seccomp, &err);
                if (r != -EINVAL || strcmp(err.message, cases[i].message) != 0)
                        fail_msg("case %zu: got %d \"%s\", want \"%s\"", i, r, err.message, cases[i].message);
                assert_ptr_equal(seccomp, (json_t *) &seccomp);
        }
}

static void test_profile_bad_json(void **state) {
        (void) state;
        static const char text[] = "{\"defaultAction\": ";
        json_t *seccomp = NULL;
        berth_error err = { 0 };
        assert_int_equal(container_seccomp_profile(text, strlen(text), NULL, &seccomp, &err), -EINVAL);
        assert_non_null(strstr(err.message, "seccomp profile: invalid JSON at line 1, column "));
        assert_null(seccomp);
        /* size bounds the text: a valid profile cut short is not valid */
        static const char full[] = "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}";
        assert_int_equal(container_seccomp_profile(full, sizeof(full) - 3, NULL, &seccomp, &err), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default_without_caps),
                cmocka_unit_test(test_default_with_caps),
                cmocka_unit_test(test_default_architectures),
                cmocka_unit_test(test_default_is_what_runc_takes),
                cmocka_unit_test(test_default_table),
                cmocka_unit_test(test_profile),
                cmocka_unit_test(test_profile_architectures),
                cmocka_unit_test(test_profile_empty_means_unconfined),
                cmocka_unit_test(test_profile_errors),
                cmocka_unit_test(test_profile_bad_json),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
