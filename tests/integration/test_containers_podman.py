"""Containers through `podman --remote` (Podman 4.3.1's libpod client) against berthd:
run --rm with output and exit codes, run -d + ps + logs + stop + rm, inspect."""
import json
import re
import time

import pytest

from conftest import run
from test_containers import engine_fixture, run_pty

PODMAN = "podman"
IMAGE = "busybox"


@pytest.fixture(scope="module")
def engine():
    yield from engine_fixture("berth-ctr-podman-")


@pytest.fixture(autouse=True)
def _clean(engine):
    yield
    engine.rm_all()


def podman(engine, *args, check=True, input=None, timeout=60):
    return run([PODMAN, "--remote", *args], env=engine.env, check=check, input=input, timeout=timeout)


def test_run_rm_output_and_exit_codes(engine):
    p = podman(engine, "run", "--rm", IMAGE, "echo", "hi")
    assert (p.returncode, p.stdout) == (0, "hi\n")
    p = podman(engine, "run", "--rm", IMAGE, "sh", "-c", "echo out; echo err >&2; exit 7", check=False)
    assert (p.returncode, p.stdout, p.stderr) == (7, "out\n", "err\n")
    p = podman(engine, "run", "--rm", IMAGE, "nosuchcmd", check=False)
    assert p.returncode == 127 and "nosuchcmd" in p.stderr
    p = podman(engine, "run", "--rm", IMAGE, "/bin/notexec", check=False)
    assert p.returncode == 126
    p = podman(engine, "run", "--rm", "-i", IMAGE, "cat", input="from-stdin\n")
    assert p.stdout == "from-stdin\n"
    assert engine.ids() == []


def test_run_pull_never_unknown_image(engine):
    p = podman(engine, "run", "--rm", "--pull", "never", "nosuch/image:1", "true", check=False)
    assert p.returncode == 125 and "nosuch/image" in p.stderr


def test_detached_ps_logs_stop_rm(engine):
    cid = podman(engine, "run", "-d", "--name", "pd", "-l", "k=v", IMAGE, "sh", "-c",
                 "echo hello; sleep 100").stdout.strip()
    assert len(cid) == 64
    out = podman(engine, "ps", "--format", "{{.ID}} {{.Names}} {{.Status}}").stdout.split("\n")
    assert out[0].startswith(cid[:12] + " pd Up ")
    ps = json.loads(podman(engine, "ps", "--format", "json").stdout)
    assert [(c["Id"], c["Names"], c["State"], c["Labels"]) for c in ps] == [(cid, ["pd"], "running", {"k": "v"})]
    assert podman(engine, "ps", "-q", "--filter", "label=k=v").stdout.split() == [cid[:12]]
    t0 = time.monotonic()
    assert podman(engine, "stop", "-t", "1", "pd").stdout == "pd\n"
    assert time.monotonic() - t0 >= 0.9
    assert podman(engine, "ps", "-q").stdout == ""
    ps = json.loads(podman(engine, "ps", "-a", "--format", "json").stdout)
    assert [(c["Names"], c["State"], c["ExitCode"]) for c in ps] == [(["pd"], "exited", 137)]
    assert podman(engine, "rm", "pd").stdout.strip() in ("pd", cid)
    assert podman(engine, "ps", "-aq").stdout == ""
    p = podman(engine, "rm", "pd", check=False)
    assert p.returncode == 1 and "no such container" in p.stderr.lower()


def test_logs(engine):
    podman(engine, "run", "--name", "plog", IMAGE, "sh", "-c", "echo out; echo err >&2")
    p = podman(engine, "logs", "plog")
    assert (p.stdout, p.stderr) == ("out\n", "err\n")
    p = podman(engine, "logs", "--tail", "1", "plog")
    assert p.stdout + p.stderr == "err\n"
    p = podman(engine, "logs", "-t", "plog")
    assert re.match(r"^\d{4}-\d\d-\d\dT\S+ out\n$", p.stdout), p.stdout
    podman(engine, "run", "-d", "--name", "plf", IMAGE, "sh", "-c", "echo a; sleep 1; echo b")
    assert podman(engine, "logs", "-f", "plf", timeout=20).stdout == "a\nb\n"


def test_inspect(engine):
    podman(engine, "run", "-d", "--name", "pi", "-e", "FOO=bar", IMAGE, "sleep", "100")
    [info] = json.loads(podman(engine, "inspect", "pi").stdout)
    assert info["Name"] == "pi"
    assert info["State"]["Status"] == "running" and info["State"]["Running"] is True
    assert info["State"]["Pid"] > 0
    assert info["Config"]["Cmd"] == ["sleep", "100"]
    assert "FOO=bar" in info["Config"]["Env"]
    assert podman(engine, "inspect", "--format", "{{.State.Status}}", "pi").stdout == "running\n"
    assert podman(engine, "container", "exists", "pi").returncode == 0
    assert podman(engine, "container", "exists", "nosuch", check=False).returncode == 1
    podman(engine, "kill", "pi")
    assert podman(engine, "wait", "pi").stdout == "137\n"
    [info] = json.loads(podman(engine, "inspect", "pi").stdout)
    assert (info["State"]["Status"], info["State"]["ExitCode"]) == ("exited", 137)
    p = podman(engine, "rm", "-f", "pi")
    assert p.returncode == 0


def test_lifecycle_verbs(engine):
    podman(engine, "create", "--name", "pl", IMAGE, "sleep", "100")
    podman(engine, "start", "pl")
    podman(engine, "pause", "pl")
    assert podman(engine, "inspect", "--format", "{{.State.Status}}", "pl").stdout == "paused\n"
    podman(engine, "unpause", "pl")
    podman(engine, "restart", "-t", "0", "pl")
    assert podman(engine, "inspect", "--format", "{{.State.Status}}", "pl").stdout == "running\n"
    podman(engine, "rename", "pl", "pl2")
    assert podman(engine, "inspect", "--format", "{{.Name}}", "pl2").stdout == "pl2\n"
    podman(engine, "rm", "-f", "-t", "0", "pl2")
    assert engine.ids() == []


def test_run_interactive_tty(engine):
    # podman sends its one resize (libpod resize?running=true) while it attaches, before the
    # start: the container's terminal must still get the client's size
    code, out = run_pty([PODMAN, "--remote", "run", "--rm", "-it", IMAGE, "sh"], engine.env, winsize=(33, 99),
                        inputs=[("# ", b"echo hi-$((40+2)); stty size; exit 3\n")])
    assert code == 3, out
    assert "hi-42" in out
    assert "33 99" in out, out
    code, out = run_pty([PODMAN, "--remote", "run", "--rm", "-t", IMAGE, "tty"], engine.env)
    assert code == 0 and "/dev/pts/0" in out
