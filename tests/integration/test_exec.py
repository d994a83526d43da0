"""Exec sessions against a real berthd: `docker exec` (output, exit codes 3/126/127, -e,
-u, -w, -i, -it on a pty, -d), the raw API (statuses and messages Docker 20.10 gives,
inspect before and after, hijacked framing, detached start, resize), docker-py's
exec_run and `podman --remote exec`."""
import os
import time

import docker
import pytest

from conftest import run
from test_containers import DOCKER, IMAGE, engine_fixture, hijack, read_all, run_pty, streams


@pytest.fixture(scope="module")
def engine():
    yield from engine_fixture("berth-exec-")


@pytest.fixture(scope="module")
def ctr(engine):
    """One long-running container every test execs into."""
    cid = engine.out("run", "-d", "--name", "ex", IMAGE, "sleep", "1000").strip()
    yield cid
    engine.docker("rm", "-f", cid, check=False)


def exec_create(engine, name, **config):
    body = {"AttachStdout": True, "AttachStderr": True}
    body.update(config)
    return engine.api("POST", f"/v1.41/containers/{name}/exec", body)


def exec_id(engine, name, **config):
    r = exec_create(engine, name, **config)
    assert r.status == 201, r.body
    return r.json()["Id"]


def inspect(engine, eid, api="/v1.41"):
    r = engine.api("GET", f"{api}/exec/{eid}/json")
    assert r.status == 200, r.body
    return r.json()


# ---------------------------------------------------------------------------
# the docker CLI


def test_echo(engine, ctr):
    p = engine.docker("exec", ctr, "echo", "hi")
    assert (p.returncode, p.stdout, p.stderr) == (0, "hi\n", "")
    p = engine.docker("exec", "ex", "sh", "-c", "echo out; echo err >&2")
    assert (p.stdout, p.stderr) == ("out\n", "err\n")


def test_exit_codes(engine, ctr):
    engine.fails("exec", ctr, "sh", "-c", "exit 3", code=3)
    p = engine.fails("exec", ctr, "nosuchcmd", code=127)
    assert 'exec: "nosuchcmd": executable file not found in $PATH' in p.stdout + p.stderr
    engine.fails("exec", ctr, "/bin/notexec", code=126)
    p = engine.fails("exec", "-u", "nosuchuser", ctr, "true", code=126)
    assert "unable to find user nosuchuser: no matching entries in passwd file" in p.stdout + p.stderr


def test_env_user_workdir(engine, ctr):
    out = engine.out("exec", "-e", "FOO=bar", "-e", "HOSTNAME=over", "-u", "1000:1000", "-w", "/tmp", ctr,
                     "sh", "-c", "echo $FOO $HOSTNAME; id -u; id -g; pwd")
    assert out == "bar over\n1000\n1000\n/tmp\n"
    # a name resolved through the image's /etc/passwd (runc sets HOME from it)
    out = engine.out("exec", "-u", "app", ctr, "sh", "-c", "id -u; echo $HOME")
    assert out == "1000\n/home/app\n"
    # defaults: the container's user and working directory, Docker's PATH, no TERM without -t
    env = engine.out("exec", ctr, "env").split("\n")
    assert "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" in env
    assert not any(e.startswith("TERM=") for e in env)
    assert engine.out("exec", ctr, "sh", "-c", "id -u; pwd") == "0\n/\n"


def test_stdin(engine, ctr):
    assert engine.out("exec", "-i", ctr, "cat", input="from-stdin\n") == "from-stdin\n"
    # without -i the process's stdin is empty
    assert engine.out("exec", ctr, "cat", input="ignored\n") == ""


def test_interactive_tty(engine, ctr):
    code, out = run_pty([DOCKER, "exec", "-it", ctr, "sh", "-c",
                         "echo ready; read x; echo got-$x; stty size; echo $TERM; exit 4"],
                        engine.env, inputs=[("ready", b"hello\r")], winsize=(30, 100))
    assert code == 4, out
    assert "hello" in out           # the terminal echoes what is typed
    assert "got-hello" in out
    assert "30 100" in out          # docker exec resized the exec's terminal to ours
    assert "xterm" in out


def test_detached(engine, ctr):
    engine.docker("exec", "-d", ctr, "sh", "-c", "echo done > /tmp/detached")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if engine.docker("exec", ctr, "cat", "/tmp/detached", check=False).stdout == "done\n":
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the detached exec never ran")


