"""Isolation defaults of containers run through the docker CLI, checked from inside a
busybox container against Docker's defaults: capabilities, seccomp, masked and read-only
/proc paths, users and groups, ulimits, /etc files, network/pid/ipc modes, /dev, cgroup
limits, env/workdir/entrypoint and --init."""
import os
import re
import resource
import time

import pytest

from test_containers import IMAGE, engine_fixture

DOCKER_DEFAULT_CAPS = "00000000a80425fb"
CAP_CHOWN, CAP_NET_ADMIN = 0, 12


@pytest.fixture(scope="module")
def engine():
    yield from engine_fixture("berth-ctr-iso-")


@pytest.fixture(autouse=True)
def _clean(engine):
    yield
    engine.rm_all()


def status_field(text, name):
    m = re.search(rf"^{name}:\s*(\S+)$", text, re.M)
    assert m, f"no {name} in {text!r}"
    return m.group(1)


def own_status(name):
    with open("/proc/self/status") as f:
        return status_field(f.read(), name)


def sh(engine, script, *opts, code=0):
    p = engine.docker("run", "--rm", *opts, IMAGE, "sh", "-c", script, check=False)
    assert p.returncode == code, f"exit {p.returncode}, wanted {code}:\n{p.stdout}{p.stderr}"
    return p.stdout


# ---------------------------------------------------------------------------
# capabilities, seccomp, no-new-privileges


def test_default_capabilities(engine):
    out = sh(engine, "grep -E '^(Cap|Seccomp|NoNewPrivs)' /proc/self/status")
    assert status_field(out, "CapEff") == DOCKER_DEFAULT_CAPS
    assert status_field(out, "CapPrm") == DOCKER_DEFAULT_CAPS
    assert status_field(out, "CapBnd") == DOCKER_DEFAULT_CAPS
    assert status_field(out, "CapInh") == "0000000000000000"
    assert status_field(out, "Seccomp") == "2"
    assert status_field(out, "NoNewPrivs") == "0"


def test_cap_add_drop(engine):
    eff = int(DOCKER_DEFAULT_CAPS, 16)
    out = sh(engine, "grep CapEff /proc/self/status", "--cap-drop", "CHOWN")
    assert int(status_field(out, "CapEff"), 16) == eff & ~(1 << CAP_CHOWN)
    out = sh(engine, "grep CapEff /proc/self/status", "--cap-add", "net_admin")
    assert int(status_field(out, "CapEff"), 16) == eff | (1 << CAP_NET_ADMIN)
    out = sh(engine, "grep CapEff /proc/self/status", "--cap-drop", "ALL")
    assert int(status_field(out, "CapEff"), 16) == 0
    # the effect: chown needs CAP_CHOWN
    sh(engine, "touch /f && chown 1000 /f")
    p = sh(engine, "touch /f && chown 1000 /f 2>&1", "--cap-drop", "CHOWN", code=1)
    assert "Operation not permitted" in p
    p = engine.fails("run", "--rm", "--cap-add", "NOT_A_CAP", IMAGE, "true", code=125)
    assert "NOT_A_CAP" in p.stderr


def test_privileged(engine):
    out = sh(engine, "grep -E '^(CapEff|Seccomp)' /proc/self/status; ls /dev | wc -l", "--privileged")
    # every capability berthd itself may grant
    assert status_field(out, "CapEff") == own_status("CapBnd")
    assert status_field(out, "Seccomp") == "0"
    assert int(out.split()[-1]) > 20       # the host's devices
    # no masked or read-only paths
    assert sh(engine, "ls -A /sys/firmware", "--privileged").split() == sorted(os.listdir("/sys/firmware"))
    sh(engine, "grep -q ' /proc/sys proc ro' /proc/mounts", "--privileged", code=1)


def test_seccomp(engine):
    p = sh(engine, "unshare -U true 2>&1", code=1)
    assert "Operation not permitted" in p
    sh(engine, "unshare -U true", "--security-opt", "seccomp=unconfined")
    out = sh(engine, "grep Seccomp: /proc/self/status", "--security-opt", "seccomp=unconfined")
    assert status_field(out, "Seccomp") == "0"
    out = sh(engine, "grep NoNewPrivs /proc/self/status", "--security-opt", "no-new-privileges")
    assert status_field(out, "NoNewPrivs") == "1"


def test_seccomp_profile_file(engine, tmp_path):
    prof = tmp_path / "p.json"
    prof.write_text('{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], '
                    '"action": "SCMP_ACT_ERRNO"}]}')
    p = sh(engine, "mkdir /d 2>&1", "--security-opt", f"seccomp={prof}", code=1)
    assert "Operation not permitted" in p


