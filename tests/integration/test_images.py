"""Pulling, listing, inspecting, tagging and removing images through the Docker API,
the libpod API and the real clients, against a real registry on loopback."""
import json
import os
import signal
import stat
import subprocess
import threading
import time

import pytest

from conftest import client_env, request, run
from registry import auth_registry, fresh_registry, registry  # noqa: F401 - fixtures

PYTHON = "/usr/bin/python3"


def layer_dirs(daemon):
    d = os.path.join(daemon.root, "layers")
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def pull(daemon, ref, headers=None):
    image, _, tag = ref.rpartition(":")
    return daemon.request("POST", f"/v1.41/images/create?fromImage={image}&tag={tag}", headers=headers)


def stream_lines(r):
    return [json.loads(line) for line in r.body.decode().splitlines() if line.strip()]


def test_docker_cli_pull_list_inspect(daemon, registry):
    img = registry.images["busybox:latest"]
    env = client_env(daemon)
    p = run(["docker", "pull", img.ref], env=env)
    assert "Downloaded newer image" in p.stdout
    assert f"Digest: {img.digest}" in p.stdout
    p = run(["docker", "pull", img.ref], env=env)
    assert "Image is up to date" in p.stdout
    out = run(["docker", "images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"], env=env).stdout
    assert f"{img.name}:latest {img.id[7:19]}" in out
    info = json.loads(run(["docker", "image", "inspect", img.ref], env=env).stdout)[0]
    assert info["Id"] == img.id
    assert info["RepoTags"] == [img.ref]
    assert info["RepoDigests"] == [img.digest_ref]
    assert info["RootFS"]["Layers"] == img.diff_ids
    assert info["Os"] == "linux" and info["Architecture"]
    assert info["Config"]["Cmd"] == ["sh"]
    assert info["Size"] > 1_000_000
    # The layer is on disk where GraphDriver says.
    lower = info["GraphDriver"]["Data"]["LowerDir"]
    assert os.path.isfile(os.path.join(lower, "bin", "busybox"))


def test_progress_stream_shape(daemon, registry):
    r = pull(daemon, registry.images["busybox:latest"].ref)
    assert r.status == 200
    lines = stream_lines(r)
    assert lines[0]["status"].startswith("Pulling from busybox")
    statuses = [line["status"] for line in lines]
    assert "Pulling fs layer" in statuses and "Pull complete" in statuses
    assert statuses[-1].startswith("Status: Downloaded newer image for")
    assert not any("error" in line for line in lines)


def test_oci_manifest_and_platform_index(daemon, registry):
    bb = registry.images["busybox:latest"]
    oci = registry.images["busybox:oci"]
    plat = registry.images["platforms:latest"]
    for ref in (oci.ref, plat.ref):
        assert pull(daemon, ref).status == 200
    assert daemon.request("GET", f"/images/{oci.ref}/json").json()["Id"] == bb.id
    assert daemon.request("GET", f"/images/{plat.ref}/json").json()["Id"] == plat.id
    # One busybox layer on disk, shared by all three names.
    assert len(layer_dirs(daemon)) == 1


def test_platform_of_an_image_without_a_list(daemon, registry):
    """Docker refuses an image that comes without a manifest list when it is of another
    platform than asked for; Podman (libpod) pulls it anyway."""
    img = registry.images["busybox:latest"]
    r = daemon.request("POST", f"/images/create?fromImage={img.name}&tag=latest&platform=linux/s390x")
    assert r.status == 200
    last = stream_lines(r)[-1]
    assert "was found but does not match the specified platform: wanted linux/s390x, actual: linux/" \
        in last["errorDetail"]["message"], last
    assert daemon.request("GET", f"/images/{img.ref}/json").status == 404
    r = daemon.request("POST", f"/v4.3.1/libpod/images/pull?reference={img.ref}&arch=s390x")
    assert r.status == 200 and b"error" not in r.body, r.body
    assert daemon.request("GET", f"/images/{img.ref}/json").json()["Id"] == img.id


def test_pull_by_digest(daemon, registry):
    img = registry.images["busybox:latest"]
    r = daemon.request("POST", f"/images/create?fromImage={img.name}&tag={img.digest}")
    assert r.status == 200, r.body
    info = daemon.request("GET", f"/images/{img.digest_ref}/json").json()
    assert info["Id"] == img.id and info["RepoTags"] == []


