"""The berth CLI's container verbs (run, create, start, stop, kill, rm, ps, logs, exec,
attach, top, stats, cp, export, inspect, wait, rename, diff, pause, container prune)
against a real berthd, checked for podman's output, exit statuses and terminal handling.

The daemon is conftest's berthd with the busybox image pulled from the local registry.
For checking the tests themselves against another libpod service (Podman's), set
BERTH_CONTAINERS_URL=unix:///path.sock and BERTH_CONTAINERS_IMAGE=name."""
import os
import pty
import re
import select
import subprocess
import tarfile
import time

import pytest

from conftest import BERTH, client_env, run
from registry import registry  # noqa: F401 - fixture

ID_RE = re.compile(r"^[0-9a-f]{64}$")


class Target:
    def __init__(self, env, image):
        self.env, self.image = env, image

    def berth(self, *args, check=True, input=None, timeout=120):
        return run([BERTH, *args], env=self.env, check=check, input=input, timeout=timeout)


@pytest.fixture
def target(request):
    url = os.environ.get("BERTH_CONTAINERS_URL")
    if url:
        env = dict(os.environ, CONTAINER_HOST=url)
        t = Target(env, os.environ.get("BERTH_CONTAINERS_IMAGE", "busybox"))
        yield t
        t.berth("rm", "-fa", check=False)
        return
    daemon = request.getfixturevalue("daemon")
    reg = request.getfixturevalue("registry")
    img = reg.images["busybox:latest"]
    t = Target(client_env(daemon), img.ref)
    t.berth("pull", "-q", img.ref)
    yield t
    t.berth("rm", "-fa", check=False)


def table(stdout):
    return [re.split(r"\s{2,}", line.rstrip()) for line in stdout.splitlines()]


def test_run_exit_codes(target):
    t = target
    p = t.berth("run", "--rm", "--network", "none", t.image, "echo", "hello")
    assert p.stdout == "hello\n" and p.returncode == 0
    p = t.berth("run", "--rm", "--network", "none", t.image, "sh", "-c", "echo out; echo err >&2; exit 7",
                check=False)
    assert (p.returncode, p.stdout, p.stderr) == (7, "out\n", "err\n")
    p = t.berth("run", "--rm", "--network", "none", t.image, "nosuchcommand", check=False)
    assert p.returncode == 127
    assert p.stderr.startswith("Error: ") and "nosuchcommand" in p.stderr
    p = t.berth("run", "--rm", "--network", "none", t.image, "/etc", check=False)
    assert p.returncode == 126 and p.stderr.startswith("Error: ")
    p = t.berth("run", "--rm", "--pull", "never", "localhost/no/such:image", "true", check=False)
    assert p.returncode == 125 and p.stderr.startswith("Error: ")
    p = t.berth("run", "--memory", "lots", t.image, "true", check=False)
    assert p.returncode == 125
    assert p.stderr == ("Error: invalid argument \"lots\" for \"--memory\" flag: expected a size such as "
                        "512m or 1g\n")
    p = t.berth("run", "--bogus", t.image, check=False)
    assert (p.returncode, p.stderr) == (125, "Error: unknown flag: --bogus\n")


def test_run_stdin_env_and_rm(target):
    t = target
    p = t.berth("run", "-i", "--rm", "--network", "none", "-e", "FOO=bar", "-w", "/tmp", "-u", "65534",
                "-h", "boxy", t.image, "sh", "-c", "cat; echo $FOO $(pwd) $(id -u) $(hostname)",
                input="from-stdin\n")
    assert p.stdout == "from-stdin\nbar /tmp 65534 boxy\n"
    # --rm leaves nothing behind.
    assert t.berth("ps", "-a", "-q").stdout == ""
    # Without -i, stdin is not read.
    p = t.berth("run", "--rm", "--network", "none", t.image, "cat", input="ignored\n")
    assert p.stdout == ""