# ---------------------------------------------------------------------------
# /proc, /sys, rootfs


def test_masked_and_readonly_paths(engine):
    # masked files read as empty (bind of /dev/null); kcore is absent on some kernels
    out = sh(engine, "for f in /proc/kcore /proc/keys /proc/timer_list; do "
                     "echo $f $(cat $f 2>/dev/null | wc -c); done")
    assert out.split("\n")[:3] == ["/proc/kcore 0", "/proc/keys 0", "/proc/timer_list 0"]
    if os.path.exists("/proc/keys"):
        sh(engine, "grep -q ' /proc/keys ' /proc/mounts")
    # masked directories are empty
    assert sh(engine, "ls -A /proc/acpi /sys/firmware") == "/proc/acpi:\n\n/sys/firmware:\n"
    assert sh(engine, "grep -c -E '^tmpfs (/proc/acpi|/sys/firmware) tmpfs ro,' /proc/mounts") == "2\n"
    out = sh(engine, "echo 1 > /proc/sys/kernel/panic 2>&1; echo rc=$?; "
                     "echo x > /proc/sysrq-trigger 2>&1; echo rc=$?; touch /sys/x 2>&1; echo rc=$?")
    assert "Read-only file system" in out and "rc=0" not in out


def test_read_only_rootfs(engine):
    out = sh(engine, "touch /x 2>&1; echo rc=$?; touch /dev/shm/ok && echo shm-ok", "--read-only")
    assert "Read-only file system" in out and "rc=1" in out and "shm-ok" in out
    # the default rootfs is writable, and its root is 0755 like the image's
    assert sh(engine, "touch /x && stat -c %a /") == "755\n"


def test_user_and_groups(engine):
    assert sh(engine, "id", "-u", "1000:1000") == "uid=1000(app) gid=1000(app) groups=1000(app)\n"
    assert sh(engine, "id", "-u", "nobody") == "uid=65534(nobody) gid=65534(nobody) groups=65534(nobody)\n"
    assert sh(engine, "id", "-u", "app") == "uid=1000(app) gid=1000(app) groups=1000(app)\n"
    assert sh(engine, "id", "--group-add", "1000") == "uid=0(root) gid=0(root) groups=0(root),1000(app)\n"
    assert sh(engine, "id -u; id -g", "-u", "4242") == "4242\n0\n"
    # a non-root user can use the image's files
    assert sh(engine, "cat /etc/passwd | head -1; ls /home", "-u", "1000") == \
        "root:x:0:0:root:/root:/bin/sh\napp\n"
    p = engine.fails("run", "--rm", "-u", "nosuchuser", IMAGE, "true")
    assert "nosuchuser" in p.stderr


def test_ulimits(engine):
    assert sh(engine, "ulimit -n; ulimit -Hn", "--ulimit", "nofile=100:200") == "100\n200\n"
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard == resource.RLIM_INFINITY:
        pytest.skip("berthd's nofile hard limit is unlimited here: nothing is above it")
    p = engine.fails("run", "--rm", "--ulimit", f"nofile=100:{hard + 1000}", IMAGE, "true", code=125)
    assert "nofile" in p.stderr and str(hard) in p.stderr
    r = engine.api("POST", "/v1.41/containers/create",
                   {"Image": IMAGE, "HostConfig": {"Ulimits": [{"Name": "nofile", "Soft": 100,
                                                                "Hard": hard + 1000}]}})
    # Docker fails such a container at start; berth refuses it up front with 400
    assert r.status == 400, r.body
    assert engine.ids() == []


# ---------------------------------------------------------------------------
# /etc files, network, pid, ipc


def test_hostname_and_etc_files(engine):
    engine.docker("run", "--name", "hn", IMAGE, "sh", "-c", "cat /etc/hostname; hostname")
    short = engine.inspect("hn")["Id"][:12]
    assert engine.out("logs", "hn") == f"{short}\n{short}\n"
    out = sh(engine, "hostname; cat /etc/hostname; grep -c boxy /etc/hosts", "-h", "boxy")
    assert out == "boxy\nboxy\n1\n"
    out = sh(engine, "cat /etc/hosts", "--add-host", "foo:10.1.2.3", "--add-host", "bar.example:10.1.2.4")
    assert re.search(r"^10\.1\.2\.3\s+foo$", out, re.M) and re.search(r"^10\.1\.2\.4\s+bar\.example$", out, re.M)
    assert re.search(r"^127\.0\.0\.1\s+localhost", out, re.M)
    out = sh(engine, "cat /etc/resolv.conf", "--dns", "10.9.9.9", "--dns-search", "example.com",
             "--dns-option", "ndots:2")
    lines = out.splitlines()
    assert "nameserver 10.9.9.9" in lines and "search example.com" in lines and "options ndots:2" in lines
    assert not any(l.startswith("nameserver") and "10.9.9.9" not in l for l in lines)
    # the files are bind mounts, read-only with --read-only
    assert sh(engine, "grep -c -E ' /etc/(hosts|hostname|resolv.conf) ' /proc/mounts") == "3\n"
    sh(engine, "echo x >> /etc/hosts", "--read-only", code=1)