def test_multilayer_whiteouts_become_overlay_whiteouts(daemon, registry):
    img = registry.images["multilayer:latest"]
    assert pull(daemon, img.ref).status == 200
    top = os.path.join(daemon.root, "layers", img.diff_ids[2][7:])
    st = os.lstat(os.path.join(top, "data", "a.txt"))
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == 0
    assert os.getxattr(os.path.join(top, "data", "dir"), "trusted.overlay.opaque") == b"y"
    assert not os.path.exists(os.path.join(top, "data", ".wh.a.txt"))
    middle = os.path.join(daemon.root, "layers", img.diff_ids[1][7:])
    assert open(os.path.join(middle, "data", "a.txt")).read() == "a"


def test_corrupted_blob_is_refused_and_nothing_is_stored(daemon, registry):
    img = registry.images["corrupt:latest"]
    before = layer_dirs(daemon)
    r = pull(daemon, img.ref)
    text = r.body.decode()
    assert registry.corrupt_digest in text and registry.host in text
    assert "does not match" in text
    assert daemon.request("GET", f"/images/{img.ref}/json").status == 404
    after = layer_dirs(daemon)
    assert img.diff_ids[-1][7:] not in after
    assert set(after) - set(before) <= {img.diff_ids[0][7:]}
    assert not os.listdir(os.path.join(daemon.root, "tmp"))


def test_unknown_repository_and_tag_are_404(daemon, registry):
    r = daemon.request("POST", f"/images/create?fromImage={registry.host}/nosuch&tag=latest")
    assert r.status == 404
    assert "nosuch" in r.json()["message"]
    r = daemon.request("POST", f"/images/create?fromImage={registry.host}/busybox&tag=nosuchtag")
    assert r.status == 404
    assert "MANIFEST_UNKNOWN" in r.json()["message"] or "manifest unknown" in r.json()["message"]
    r = daemon.request("POST", "/images/create?fromImage=Bad/Name")
    assert r.status == 400 and "lowercase" in r.json()["message"]
    r = daemon.request("POST", "/images/create")
    assert r.status == 400 and "fromImage" in r.json()["message"]
    r = daemon.request("GET", "/images/nosuch:1/json")
    assert r.status == 404 and r.json()["message"] == "No such image: nosuch:1"


def test_unreachable_registry(daemon):
    r = daemon.request("POST", "/images/create?fromImage=127.0.0.1:1/busybox&tag=latest")
    assert r.status in (502, 500)
    assert "127.0.0.1:1" in r.json()["message"]


def test_tag_and_remove(daemon, registry):
    img = registry.images["busybox:latest"]
    env = client_env(daemon)
    run(["docker", "pull", "-q", img.ref], env=env)
    run(["docker", "tag", img.ref, "mine:v1"], env=env)
    run(["docker", "tag", img.ref, "other/thing"], env=env)
    tags = daemon.request("GET", f"/images/{img.id}/json").json()["RepoTags"]
    assert sorted(tags) == sorted([img.ref, "mine:v1", "other/thing:latest"])
    r = daemon.request("DELETE", f"/images/{img.id[7:19]}")
    assert r.status == 409 and "must be forced" in r.json()["message"]
    p = run(["docker", "rmi", "mine:v1"], env=env)
    assert "Untagged: mine:v1" in p.stdout and "Deleted" not in p.stdout
    run(["docker", "rmi", "other/thing"], env=env)
    p = run(["docker", "rmi", img.ref], env=env)
    assert f"Deleted: {img.id}" in p.stdout
    assert layer_dirs(daemon) == []
    assert daemon.request("GET", "/images/json").json() == []
    p = run(["docker", "rmi", "nosuch"], env=env, check=False)
    assert p.returncode != 0 and "No such image: nosuch" in p.stderr


def test_docker_py(daemon, registry):
    img = registry.images["busybox:latest"]
    code = f"""
import docker
c = docker.DockerClient(base_url="{daemon.url}")
i = c.images.pull("{img.name}", tag="latest")
assert i.id == "{img.id}", i.id
assert [x.id for x in c.images.list()] == ["{img.id}"]
assert c.images.get("{img.ref}").tags == ["{img.ref}"]
i.tag("py/tagged", "t1")
assert "py/tagged:t1" in c.images.get("{img.id}").tags
c.images.remove("py/tagged:t1")
try:
    c.images.get("py/tagged:t1")
    raise SystemExit("still there")
except docker.errors.ImageNotFound:
    pass
print("ok")
"""
    assert run([PYTHON, "-c", code]).stdout.strip() == "ok"