def test_detached_logs_stop_rm(target):
    t = target
    p = t.berth("run", "-d", "--name", "web", "--network", "none", t.image, "sh", "-c",
                "echo started; echo problem >&2; trap 'exit 0' TERM; while true; do sleep 0.1; done")
    cid = p.stdout.strip()
    assert ID_RE.match(cid)
    deadline = time.monotonic() + 10
    while "started" not in t.berth("logs", "web").stdout and time.monotonic() < deadline:
        time.sleep(0.1)
    p = t.berth("logs", "web")
    assert p.stdout == "started\n" and p.stderr == "problem\n"
    p = t.berth("logs", "--tail", "1", "-t", "web")
    assert re.match(r"^\d{4}-\d\d-\d\dT\S+ ", p.stdout + p.stderr)
    rows = table(t.berth("ps").stdout)
    assert rows[0] == ["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]
    assert rows[1][0] == cid[:12] and rows[1][-1] == "web" and rows[1][4].startswith("Up ")
    assert t.berth("stop", "-t", "5", "web").stdout == "web\n"
    assert t.berth("ps", "-q").stdout == ""
    p = t.berth("ps", "-a", "--format", "{{.Names}} {{.Status}}")
    assert re.match(r"^web Exited \(0\) .* ago\n$", p.stdout)
    assert t.berth("wait", "web").stdout == "0\n"
    assert t.berth("rm", "web").stdout == "web\n"
    assert t.berth("ps", "-a", "-q").stdout == ""
    p = t.berth("rm", "web", check=False)
    assert p.returncode == 1 and p.stderr.startswith("Error: ")
    assert t.berth("rm", "-f", "web").returncode == 0


def test_exec_exit_codes(target):
    t = target
    t.berth("run", "-d", "--name", "ex", "--network", "none", "-e", "FROM_RUN=1", t.image, "sleep", "1000")
    p = t.berth("exec", "ex", "sh", "-c", "echo $FROM_RUN; echo e >&2; exit 5", check=False)
    assert (p.returncode, p.stdout, p.stderr) == (5, "1\n", "e\n")
    p = t.berth("exec", "-e", "X=2", "-w", "/tmp", "-u", "65534", "ex", "sh", "-c", "echo $X $(pwd) $(id -u)")
    assert p.stdout == "2 /tmp 65534\n"
    p = t.berth("exec", "-i", "ex", "cat", input="piped\n")
    assert p.stdout == "piped\n"
    p = t.berth("exec", "ex", "nosuchcommand", check=False)
    assert p.returncode == 127
    p = t.berth("exec", "nosuchcontainer", "true", check=False)
    assert p.returncode == 125 and p.stderr.startswith("Error: ")
    p = t.berth("exec", "-d", "ex", "sleep", "1")
    assert re.match(r"^[0-9a-f]{64}\n$", p.stdout)


def test_ps_formats_and_filters(target):
    t = target
    a = t.berth("create", "--name", "first", "--network", "none", "-l", "tier=a", t.image,
                "echo", "a long command line here").stdout.strip()
    b = t.berth("run", "-d", "--name", "second", "--network", "none", t.image, "sleep", "1000").stdout.strip()
    assert ID_RE.match(a) and ID_RE.match(b)
    assert t.berth("ps", "-q").stdout == b[:12] + "\n"
    assert t.berth("ps", "-a", "-q", "--no-trunc").stdout == f"{a}\n{b}\n"
    rows = table(t.berth("ps", "-a").stdout)
    assert [r[-1] for r in rows] == ["NAMES", "first", "second"]
    assert rows[1][2] == "echo a long comma..." and rows[1][4] == "Created"
    p = t.berth("ps", "-a", "--no-trunc", "--format", "{{.ID}}|{{.Command}}|{{.Labels}}")
    assert p.stdout.splitlines()[0] == f"{a}|echo a long command line here|map[tier:a]"
    p = t.berth("ps", "-a", "--format", "table {{.Names}}\t{{.State}}")
    assert table(p.stdout)[0] == ["NAMES", "STATE"]
    assert t.berth("ps", "-a", "--filter", "name=first", "--format", "{{.Names}}").stdout == "first\n"
    assert t.berth("ps", "-a", "--filter", "label=tier=a", "-q").stdout == a[:12] + "\n"
    assert t.berth("ps", "-n", "1", "--format", "{{.Names}}").stdout == "second\n"
    p = t.berth("ps", "--format", "{{.Nope}}", check=False)
    assert p.returncode == 125 and "Nope" in p.stderr
    p = t.berth("ps", "-a", "--format", "json")
    assert '"Names"' in p.stdout


def test_cp_both_ways(target, tmp_path):
    t = target
    t.berth("run", "-d", "--name", "cpt", "--network", "none", t.image, "sleep", "1000")
    src = tmp_path / "in.txt"
    src.write_text("to the container\n")
    t.berth("cp", str(src), "cpt:/tmp/")
    t.berth("cp", str(src), "cpt:/tmp/renamed.txt")
    assert t.berth("exec", "cpt", "cat", "/tmp/in.txt", "/tmp/renamed.txt").stdout == "to the container\n" * 2
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f").write_text("x")
    t.berth("cp", str(tmp_path / "d"), "cpt:/tmp/newdir")
    assert t.berth("exec", "cpt", "cat", "/tmp/newdir/f").stdout == "x"
    out = tmp_path / "passwd.copy"
    t.berth("cp", "cpt:/etc/passwd", str(out))
    assert out.read_text().startswith("root:")
    outdir = tmp_path / "outdir"
    outdir.mkdir()
    t.berth("cp", "cpt:/etc", str(outdir))
    assert (outdir / "etc" / "passwd").exists()
    p = subprocess.run([BERTH, "cp", "cpt:/etc/passwd", "-"], env=t.env, capture_output=True, check=True)
    with open(tmp_path / "x.tar", "wb") as f:
        f.write(p.stdout)
    assert tarfile.open(tmp_path / "x.tar").getnames() == ["passwd"]
    p = t.berth("cp", "cpt:/no/such/file", str(tmp_path / "y"), check=False)
    assert p.returncode == 125 and p.stderr.startswith("Error: ")
    p = t.berth("cp", str(src), str(tmp_path / "z"), check=False)
    assert p.returncode == 125


def test_lifecycle_verbs(target, tmp_path):
    t = target
    t.berth("run", "-d", "--name", "lc", "--network", "none", t.image, "sleep", "1000")
    assert t.berth("pause", "lc").stdout == "lc\n"
    assert t.berth("container", "inspect", "-f", "{{.State.Status}}", "lc").stdout == "paused\n"
    assert t.berth("unpause", "lc").stdout == "lc\n"
    assert t.berth("rename", "lc", "lc2").returncode == 0
    assert t.berth("container", "inspect", "-f", "{{.Name}}", "lc2").stdout == "lc2\n"
    p = t.berth("top", "lc2")
    assert p.stdout.splitlines()[0].split()[:3] == ["USER", "PID", "PPID"] and "sleep 1000" in p.stdout
    p = t.berth("top", "lc2", "pid", "args")
    assert table(p.stdout) == [["PID", "COMMAND"], ["1", "sleep 1000"]]
    p = t.berth("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}", "lc2")
    assert p.stdout == "lc2 1\n"
    p = t.berth("stats", "--no-stream", "lc2")
    assert table(p.stdout)[0][:3] == ["ID", "NAME", "CPU %"]
    t.berth("exec", "lc2", "touch", "/added")
    assert "A /added" in t.berth("diff", "lc2").stdout.splitlines()
    t.berth("export", "-o", str(tmp_path / "fs.tar"), "lc2")
    assert "added" in tarfile.open(tmp_path / "fs.tar").getnames()
    p = t.berth("container", "inspect", "lc2", "nosuch", check=False)
    assert p.returncode == 125 and p.stdout.startswith("[\n     {")
    assert p.stderr == "Error: no such container nosuch\n"
    assert t.berth("kill", "lc2").stdout == "lc2\n"
    assert t.berth("wait", "lc2").stdout == "137\n"
    assert t.berth("start", "lc2").stdout == "lc2\n"
    assert t.berth("restart", "-t", "0", "lc2").stdout == "lc2\n"
    assert t.berth("kill", "-s", "KILL", "lc2").stdout == "lc2\n"
    p = t.berth("kill", "-s", "NOPE", "lc2", check=False)
    assert (p.returncode, p.stderr) == (125, "Error: invalid signal: NOPE\n")
    assert t.berth("container", "exists", "lc2").returncode == 0
    assert t.berth("container", "exists", "nosuch", check=False).returncode == 1
    p = t.berth("container", "prune", "-f")
    assert len(p.stdout.split()) == 1 and ID_RE.match(p.stdout.strip())
    assert t.berth("ps", "-a", "-q").stdout == ""


def test_start_attach_and_create(target):
    t = target
    cid = t.berth("create", "--name", "sa", "--network", "none", t.image, "sh", "-c",
                  "echo once; exit 6").stdout.strip()
    assert ID_RE.match(cid)
    p = t.berth("start", "-a", "sa", check=False)
    assert (p.returncode, p.stdout) == (6, "once\n")
    p = t.berth("start", "-a", "sa", "other", check=False)
    assert p.returncode == 125


def test_update_resources(target):
    t = target
    t.berth("run", "-d", "--name", "up", "--network", "none", t.image, "sleep", "1000")
    assert t.berth("update", "--memory", "256m", "--pids-limit", "50", "up").stdout == "up\n"
    p = t.berth("container", "inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}", "up")
    assert p.stdout == "268435456 50\n"
    p = t.berth("update", "up", check=False)
    assert p.returncode == 125 and "at least one flag" in p.stderr


def pty_run(target, script, inputs, timeout=30):
    """Runs `sh -c script` (with berth as $B) on a pty, typing `inputs` one by one when
    output pauses; returns everything it printed."""
    pid, fd = pty.fork()
    if pid == 0:
        env = dict(target.env, B=BERTH, IMG=target.image)
        os.execve("/bin/sh", ["sh", "-c", script], env)
    out, pending = b"", list(inputs)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            out += data
        elif pending:
            os.write(fd, pending.pop(0))
    os.waitpid(pid, 0)
    os.close(fd)
    return out.decode(errors="replace")


def test_tty_raw_mode_is_restored(target):
    out = pty_run(target, 'stty -g; $B run -it --rm --network none "$IMG" sh; echo "rc=$?"; stty -g',
                  [b"echo $((6*7)); tty\r", b"exit 3\r"])
    lines = out.replace("\r", "").splitlines()
    assert "42" in lines and "/dev/pts/0" in lines
    assert "rc=3" in lines
    # The same terminal settings before and after.
    settings = [ln for ln in lines if re.match(r"^[0-9a-f]+(:[0-9a-f]+){10,}$", ln)]
    assert len(settings) == 2 and settings[0] == settings[1]
    # Raw mode: the container's pty alone turns "\n" into "\r\n".
    assert "\r\r\n" not in out.split("rc=")[0]


def test_tty_detach_keys_and_attach(target):
    t = target
    out = pty_run(t, 'stty -g; $B run -it --name tt --network none "$IMG" sh; echo "rc=$?"; stty -g',
                  [b"echo before\r", b"\x10\x11"])
    lines = out.replace("\r", "").splitlines()
    # Detaching prints nothing: the shell's status follows the container's prompt.
    assert re.search(r"rc=0$", out.replace("\r", ""), re.M) and "before" in lines
    settings = [ln for ln in lines if re.match(r"^[0-9a-f]+(:[0-9a-f]+){10,}$", ln)]
    assert len(settings) == 2 and settings[0] == settings[1]
    assert t.berth("ps", "--format", "{{.Names}}").stdout == "tt\n"
    out = pty_run(t, '$B exec -it tt sh -c "tty; exit 4"; echo "rc=$?"', [])
    assert "/dev/pts/" in out and "rc=4" in out
    out = pty_run(t, '$B attach tt; echo "rc=$?"', [b"echo attached\r", b"exit 9\r"])
    assert "attached" in out and "rc=9" in out
