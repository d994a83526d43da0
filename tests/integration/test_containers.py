"""Container lifecycle through the docker CLI against a real berthd: run (output, exit
codes, --rm, -d, stdin, TTY), stop/start/restart/kill/pause/rename/wait/rm, logs, ps
filters, prune, inspect, restart policies, binds, and 16 concurrent runs. Docker's
documented behaviour is the reference.

The top of this file also holds the helpers the other container test modules import
(Engine: one berthd per module with a full-applet busybox image loaded by `docker load`)."""
import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

import pytest

from conftest import Daemon, client_env, run

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "fixtures")))
import mkimage  # noqa: E402

DOCKER = "docker"
IMAGE = "busybox:latest"
ID_RE = re.compile(r"^[0-9a-f]{64}$")


# ---------------------------------------------------------------------------
# helpers shared by the container test modules


def busybox_all_applets_image():
    """mkimage's busybox plus a link for every applet the host busybox has (tty, unshare,
    ip, nsenter, ...), and a file that is not executable."""
    entries = mkimage.busybox_entries()
    have = {e.path for e in entries}
    applets = subprocess.run([mkimage.BUSYBOX_PATH, "--list"], capture_output=True, text=True,
                             check=True).stdout.split()
    entries += [mkimage.Symlink("bin/" + a, "busybox") for a in applets if "bin/" + a not in have]
    entries.append(mkimage.File("bin/notexec", b"#!/bin/sh\necho never\n", 0o644))
    return mkimage.Image([mkimage.Layer(entries, created_by="busybox with all applets")])


_IMAGE = []


def write_image_tar(path):
    """The busybox archive for `docker load` (the image is built once per process)."""
    if not _IMAGE:
        _IMAGE.append(busybox_all_applets_image())
    mkimage.write_docker_archive(path, _IMAGE[0], [IMAGE])
    return path


class Engine:
    """A berthd with the busybox image loaded; docker CLI / raw API helpers."""

    def __init__(self, prefix="berth-ctr-", extra_args=()):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.daemon = Daemon(self.dir, extra_args)
        self.root, self.runroot = self.daemon.root, self.daemon.runroot
        try:
            self.daemon.start()
            self.env = client_env(self.daemon)
            p = self.docker("load", "-i", write_image_tar(os.path.join(self.dir, "busybox.tar")))
            assert "Loaded image: " + IMAGE in p.stdout, p.stdout + p.stderr
        except BaseException:
            self.close()
            raise

    def docker(self, *args, check=True, input=None, timeout=60, env=None):
        return run([DOCKER, *args], env=env or self.env, check=check, input=input, timeout=timeout)

    def fails(self, *args, code=None, input=None, timeout=60):
        """Run a docker command that must fail; returns it."""
        p = self.docker(*args, check=False, input=input, timeout=timeout)
        assert p.returncode != 0, f"docker {args} succeeded:\n{p.stdout}{p.stderr}"
        if code is not None:
            assert p.returncode == code, f"docker {args} exited {p.returncode}, not {code}:\n{p.stderr}"
        return p

    def out(self, *args, **kw):
        return self.docker(*args, **kw).stdout

    def run_out(self, *cmd, opts=(), **kw):
        """docker run --rm OPTS busybox CMD... -> stdout."""
        return self.docker("run", "--rm", *opts, IMAGE, *cmd, **kw).stdout

    def api(self, method, path, body=None, headers=None):
        hdrs = dict(headers or {})
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            hdrs.setdefault("Content-Type", "application/json")
        return self.daemon.request(method, path, body=body, headers=hdrs)

    def inspect(self, name):
        r = self.api("GET", f"/v1.41/containers/{name}/json")
        assert r.status == 200, (r.status, r.body)
        return r.json()

    def state(self, name):
        return self.inspect(name)["State"]

    def wait_state(self, name, pred, timeout=20):
        deadline = time.monotonic() + timeout
        st = None
        while time.monotonic() < deadline:
            st = self.state(name)
            if pred(st):
                return st
            time.sleep(0.05)
        raise AssertionError(f"{name}: state never matched; last {st}")

    def ids(self, all=True):
        return self.out("ps", "-q", "--no-trunc", *(["-a"] if all else [])).split()

    def rm_all(self):
        try:
            r = self.api("GET", "/v1.41/containers/json?all=1")
            for c in r.json() if r.status == 200 else []:
                self.api("DELETE", f"/v1.41/containers/{c['Id']}?force=1&v=1")
        except OSError:
            pass

    def log(self):
        return self.daemon.log()

    def close(self):
        try:
            if self.daemon.proc is not None and self.daemon.proc.poll() is None:
                self.rm_all()
            self.daemon.close()
            self.daemon.assert_clean_log()
        finally:
            kill_runc_leftovers(os.path.join(self.runroot, "runc"))
            for m in sorted(mounts_under(self.dir), key=len, reverse=True):
                subprocess.run(["umount", "-l", m], stderr=subprocess.DEVNULL, check=False)
            shutil.rmtree(self.dir, ignore_errors=True)