def test_network_modes(engine):
    assert sh(engine, "ls /sys/class/net", "--network", "none") == "lo\n"
    assert sh(engine, "ls /sys/class/net") == "lo\n"      # default: private netns, loopback only
    assert sh(engine, "ip -o link show lo | grep -c UP", "--network", "none") == "1\n"
    host = sorted(os.listdir("/sys/class/net"))
    assert sh(engine, "ls /sys/class/net", "--network", "host").split() == host
    assert sh(engine, "readlink /proc/self/ns/net", "--network", "host").strip() == \
        os.readlink("/proc/self/ns/net")
    engine.docker("run", "-d", "--name", "netowner", IMAGE, "sleep", "100")
    pid = engine.wait_state("netowner", lambda s: s["Running"])["Pid"]
    theirs = os.readlink(f"/proc/{pid}/ns/net")
    assert theirs != os.readlink("/proc/self/ns/net")
    assert sh(engine, "readlink /proc/self/ns/net", "--network", "container:netowner").strip() == theirs
    info = engine.inspect("netowner")
    assert info["HostConfig"]["NetworkMode"] in ("default", "none", "private")
    p = engine.fails("run", "--rm", "--network", "container:nosuch", IMAGE, "true")
    assert "nosuch" in p.stderr


def test_pid_and_ipc_modes(engine):
    assert sh(engine, "echo $$") == "1\n"
    mypid = os.getpid()
    sh(engine, f"test -d /proc/{mypid}", "--pid", "host")
    sh(engine, f"test -d /proc/{mypid}", code=1)
    ipc = os.readlink("/proc/self/ns/ipc")
    assert sh(engine, "readlink /proc/self/ns/ipc", "--ipc", "host").strip() == ipc
    assert sh(engine, "readlink /proc/self/ns/ipc").strip() != ipc
    uts = os.readlink("/proc/self/ns/uts")
    assert sh(engine, "readlink /proc/self/ns/uts").strip() != uts


# ---------------------------------------------------------------------------
# /dev, mounts


def test_dev_shm_tmpfs_devices(engine):
    def shm_kb(*opts):
        return int(sh(engine, "df -k /dev/shm | tail -1", *opts).split()[1])

    assert shm_kb() == 65536
    assert shm_kb("--shm-size", "32m") == 32768
    out = sh(engine, "grep ' /t ' /proc/mounts; touch /t/x && echo ok", "--tmpfs", "/t")
    assert out.startswith("tmpfs /t tmpfs ") and out.endswith("ok\n")
    out = sh(engine, "grep ' /t ' /proc/mounts", "--tmpfs", "/t:ro,size=1m")
    assert " ro," in out and "size=1024k" in out
    out = sh(engine, "ls -l /dev/mynull; echo x > /dev/mynull && echo written",
             "--device", "/dev/null:/dev/mynull")
    assert re.match(r"^c.* 1,\s+3 ", out) and out.endswith("written\n")
    # the standard devices, and nothing else of the host's
    assert set(sh(engine, "ls /dev").split()) >= {"null", "zero", "full", "random", "urandom", "tty",
                                                    "pts", "shm", "mqueue", "ptmx", "fd", "stdin"}
    assert "sda" not in sh(engine, "ls /dev").split()
    # mknod of a device not allowed by the device cgroup fails to open
    sh(engine, "mknod /tmp/mem c 1 1 && head -c 1 /tmp/mem", code=1)


# ---------------------------------------------------------------------------
# cgroup limits


def cgroup_file(controller, cid, name):
    for path in (f"/sys/fs/cgroup/{controller}/berth/{cid}/{name}",
                 f"/sys/fs/cgroup/berth/{cid}/{name}"):
        if os.path.exists(path):
            with open(path) as f:
                return f.read().strip()
    raise AssertionError(f"no cgroup file {name} for {cid} ({controller})")