def test_not_running_and_paused(engine):
    cid = engine.out("create", "--name", "exstopped", IMAGE, "sleep", "100").strip()
    p = engine.fails("exec", cid, "true")
    assert f"Container {cid} is not running" in p.stderr
    r = exec_create(engine, cid, Cmd=["true"])
    assert r.status == 409 and r.json()["message"] == f"Container {cid} is not running"
    engine.docker("start", cid)
    eid = exec_id(engine, cid, Cmd=["true"])
    engine.docker("pause", cid)
    try:
        r = exec_create(engine, "exstopped", Cmd=["true"])
        assert r.status == 409
        assert r.json()["message"] == "Container exstopped is paused, unpause the container before exec"
        r = engine.api("POST", f"/v1.41/exec/{eid}/start", {"Detach": True})
        assert r.status == 409 and "is paused, unpause the container before exec" in r.json()["message"]
    finally:
        engine.docker("unpause", cid)
    engine.docker("stop", "-t", "0", cid)
    r = engine.api("POST", f"/v1.41/exec/{eid}/start", {"Detach": True})
    assert r.status == 409 and r.json()["message"] == f"Container {cid} is not running"
    engine.docker("rm", cid)
    # its sessions went with it
    r = engine.api("GET", f"/v1.41/exec/{eid}/json")
    assert r.status == 404 and r.json()["message"] == f"No such exec instance: {eid}"


# ---------------------------------------------------------------------------
# the raw API


def test_api_errors(engine, ctr):
    r = exec_create(engine, ctr, Cmd=[])
    assert r.status == 400 and r.json()["message"] == "No exec command specified"
    r = exec_create(engine, ctr)
    assert r.status == 400 and r.json()["message"] == "No exec command specified"
    r = exec_create(engine, ctr, Cmd=["true"], DetachKeys="ctrl-1")
    assert r.status == 400 and r.json()["message"] == "Invalid escape keys (ctrl-1) provided"
    r = exec_create(engine, "nosuchctr", Cmd=["true"])
    assert r.status == 404 and r.json()["message"] == "No such container: nosuchctr"
    for method, path in (("GET", "/v1.41/exec/nope/json"), ("POST", "/v1.41/exec/nope/start"),
                         ("POST", "/v1.41/exec/nope/resize?h=1&w=1"), ("GET", "/v4.3.1/libpod/exec/nope/json")):
        r = engine.api(method, path, {"Detach": True} if method == "POST" else None)
        assert r.status == 404 and r.json()["message"] == "No such exec instance: nope", (path, r.body)


def test_inspect_and_frames(engine, ctr):
    eid = exec_id(engine, ctr, Cmd=["sh", "-c", "echo out; echo err >&2; exit 2"], User="1000",
                  DetachKeys="ctrl-a,b")
    info = inspect(engine, eid)
    assert info["ID"] == eid and info["ContainerID"] == ctr
    assert (info["Running"], info["ExitCode"], info["Pid"]) == (False, None, 0)
    assert info["ProcessConfig"] == {"tty": False, "entrypoint": "sh", "arguments": ["-c", "echo out; echo err >&2; exit 2"],
                                     "privileged": False, "user": "1000"}
    assert (info["OpenStdin"], info["OpenStdout"], info["OpenStderr"]) == (False, True, True)
    assert info["DetachKeys"] == "AWI="    # Go's base64 of the key bytes [1, 'b']
    s, head = hijack(engine, f"/v1.41/exec/{eid}/start", {"Detach": False, "Tty": False})
    try:
        assert head.startswith("HTTP/1.1 101"), head
        assert "application/vnd.docker.raw-stream" in head
        got = streams(read_all(s))
    finally:
        s.close()
    assert got == {1: b"out\n", 2: b"err\n"}
    # the exit code is recorded before the stream closes
    info = inspect(engine, eid)
    assert (info["Running"], info["ExitCode"]) == (False, 2) and info["Pid"] > 0
    lp = inspect(engine, eid, "/v4.3.1/libpod")
    assert (lp["ExitCode"], lp["DetachKeys"], lp["ProcessConfig"]["user"]) == (2, "ctrl-a,b", "1000")
    r = engine.api("POST", f"/v1.41/exec/{eid}/start", {"Detach": True})
    assert r.status == 409 and r.json()["message"] == f"Error: Exec command {eid} has already run"


def test_start_failure_in_stream(engine, ctr):
    eid = exec_id(engine, ctr, Cmd=["nosuchcmd"])
    s, head = hijack(engine, f"/v1.41/exec/{eid}/start", {"Tty": False})
    try:
        got = streams(read_all(s))
    finally:
        s.close()
    assert b'exec: "nosuchcmd": executable file not found' in got[1] and got[1].endswith(b"\r\n")
    assert inspect(engine, eid)["ExitCode"] == 127


