/* Docker's default seccomp profile (moby profiles/seccomp/default.json, v20.10.27) as C
 * data, and its conversion to a profile json_t in Docker's format. */
#include "seccomp-profile.h"

#define STRV(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define ARGS(...) ((const struct seccomp_arg[]){ __VA_ARGS__, { .op = NULL } })
#define CAPS(...) { .caps = STRV(__VA_ARGS__) }
#define ARCHES(...) { .arches = STRV(__VA_ARGS__) }
#define ALLOW "SCMP_ACT_ALLOW"
/* clone flags a container without CAP_SYS_ADMIN may not use: the CLONE_NEW* namespaces. */
#define CLONE_NS_MASK UINT64_C(2114060288)

const char seccomp_default_action[] = "SCMP_ACT_ERRNO";

const struct seccomp_arch_map seccomp_default_arch_map[] = {
        { "SCMP_ARCH_X86_64", STRV("SCMP_ARCH_X86", "SCMP_ARCH_X32") },
        { "SCMP_ARCH_AARCH64", STRV("SCMP_ARCH_ARM") },
        { "SCMP_ARCH_MIPS64", STRV("SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32") },
        { "SCMP_ARCH_MIPS64N32", STRV("SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64") },
        { "SCMP_ARCH_MIPSEL64", STRV("SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64N32") },
        { "SCMP_ARCH_MIPSEL64N32", STRV("SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64") },
        { "SCMP_ARCH_S390X", STRV("SCMP_ARCH_S390") },
};
const size_t seccomp_default_n_arch_map = sizeof(seccomp_default_arch_map) / sizeof(seccomp_default_arch_map[0]);

/* What every container may call. */
static const char *const allowed[] = {
        "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget", "capset", "chdir",
        "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres",
        "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
        "clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat", "dup",
        "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
        "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat", "exit",
        "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark",
        "fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync",
        "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64",
        "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex", "futex_time64",
        "futex_waitv", "futimesat", "getcpu", "getcwd", "getdents", "getdents64", "getegid", "getegid32",
        "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32", "getitimer", "getpeername",
        "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid", "getresgid32",
        "getresuid", "getresuid32", "getrlimit", "get_robust_list", "getrusage", "getsid", "getsockname",
        "getsockopt", "get_thread_area", "gettid", "gettimeofday", "getuid", "getuid32", "getxattr",
        "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel", "ioctl",
        "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "ioprio_get", "ioprio_set",
        "io_setup", "io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup", "ipc", "kill",
        "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32",
        "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr", "_llseek", "lremovexattr",
        "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "membarrier", "memfd_create", "memfd_secret",
        "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2",
        "mprotect", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
        "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv", "msgsnd",
        "msync", "munlock", "munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat",
        "_newselect", "open", "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe",
        "pipe2", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64",
        "process_mrelease", "pselect6", "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read",
        "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64",
        "recvmsg", "remap_file_pages", "removexattr", "rename", "renameat", "renameat2", "restart_syscall",
        "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
        "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo",
        "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_get_priority_max",
        "sched_get_priority_min", "sched_getscheduler", "sched_rr_get_interval",
        "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr", "sched_setparam",
        "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget", "semop", "semtimedop",
        "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto", "setfsgid",
        "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32",
        "setitimer", "setpgid", "setpriority", "setregid", "setregid32", "setresgid", "setresgid32",
        "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit", "set_robust_list", "setsid",
        "setsockopt", "set_thread_area", "set_tid_address", "setuid", "setuid32", "setxattr", "shmat",
        "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4", "sigprocmask",
        "sigreturn", "socket", "socketcall", "socketpair", "splice", "stat", "stat64", "statfs", "statfs64",
        "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill",
        "time", "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64",
        "timer_settime", "timer_settime64", "timerfd_create", "timerfd_gettime", "timerfd_gettime64",
        "timerfd_settime", "timerfd_settime64", "times", "tkill", "truncate", "truncate64", "ugetrlimit",
        "umask", "uname", "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes", "vfork",
        "vmsplice", "wait4", "waitid", "waitpid", "write", "writev",
        NULL,
};