def test_cgroup_limits(engine):
    cid = engine.out("run", "-d", "-m", "64m", "--cpus", "0.5", "--pids-limit", "50",
                     "--cpu-shares", "512", IMAGE, "sleep", "100").strip()
    engine.wait_state(cid, lambda s: s["Running"])
    if os.path.isdir("/sys/fs/cgroup/memory"):         # v1 (hybrid here)
        assert cgroup_file("memory", cid, "memory.limit_in_bytes") == str(64 * 1024 * 1024)
        assert cgroup_file("cpu", cid, "cpu.cfs_quota_us") == "50000"
        assert cgroup_file("cpu", cid, "cpu.cfs_period_us") == "100000"
        assert cgroup_file("cpu", cid, "cpu.shares") == "512"
        assert cgroup_file("pids", cid, "pids.max") == "50"
    else:
        assert cgroup_file("", cid, "memory.max") == str(64 * 1024 * 1024)
        assert cgroup_file("", cid, "cpu.max") == "50000 100000"
        assert cgroup_file("", cid, "pids.max") == "50"
    hc = engine.inspect(cid)["HostConfig"]
    assert (hc["Memory"], hc["NanoCpus"], hc["PidsLimit"], hc["CpuShares"]) == (67108864, 500000000, 50, 512)
    # the container's own processes are in that cgroup
    pid = engine.state(cid)["Pid"]
    with open(f"/proc/{pid}/cgroup") as f:
        assert f"/berth/{cid}" in f.read()
    engine.docker("rm", "-f", cid)
    assert not os.path.exists(f"/sys/fs/cgroup/memory/berth/{cid}")
    # the pids limit holds
    p = engine.docker("run", "--rm", "--pids-limit", "10", IMAGE, "sh", "-c",
                      "i=0; while [ $i -lt 20 ]; do sleep 5 & i=$((i+1)); done; echo all-forked",
                      check=False)
    assert "all-forked" not in p.stdout and "can't fork" in p.stdout + p.stderr


# ---------------------------------------------------------------------------
# process config


def test_env_workdir_entrypoint(engine, tmp_path):
    envf = tmp_path / "env"
    envf.write_text("A=1\n# comment\nB=two words\n\nFROMHOST\n")
    out = engine.docker("run", "--rm", "--env-file", str(envf), "-e", "C=3", IMAGE, "sh", "-c",
                        'echo "$A|$B|$C|$FROMHOST"', env=dict(engine.env, FROMHOST="hv")).stdout
    assert out == "1|two words|3|hv\n"
    out = sh(engine, "env | sort")
    env = dict(line.split("=", 1) for line in out.splitlines())
    assert env["PATH"] == "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    assert env["HOME"] == "/root" and len(env["HOSTNAME"]) == 12
    assert "TERM" not in env
    assert "TERM=xterm" in engine.docker("run", "--rm", "-t", IMAGE, "env").stdout.replace("\r", "")
    assert sh(engine, "pwd", "-w", "/tmp/wd/sub") == "/tmp/wd/sub\n"
    assert engine.run_out("a", "b", opts=("--entrypoint", "/bin/echo")) == "a b\n"
    assert engine.run_out(opts=("--entrypoint", "pwd", "-w", "/etc")) == "/etc\n"


def test_init(engine):
    engine.docker("run", "-d", "--init", "--name", "ini", IMAGE, "sleep", "100")
    pid = engine.wait_state("ini", lambda s: s["Running"])["Pid"]
    exe = os.stat(f"/proc/{pid}/exe")
    cat = os.stat("/usr/bin/catatonit")
    assert (exe.st_dev, exe.st_ino) == (cat.st_dev, cat.st_ino), "PID 1 is not catatonit"
    # its child is the command (give catatonit a moment to fork and exec it)
    deadline = time.monotonic() + 5
    argv = None
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = f.read().split()
        if children:
            with open(f"/proc/{children[0]}/cmdline") as f:
                argv = f.read().split("\0")[:2]
            if argv == ["sleep", "100"]:
                break
        time.sleep(0.05)
    assert argv == ["sleep", "100"]
    # with an init, SIGTERM from docker stop ends the container at once (not after the timeout)
    t0 = time.monotonic()
    engine.docker("stop", "-t", "5", "ini")
    assert time.monotonic() - t0 < 4
    assert engine.state("ini")["ExitCode"] == 143
    assert engine.inspect("ini")["HostConfig"]["Init"] is True


def test_oom_killed(engine):
    p = engine.docker("run", "--name", "oom", "-m", "16m", "--memory-swap", "16m", IMAGE, "sh", "-c",
                      'x=$(head -c 60000000 /dev/zero | tr "\\0" a); echo survived', check=False)
    assert p.returncode == 137 and "survived" not in p.stdout
    st = engine.state("oom")
    assert (st["OOMKilled"], st["ExitCode"], st["Status"]) == (True, 137, "exited")