def test_podman_remote(daemon, registry):
    img = registry.images["busybox:latest"]
    env = client_env(daemon)
    p = run(["podman", "--remote", "pull", img.ref], env=env)
    assert img.id[7:] in p.stdout
    out = run(["podman", "--remote", "images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"], env=env).stdout
    assert f"{img.name}:latest {img.id[7:19]}" in out
    info = json.loads(run(["podman", "--remote", "image", "inspect", img.ref], env=env).stdout)[0]
    assert info["Id"] == img.id[7:] and info["Digest"] == img.digest
    run(["podman", "--remote", "tag", img.ref, "localhost/mine:v2"], env=env)
    run(["podman", "--remote", "untag", img.ref, "localhost/mine:v2"], env=env)
    assert "localhost/mine:v2" not in daemon.request("GET", f"/libpod/images/{img.ref}/json").json()["RepoTags"]
    p = run(["podman", "--remote", "rmi", img.ref], env=env)
    assert img.id[7:] in p.stdout
    assert daemon.request("GET", "/libpod/images/json").json() == []


def test_concurrent_pulls_do_the_work_once(daemon, registry):
    img = registry.images["multilayer:latest"]
    results = []

    def one():
        results.append(pull(daemon, img.ref))

    threads = [threading.Thread(target=one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert [r.status for r in results] == [200] * 4
    for r in results:
        assert not any("error" in line for line in stream_lines(r))
    assert len(layer_dirs(daemon)) == 3
    assert daemon.request("GET", f"/images/{img.ref}/json").json()["Id"] == img.id


def test_images_survive_restart(make_daemon, registry):
    d = make_daemon()
    img = registry.images["busybox:latest"]
    assert pull(d, img.ref).status == 200
    assert d.stop() == 0
    d.start()
    assert d.request("GET", f"/images/{img.ref}/json").json()["Id"] == img.id
    assert d.request("GET", "/images/json").json()[0]["RepoTags"] == [img.ref]


def test_kill_9_during_pull_then_clean_restart(make_daemon, registry):
    d = make_daemon()
    img = registry.images["multilayer:latest"]
    def interrupted_pull():
        try:
            pull(d, img.ref)
        except Exception:  # noqa: BLE001 - the daemon is killed mid-answer on purpose
            pass

    conn_thread = threading.Thread(target=interrupted_pull)
    conn_thread.start()
    time.sleep(0.05)
    d.proc.send_signal(signal.SIGKILL)
    d.proc.wait()
    conn_thread.join(30)
    d.start()
    # Whatever the kill interrupted is gone or complete: no temp dirs, no orphans.
    assert os.listdir(os.path.join(d.root, "tmp")) == [] if os.path.isdir(os.path.join(d.root, "tmp")) else True
    r = pull(d, img.ref)
    assert r.status == 200
    assert d.request("GET", f"/images/{img.ref}/json").json()["Id"] == img.id
    assert len(layer_dirs(d)) == 3


def test_pull_with_credentials(daemon, auth_registry):
    img = auth_registry.images["busybox:latest"]
    r = pull(daemon, img.ref)
    assert r.status == 403 or r.status == 401 or "authentication" in r.body.decode()
    import base64
    creds = base64.urlsafe_b64encode(json.dumps(
        {"username": auth_registry.user, "password": auth_registry.password}).encode()).decode()
    r = pull(daemon, img.ref, headers={"X-Registry-Auth": creds})
    assert r.status == 200 and b"Downloaded newer image" in r.body
    bad = base64.urlsafe_b64encode(json.dumps({"username": "berth", "password": "wrong"}).encode()).decode()
    daemon.request("DELETE", f"/images/{img.ref}")
    r = pull(daemon, img.ref, headers={"X-Registry-Auth": bad})
    assert r.status in (401, 403) and "unauthorized" in r.body.decode().lower() or "authentication" in r.body.decode()


def test_libpod_pull_stream(daemon, registry):
    img = registry.images["busybox:latest"]
    r = daemon.request("POST", f"/v4.3.1/libpod/images/pull?reference={img.ref}")
    assert r.status == 200
    lines = stream_lines(r)
    assert lines[-1] == {"images": [img.id[7:]], "id": img.id[7:]}
    assert daemon.request("GET", f"/libpod/images/{img.ref}/exists").status == 204
    assert daemon.request("GET", "/libpod/images/nosuch/exists").status == 404
    r = daemon.request("POST", "/libpod/images/pull?reference=127.0.0.1:1/x")
    assert r.status >= 400


def test_list_filters(daemon, registry):
    bb = registry.images["busybox:latest"]
    ml = registry.images["multilayer:latest"]
    assert pull(daemon, bb.ref).status == 200
    assert pull(daemon, ml.ref).status == 200
    daemon.request("POST", f"/images/{bb.ref}/tag?repo=local/tagged&tag=x")

    def ids(filters):
        from urllib.parse import quote
        r = daemon.request("GET", "/images/json?filters=" + quote(json.dumps(filters)))
        assert r.status == 200, r.body
        return sorted(i["Id"] for i in r.json())

    assert ids({"reference": ["local/*"]}) == [bb.id]
    assert ids({"reference": ["local/tagged:x"]}) == [bb.id]
    assert ids({"reference": [f"{registry.host}/multi*"]}) == [ml.id]
    assert ids({"dangling": ["true"]}) == []
    assert ids({"dangling": ["false"]}) == sorted([bb.id, ml.id])
    assert ids({"since": [bb.ref]}) == [ml.id]
    assert ids({"before": [ml.ref]}) == [bb.id]
    r = daemon.request("GET", "/images/json?filters=%7B%22colour%22%3A%5B%22red%22%5D%7D")
    assert r.status == 400 and 'unsupported filter "colour"' in r.json()["message"]
    r = daemon.request("GET", "/images/json?filters=notjson")
    assert r.status == 400


def test_prune(daemon, registry):
    bb = registry.images["busybox:latest"]
    ml = registry.images["multilayer:latest"]
    assert pull(daemon, bb.ref).status == 200
    assert pull(daemon, ml.ref).status == 200
    # Make busybox dangling: its only name goes away but the image stays.
    assert daemon.request("POST", f"/libpod/images/{bb.ref}/untag").status == 201
    r = daemon.request("POST", "/images/prune")
    assert r.status == 200
    body = r.json()
    assert {"Deleted": bb.id} in body["ImagesDeleted"] and body["SpaceReclaimed"] > 0
    assert [i["Id"] for i in daemon.request("GET", "/images/json").json()] == [ml.id]
    from urllib.parse import quote
    r = daemon.request("POST", "/images/prune?filters=" + quote(json.dumps({"dangling": ["false"]})))
    assert {"Deleted": ml.id} in r.json()["ImagesDeleted"]
    assert daemon.request("GET", "/images/json").json() == []
    assert layer_dirs(daemon) == []


def test_sigterm_during_a_streaming_pull_exits_cleanly(make_daemon, registry):
    import socket as sk
    d = make_daemon()
    img = registry.images["multilayer:latest"]
    image, _, tag = img.ref.rpartition(":")
    s = sk.socket(sk.AF_UNIX, sk.SOCK_STREAM)
    s.connect(d.socket)
    s.sendall(f"POST /images/create?fromImage={image}&tag={tag} HTTP/1.1\r\nHost: x\r\n"
              "Content-Length: 0\r\n\r\n".encode())
    assert s.recv(4096).startswith(b"HTTP/1.1 200")   # the stream has begun
    assert d.stop(signal.SIGTERM) == 0
    s.close()
    d.start()
    # Whatever the pull reached is either complete or gone.
    assert not os.path.isdir(os.path.join(d.root, "tmp")) or os.listdir(os.path.join(d.root, "tmp")) == []
    assert pull(d, img.ref).status == 200


def test_unsupported_media_types_are_refused_clearly(daemon, fresh_registry):
    """A layer type berth cannot unpack, and an artifact that is no image at all: a 501
    naming the type, and nothing stored."""
    import mkimage
    img = mkimage.busybox_image()
    client = fresh_registry.client()
    pushed = fresh_registry.push("odd:base", img, oci=True)
    manifest = json.loads(pushed.manifest)
    manifest["layers"][0]["mediaType"] = "application/vnd.example.weird.layer"
    body = json.dumps(manifest).encode()
    client.put_manifest("odd", "weird", body, "application/vnd.oci.image.manifest.v1+json")
    r = daemon.request("POST", f"/images/create?fromImage={fresh_registry.host}/odd&tag=weird")
    assert r.status == 501
    assert 'unsupported layer media type "application/vnd.example.weird.layer"' in r.json()["message"]
    assert layer_dirs(daemon) == []
    assert daemon.request("GET", "/images/json").json() == []