def test_detached_start_running(engine, ctr):
    eid = exec_id(engine, ctr, Cmd=["sh", "-c", "sleep 1; exit 5"])
    r = engine.api("POST", f"/v1.41/exec/{eid}/start", {"Detach": True})
    assert (r.status, r.body) == (200, b"")
    info = inspect(engine, eid)
    assert info["Running"] is True and info["ExitCode"] is None and info["Pid"] > 0
    r = engine.api("POST", f"/v1.41/exec/{eid}/start", {"Detach": True})
    assert r.status == 409 and r.json()["message"] == f"Error: Exec command {eid} is already running"
    deadline = time.monotonic() + 10
    while inspect(engine, eid)["Running"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert inspect(engine, eid)["ExitCode"] == 5
    # a finished session leaves no bundle behind
    deadline = time.monotonic() + 10
    while os.path.exists(os.path.join(engine.root, "exec", eid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists(os.path.join(engine.root, "exec", eid))


def test_resize(engine, ctr):
    eid = exec_id(engine, ctr, Cmd=["sh", "-c", "sleep 1; stty size"], Tty=True)
    s, head = hijack(engine, f"/v1.41/exec/{eid}/start", {"Tty": True})
    try:
        assert head.startswith("HTTP/1.1 101"), head
        r = engine.api("POST", f"/v1.41/exec/{eid}/resize?h=21&w=77")
        assert r.status == 200, r.body
        out = read_all(s)
    finally:
        s.close()
    assert out == b"21 77\r\n"        # raw, not framed, with a TTY
    r = engine.api("POST", f"/v4.3.1/libpod/exec/{eid}/resize?h=5&w=5")
    assert r.status == 201           # an ended session is left alone; Podman answers 201


# ---------------------------------------------------------------------------
# docker-py and podman --remote


def test_dockerpy_exec_run(engine, ctr):
    c = docker.DockerClient(base_url=engine.daemon.url, version="1.41", timeout=60)
    try:
        box = c.containers.get(ctr)
        res = box.exec_run(["sh", "-c", "echo out; echo err >&2; exit 4"])
        assert (res.exit_code, res.output) == (4, b"out\nerr\n")
        res = box.exec_run(["sh", "-c", "echo out; echo err >&2"], demux=True)
        assert (res.exit_code, res.output) == (0, (b"out\n", b"err\n"))
        res = box.exec_run("sh -c 'echo $A; pwd; id -u'", environment={"A": "1"}, workdir="/etc", user="1000")
        assert (res.exit_code, res.output) == (0, b"1\n/etc\n1000\n")
        res = box.exec_run("tty", tty=True)
        assert res.exit_code == 0 and res.output.startswith(b"/dev/pts/") and res.output.endswith(b"\r\n")
        res = box.exec_run("nosuchcmd")
        assert res.exit_code == 127
        chunks = list(box.exec_run(["sh", "-c", "echo a; sleep 0.2; echo b"], stream=True).output)
        assert b"".join(chunks) == b"a\nb\n"
    finally:
        c.close()


def podman(engine, *args, check=True, input=None):
    return run(["podman", "--remote", *args], env=engine.env, check=check, input=input)


def test_podman_exec(engine, ctr):
    p = podman(engine, "exec", ctr, "sh", "-c", "echo podman-hi; echo err >&2; exit 6", check=False)
    assert (p.returncode, p.stdout, p.stderr) == (6, "podman-hi\n", "err\n")
    assert podman(engine, "exec", "-e", "X=y", "-w", "/etc", "-u", "app", "ex", "sh", "-c",
                  "echo $X; pwd; id -u").stdout == "y\n/etc\n1000\n"
    assert podman(engine, "exec", "-i", ctr, "cat", input="piped\n").stdout == "piped\n"
    p = podman(engine, "exec", ctr, "nosuchcmd", check=False)
    assert p.returncode == 127 and "nosuchcmd" in p.stderr


def test_privileged(engine, ctr):
    def cap_eff(*opts):
        out = engine.out("exec", *opts, ctr, "sh", "-c", "grep CapEff /proc/self/status")
        return int(out.split()[1], 16)
    plain, privileged = cap_eff(), cap_eff("--privileged")
    assert plain & privileged == plain and privileged != plain
    assert privileged & (1 << 21)    # CAP_SYS_ADMIN, which the default set lacks
    assert not plain & (1 << 21)