const struct seccomp_rule seccomp_default_rules[] = {
        { .names = allowed, .action = ALLOW },
        { .names = STRV("ptrace"), .action = ALLOW, .includes = { .min_kernel = "4.8" } },
        /* personality(2) only for the harmless personas */
        { .names = STRV("personality"), .action = ALLOW,
          .args = ARGS({ .index = 0, .value = 0x0, .op = "SCMP_CMP_EQ" }) },
        { .names = STRV("personality"), .action = ALLOW,
          .args = ARGS({ .index = 0, .value = 0x8, .op = "SCMP_CMP_EQ" }) },
        { .names = STRV("personality"), .action = ALLOW,
          .args = ARGS({ .index = 0, .value = 0x20000, .op = "SCMP_CMP_EQ" }) },
        { .names = STRV("personality"), .action = ALLOW,
          .args = ARGS({ .index = 0, .value = 0x20008, .op = "SCMP_CMP_EQ" }) },
        { .names = STRV("personality"), .action = ALLOW,
          .args = ARGS({ .index = 0, .value = 0xffffffff, .op = "SCMP_CMP_EQ" }) },
        { .names = STRV("sync_file_range2"), .action = ALLOW, .includes = ARCHES("ppc64le") },
        { .names = STRV("arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint", "cacheflush",
                        "set_tls"),
          .action = ALLOW,
          .includes = ARCHES("arm", "arm64") },
        { .names = STRV("arch_prctl"), .action = ALLOW, .includes = ARCHES("amd64", "x32") },
        { .names = STRV("modify_ldt"), .action = ALLOW, .includes = ARCHES("amd64", "x32", "x86") },
        { .names = STRV("s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"),
          .action = ALLOW,
          .includes = ARCHES("s390", "s390x") },
        { .names = STRV("open_by_handle_at"), .action = ALLOW, .includes = CAPS("CAP_DAC_READ_SEARCH") },
        { .names = STRV("bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
                        "lookup_dcookie", "mount", "mount_setattr", "move_mount", "open_tree", "perf_event_open",
                        "quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns", "syslog", "umount",
                        "umount2", "unshare"),
          .action = ALLOW,
          .includes = CAPS("CAP_SYS_ADMIN") },
        /* without CAP_SYS_ADMIN, clone(2) but no new namespaces; s390 swaps clone's first two args */
        { .names = STRV("clone"),
          .action = ALLOW,
          .args = ARGS({ .index = 0, .value = CLONE_NS_MASK, .op = "SCMP_CMP_MASKED_EQ" }),
          .excludes = { .caps = STRV("CAP_SYS_ADMIN"), .arches = STRV("s390", "s390x") } },
        { .names = STRV("clone"),
          .action = ALLOW,
          .args = ARGS({ .index = 1, .value = CLONE_NS_MASK, .op = "SCMP_CMP_MASKED_EQ" }),
          .includes = ARCHES("s390", "s390x"),
          .excludes = CAPS("CAP_SYS_ADMIN") },
        /* clone3's flags are behind a pointer: ENOSYS makes libcs fall back to clone(2) */
        { .names = STRV("clone3"), .action = "SCMP_ACT_ERRNO", .errno_ret = 38, .excludes = CAPS("CAP_SYS_ADMIN") },
        { .names = STRV("reboot"), .action = ALLOW, .includes = CAPS("CAP_SYS_BOOT") },
        { .names = STRV("chroot"), .action = ALLOW, .includes = CAPS("CAP_SYS_CHROOT") },
        { .names = STRV("delete_module", "init_module", "finit_module"), .action = ALLOW,
          .includes = CAPS("CAP_SYS_MODULE") },
        { .names = STRV("acct"), .action = ALLOW, .includes = CAPS("CAP_SYS_PACCT") },
        { .names = STRV("kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"),
          .action = ALLOW,
          .includes = CAPS("CAP_SYS_PTRACE") },
        { .names = STRV("iopl", "ioperm"), .action = ALLOW, .includes = CAPS("CAP_SYS_RAWIO") },
        { .names = STRV("settimeofday", "stime", "clock_settime"), .action = ALLOW, .includes = CAPS("CAP_SYS_TIME") },
        { .names = STRV("vhangup"), .action = ALLOW, .includes = CAPS("CAP_SYS_TTY_CONFIG") },
        { .names = STRV("get_mempolicy", "mbind", "set_mempolicy"), .action = ALLOW, .includes = CAPS("CAP_SYS_NICE") },
        { .names = STRV("syslog"), .action = ALLOW, .includes = CAPS("CAP_SYSLOG") },
};
const size_t seccomp_default_n_rules = sizeof(seccomp_default_rules) / sizeof(seccomp_default_rules[0]);

static json_t *strv_json(const char *const *v) {
        json_t *a = json_array();
        for (; v && *v; v++)
                json_array_append_new(a, json_string(*v));
        return a;
}

static json_t *filter_json(const struct seccomp_filter *f) {
        json_t *o = json_object();
        if (f->caps)
                json_object_set_new(o, "caps", strv_json(f->caps));
        if (f->arches)
                json_object_set_new(o, "arches", strv_json(f->arches));
        if (f->min_kernel)
                json_object_set_new(o, "minKernel", json_string(f->min_kernel));
        return o;
}

static json_t *rule_json(const struct seccomp_rule *rule) {
        json_t *o = json_pack("{s:o, s:s, s:o, s:o}", "names", strv_json(rule->names), "action", rule->action,
                              "includes", filter_json(&rule->includes), "excludes", filter_json(&rule->excludes));
        json_t *args = json_array();
        for (const struct seccomp_arg *a = rule->args; a && a->op; a++)
                json_array_append_new(args, json_pack("{s:I, s:I, s:I, s:s}", "index", (json_int_t) a->index, "value",
                                                      (json_int_t) a->value, "valueTwo", (json_int_t) a->value_two,
                                                      "op", a->op));
        json_object_set_new(o, "args", args);
        if (rule->errno_ret)
                json_object_set_new(o, "errnoRet", json_integer(rule->errno_ret));
        return o;
}

json_t *seccomp_default_profile(void) {
        json_t *arch_map = json_array(), *syscalls = json_array();
        for (size_t i = 0; i < seccomp_default_n_arch_map; i++) {
                const struct seccomp_arch_map *m = &seccomp_default_arch_map[i];
                json_array_append_new(arch_map, json_pack("{s:s, s:o}", "architecture", m->arch, "subArchitectures",
                                                          strv_json(m->sub_arches)));
        }
        for (size_t i = 0; i < seccomp_default_n_rules; i++)
                json_array_append_new(syscalls, rule_json(&seccomp_default_rules[i]));
        return json_pack("{s:s, s:o, s:o}", "defaultAction", seccomp_default_action, "archMap", arch_map, "syscalls",
                         syscalls);
}
