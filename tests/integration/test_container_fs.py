"""A container's files against a real berthd: docker cp both ways (also through a symlink
that points out of the container, which must stay inside it), docker export, docker diff,
docker commit and a run of the committed image, docker-py's put_archive/get_archive,
podman --remote cp/diff/commit, and the raw API's errors."""
import base64
import io
import json
import os
import subprocess
import tarfile

import docker
import pytest

from conftest import run
from test_containers import IMAGE, engine_fixture

PODMAN = "podman"


@pytest.fixture(scope="module")
def eng():
    yield from engine_fixture("berth-fs-")


@pytest.fixture
def ctr(eng):
    """A stopped container whose upper directory holds additions, a deletion, a link out."""
    name = "fs-" + os.urandom(4).hex()
    eng.docker("run", "--name", name, "--network", "none", IMAGE, "sh", "-c",
               "echo hello > /created; mkdir -p /dir/sub; echo deep > /dir/sub/f; rm /etc/group;"
               " ln -s /etc /dir/escape")
    yield name
    eng.docker("rm", "-f", name, check=False)


def test_cp_out_file_dir_and_symlink(eng, ctr, tmp_path):
    eng.docker("cp", f"{ctr}:/created", str(tmp_path / "created"))
    assert (tmp_path / "created").read_text() == "hello\n"
    eng.docker("cp", f"{ctr}:/dir/sub", str(tmp_path / "sub"))
    assert (tmp_path / "sub" / "f").read_text() == "deep\n"
    # /dir/escape -> /etc resolves in the container's root, never the host's.
    eng.docker("cp", f"{ctr}:/dir/escape/passwd", str(tmp_path / "passwd"))
    with open("/etc/passwd") as host:
        assert (tmp_path / "passwd").read_text() != host.read()
    assert (tmp_path / "passwd").read_text().startswith("root:x:0:0:root:/root:/bin/sh\n")
    p = eng.fails("cp", f"{ctr}:/nope", str(tmp_path / "nope"))
    assert f"Could not find the file /nope in container {ctr}" in p.stderr


def test_cp_in_file_dir_and_symlink(eng, ctr, tmp_path):
    (tmp_path / "in.txt").write_text("infile\n")
    (tmp_path / "indir" / "a").mkdir(parents=True)
    (tmp_path / "indir" / "a" / "b").write_text("b\n")
    eng.docker("cp", str(tmp_path / "in.txt"), f"{ctr}:/tmp/")
    eng.docker("cp", str(tmp_path / "indir"), f"{ctr}:/newdir")
    # Through the symlink to /etc: lands in the container's /etc, not the host's.
    eng.docker("cp", str(tmp_path / "in.txt"), f"{ctr}:/dir/escape/berth-cp-test")
    assert not os.path.exists("/etc/berth-cp-test")
    eng.docker("cp", f"{ctr}:/etc/berth-cp-test", str(tmp_path / "back"))
    assert (tmp_path / "back").read_text() == "infile\n"
    p = eng.docker("cp", f"{ctr}:/newdir/a/b", "-")
    with tarfile.open(fileobj=io.BytesIO(p.stdout.encode())) as t:
        assert t.extractfile("b").read() == b"b\n"
    # A missing directory: the CLI refuses "DIR/", the daemon a missing parent.
    p = eng.fails("cp", str(tmp_path / "in.txt"), f"{ctr}:/missing/dir/")
    p = eng.fails("cp", str(tmp_path / "in.txt"), f"{ctr}:/missing/file")
    assert f"Could not find the file /missing in container {ctr}" in p.stderr


def test_cp_running_container(eng):
    cid = eng.out("run", "-d", "--network", "none", IMAGE, "sleep", "1000").strip()
    try:
        r = eng.api("PUT", f"/v1.41/containers/{cid}/archive?path=/tmp", body=tar_of({"live.txt": b"live\n"}))
        assert r.status == 200, r.body
        assert eng.out("exec", cid, "cat", "/tmp/live.txt") == "live\n"
    finally:
        eng.docker("rm", "-f", cid, check=False)


