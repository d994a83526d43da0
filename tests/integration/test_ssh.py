"""berth over SSH: a real OpenSSH server on a loopback port with temporary keys, berthd
behind it, and nothing else on the "remote"."""
import os
import shutil
import socket
import subprocess
import time

import pytest

from conftest import BERTH, run

SSHD = "/usr/sbin/sshd"
pytestmark = pytest.mark.skipif(not os.path.exists(SSHD) or shutil.which("ssh") is None,
                                reason="openssh-server and openssh-client are not installed")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def sshd(workdir):
    d = os.path.join(workdir, "ssh")
    os.makedirs(d, mode=0o700)
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", f"{d}/host_key"])
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", f"{d}/client_key"])
    shutil.copy(f"{d}/client_key.pub", f"{d}/authorized_keys")
    port = free_port()
    with open(f"{d}/sshd_config", "w") as f:
        f.write(f"""Port {port}
ListenAddress 127.0.0.1
HostKey {d}/host_key
AuthorizedKeysFile {d}/authorized_keys
PidFile {d}/sshd.pid
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowStreamLocalForwarding yes
""")
    os.makedirs("/run/sshd", exist_ok=True)
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", f"{d}/sshd_config"],
                            stdout=subprocess.DEVNULL, stderr=open(f"{d}/sshd.log", "wb"))
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline and proc.poll() is None, open(f"{d}/sshd.log").read()
            time.sleep(0.05)
    yield {"port": port, "key": f"{d}/client_key", "dir": d}
    proc.terminate()
    proc.wait(10)


def ssh_env():
    env = dict(os.environ)
    env.pop("CONTAINER_HOST", None)
    env["BERTH_SSH_OPTS"] = "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
    return env


def leftover_ssh(marker):
    out = subprocess.run(["pgrep", "-af", "ssh -N"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if marker in line]


def test_version_and_info_over_ssh(daemon, sshd):
    url = f"ssh://root@127.0.0.1:{sshd['port']}{daemon.socket}"
    p = run([BERTH, "--url", url, "--identity", sshd["key"], "version"], env=ssh_env())
    assert "API Version:  4.3.1" in p.stdout.split("Server:", 1)[1]
    p = run([BERTH, "--url", url, "--identity", sshd["key"], "info", "--format", "json"], env=ssh_env())
    assert f'"graphRoot": "{daemon.root}"' in p.stdout
    # CONTAINER_HOST selects the same target.
    env = ssh_env()
    env["CONTAINER_HOST"] = url
    run([BERTH, "--identity", sshd["key"], "info"], env=env)
    assert not leftover_ssh(daemon.socket)


def test_ssh_errors_reach_the_user(daemon, sshd, workdir):
    wrong_key = os.path.join(workdir, "wrong_key")
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", wrong_key])
    url = f"ssh://root@127.0.0.1:{sshd['port']}{daemon.socket}"
    env = ssh_env()
    env["BERTH_SSH_OPTS"] += " -o BatchMode=yes"
    p = run([BERTH, "--url", url, "--identity", wrong_key, "version"], env=env, check=False)
    assert p.returncode == 125
    assert "Permission denied" in p.stderr      # ssh's own words
    assert "ssh exited with status 255" in p.stderr
    p = run([BERTH, "--url", f"ssh://root@127.0.0.1:{free_port()}{daemon.socket}", "--identity", sshd["key"],
             "version"], env=env, check=False)
    assert p.returncode == 125 and "Connection refused" in p.stderr
    assert not leftover_ssh(daemon.socket)


def test_podman_remote_over_ssh(daemon, sshd):
    if shutil.which("podman") is None:
        pytest.skip("podman is not installed")
    env = ssh_env()
    url = f"ssh://root@127.0.0.1:{sshd['port']}{daemon.socket}"
    home = os.path.join(sshd["dir"], "home")
    os.makedirs(os.path.join(home, ".ssh"), exist_ok=True)
    # podman checks known_hosts itself: give it the server's key.
    keys = run(["ssh-keyscan", "-p", str(sshd["port"]), "127.0.0.1"]).stdout
    with open(os.path.join(home, ".ssh", "known_hosts"), "w") as f:
        f.write(keys)
    env["HOME"] = home
    p = run(["podman", "--remote", "--url", url, "--identity", sshd["key"], "version"], env=env)
    assert "API Version:  4.3.1" in p.stdout.split("Server:", 1)[1]
