"""Fixtures for the integration suite: a real berthd on a temp socket, and helpers to
talk to it over the Unix socket. Every daemon a test starts is stopped and checked for
sanitizer reports when the test ends, pass or fail."""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

BIN_DIR = os.environ.get(
    "BERTH_BIN_DIR",
    os.path.join(os.path.dirname(__file__), "..", "..", "build", "bin"))
BERTHD = os.path.abspath(os.path.join(BIN_DIR, "berthd"))
BERTH = os.path.abspath(os.path.join(BIN_DIR, "berth"))

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


class UnixHTTPConnection(http.client.HTTPConnection):
    """http.client over a Unix socket (keep-alive like any HTTPConnection)."""

    def __init__(self, path, timeout=30):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


class Response:
    def __init__(self, resp, body):
        self.status = resp.status
        self.headers = resp.headers
        self.body = body

    def json(self):
        return json.loads(self.body)


def request(sock, method, path, body=None, headers=None, conn=None):
    own = conn is None
    conn = conn or UnixHTTPConnection(sock)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return Response(resp, resp.read())
    finally:
        if own:
            conn.close()


def wait_for_socket(path, proc=None, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"berthd exited early with {proc.returncode}")
        try:
            if request(path, "GET", "/_ping").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.01)
    raise AssertionError(f"no answer on {path} within {timeout}s")


class Daemon:
    """One berthd process with its own socket, root and runroot."""

    def __init__(self, workdir, extra_args=(), env=None):
        self.dir = workdir
        self.socket = os.path.join(workdir, "berth.sock")
        self.root = os.path.join(workdir, "root")
        self.runroot = os.path.join(workdir, "run")
        self.log_path = os.path.join(workdir, "berthd.log")
        self.args = [BERTHD, "--socket", self.socket, "--root", self.root,
                     "--runroot", self.runroot, "--log-level", "debug", *extra_args]
        self.env = env
        self.proc = None

    @property
    def url(self):
        return "unix://" + self.socket

    def start(self, wait=True):
        self.logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.args, stdout=self.logf, stderr=subprocess.STDOUT,
                                     env=self.env, stdin=subprocess.DEVNULL)
        if wait:
            wait_for_socket(self.socket, self.proc)
        return self

    def store_dirs(self):
        """The store's work and layer directories: what a failed operation must not leave."""
        out = {}
        for sub in ("tmp", "layers", "tar-split"):
            d = os.path.join(self.root, sub)
            out[sub] = sorted(os.listdir(d)) if os.path.isdir(d) else []
        return out

    def request(self, method, path, **kw):
        return request(self.socket, method, path, **kw)

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("berthd did not exit within %ss of signal %d; its log ends:\n%s"
                                 % (timeout, sig, self.log()[-4000:]))
        return self.proc.returncode

    def close(self):
        try:
            self.stop()
        finally:
            if self.proc is not None and self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            if hasattr(self, "logf"):
                self.logf.close()

    def assert_clean_log(self):
        text = self.log()
        for marker in SANITIZER_MARKERS:
            assert marker not in text, f"sanitizer report in berthd log:\n{text[-6000:]}"


@pytest.fixture
def workdir():
    d = tempfile.mkdtemp(prefix="berth-it-")
    yield d
    subprocess.run(["umount", "-R", "-l", d], stderr=subprocess.DEVNULL, check=False)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def make_daemon(workdir):
    """Factory: make_daemon(name, extra_args) -> started Daemon; all are stopped at the end."""
    daemons = []

    def make(name="d", extra_args=(), start=True, env=None):
        sub = os.path.join(workdir, name)
        os.makedirs(sub, exist_ok=True)
        d = Daemon(sub, extra_args, env)
        daemons.append(d)
        return d.start() if start else d

    yield make
    errors = []
    for d in daemons:
        try:
            d.close()
            d.assert_clean_log()
        except AssertionError as e:
            errors.append(str(e))
    assert not errors, "\n".join(errors)


@pytest.fixture
def daemon(make_daemon):
    return make_daemon()


def client_env(daemon, **extra):
    """Environment for the docker CLI, podman --remote and berth pointing at `daemon`."""
    env = dict(os.environ)
    env.pop("CONTAINER_HOST", None)
    env["DOCKER_HOST"] = daemon.url
    env["CONTAINER_HOST"] = daemon.url
    env["DOCKER_CONFIG"] = os.path.join(daemon.dir, "docker-config")
    os.makedirs(env["DOCKER_CONFIG"], exist_ok=True)
    config = os.path.join(env["DOCKER_CONFIG"], "config.json")
    if not os.path.exists(config):
        with open(config, "w") as f:
            f.write("{}")
    env.update(extra)
    return env


def run(cmd, env=None, timeout=60, check=True, input=None):
    p = subprocess.run(cmd, env=env, timeout=timeout, capture_output=True, text=True, input=input)
    if check and p.returncode != 0:
        raise AssertionError(f"{cmd} exited {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p