def tar_of(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for name, data in files.items():
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def test_archive_api_errors_and_stat(eng, ctr):
    r = eng.api("HEAD", f"/v1.41/containers/{ctr}/archive?path=/dir/escape")
    assert r.status == 200
    st = json.loads(base64.b64decode(r.headers["X-Docker-Container-Path-Stat"]))
    assert st["name"] == "escape" and st["linkTarget"] == "/etc"
    assert st["mode"] & (1 << 27)       # Go's os.ModeSymlink
    r = eng.api("HEAD", f"/v1.41/containers/{ctr}/archive?path=/nope")
    assert r.status == 404
    r = eng.api("GET", f"/v1.41/containers/{ctr}/archive?path=")
    assert r.status == 400 and r.json()["message"] == "path is required"
    r = eng.api("GET", f"/v1.41/containers/{ctr}/archive?path=/nope")
    assert r.status == 404
    assert r.json()["message"] == f"Could not find the file /nope in container {ctr}"
    r = eng.api("GET", "/v1.41/containers/nosuch/archive?path=/")
    assert r.status == 404 and r.json()["message"] == "No such container: nosuch"
    r = eng.api("PUT", f"/v1.41/containers/{ctr}/archive?path=/created", body=tar_of({"x": b"x"}))
    assert r.status == 400 and r.json()["message"] == "extraction point is not a directory"
    r = eng.api("PUT", f"/v1.41/containers/{ctr}/archive?path=/", body=tar_of({"../../outside": b"x"}))
    assert r.status >= 400
    assert not os.path.exists(os.path.join(eng.root, "outside"))
    r = eng.api("GET", f"/v1.41/containers/{ctr}/changes")
    assert r.status == 200 and {"Path": "/created", "Kind": 1} in r.json()
    r = eng.api("POST", "/v1.41/commit")
    assert r.status == 400 and r.json()["message"] == "container is required"
    r = eng.api("POST", "/v1.41/commit?container=nosuch")
    assert r.status == 404 and r.json()["message"] == "No such container: nosuch"


def test_export(eng, ctr):
    p = subprocess.run(f"docker export {ctr} | tar t", shell=True, env=eng.env, capture_output=True,
                       text=True, check=True)
    names = p.stdout.split()
    assert "created" in names and "bin/busybox" in names and "dir/sub/f" in names
    assert "etc/group" not in names and not any(".wh." in n for n in names)


def test_diff(eng, ctr):
    lines = eng.out("diff", ctr).splitlines()
    assert lines == ["A /created", "A /dir", "A /dir/escape", "A /dir/sub", "A /dir/sub/f", "C /etc",
                     "D /etc/group"]


def test_commit_and_run(eng, ctr):
    out = eng.out("commit", "-c", "ENV FOO=bar", "-m", "a message", "-a", "me", ctr, "committed:v1").strip()
    assert out.startswith("sha256:")
    got = eng.out("run", "--rm", "--network", "none", "committed:v1", "sh", "-c",
                  "cat /created /dir/sub/f; echo $FOO; test -e /etc/group || echo gone")
    assert got == "hello\ndeep\nbar\ngone\n"
    info = json.loads(eng.out("image", "inspect", "committed:v1"))[0]
    assert info["Id"] == out and info["Comment"] == "a message" and info["Author"] == "me"
    assert len(info["RootFS"]["Layers"]) == 2
    base = json.loads(eng.out("image", "inspect", IMAGE))[0]
    assert info["RootFS"]["Layers"][0] == base["RootFS"]["Layers"][0]
    # docker save reproduces the committed layer byte for byte (its tar-split is kept).
    p = subprocess.run(["docker", "save", "committed:v1"], env=eng.env, capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(p.stdout)) as t:
        manifest = json.load(t.extractfile("manifest.json"))
        assert len(manifest[0]["Layers"]) == 2
    eng.docker("rmi", "committed:v1")


def test_commit_running_pauses_and_resumes(eng):
    cid = eng.out("run", "-d", "--network", "none", IMAGE, "sh", "-c", "echo x > /live; sleep 1000").strip()
    try:
        eng.wait_state(cid, lambda s: s["Running"])
        r = eng.api("POST", f"/v1.41/commit?container={cid}&repo=live&tag=1",
                    body={"Cmd": ["cat", "/live"]})
        assert r.status == 201, r.body
        assert r.json()["Id"].startswith("sha256:")
        assert eng.state(cid)["Status"] == "running"
        assert eng.out("run", "--rm", "--network", "none", "live:1") == "x\n"
    finally:
        eng.docker("rm", "-f", cid, check=False)
        eng.docker("rmi", "live:1", check=False)


def test_docker_py_archive(eng):
    client = docker.DockerClient(base_url=eng.daemon.url)
    c = client.containers.run(IMAGE, ["sleep", "1000"], detach=True, network_mode="none")
    try:
        assert c.put_archive("/tmp", tar_of({"py.txt": b"from docker-py\n"}))
        bits, stat = c.get_archive("/tmp/py.txt")
        assert stat["name"] == "py.txt" and stat["size"] == 15
        with tarfile.open(fileobj=io.BytesIO(b"".join(bits))) as t:
            assert t.extractfile("py.txt").read() == b"from docker-py\n"
        assert {"Path": "/tmp/py.txt", "Kind": 1} in c.diff()
    finally:
        c.remove(force=True)
        client.close()


def test_podman_remote_cp_diff_commit(eng, ctr, tmp_path):
    env = dict(eng.env, CONTAINER_HOST=eng.daemon.url)
    (tmp_path / "in.txt").write_text("from podman\n")
    run([PODMAN, "--remote", "cp", str(tmp_path / "in.txt"), f"{ctr}:/tmp/"], env=env)
    run([PODMAN, "--remote", "cp", str(tmp_path / "in.txt"), f"{ctr}:/tmp/renamed.txt"], env=env)
    run([PODMAN, "--remote", "cp", f"{ctr}:/created", str(tmp_path / "out")], env=env)
    assert (tmp_path / "out").read_text() == "hello\n"
    run([PODMAN, "--remote", "cp", f"{ctr}:/dir/escape/passwd", str(tmp_path / "pw")], env=env)
    assert (tmp_path / "pw").read_text().startswith("root:x:0:0:root:/root:/bin/sh\n")
    p = run([PODMAN, "--remote", "diff", ctr], env=env)
    assert "A /tmp/in.txt" in p.stdout.splitlines() and "A /tmp/renamed.txt" in p.stdout.splitlines()
    p = run([PODMAN, "--remote", "commit", ctr, "pcommit:1"], env=env)
    assert len(p.stdout.strip()) == 64
    assert eng.out("run", "--rm", "--network", "none", "pcommit:1", "cat", "/tmp/renamed.txt") == "from podman\n"
    eng.docker("rmi", "pcommit:1")