def kill_runc_leftovers(runc_root):
    """Containers a broken daemon left running: kill and delete them through runc."""
    if not os.path.isdir(runc_root):
        return
    for cid in os.listdir(runc_root):
        subprocess.run(["runc", "--root", runc_root, "delete", "--force", cid],
                       capture_output=True, check=False, timeout=30)


def engine_fixture(prefix, extra_args=()):
    """A module-scoped fixture body: yields an Engine, closes it at the end."""
    eng = Engine(prefix, extra_args)
    try:
        yield eng
    finally:
        eng.close()


def mounts_under(path):
    with open("/proc/self/mountinfo") as f:
        return [line.split()[4] for line in f if line.split()[4].startswith(path + "/")]


def run_pty(argv, env, inputs=(), timeout=30, winsize=(24, 80)):
    """Run argv on a new pty of `winsize` (rows, cols). inputs: (wait_for_text,
    bytes_to_send) pairs. Returns (exit status, everything read)."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", winsize[0], winsize[1], 0, 0))
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    out = b""
    pending = list(inputs)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if pending and pending[0][0].encode() in out:
                os.write(fd, pending.pop(0)[1])
                out += b"\0"     # a marker so the same text does not match twice
            r, _, _ = select.select([fd], [], [], 0.1)
            if r:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
        else:
            os.kill(pid, signal.SIGKILL)
            raise AssertionError(f"{argv} on a pty timed out; output {out!r}")
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status), out.replace(b"\0", b"").decode(errors="replace")
    finally:
        os.close(fd)
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


def hijack(engine, path, body=None):
    """POST path with Docker's Upgrade: tcp (a JSON body if given); returns the socket,
    positioned after the response head, and the head."""
    data = json.dumps(body).encode() if body is not None else b""
    kind = "Content-Type: application/json\r\n" if body is not None else ""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(engine.daemon.socket)
    s.sendall(f"POST {path} HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n{kind}"
              f"Content-Length: {len(data)}\r\n\r\n".encode() + data)
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(1)
        assert chunk, head
        head += chunk
    return s, head.decode()


def read_all(s):
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return data
        data += chunk


def frames(data):
    """Docker's multiplexed stream as (stream, payload) pairs."""
    out = []
    while data:
        kind, size = struct.unpack(">BxxxI", data[:8])
        out.append((kind, data[8:8 + size]))
        data = data[8 + size:]
    return out


def streams(data):
    """Docker's multiplexed stream as {1: stdout bytes, 2: stderr bytes}."""
    out = {1: b"", 2: b""}
    for kind, payload in frames(data):
        out[kind] += payload
    return out


# ---------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="module")
def engine():
    yield from engine_fixture("berth-ctr-")


@pytest.fixture(autouse=True)
def _clean(engine):
    yield
    engine.rm_all()


