"""berthd as a process: flags, config file, socket ownership, locking, signals."""
import grp
import json
import os
import signal
import socket
import stat
import subprocess
import time

import pytest

from conftest import BERTHD, UnixHTTPConnection, request, run


def test_version_and_help():
    p = run([BERTHD, "--version"])
    assert p.stdout.startswith("berthd version ")
    p = run([BERTHD, "--help"])
    for flag in ("--socket", "--root", "--runroot", "--runtime", "--cgroup-manager", "--insecure-registry",
                 "--idle-timeout", "--config", "--log-level", "--version", "--help"):
        assert flag in p.stdout


@pytest.mark.parametrize("args,message", [
    (["--bogus"], "unknown option --bogus"),
    (["--idle-timeout", "soon"], "'soon' is not a number of seconds"),
    (["--log-level", "loud"], "'loud' is not one of error, warn, info, debug"),
    (["--config", "/nonexistent/berth.json"], "/nonexistent/berth.json"),
    (["--runtime", "/nonexistent/runc"], "OCI runtime /nonexistent/runc"),
    (["--cgroup-manager", "cgroups"], "'cgroups' is not cgroupfs or systemd"),
    (["stray"], "unexpected argument 'stray'"),
])
def test_bad_flags_exit_1_with_a_message(workdir, args, message):
    p = run([BERTHD, "--socket", f"{workdir}/s.sock", "--root", f"{workdir}/root",
             "--runroot", f"{workdir}/run", *args], check=False, timeout=20)
    assert p.returncode == 1
    assert message in p.stderr
    assert not os.path.exists(f"{workdir}/s.sock")


def test_config_file_keys_and_flag_precedence(make_daemon, workdir):
    cfg = os.path.join(workdir, "berth.json")
    with open(cfg, "w") as f:
        json.dump({"root": f"{workdir}/from-file", "insecure-registry": ["reg.test:5000"],
                   "log-level": "debug"}, f)
    d = make_daemon(extra_args=["--config", cfg])
    # --root from the flags wins over the file's root.
    assert d.request("GET", "/info").json()["DockerRootDir"] == d.root
    info = d.request("GET", "/info").json()
    assert "reg.test:5000" in info["RegistryConfig"]["IndexConfigs"]


def test_bad_config_file_is_refused(workdir):
    cfg = os.path.join(workdir, "berth.json")
    with open(cfg, "w") as f:
        f.write('{"root": 42}')
    p = run([BERTHD, "--config", cfg, "--socket", f"{workdir}/s.sock"], check=False, timeout=20)
    assert p.returncode == 1
    assert '"root" must be a non-empty string' in p.stderr


def test_socket_mode_without_berth_group(daemon):
    try:
        grp.getgrnam("berth")
        pytest.skip("a berth group exists on this machine; the 0660 case covers it")
    except KeyError:
        pass
    st = os.stat(daemon.socket)
    assert stat.S_ISSOCK(st.st_mode)
    assert stat.S_IMODE(st.st_mode) == 0o600


def test_socket_mode_with_berth_group(make_daemon):
    created = False
    try:
        gid = grp.getgrnam("berth").gr_gid
    except KeyError:
        subprocess.run(["groupadd", "--system", "berth"], check=True)
        created = True
        gid = grp.getgrnam("berth").gr_gid
    try:
        d = make_daemon()
        st = os.stat(d.socket)
        assert stat.S_IMODE(st.st_mode) == 0o660
        assert st.st_gid == gid
    finally:
        if created:
            subprocess.run(["groupdel", "berth"], check=False)


def test_socket_directory_is_created(make_daemon, workdir):
    d = make_daemon(start=False)
    d.socket = os.path.join(workdir, "deep", "er", "berth.sock")
    d.args[d.args.index("--socket") + 1] = d.socket
    d.start()
    assert os.path.isdir(os.path.join(workdir, "deep", "er"))


def test_stale_socket_is_replaced(make_daemon):
    d = make_daemon(start=False)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(d.socket)
    stale.close()   # a socket file with nobody behind it
    d.start()
    assert d.request("GET", "/_ping").status == 200
    assert "removing stale socket" in d.log()


def test_regular_file_at_socket_path_is_not_replaced(make_daemon):
    d = make_daemon(start=False)
    with open(d.socket, "w") as f:
        f.write("precious")
    d.start(wait=False)
    assert d.proc.wait(20) == 1
    assert "exists and is not a socket" in d.log()
    assert open(d.socket).read() == "precious"


def test_live_daemon_is_not_stolen(make_daemon):
    first = make_daemon("a")
    second = make_daemon("b", start=False)
    second.args[second.args.index("--socket") + 1] = first.socket
    second.start(wait=False)
    assert second.proc.wait(20) == 1
    assert f"another daemon is already listening on {first.socket}" in second.log()
    assert first.request("GET", "/_ping").status == 200


def test_two_daemons_on_one_root_are_refused(make_daemon):
    first = make_daemon("a")
    second = make_daemon("b", start=False)
    second.args[second.args.index("--root") + 1] = first.root
    second.start(wait=False)
    assert second.proc.wait(20) == 1
    assert f"another berthd (pid {first.proc.pid}) is using root {first.root}" in second.log()
    assert not os.path.exists(second.socket)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_cleanly(make_daemon, sig):
    d = make_daemon()
    conn = UnixHTTPConnection(d.socket)   # an idle keep-alive connection must not block exit
    assert request(None, "GET", "/_ping", conn=conn).status == 200
    start = time.monotonic()
    assert d.stop(sig) == 0
    assert time.monotonic() - start < 5
    assert not os.path.exists(d.socket)
    assert "shutting down" in d.log()
    conn.close()


def test_idle_timeout_without_activation(make_daemon):
    d = make_daemon(extra_args=["--idle-timeout", "1"])
    conn = UnixHTTPConnection(d.socket)
    assert request(None, "GET", "/_ping", conn=conn).status == 200
    time.sleep(2.5)     # an open connection keeps it alive past the timeout
    assert d.proc.poll() is None
    conn.close()
    assert d.proc.wait(10) == 0
    assert "idle timeout" in d.log()


def test_state_survives_kill_9(make_daemon):
    d = make_daemon()
    engine_id = d.request("GET", "/info").json()["ID"]
    d.proc.kill()
    d.proc.wait()
    d.start()   # the stale socket and the lock of the dead process are no obstacle
    assert d.request("GET", "/info").json()["ID"] == engine_id


@pytest.mark.skipif(os.path.isdir("/run/systemd/system"), reason="systemd is this host's init: the driver is usable")
def test_systemd_cgroup_manager_needs_systemd(workdir):
    """Without systemd as init, runc's systemd driver has nobody to ask for scopes:
    refused at start rather than at the first container."""
    p = run([BERTHD, "--socket", f"{workdir}/s.sock", "--root", f"{workdir}/root", "--runroot",
             f"{workdir}/run", "--cgroup-manager", "systemd"], check=False, timeout=20)
    assert p.returncode == 1
    assert "cgroup-manager systemd: systemd is not this host's init" in p.stderr
    assert not os.path.exists(f"{workdir}/s.sock")


def test_info_reports_the_cgroup_manager(daemon):
    assert request(daemon.socket, "GET", "/info").json()["CgroupDriver"] == "cgroupfs"
    assert request(daemon.socket, "GET", "/libpod/info").json()["host"]["cgroupManager"] == "cgroupfs"
