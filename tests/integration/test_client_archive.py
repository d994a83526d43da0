"""The berth CLI's remaining image verbs against a real berthd and registries on loopback:
save and load (round trips between two daemons that keep image IDs), import, push,
login and logout (berthd's POST /auth plus the client's own auth file) and image prune,
checked for podman's output and exit statuses."""
import base64
import io
import json
import os
import pty
import select
import subprocess
import tarfile
import time

import pytest

from conftest import BERTH, client_env, run
from registry import AUTH_PASSWORD, AUTH_USER, auth_registry, fresh_registry, registry  # noqa: F401 - fixtures


def berth(daemon, *args, check=True, input=None, env=None):
    return run([BERTH, *args], env=env or client_env(daemon), check=check, timeout=120, input=input)


def pulled(daemon, img):
    assert berth(daemon, "pull", "-q", img.ref).stdout == img.id[7:] + "\n"


def image_ids(daemon):
    return sorted(i["Id"] for i in daemon.request("GET", "/v4.3.1/libpod/images/json").json())


def members(path):
    with tarfile.open(path) as tf:
        return sorted(m.name for m in tf)


def pipeline(first, second, env_first, env_second):
    """first | second, both berth; -> (first's CompletedProcess-like, second's)."""
    a = subprocess.Popen([BERTH, *first], env=env_first, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    b = subprocess.Popen([BERTH, *second], env=env_second, stdin=a.stdout, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    a.stdout.close()
    out, err = b.communicate(timeout=120)
    a_err = a.stderr.read().decode()
    a.stderr.close()
    a.wait(timeout=30)
    return (a.returncode, a_err), (b.returncode, out, err)


def on_terminal(env, command, answer=None, timeout=60):
    """Runs berth on a fresh pseudo-terminal (stdin and stdout) -> (status, what the
    terminal showed). `answer` is typed once the terminal shows "Password: "."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(BERTH, [BERTH, *command], env)
    shown, typed = b"", False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answer is not None and not typed and b"Password: " in shown:
            os.write(fd, answer.encode() + b"\n")
            typed = True
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:         # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace").replace("\r\n", "\n")


# ---------------------------------------------------------------------------
# save and load


def test_save_load_round_trip_keeps_the_id(make_daemon, registry, workdir):
    a, b = make_daemon("a"), make_daemon("b")
    img = registry.images["multilayer:latest"]
    pulled(a, img)
    path = os.path.join(workdir, "saved.tar")
    p = berth(a, "save", "-o", path, img.ref)
    assert (p.stdout, p.stderr) == ("", "")
    assert "manifest.json" in members(path)
    p = berth(b, "load", "-i", path)
    assert p.stdout == f"Loaded image: {img.ref}\n"
    assert image_ids(b) == image_ids(a) == [img.id[7:]]
    # The same through pipes: save to standard output, load (chunked) from standard input.
    berth(b, "rmi", img.ref)
    (save_rc, save_err), (load_rc, out, err) = pipeline(["save", img.ref], ["image", "load", "-q"],
                                                          client_env(a), client_env(b))
    assert (save_rc, save_err) == (0, "")
    assert (load_rc, out, err) == (0, f"Loaded image: {img.ref}\n", "")
    assert image_ids(b) == [img.id[7:]]


def test_save_oci_archive_and_several_images(make_daemon, registry, workdir):
    a, b = make_daemon("a"), make_daemon("b")
    bb, multi = registry.images["busybox:latest"], registry.images["multilayer:latest"]
    pulled(a, bb)
    pulled(a, multi)
    path = os.path.join(workdir, "oci.tar")
    berth(a, "image", "save", "--format", "oci-archive", "-o", path, bb.ref)
    names = members(path)
    assert "index.json" in names and "oci-layout" in names and "manifest.json" not in names
    assert berth(b, "load", "-i", path).stdout == f"Loaded image: {bb.ref}\n"
    assert image_ids(b) == [bb.id[7:]]
    # Several images go into one docker-archive.
    both = os.path.join(workdir, "both.tar")
    berth(a, "save", "--output", both, bb.ref, multi.ref)
    with tarfile.open(both) as tf:
        manifest = json.load(tf.extractfile("manifest.json"))
    assert sorted(m["RepoTags"][0] for m in manifest) == sorted([bb.ref, multi.ref])
    berth(b, "rmi", bb.ref)
    p = berth(b, "load", "-i", both)
    assert sorted(p.stdout.splitlines()) == sorted([f"Loaded image: {bb.ref}", f"Loaded image: {multi.ref}"])
    assert image_ids(b) == image_ids(a)


def test_save_errors_leave_no_file(daemon, registry, workdir):
    img = registry.images["busybox:latest"]
    pulled(daemon, img)
    path = os.path.join(workdir, "none.tar")
    p = berth(daemon, "save", "-o", path, "nosuch", check=False)
    assert (p.returncode, p.stdout, p.stderr) == (125, "", "Error: No such image: nosuch\n")
    assert not os.path.exists(path)
    p = berth(daemon, "save", "--format", "docker-dir", "-o", path, img.ref, check=False)
    assert p.returncode == 125
    assert p.stderr.startswith("Error: ") and "docker-dir" in p.stderr
    assert not os.path.exists(path)
    p = berth(daemon, "save", "-o", os.path.join(workdir, "no", "dir.tar"), img.ref, check=False)
    assert p.returncode == 125
    assert p.stderr == f"Error: cannot create {workdir}/no/dir.tar: No such file or directory\n"
    p = berth(daemon, "save", check=False)
    assert (p.returncode, p.stderr) == (125, "Error: requires at least 1 arg(s), only received 0\n")


def test_no_archive_to_or_from_a_terminal(daemon, registry, workdir):
    img = registry.images["busybox:latest"]
    pulled(daemon, img)
    status, shown = on_terminal(client_env(daemon), ["save", img.ref])
    assert (status, shown) == (125, "Error: refusing to save to terminal. Use -o flag or redirect\n")
    status, shown = on_terminal(client_env(daemon), ["load"])
    assert status == 125
    assert shown == "Error: cannot read from terminal, use command-line redirection or the --input flag\n"
    # -o works whatever standard output is.
    path = os.path.join(workdir, "t.tar")
    status, shown = on_terminal(client_env(daemon), ["save", "-o", path, img.ref])
    assert (status, shown) == (0, "")
    assert "manifest.json" in members(path)


def test_load_errors(daemon, workdir):
    p = berth(daemon, "load", "-i", os.path.join(workdir, "absent.tar"), check=False)
    assert (p.returncode, p.stderr) == (125, f"Error: cannot open {workdir}/absent.tar: No such file or directory\n")
    p = berth(daemon, "load", input="this is no archive" * 100, check=False)
    assert p.returncode == 125 and p.stdout == "" and p.stderr.startswith("Error: ")
    p = berth(daemon, "load", "extra", check=False)
    assert (p.returncode, p.stderr) == (125, "Error: \"berth load\" takes no arguments\n")
    assert image_ids(daemon) == []


# ---------------------------------------------------------------------------
# import


def rootfs_tarball(path):
    with tarfile.open(path, "w") as tf:
        for name, data in (("etc/hostname", b"imported\n"), ("bin/hello", b"#!/bin/sh\necho hello\n")):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755
            tf.addfile(info, io.BytesIO(data))


def test_import(daemon, workdir):
    path = os.path.join(workdir, "rootfs.tar")
    rootfs_tarball(path)
    p = berth(daemon, "import", "--change", 'CMD ["/bin/hello"]', "-c", "ENV=A=b", "--message", "from berth",
              path, "imported:1")
    image_id = p.stdout.strip()
    assert p.stdout == image_id + "\n" and len(image_id) == 64
    info = daemon.request("GET", "/v4.3.1/libpod/images/imported:1/json").json()
    assert info["Id"] == image_id
    assert info["Config"]["Cmd"] == ["/bin/hello"] and "A=b" in info["Config"]["Env"]
    assert info["Comment"] == "from berth"
    assert info["RepoTags"] == ["docker.io/library/imported:1"]
    # From standard input: a file (sent with its length), without a name...
    with open(path, "rb") as f:
        p = subprocess.run([BERTH, "image", "import", "-"], env=client_env(daemon), stdin=f,
                           capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    unnamed = daemon.request("GET", f"/v4.3.1/libpod/images/{p.stdout.strip()}/json").json()
    assert unnamed["RootFS"]["Layers"] == info["RootFS"]["Layers"] and unnamed["RepoTags"] == []
    # ... or a pipe (sent chunked).
    cat = subprocess.Popen(["cat", path], stdout=subprocess.PIPE)
    p = subprocess.run([BERTH, "import", "-", "piped:1"], env=client_env(daemon), stdin=cat.stdout,
                       capture_output=True, text=True, timeout=60)
    cat.stdout.close()
    cat.wait()
    assert p.returncode == 0, p.stderr
    assert daemon.request("GET", "/v4.3.1/libpod/images/piped:1/json").json()["RootFS"]["Layers"] == \
        info["RootFS"]["Layers"]


def test_import_errors(daemon, workdir):
    path = os.path.join(workdir, "rootfs.tar")
    rootfs_tarball(path)
    p = berth(daemon, "import", "--change", "RUN rm -rf /", path, check=False)
    assert p.returncode == 125 and p.stdout == ""
    assert p.stderr.startswith("Error: ") and "RUN is not supported" in p.stderr
    p = berth(daemon, "import", os.path.join(workdir, "absent.tar"), check=False)
    assert (p.returncode, p.stderr) == (125, f"Error: cannot open {workdir}/absent.tar: No such file or directory\n")
    p = berth(daemon, "import", path, "Bad/Name", check=False)
    assert p.returncode == 125 and "Bad/Name" in p.stderr
    p = berth(daemon, "import", check=False)
    assert (p.returncode, p.stderr) == (125, "Error: requires at least 1 arg(s), only received 0\n")
    p = berth(daemon, "import", path, "a", "b", check=False)
    assert (p.returncode, p.stderr) == (125, "Error: accepts at most 2 arg(s), received 3\n")
    assert image_ids(daemon) == []


# ---------------------------------------------------------------------------
# push


def test_push_then_pull_back(make_daemon, registry, fresh_registry):
    a, b = make_daemon("a"), make_daemon("b")
    img = registry.images["busybox:latest"]
    pulled(a, img)
    dest = fresh_registry.ref("pushed:v1")
    p = berth(a, "push", img.ref, dest)
    assert p.stdout == ""
    assert p.stderr.startswith("Getting image source signatures\n")
    assert "Copying blob " in p.stderr and p.stderr.endswith("Writing manifest to image destination\n"
                                                             "Storing signatures\n")
    assert fresh_registry.client().head_manifest("pushed", "v1")
    assert berth(b, "pull", "-q", dest).stdout == img.id[7:] + "\n"
    # By the image's own name, quietly, through the image group.
    berth(a, "tag", img.ref, fresh_registry.ref("named:v2"))
    p = berth(a, "image", "push", "-q", fresh_registry.ref("named:v2"))
    assert (p.stdout, p.stderr) == ("", "")
    assert fresh_registry.client().head_manifest("named", "v2")


def test_push_errors(daemon, registry, fresh_registry, auth_registry):
    img = registry.images["busybox:latest"]
    p = berth(daemon, "push", "nosuch", fresh_registry.ref("x:1"), check=False)
    assert p.returncode == 125 and p.stderr.startswith("Error: ") and "No such image: nosuch" in p.stderr
    pulled(daemon, img)
    p = berth(daemon, "push", img.ref, auth_registry.ref("creds:v1"), check=False)
    assert p.returncode == 125 and p.stderr.splitlines()[-1].startswith("Error: ")
    assert "authentication required" in p.stderr
    p = berth(daemon, "push", "--creds", f"{AUTH_USER}:{AUTH_PASSWORD}", img.ref, auth_registry.ref("creds:v1"))
    assert auth_registry.client().head_manifest("creds", "v1")
    p = berth(daemon, "push", "--creds", AUTH_USER, img.ref, check=False)
    assert (p.returncode, p.stderr) == (125, "Error: invalid --creds: expected USERNAME:PASSWORD, both not empty\n")
    p = berth(daemon, "push", check=False)
    assert (p.returncode, p.stderr) == (125, "Error: requires at least 1 arg(s), only received 0\n")


def test_push_tls_verify(daemon, registry, fresh_registry):
    img = registry.images["busybox:latest"]
    pulled(daemon, img)
    p = berth(daemon, "push", "--tls-verify", img.ref, fresh_registry.ref("tls:v1"), check=False)
    assert p.returncode == 125
    last = p.stderr.splitlines()[-1]
    assert last.startswith("Error: ") and last.endswith(
        f"(https://{fresh_registry.host}/v2/; TLS is required for this registry)"), last
    # By a name that is not loopback the registry needs tlsVerify=false, for that push alone.
    other = f"{fresh_registry.other_host()}/tls:v2"
    p = berth(daemon, "push", img.ref, other, check=False)
    assert p.returncode == 125 and "TLS is required for this registry" in p.stderr
    assert fresh_registry.client().catalog() == []
    p = berth(daemon, "push", "--tls-verify=false", img.ref, other)
    assert p.stderr.endswith("Writing manifest to image destination\nStoring signatures\n")
    assert fresh_registry.client().head_manifest("tls", "v2")
    p = run(["podman", "--remote", "push", "--tls-verify=false", img.ref, f"{fresh_registry.other_host()}/tls:v3"],
            env=client_env(daemon))
    assert fresh_registry.client().head_manifest("tls", "v3")
    p = berth(daemon, "push", "--tls-verify=no", img.ref, check=False)
    assert (p.returncode, p.stderr) == (
        125, 'Error: invalid argument "no" for "--tls-verify" flag: expected true or false\n')
    # pull's own flags are not push's.
    p = berth(daemon, "push", "--platform", "linux/amd64", img.ref, check=False)
    assert p.returncode == 125 and "--platform" in p.stderr


def test_push_authfile(daemon, registry, auth_registry, workdir):
    img = registry.images["busybox:latest"]
    pulled(daemon, img)
    host, dest = auth_registry.host, auth_registry.ref("authfile:v1")
    path = os.path.join(workdir, "auth.json")
    with open(path, "w") as f:
        pair = base64.b64encode(f"{AUTH_USER}:{AUTH_PASSWORD}".encode()).decode()
        json.dump({"auths": {host: {"auth": pair}}}, f)
    p = berth(daemon, "push", "--authfile", path, img.ref, dest)
    assert "Writing manifest" in p.stderr
    assert auth_registry.client().head_manifest("authfile", "v1")
    # Nothing in the file for an open registry: pushed without credentials, as podman does.
    p = berth(daemon, "push", "--authfile", path, img.ref, registry.ref("authfile:v1"))
    assert registry.client().head_manifest("authfile", "v1")
    missing = os.path.join(workdir, "none.json")
    p = berth(daemon, "push", "--authfile", missing, img.ref, dest, check=False)
    assert (p.returncode, p.stderr) == (125, f"Error: cannot read the auth file {missing}: No such file or directory\n")


# ---------------------------------------------------------------------------
# login and logout


def stored_auth(path):
    with open(path) as f:
        auths = json.load(f)["auths"]
    return {host: base64.b64decode(v["auth"]).decode() for host, v in auths.items()}


@pytest.fixture
def logins(make_daemon, workdir):
    """A daemon with its own auth file, a second one that never logs in (a "remote"
    daemon, reached only through X-Registry-Auth), and the client's auth file."""
    class Logins:
        pass
    lg = Logins()
    lg.daemon_file = os.path.join(workdir, "daemon-auth.json")
    lg.client_file = os.path.join(workdir, "client", "auth.json")
    lg.d = make_daemon("d", env=dict(os.environ, REGISTRY_AUTH_FILE=lg.daemon_file))
    lg.remote = make_daemon("remote", env=dict(os.environ, REGISTRY_AUTH_FILE=os.path.join(workdir, "none.json")))
    lg.env = lambda daemon: client_env(daemon, REGISTRY_AUTH_FILE=lg.client_file)
    return lg


def test_login_then_pull_and_push_without_creds(logins, registry, auth_registry):
    d, remote, host = logins.d, logins.remote, auth_registry.host
    img = auth_registry.images["busybox:latest"]
    p = berth(d, "login", "-u", AUTH_USER, "--password-stdin", host, input=AUTH_PASSWORD + "\n", env=logins.env(d))
    assert (p.stdout, p.stderr) == ("Login Succeeded!\n", "")
    # berthd keeps the login, and so does berth, both as containers-auth.json.
    assert stored_auth(logins.daemon_file) == {host: f"{AUTH_USER}:{AUTH_PASSWORD}"}
    assert stored_auth(logins.client_file) == {host: f"{AUTH_USER}:{AUTH_PASSWORD}"}
    assert os.stat(logins.client_file).st_mode & 0o777 == 0o600
    assert berth(d, "pull", "-q", img.ref, env=logins.env(d)).stdout == img.id[7:] + "\n"
    # The other daemon never logged in: berth's X-Registry-Auth from its file does it.
    assert berth(remote, "pull", "-q", img.ref, env=logins.env(remote)).stdout == img.id[7:] + "\n"
    p = berth(remote, "push", img.ref, auth_registry.ref("pushed:v1"), env=logins.env(remote))
    assert "Writing manifest" in p.stderr
    assert auth_registry.client().head_manifest("pushed", "v1")
    p = berth(d, "login", "--get-login", host, env=logins.env(d))
    assert p.stdout == AUTH_USER + "\n"
    # Without new credentials the stored ones are checked, as podman does.
    p = berth(d, "login", f"http://{host}/v2/", env=logins.env(d), input="")
    assert p.stdout == (f"Authenticating with existing credentials for {host}\n"
                        f"Existing credentials are valid. Already logged in to {host}\n")

    p = berth(d, "logout", host, env=logins.env(d))
    assert p.stdout == f"Removed login credentials for {host}\n"
    assert stored_auth(logins.client_file) == {}
    # berthd's own copy stays (the Docker API has no logout); the remote one has none left.
    assert stored_auth(logins.daemon_file) == {host: f"{AUTH_USER}:{AUTH_PASSWORD}"}
    berth(remote, "rmi", "-a", env=logins.env(remote))
    p = berth(remote, "pull", img.ref, env=logins.env(remote), check=False)
    assert p.returncode == 125 and p.stderr.splitlines()[-1].startswith("Error: ")
    p = berth(d, "logout", host, env=logins.env(d), check=False)
    assert (p.returncode, p.stderr) == (125, f"Error: not logged into {host}\n")
    p = berth(d, "login", "--get-login", host, env=logins.env(d), check=False)
    assert (p.returncode, p.stderr) == (125, f"Error: not logged into {host}\n")


def test_login_with_wrong_password(logins, auth_registry):
    d, host = logins.d, auth_registry.host
    p = berth(d, "login", "-u", AUTH_USER, "-p", "wrong", host, env=logins.env(d), check=False)
    assert p.returncode == 125 and p.stdout == ""
    assert p.stderr.startswith(f'Error: logging into "{host}": ') and "unauthorized" in p.stderr
    assert "wrong" not in p.stderr
    assert not os.path.exists(logins.client_file) and not os.path.exists(logins.daemon_file)
    # Nobody to ask for the password: standard input is no terminal.
    p = berth(d, "login", "-u", AUTH_USER, host, env=logins.env(d), check=False, input="")
    assert p.returncode == 125
    assert p.stderr == "Error: cannot ask for the password: standard input is not a terminal (use --password-stdin)\n"
    p = berth(d, "login", "-p", "x", "--password-stdin", "-u", AUTH_USER, host, env=logins.env(d), check=False)
    assert (p.returncode, p.stderr) == (125, "Error: Can't specify both --password-stdin and --password\n")
    p = berth(d, "login", env=logins.env(d), check=False)
    assert (p.returncode, p.stderr) == (125, "Error: please provide a registry to log into\n")
    p = berth(d, "login", "a", "b", env=logins.env(d), check=False)
    assert (p.returncode, p.stderr) == (125, "Error: accepts 1 arg(s), received 2\n")


def test_login_prompts_without_echo(logins, auth_registry):
    d, host = logins.d, auth_registry.host
    status, shown = on_terminal(logins.env(d), ["login", "-u", AUTH_USER, host], AUTH_PASSWORD)
    assert status == 0, shown
    # The password is typed but never shown.
    assert shown == "Password: \nLogin Succeeded!\n"
    assert stored_auth(logins.client_file) == {host: f"{AUTH_USER}:{AUTH_PASSWORD}"}


def test_logout_all(logins, auth_registry, registry):
    d = logins.d
    for host in (auth_registry.host, registry.host):
        # The anonymous registry takes any credentials.
        password = AUTH_PASSWORD if host == auth_registry.host else "anything"
        berth(d, "login", "-u", AUTH_USER, "-p", password, host, env=logins.env(d))
    assert sorted(stored_auth(logins.client_file)) == sorted([auth_registry.host, registry.host])
    p = berth(d, "logout", "--all", env=logins.env(d))
    assert p.stdout == "Removed login credentials for all registries\n"
    assert stored_auth(logins.client_file) == {}
    p = berth(d, "logout", "-a", "x", env=logins.env(d), check=False)
    assert (p.returncode, p.stderr) == (125, "Error: --all takes no arguments\n")
    p = berth(d, "logout", env=logins.env(d), check=False)
    assert (p.returncode, p.stderr) == (125, "Error: registry must be given\n")


# ---------------------------------------------------------------------------
# image prune


def test_image_prune(daemon, registry):
    bb, multi = registry.images["busybox:latest"], registry.images["multilayer:latest"]
    pulled(daemon, bb)
    pulled(daemon, multi)
    berth(daemon, "untag", bb.ref)
    # Asked first: anything but yes keeps the images.
    p = berth(daemon, "image", "prune", input="n\n")
    assert p.stdout == ("WARNING! This command removes all dangling images.\n"
                        "Are you sure you want to continue? [y/N] ")
    assert image_ids(daemon) == sorted([bb.id[7:], multi.id[7:]])
    p = berth(daemon, "image", "prune", check=False, input="")
    assert p.returncode == 125
    assert p.stderr == "Error: no answer on standard input: use --force to prune without asking\n"
    p = berth(daemon, "image", "prune", input="y\n")
    assert p.stdout.endswith("[y/N] " + bb.id[7:] + "\n")
    assert image_ids(daemon) == [multi.id[7:]]
    assert berth(daemon, "image", "prune", "-f").stdout == ""
    p = berth(daemon, "image", "prune", "--all", input="yes\n")
    assert p.stdout == ("WARNING! This command removes all images without at least one container associated "
                        "with them.\nAre you sure you want to continue? [y/N] " + multi.id[7:] + "\n")
    assert image_ids(daemon) == []
    p = berth(daemon, "image", "prune", "-f", "extra", check=False)
    assert (p.returncode, p.stderr) == (125, "Error: \"berth image prune\" takes no arguments\n")


def test_unreachable_daemon(daemon, workdir):
    path = os.path.join(workdir, "rootfs.tar")
    rootfs_tarball(path)
    env = client_env(daemon, CONTAINER_HOST=f"unix://{workdir}/none.sock",
                     REGISTRY_AUTH_FILE=os.path.join(workdir, "auth.json"))
    for args in (["save", "x"], ["load", "-i", path], ["import", path], ["push", "x"],
                 ["login", "-u", "a", "-p", "b", "h:1"], ["image", "prune", "-f"]):
        p = run([BERTH, *args], env=env, check=False)
        assert p.returncode == 125, args
        assert p.stderr == (f"Error: cannot connect to berthd at unix://{workdir}/none.sock: "
                            "No such file or directory (is berthd running?)\n"), args
    assert not os.path.exists(os.path.join(workdir, "auth.json"))
