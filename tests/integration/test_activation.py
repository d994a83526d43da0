"""Socket activation through systemd-socket-activate: serve the passed socket, exit when idle."""
import os
import shutil
import socket
import subprocess
import time

import pytest

from conftest import BERTHD, SANITIZER_MARKERS, UnixHTTPConnection, request, wait_for_socket

ACTIVATE = shutil.which("systemd-socket-activate")
pytestmark = pytest.mark.skipif(ACTIVATE is None, reason="systemd-socket-activate is not installed")


def start_activated(workdir, *extra, setenv=()):
    sock = os.path.join(workdir, "act.sock")
    log = open(os.path.join(workdir, "act.log"), "wb")
    setenv = [arg for var in setenv for arg in ("-E", var)]
    proc = subprocess.Popen([ACTIVATE, "-l", sock, *setenv, BERTHD, "--root", f"{workdir}/root",
                             "--runroot", f"{workdir}/run", "--log-level", "debug", *extra],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not os.path.exists(sock):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.01)
    return proc, sock, log


def finish(proc, log, workdir):
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    log.close()
    text = open(os.path.join(workdir, "act.log"), errors="replace").read()
    for marker in SANITIZER_MARKERS:
        assert marker not in text, text[-4000:]
    return text


def test_activated_daemon_serves_and_exits_when_idle(workdir):
    proc, sock, log = start_activated(workdir, "--idle-timeout", "1")
    try:
        wait_for_socket(sock)
        assert request(sock, "GET", "/v1.41/version").json()["ApiVersion"] == "1.41"
        assert proc.wait(15) == 0
        # The service manager owns the socket: berthd leaves the file in place.
        assert os.path.exists(sock)
    finally:
        text = finish(proc, log, workdir)
    assert "socket-activated" in text and "idle timeout" in text


def test_activated_default_idle_timeout_is_5_seconds(workdir):
    proc, sock, log = start_activated(workdir)
    try:
        wait_for_socket(sock)
        start = time.monotonic()
        assert proc.wait(20) == 0
        waited = time.monotonic() - start
        assert 4 <= waited <= 8, waited
    finally:
        finish(proc, log, workdir)


def test_open_connection_defers_idle_exit(workdir):
    proc, sock, log = start_activated(workdir, "--idle-timeout", "1")
    try:
        wait_for_socket(sock)
        conn = UnixHTTPConnection(sock)
        for _ in range(3):
            assert request(None, "GET", "/_ping", conn=conn).status == 200
            time.sleep(0.8)
        assert proc.poll() is None
        conn.close()
        assert proc.wait(10) == 0
    finally:
        finish(proc, log, workdir)


def test_sigterm_while_activated(workdir):
    proc, sock, log = start_activated(workdir, "--idle-timeout", "60")
    try:
        wait_for_socket(sock)
        proc.terminate()
        assert proc.wait(10) == 0
    finally:
        finish(proc, log, workdir)


def mapped_libraries(pid):
    with open(f"/proc/{pid}/maps") as f:
        return {os.path.basename(line.split()[-1]) for line in f if "/" in line}


def test_notifies_the_service_manager_and_idles_without_libsystemd(workdir):
    """Type=notify: READY=1 once serving, STOPPING=1 on SIGTERM; libsystemd (and libcrypto,
    loaded on first use) are not mapped while the daemon idles."""
    notify_path = os.path.join(workdir, "notify.sock")
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(notify_path)
    notify.settimeout(10)
    proc, sock, log = start_activated(workdir, "--idle-timeout", "60",
                                      setenv=[f"NOTIFY_SOCKET={notify_path}"])
    try:
        # systemd-socket-activate starts berthd on the first connection.
        assert request(sock, "GET", "/_ping").status == 200
        assert b"READY=1" in notify.recv(4096)
        libs = mapped_libraries(proc.pid)
        assert not any(name.startswith(("libsystemd.", "libcrypto.")) for name in libs), sorted(libs)
        proc.terminate()
        assert b"STOPPING=1" in notify.recv(4096)
        assert proc.wait(10) == 0
    finally:
        notify.close()
        finish(proc, log, workdir)