def rfc3339(text):
    """Docker's RFC 3339 time with nanoseconds -> seconds since the epoch (float)."""
    m = re.match(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?Z$", text)
    assert m, f"not an RFC 3339 UTC time: {text!r}"
    import calendar
    secs = calendar.timegm(tuple(int(g) for g in m.groups()[:6]))
    return secs + float(m.group(7) or 0)


def assert_no_trace(engine, cid):
    """Nothing of container `cid` is left: not listed, no dir, no mount, no runc state."""
    assert cid not in engine.ids()
    assert os.listdir(os.path.join(engine.root, "containers")) == []
    assert mounts_under(engine.root) == []
    runc_root = os.path.join(engine.runroot, "runc")
    assert not os.path.isdir(runc_root) or os.listdir(runc_root) == []


# ---------------------------------------------------------------------------
# docker run: output and exit codes


def test_run_echo_and_exit_codes(engine):
    p = engine.docker("run", "--rm", IMAGE, "echo", "hi")
    assert (p.stdout, p.stderr) == ("hi\n", "")
    p = engine.fails("run", "--rm", IMAGE, "sh", "-c", "echo out; echo err >&2; exit 7", code=7)
    assert (p.stdout, p.stderr) == ("out\n", "err\n")
    p = engine.fails("run", "--rm", IMAGE, "nosuchcmd", code=127)
    assert "executable file not found" in p.stderr and "nosuchcmd" in p.stderr
    p = engine.fails("run", "--rm", IMAGE, "/bin/notexec", code=126)
    assert "permission denied" in p.stderr
    p = engine.fails("run", "--rm", IMAGE, "/etc", code=126)
    assert engine.ids() == []


def test_run_rm_leaves_nothing(engine):
    p = engine.docker("run", "--rm", "--name", "gone", IMAGE, "true")
    assert p.returncode == 0
    assert engine.out("ps", "-a", "--format", "{{.Names}}") == ""
    assert_no_trace(engine, "gone")
    # A failing command and a command that cannot start leave nothing either.
    engine.fails("run", "--rm", IMAGE, "sh", "-c", "echo x > /tmp/f; exit 4", code=4)
    engine.fails("run", "--rm", IMAGE, "nosuchcmd", code=127)
    assert_no_trace(engine, "gone")


def test_run_stdin(engine):
    p = engine.docker("run", "--rm", "-i", IMAGE, "cat", input="hello\n")
    assert p.stdout == "hello\n"
    p = engine.docker("run", "--rm", "-i", IMAGE, "sh", "-c", "wc -c; exit 3", input="x" * 100000,
                      check=False)
    assert (p.returncode, p.stdout.strip()) == (3, "100000")
    # Without -i, stdin is not connected: cat sees EOF at once.
    p = engine.docker("run", "--rm", IMAGE, "cat", input="ignored\n", timeout=20)
    assert p.stdout == ""


def test_run_errors(engine):
    engine.docker("create", "--name", "taken", IMAGE, "true")
    p = engine.fails("run", "--name", "taken", IMAGE, "true", code=125)
    cid = engine.inspect("taken")["Id"]
    assert (f'Conflict. The container name "/taken" is already in use by container "{cid}". '
            "You have to remove (or rename) that container to be able to reuse that name.") in p.stderr
    p = engine.fails("create", "--name", "bad name!", IMAGE, "true")
    assert "Invalid container name (bad name!)" in p.stderr
    p = engine.fails("run", "--pull", "never", "nosuch/image:1", "true", code=125)
    assert "No such image: nosuch/image:1" in p.stderr
    p = engine.fails("run", "--rm", "--mount", "type=bind,src=/nonexistent-berth,dst=/x", IMAGE, "true",
                     code=125)
    assert "/nonexistent-berth" in p.stderr and "does not exist" in p.stderr
    assert [c for c in engine.ids()] == [cid]


def test_volume_bind_creates_missing_dir(engine, tmp_path):
    new = tmp_path / "newdir" / "sub"
    p = engine.docker("run", "--rm", "-v", f"{new}:/x", IMAGE, "sh", "-c", "echo data > /x/f; ls /x",
                      check=False)
    assert p.returncode == 0, p.stderr
    assert new.is_dir() and (new / "f").read_text() == "data\n"
    # An existing bind works both ways, and :ro is read-only.
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro" / "in").write_text("host")
    assert engine.run_out("cat", "/r/in", opts=("-v", f"{tmp_path / 'ro'}:/r:ro")) == "host"
    engine.fails("run", "--rm", "-v", f"{tmp_path / 'ro'}:/r:ro", IMAGE, "touch", "/r/new", code=1)


# ---------------------------------------------------------------------------
# detached lifecycle


TRAP = ('trap "echo got-usr1" USR1; echo started; '
        'while true; do sleep 0.1; done')


def test_detached_lifecycle(engine):
    cid = engine.out("run", "-d", "--name", "lc", IMAGE, "sh", "-c", TRAP).strip()
    assert ID_RE.match(cid)
    st = engine.wait_state("lc", lambda s: s["Running"])
    pid1 = st["Pid"]
    assert pid1 > 0 and os.path.exists(f"/proc/{pid1}")
    deadline = time.monotonic() + 10
    while "started" not in engine.out("logs", "lc") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert engine.out("logs", "lc") == "started\n"

    engine.docker("kill", "-s", "USR1", "lc")
    deadline = time.monotonic() + 10
    while "got-usr1" not in engine.out("logs", "lc") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert engine.out("logs", "lc") == "started\ngot-usr1\n"
    assert engine.state("lc")["Running"]

    # pause / unpause
    engine.docker("pause", "lc")
    st = engine.state("lc")
    assert (st["Status"], st["Paused"], st["Running"]) == ("paused", True, True)
    assert engine.out("ps", "--filter", "status=paused", "--format", "{{.Names}}") == "lc\n"
    p = engine.fails("pause", "lc")
    assert "is already paused" in p.stderr
    engine.docker("unpause", "lc")
    st = engine.state("lc")
    assert (st["Status"], st["Paused"]) == ("running", False)

    # stop: sh as PID 1 ignores SIGTERM, so SIGKILL after the 1 s timeout -> 137
    t0 = time.monotonic()
    assert engine.out("stop", "-t", "1", "lc") == "lc\n"
    assert time.monotonic() - t0 >= 0.9
    st = engine.state("lc")
    assert (st["Status"], st["Running"], st["ExitCode"], st["Pid"]) == ("exited", False, 137, 0)
    assert not os.path.exists(f"/proc/{pid1}") or open(f"/proc/{pid1}/cmdline").read().find("sleep") < 0

    # start again: the logs keep the first run's lines
    engine.docker("start", "lc")
    st = engine.wait_state("lc", lambda s: s["Running"])
    assert st["Pid"] != pid1
    deadline = time.monotonic() + 10
    while engine.out("logs", "lc").count("started") < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert engine.out("logs", "lc") == "started\ngot-usr1\nstarted\n"

    # restart: a new process
    pid2 = st["Pid"]
    engine.docker("restart", "-t", "0", "lc")
    st = engine.wait_state("lc", lambda s: s["Running"])
    assert st["Pid"] not in (0, pid2)

    # rename
    engine.docker("rename", "lc", "lc2")
    assert engine.inspect("lc2")["Name"] == "/lc2"
    assert engine.inspect(cid)["Name"] == "/lc2"
    assert engine.api("GET", "/v1.41/containers/lc/json").status == 404

    # kill and wait
    engine.docker("kill", "lc2")
    assert engine.out("wait", "lc2") == "137\n"
    assert engine.state("lc2")["ExitCode"] == 137

    # rm -f of a running container
    engine.docker("start", "lc2")
    engine.wait_state("lc2", lambda s: s["Running"])
    assert engine.out("rm", "-f", "lc2") == "lc2\n"
    assert_no_trace(engine, cid)


def test_wait_returns_exit_code(engine):
    engine.docker("run", "-d", "--name", "w1", IMAGE, "sh", "-c", "sleep 0.5; exit 5")
    assert engine.out("wait", "w1") == "5\n"
    # wait on an exited container returns at once, with the same code
    assert engine.out("wait", "w1", timeout=10) == "5\n"
    p = engine.fails("wait", "nosuchcontainer")
    assert "No such container: nosuchcontainer" in p.stderr


def test_start_attach_and_detached_rm(engine):
    engine.docker("create", "--name", "sa", IMAGE, "sh", "-c", "echo attached; exit 6")
    p = engine.docker("start", "-a", "sa", check=False)
    assert (p.returncode, p.stdout) == (6, "attached\n")
    # -d --rm: the container goes away when it is stopped
    cid = engine.out("run", "-d", "--rm", "--name", "drm", IMAGE, "sleep", "100").strip()
    engine.wait_state("drm", lambda s: s["Running"])
    engine.docker("stop", "-t", "0", "drm")
    deadline = time.monotonic() + 10
    while engine.api("GET", f"/v1.41/containers/{cid}/json").status != 404 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert engine.api("GET", f"/v1.41/containers/{cid}/json").status == 404
    assert cid not in engine.ids()


def test_stop_and_kill_stopped_container(engine):
    engine.docker("run", "--name", "done", IMAGE, "true")
    # docker stop of a stopped container succeeds (the daemon answers 304)
    assert engine.out("stop", "done") == "done\n"
    assert engine.api("POST", "/v1.41/containers/done/stop").status == 304
    p = engine.fails("kill", "done")
    assert "is not running" in p.stderr
    assert engine.api("POST", "/v1.41/containers/done/kill").status == 409
    engine.fails("unpause", "done")
    engine.fails("pause", "done")


# ---------------------------------------------------------------------------
# logs


def test_logs_tail_timestamps_since(engine):
    engine.docker("run", "--name", "lg", IMAGE, "sh", "-c",
                  "for i in 1 2 3 4 5; do echo line$i; done; echo err >&2; sleep 1.2; echo late")
    p = engine.docker("logs", "lg")
    assert (p.stdout, p.stderr) == ("line1\nline2\nline3\nline4\nline5\nlate\n", "err\n")
    p = engine.docker("logs", "--tail", "2", "lg")
    assert (p.stdout, p.stderr) == ("late\n", "err\n")
    p = engine.docker("logs", "--tail", "0", "lg")
    assert (p.stdout, p.stderr) == ("", "")
    p = engine.docker("logs", "-t", "lg")
    stamps = []
    for line in p.stdout.splitlines():
        ts, _, text = line.partition(" ")
        stamps.append((rfc3339(ts), text))
    assert [t for _, t in stamps] == ["line1", "line2", "line3", "line4", "line5", "late"]
    assert stamps[5][0] - stamps[4][0] >= 1.0
    st = engine.state("lg")
    # StartedAt is stamped once the runtime's start returns, which may be after the first output
    assert rfc3339(st["StartedAt"]) - 1.0 <= stamps[0][0] <= stamps[5][0] <= rfc3339(st["FinishedAt"])
    # --since a time between the two bursts: only the late line
    since = "%.9f" % (stamps[4][0] + 0.5)
    p = engine.docker("logs", "--since", since, "lg")
    assert (p.stdout, p.stderr) == ("late\n", "")
    p = engine.docker("logs", "--until", since, "lg")
    assert p.stdout == "line1\nline2\nline3\nline4\nline5\n"


def test_logs_follow_ends_with_the_container(engine):
    engine.docker("run", "-d", "--name", "lf", IMAGE, "sh", "-c", "echo a; sleep 1; echo b; exit 2")
    t0 = time.monotonic()
    p = engine.docker("logs", "-f", "lf", timeout=20)
    assert p.stdout == "a\nb\n"
    assert time.monotonic() - t0 < 10
    # follow on an exited container prints everything and returns
    assert engine.docker("logs", "-f", "lf", timeout=10).stdout == "a\nb\n"
    # follow with --tail 0 on a running container sees only new lines
    engine.docker("run", "-d", "--name", "lf2", IMAGE, "sh", "-c", "echo old; sleep 1; echo new")
    engine.wait_state("lf2", lambda s: s["Running"])
    time.sleep(0.3)
    assert engine.docker("logs", "-f", "--tail", "0", "lf2", timeout=20).stdout == "new\n"


# ---------------------------------------------------------------------------
# ps, prune


def test_ps_filters(engine):
    engine.docker("run", "-d", "--name", "p1", "-l", "team=a", IMAGE, "sleep", "100")
    engine.docker("run", "--name", "p2", "-l", "team=b", IMAGE, "sh", "-c", "exit 3", check=False)
    engine.docker("create", "--name", "p3", IMAGE, "true")
    id1 = engine.inspect("p1")["Id"]

    def names(*args):
        return engine.out("ps", "--format", "{{.Names}}", *args).split()

    assert names() == ["p1"]
    assert names("-a") == ["p3", "p2", "p1"]
    assert names("-a", "--filter", "status=running") == ["p1"]
    assert names("-a", "--filter", "status=exited") == ["p2"]
    assert names("-a", "--filter", "status=created") == ["p3"]
    assert names("-a", "--filter", "status=created", "--filter", "status=exited") == ["p3", "p2"]
    assert names("-a", "--filter", "name=p1") == ["p1"]
    assert names("-a", "--filter", "name=p") == ["p3", "p2", "p1"]   # substring, as Docker
    assert names("-a", "--filter", "label=team") == ["p2", "p1"]
    assert names("-a", "--filter", "label=team=b") == ["p2"]
    assert names("-a", "--filter", "ancestor=busybox") == ["p3", "p2", "p1"]
    assert names("-a", "--filter", "ancestor=busybox:latest") == ["p3", "p2", "p1"]
    assert names("-a", "--filter", "exited=3") == ["p2"]
    assert names("-a", "--filter", "exited=0") == []
    assert names("-a", "--filter", "id=" + id1[:12]) == ["p1"]
    assert names("-a", "--filter", "before=p3") == ["p2", "p1"]
    assert names("-a", "--filter", "since=p1") == ["p3", "p2"]
    status = dict(l.split("|") for l in engine.out("ps", "-a", "--format", "{{.Names}}|{{.Status}}").splitlines())
    assert status["p1"].startswith("Up ") and status["p2"].startswith("Exited (3) ")
    assert status["p3"] == "Created"
    assert names("-a", "-n", "1") == ["p3"]
    assert names("-a", "-n", "2") == ["p3", "p2"]
    assert names("-l") == ["p3"]
    q = engine.out("ps", "-aq").split()
    assert len(q) == 3 and all(re.match(r"^[0-9a-f]{12}$", i) for i in q)
    assert engine.out("ps", "-q", "--no-trunc").split() == [id1]
    p = engine.fails("ps", "--filter", "bogus=1")
    assert "invalid filter" in p.stderr.lower()


def test_ps_size(engine):
    engine.docker("run", "--name", "sz", IMAGE, "sh", "-c", "head -c 1048576 /dev/zero > /big")
    r = engine.api("GET", "/v1.41/containers/json?all=1&size=1")
    assert r.status == 200
    [c] = r.json()
    assert "SizeRw" in c and "SizeRootFs" in c, f"size=1 gave no sizes: {c}"
    assert c["SizeRw"] >= 1048576 and c["SizeRootFs"] >= c["SizeRw"]
    out = engine.out("ps", "-a", "-s", "--format", "{{.Size}}")
    assert out.startswith("1.05MB"), out
    info = engine.api("GET", "/v1.41/containers/sz/json?size=1").json()
    assert info["SizeRw"] >= 1048576


def test_container_prune(engine):
    engine.docker("run", "-d", "--name", "keep", IMAGE, "sleep", "100")
    engine.docker("run", "--name", "ex", IMAGE, "true")
    engine.docker("create", "--name", "cr", IMAGE, "true")
    ex, cr = engine.inspect("ex")["Id"], engine.inspect("cr")["Id"]
    p = engine.docker("container", "prune", "-f")
    assert "Deleted Containers:" in p.stdout
    assert sorted(p.stdout.split()[2:4]) == sorted([ex, cr])
    assert engine.out("ps", "-a", "--format", "{{.Names}}").split() == ["keep"]
    assert sorted(os.listdir(os.path.join(engine.root, "containers"))) == [engine.inspect("keep")["Id"]]


# ---------------------------------------------------------------------------
# inspect


def test_inspect_fields(engine):
    engine.docker("run", "-d", "--name", "ins", "-e", "FOO=bar", "-l", "k=v", "-m", "64m",
                  IMAGE, "sleep", "100")
    info = engine.wait_state("ins", lambda s: s["Running"]) and engine.inspect("ins")
    assert ID_RE.match(info["Id"])
    assert info["Name"] == "/ins"
    st = info["State"]
    assert (st["Status"], st["Running"], st["Paused"], st["Restarting"], st["OOMKilled"], st["Dead"],
            st["ExitCode"]) == ("running", True, False, False, False, False, 0)
    assert st["Pid"] > 0 and os.path.exists(f"/proc/{st['Pid']}")
    assert abs(rfc3339(st["StartedAt"]) - time.time()) < 60
    assert st["FinishedAt"] == "0001-01-01T00:00:00Z"
    assert info["Path"] == "sleep" and info["Args"] == ["100"]
    cfg = info["Config"]
    assert cfg["Cmd"] == ["sleep", "100"] and cfg["Image"] == IMAGE
    assert "FOO=bar" in cfg["Env"]
    assert any(e.startswith("PATH=") and "/bin" in e for e in cfg["Env"])
    assert cfg["Labels"] == {"k": "v"}
    assert info["Image"].startswith("sha256:")
    assert info["Image"] == engine.api("GET", "/v1.41/images/busybox/json").json()["Id"]
    hc = info["HostConfig"]
    assert hc["Memory"] == 64 * 1024 * 1024
    assert hc["RestartPolicy"]["Name"] in ("", "no")
    assert info["GraphDriver"]["Name"] == "overlay"
    data = info["GraphDriver"]["Data"]
    assert os.path.isdir(data["UpperDir"]) and os.path.isdir(data["MergedDir"])
    assert data["MergedDir"] in mounts_under(engine.root)
    assert abs(rfc3339(info["Created"]) - time.time()) < 60
    engine.docker("stop", "-t", "0", "ins")
    st = engine.state("ins")
    assert (st["Status"], st["Running"], st["Pid"], st["ExitCode"]) == ("exited", False, 0, 137)
    assert rfc3339(st["FinishedAt"]) >= rfc3339(st["StartedAt"])
    # the same through `docker inspect` (and a format)
    out = engine.out("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{.Name}}", "ins")
    assert out == "exited 137 /ins\n"
    p = engine.fails("inspect", "nosuch")
    assert "No such object: nosuch" in p.stderr or "No such container: nosuch" in p.stderr
    # Docker fills Config.Hostname with the short ID at create
    assert cfg["Hostname"] == info["Id"][:12]


# ---------------------------------------------------------------------------
# restart policies


def test_restart_on_failure(engine):
    engine.docker("run", "-d", "--name", "rof", "--restart", "on-failure:2", IMAGE, "sh", "-c", "exit 1")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        info = engine.inspect("rof")
        if info["RestartCount"] == 2 and info["State"]["Status"] == "exited":
            break
        time.sleep(0.1)
    time.sleep(1)       # and no third restart
    info = engine.inspect("rof")
    assert (info["RestartCount"], info["State"]["Status"], info["State"]["ExitCode"]) == (2, "exited", 1)
    assert info["HostConfig"]["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 2}
    # on-failure does not restart a successful exit
    engine.docker("run", "-d", "--name", "rok", "--restart", "on-failure", IMAGE, "true")
    engine.wait_state("rok", lambda s: s["Status"] == "exited")
    time.sleep(0.5)
    assert engine.inspect("rok")["RestartCount"] == 0


def test_restart_always(engine):
    engine.docker("run", "-d", "--name", "ra", "--restart", "always", IMAGE, "sleep", "100")
    pid = engine.wait_state("ra", lambda s: s["Running"])["Pid"]
    # The process dying on its own (killed from the host, not through the API) restarts it.
    os.kill(pid, signal.SIGKILL)
    st = engine.wait_state("ra", lambda s: s["Running"] and s["Pid"] not in (0, pid))
    assert engine.inspect("ra")["RestartCount"] == 1
    # docker stop is a manual stop: no restart
    engine.docker("stop", "-t", "0", "ra")
    time.sleep(1)
    info = engine.inspect("ra")
    assert (info["State"]["Status"], info["RestartCount"]) == ("exited", 1)
    # docker kill (SIGKILL) counts as a manual stop in Docker too (ExitOnNext)
    engine.docker("start", "ra")
    engine.wait_state("ra", lambda s: s["Running"])
    engine.docker("kill", "ra")
    time.sleep(1)
    assert engine.state("ra")["Status"] == "exited"
    assert st["Pid"] > 0


def test_restart_backoff(engine):
    # Docker waits 100 ms before the first restart and doubles the delay each time (reset after
    # 10 s of running); meanwhile the container is "restarting".
    engine.docker("run", "-d", "--name", "loop", "--restart", "always", IMAGE, "sh", "-c", "exit 1")
    seen = set()
    t0 = time.monotonic()
    while time.monotonic() - t0 < 2.0:
        st = engine.state("loop")
        seen.add((st["Status"], st["Restarting"]))
        time.sleep(0.03)
    count = engine.inspect("loop")["RestartCount"]
    assert 1 <= count <= 5, f"{count} restarts in 2 s: no back-off"
    assert ("restarting", True) in seen, seen
    # rm -f of a container in its restart loop works and leaves nothing
    engine.docker("rm", "-f", "loop")
    time.sleep(0.5)
    assert_no_trace(engine, "loop")


def test_stop_signal_and_timeout(engine):
    engine.docker("run", "-d", "--name", "ss", "--stop-signal", "USR1", IMAGE, "sh", "-c",
                  'trap "exit 9" USR1; while true; do sleep 0.1; done')
    engine.wait_state("ss", lambda s: s["Running"])
    time.sleep(0.2)
    t0 = time.monotonic()
    engine.docker("stop", "ss")
    assert time.monotonic() - t0 < 5
    info = engine.inspect("ss")
    assert (info["State"]["ExitCode"], info["Config"]["StopSignal"]) == (9, "USR1")
    engine.docker("run", "-d", "--name", "st", "--stop-timeout", "1", IMAGE, "sleep", "100")
    engine.wait_state("st", lambda s: s["Running"])
    t0 = time.monotonic()
    engine.docker("stop", "st")
    assert 0.9 <= time.monotonic() - t0 < 5
    info = engine.inspect("st")
    assert (info["State"]["ExitCode"], info["Config"]["StopTimeout"]) == (137, 1)


# ---------------------------------------------------------------------------
# TTY


def test_run_tty(engine):
    p = engine.docker("run", "--rm", "-t", IMAGE, "tty")
    assert p.stdout.replace("\r\n", "\n") == "/dev/pts/0\n"
    p = engine.docker("run", "--rm", "-t", IMAGE, "sh", "-c", "echo a; exit 6", check=False)
    assert (p.returncode, p.stdout.replace("\r\n", "\n")) == (6, "a\n")


def test_run_interactive_tty(engine):
    code, out = run_pty([DOCKER, "run", "--rm", "-it", IMAGE, "sh"], engine.env,
                        inputs=[("# ", b"echo hi-$((40+2)); exit 3\n")])
    assert code == 3, out
    assert "hi-42" in out


def test_tty_size_follows_the_terminal(engine):
    # docker run -it sends the terminal's size (POST /containers/ID/resize) once started
    code, out = run_pty([DOCKER, "run", "--rm", "-it", IMAGE, "sh"], engine.env, winsize=(37, 111),
                        inputs=[("# ", b"stty size; exit\n")])
    assert code == 0, out
    assert "37 111" in out


def test_tty_detach_and_attach(engine):
    code, out = run_pty([DOCKER, "run", "-it", "--name", "det", IMAGE, "sh"], engine.env,
                        inputs=[("# ", b"echo one\n"), ("one", b"\x10\x11")])
    assert code == 0, out
    assert engine.state("det")["Running"], out
    code, out = run_pty([DOCKER, "attach", "det"], engine.env,
                        inputs=[("", b"\n"), ("# ", b"echo back-$((1+1)); exit 4\n")])
    assert code == 4, out
    assert "back-2" in out
    st = engine.wait_state("det", lambda s: not s["Running"])
    assert st["ExitCode"] == 4


# ---------------------------------------------------------------------------
# concurrency


def test_concurrent_runs(engine):
    results = [None] * 16

    def one(i):
        p = engine.docker("run", "--rm", IMAGE, "sh", "-c", f"echo {i}", check=False, timeout=120)
        results[i] = (p.returncode, p.stdout, p.stderr)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [(0, f"{i}\n", "") for i in range(16)]
    assert_no_trace(engine, "x")


def test_paused_container_operations(engine):
    # Docker unpauses a paused container it stops or kills
    engine.docker("run", "-d", "--name", "pz", IMAGE, "sleep", "100")
    engine.wait_state("pz", lambda s: s["Running"])
    engine.docker("pause", "pz")
    engine.docker("stop", "-t", "1", "pz", timeout=30)
    st = engine.state("pz")
    assert (st["Status"], st["Paused"], st["ExitCode"]) == ("exited", False, 137)
    engine.docker("start", "pz")
    engine.wait_state("pz", lambda s: s["Running"])
    engine.docker("pause", "pz")
    engine.docker("kill", "pz", timeout=30)
    assert engine.out("wait", "pz", timeout=30) == "137\n"
    engine.docker("start", "pz")
    engine.wait_state("pz", lambda s: s["Running"])
    engine.docker("pause", "pz")
    p = engine.fails("rm", "pz")
    assert "paused" in p.stderr
    engine.docker("rm", "-f", "pz", timeout=30)
    assert_no_trace(engine, "pz")


def test_big_output_and_partial_lines(engine):
    # 1 MB through the attach stream and the log, a 20 000-byte line (conmon splits it into
    # partial records) and a last line without a newline
    script = 'head -c 1000000 /dev/zero | tr "\\0" a; echo; printf "%20000s\\n" x; printf no-newline'
    p = engine.docker("run", "--name", "big", IMAGE, "sh", "-c", script)
    want = "a" * 1000000 + "\n" + " " * 19999 + "x\n" + "no-newline"
    assert p.stdout == want
    assert engine.out("logs", "big") == want
    assert engine.out("logs", "--tail", "2", "big") == " " * 19999 + "x\n" + "no-newline"


def test_killed_from_the_host(engine):
    engine.docker("run", "-d", "--name", "hk", IMAGE, "sleep", "100")
    pid = engine.wait_state("hk", lambda s: s["Running"])["Pid"]
    os.kill(pid, signal.SIGKILL)
    assert engine.out("wait", "hk", timeout=20) == "137\n"
    st = engine.state("hk")
    assert (st["Status"], st["ExitCode"], st["OOMKilled"]) == ("exited", 137, False)
