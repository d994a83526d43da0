"""Pushing images and logging in to registries through the Docker API, the libpod API
and the real clients (docker CLI, docker-py, podman --remote), against real registries
on loopback. Every daemon that logs in keeps its auth file in the test's directory."""
import base64
import json
import os

import pytest

from conftest import client_env, run
from registry import auth_registry, fresh_registry, registry  # noqa: F401 - fixtures

PYTHON = "/usr/bin/python3"
MT_DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"


def stream_lines(r):
    return [json.loads(line) for line in r.body.decode().splitlines() if line.strip()]


def auth_daemon(make_daemon, name="d"):
    """A daemon whose auth file (REGISTRY_AUTH_FILE) lives in the test's directory."""
    d = make_daemon(name, start=False)
    d.auth_file = os.path.join(d.dir, "auth.json")
    d.env = dict(os.environ, REGISTRY_AUTH_FILE=d.auth_file)
    return d.start()


def podman_env(daemon):
    """podman logs in client-side: its auth file too stays in the test's directory."""
    path = os.path.join(daemon.dir, "podman-auth.json")
    if not os.path.exists(path):
        with open(path, "w") as f:
            f.write("{}")
    return client_env(daemon, REGISTRY_AUTH_FILE=path)


def x_registry_auth(user, password):
    return base64.urlsafe_b64encode(json.dumps({"username": user, "password": password}).encode()).decode()


def pulled_busybox(daemon, registry):
    img = registry.images["busybox:latest"]
    run(["docker", "pull", "-q", img.ref], env=client_env(daemon))
    return img


def push(daemon, name, tag, headers=None, api="/v1.41"):
    return daemon.request("POST", f"{api}/images/{name}/push?tag={tag}", headers=headers)


def stored_auth(path):
    with open(path) as f:
        auths = json.load(f)["auths"]
    return {host: base64.b64decode(v["auth"]).decode() for host, v in auths.items()}


# ---------------------------------------------------------------------------
# push

def test_docker_cli_push_then_pull_into_another_daemon(make_daemon, registry, fresh_registry):
    a = make_daemon("a")
    env = client_env(a)
    img = pulled_busybox(a, registry)
    target = fresh_registry.ref("pushed:v1")
    run(["docker", "tag", img.ref, target], env=env)
    p = run(["docker", "push", target], env=env)
    assert f"The push refers to repository [{fresh_registry.host}/pushed]" in p.stdout
    assert "Pushed" in p.stdout
    status = [line for line in p.stdout.splitlines() if line.startswith("v1: digest: ")]
    assert len(status) == 1, p.stdout
    digest = status[0].split()[2]
    body, media_type, served = fresh_registry.client().get_manifest("pushed", "v1")
    assert served == digest and media_type == MT_DOCKER_MANIFEST
    assert status[0] == f"v1: digest: {digest} size: {len(body)}"
    manifest = json.loads(body)
    assert manifest["config"]["mediaType"] == "application/vnd.docker.container.image.v1+json"
    assert [x["mediaType"] for x in manifest["layers"]] == ["application/vnd.docker.image.rootfs.diff.tar.gzip"]
    # docker inspect shows the pushed digest, as after a pull.
    local = json.loads(run(["docker", "image", "inspect", target], env=env).stdout)[0]
    assert f"{fresh_registry.host}/pushed@{digest}" in local["RepoDigests"]
    # The same image again: nothing to upload, the same manifest.
    p = run(["docker", "push", target], env=env)
    assert "Layer already exists" in p.stdout and f"v1: digest: {digest} " in p.stdout

    b = make_daemon("b")
    env_b = client_env(b)
    run(["docker", "pull", "-q", target], env=env_b)
    there = json.loads(run(["docker", "image", "inspect", target], env=env_b).stdout)[0]
    assert there["Config"]["Cmd"] == ["sh"]
    assert there["Config"] == local["Config"]
    assert len(there["RootFS"]["Layers"]) == len(local["RootFS"]["Layers"]) == 1
    assert there["Id"] == manifest["config"]["digest"]
    assert os.path.isfile(os.path.join(there["GraphDriver"]["Data"]["LowerDir"], "bin", "busybox"))
    # The pulled layer's tar-split rebuilds the exact tar: the config goes out unchanged
    # and the image keeps its ID across push and pull.
    assert there["Id"] == local["Id"]
    assert there["RootFS"]["Layers"] == local["RootFS"]["Layers"]


def test_repacked_layers_are_stable_across_a_round_trip(make_daemon, registry, fresh_registry):
    """A layer berth unpacked from its own push packs to the same tar again, so a second
    push keeps the image ID (the config goes out unchanged)."""
    a = make_daemon("a")
    img = pulled_busybox(a, registry)
    first = fresh_registry.ref("round:1")
    run(["docker", "tag", img.ref, first], env=client_env(a))
    run(["docker", "push", first], env=client_env(a))
    b = make_daemon("b")
    env_b = client_env(b)
    run(["docker", "pull", "-q", first], env=env_b)
    image_id = json.loads(run(["docker", "image", "inspect", first], env=env_b).stdout)[0]["Id"]
    second = fresh_registry.ref("round:2")
    run(["docker", "tag", first, second], env=env_b)
    p = run(["docker", "push", second], env=env_b)
    assert "Layer already exists" in p.stdout
    manifest = json.loads(fresh_registry.client().get_manifest("round", "2")[0])
    assert manifest["config"]["digest"] == image_id


def test_push_progress_stream_shape(daemon, registry, fresh_registry):
    img = pulled_busybox(daemon, registry)
    name = fresh_registry.ref("shape")
    run(["docker", "tag", img.ref, name + ":t1"], env=client_env(daemon))
    r = push(daemon, name, "t1")
    assert r.status == 200
    lines = stream_lines(r)
    assert lines[0] == {"status": f"The push refers to repository [{name}]"}
    statuses = [line.get("status") for line in lines]
    assert "Preparing" in statuses and "Pushed" in statuses
    pushing = [line for line in lines if line.get("status") == "Pushing"]
    assert pushing and all(line["progressDetail"]["total"] >= line["progressDetail"]["current"] > 0
                           for line in pushing)
    body, _, digest = fresh_registry.client().get_manifest("shape", "t1")
    assert lines[-2] == {"status": f"t1: digest: {digest} size: {len(body)}"}
    assert lines[-1] == {"progressDetail": {}, "aux": {"Tag": "t1", "Digest": digest, "Size": len(body)}}
    assert not any("error" in line for line in lines)
    # The layer went up compressed, and only its temp file's name was ever in ROOT/tmp.
    tmp = os.path.join(daemon.root, "tmp")
    assert not os.path.isdir(tmp) or os.listdir(tmp) == []


def test_docker_py_push(daemon, registry, fresh_registry):
    img = pulled_busybox(daemon, registry)
    code = f"""
import docker
c = docker.DockerClient(base_url="{daemon.url}")
c.images.get("{img.ref}").tag("{fresh_registry.host}/py", "v2")
lines = list(c.images.push("{fresh_registry.host}/py", tag="v2", stream=True, decode=True))
assert not any("error" in x for x in lines), lines
aux = [x["aux"] for x in lines if "aux" in x]
assert aux and aux[0]["Tag"] == "v2", lines
print(aux[0]["Digest"])
"""
    digest = run([PYTHON, "-c", code]).stdout.strip()
    assert fresh_registry.client().head_manifest("py", "v2") == digest


def test_podman_remote_push(daemon, registry, fresh_registry):
    img = pulled_busybox(daemon, registry)
    env = podman_env(daemon)
    dest = fresh_registry.ref("pod:v3")
    p = run(["podman", "--remote", "push", img.ref, dest], env=env)
    assert "Writing manifest to image destination" in p.stderr
    assert "Copying blob" in p.stderr
    assert fresh_registry.client().head_manifest("pod", "v3")
    # docker:// is the one transport a remote push knows; quiet says nothing.
    p = run(["podman", "--remote", "push", "-q", img.ref, "docker://" + fresh_registry.ref("pod:v4")], env=env)
    assert p.stderr == "" and fresh_registry.client().head_manifest("pod", "v4")
    # The libpod stream: {stream} lines only (podman 4.3.1 refuses anything else).
    r = daemon.request("POST", f"/v4.3.1/libpod/images/{img.ref}/push?destination={dest}&quiet=false")
    assert r.status == 200
    lines = stream_lines(r)
    assert lines and all(list(line) == ["stream"] for line in lines)


def test_push_unknown_image_is_404(daemon, fresh_registry):
    r = push(daemon, fresh_registry.ref("nosuch"), "v1")
    assert r.status == 404 and r.json()["message"] == f"No such image: {fresh_registry.ref('nosuch:v1')}"
    r = daemon.request("POST", f"/libpod/images/nosuch/push?destination={fresh_registry.ref('x:1')}")
    assert r.status == 404 and "No such image: nosuch" in r.json()["message"]
    p = run(["docker", "push", fresh_registry.ref("nosuch:v1")], env=client_env(daemon), check=False)
    assert p.returncode != 0 and "No such image" in p.stderr


def test_push_errors_name_the_problem(daemon, registry):
    img = pulled_busybox(daemon, registry)
    env = client_env(daemon)
    run(["docker", "tag", img.ref, "127.0.0.1:1/away:v1"], env=env)
    r = push(daemon, "127.0.0.1:1/away", "v1")
    assert r.status == 502
    message = r.json()["message"]
    assert message.startswith("pushing 127.0.0.1:1/away: registry 127.0.0.1:1:"), message
    p = run(["docker", "push", "127.0.0.1:1/away:v1"], env=env, check=False)
    assert p.returncode != 0 and "127.0.0.1:1" in p.stderr
    r = daemon.request("POST", f"/libpod/images/{img.id}/push?destination={registry.host}/x@{img.digest}")
    assert r.status == 400 and "a push goes to a tag, not a digest" in r.json()["message"]
    r = daemon.request("POST", f"/libpod/images/{img.id}/push")
    assert r.status == 400 and "give a destination" in r.json()["message"]
    r = daemon.request("POST", f"/libpod/images/{img.ref}/push?tlsVerify=maybe")
    assert r.status == 400 and "tlsVerify" in r.json()["message"]
    r = push(daemon, img.name, "latest", headers={"X-Registry-Auth": "not base64 json"})
    assert r.status == 400 and "X-Registry-Auth" in r.json()["message"]


# ---------------------------------------------------------------------------
# login, and pushes and pulls with credentials

def test_docker_cli_login(make_daemon, auth_registry):
    d = auth_daemon(make_daemon)
    env = client_env(d)
    host = auth_registry.host
    p = run(["docker", "login", host, "-u", "berth", "-p", "wrong"], env=env, check=False)
    assert p.returncode != 0 and "unauthorized" in p.stderr.lower()
    assert not os.path.exists(d.auth_file)
    p = run(["docker", "login", host, "-u", "berth", "-p", "secret"], env=env)
    assert "Login Succeeded" in p.stdout
    assert stored_auth(d.auth_file) == {host: "berth:secret"}
    # The CLI keeps its own copy and sends it along with pulls and pushes.
    with open(os.path.join(env["DOCKER_CONFIG"], "config.json")) as f:
        assert host in f.read()
    # The daemon's copy alone is enough: a pull without X-Registry-Auth works.
    img = auth_registry.images["busybox:latest"]
    r = d.request("POST", f"/images/create?fromImage={img.name}&tag=latest")
    assert r.status == 200 and b"Downloaded newer image" in r.body
    # A push with the CLI's credentials.
    run(["docker", "tag", img.ref, auth_registry.ref("mine:v1")], env=env)
    p = run(["docker", "push", auth_registry.ref("mine:v1")], env=env)
    assert "v1: digest: sha256:" in p.stdout
    assert auth_registry.client().head_manifest("mine", "v1")


def test_login_api(make_daemon, auth_registry):
    d = auth_daemon(make_daemon)
    host = auth_registry.host

    def login(body):
        return d.request("POST", "/v1.41/auth", body=json.dumps(body), headers={"Content-Type": "application/json"})

    r = login({"username": "berth", "password": "wrong", "serveraddress": host})
    assert r.status == 401 and "unauthorized" in r.json()["message"] and host in r.json()["message"]
    r = login({"username": 7, "password": "secret", "serveraddress": host})
    assert r.status == 400 and r.json()["message"] == "username: expected a string, got an integer"
    r = login({"password": "secret", "serveraddress": host})
    assert r.status == 400 and "username" in r.json()["message"]
    r = d.request("POST", "/auth", body=b"[1]")
    assert r.status == 400 and "request body" in r.json()["message"]
    r = login({"username": "berth", "password": "secret", "serveraddress": "http://127.0.0.1:1"})
    assert r.status == 502 and "127.0.0.1:1" in r.json()["message"]
    assert not os.path.exists(d.auth_file)
    # "http://HOST/" is the registry HOST.
    r = login({"username": "berth", "password": "secret", "serveraddress": f"http://{host}/"})
    assert r.status == 200 and r.json() == {"Status": "Login Succeeded", "IdentityToken": ""}
    assert stored_auth(d.auth_file) == {host: "berth:secret"}


def test_docker_py_login_and_push(make_daemon, registry, auth_registry):
    d = auth_daemon(make_daemon)
    img = pulled_busybox(d, registry)
    host = auth_registry.host
    code = f"""
import docker
c = docker.DockerClient(base_url="{d.url}")
try:
    c.login("berth", "wrong", registry="{host}", reauth=True)
    raise SystemExit("wrong password accepted")
except docker.errors.APIError as e:
    assert e.status_code == 401 and "unauthorized" in str(e), e
r = c.login("berth", "secret", registry="{host}", reauth=True)
assert r["Status"] == "Login Succeeded", r
c.images.get("{img.ref}").tag("{host}/py", "v1")
lines = list(c.images.push("{host}/py", tag="v1", stream=True, decode=True))
assert not any("error" in x for x in lines), lines
print("ok")
"""
    env = dict(os.environ, DOCKER_CONFIG=os.path.join(d.dir, "py-docker-config"))
    assert run([PYTHON, "-c", code], env=env).stdout.strip() == "ok"
    assert auth_registry.client().head_manifest("py", "v1")
    assert stored_auth(d.auth_file) == {host: "berth:secret"}


def test_push_to_auth_registry(daemon, registry, auth_registry):
    img = pulled_busybox(daemon, registry)
    name = auth_registry.ref("creds")
    run(["docker", "tag", img.ref, name + ":v1"], env=client_env(daemon))
    r = push(daemon, name, "v1")
    assert r.status == 403 and "authentication required" in r.json()["message"]
    r = push(daemon, name, "v1", headers={"X-Registry-Auth": x_registry_auth("berth", "wrong")})
    assert r.status in (401, 403) and "unauthorized" in r.body.decode().lower()
    r = push(daemon, name, "v1", headers={"X-Registry-Auth": x_registry_auth("berth", "secret")})
    assert r.status == 200 and not any("error" in line for line in stream_lines(r))
    assert auth_registry.client().head_manifest("creds", "v1")


def test_podman_remote_login_is_client_side(daemon, registry, auth_registry):
    """podman 4.3.1 logs in by itself (no request reaches berthd) and sends its
    logins as X-Registry-Auth's per-registry map, which berthd picks from."""
    img = pulled_busybox(daemon, registry)
    env = podman_env(daemon)
    host = auth_registry.host
    run(["podman", "--remote", "login", "--tls-verify=false", "-u", "berth", "-p", "secret", host], env=env)
    assert "/auth" not in daemon.log()
    p = run(["podman", "--remote", "push", img.ref, auth_registry.ref("pod:v1")], env=env)
    assert "Writing manifest" in p.stderr
    assert auth_registry.client().head_manifest("pod", "v1")
    run(["podman", "--remote", "logout", host], env=env)
    p = run(["podman", "--remote", "push", img.ref, auth_registry.ref("pod:v2")], env=env, check=False)
    assert p.returncode != 0 and "authentication required" in p.stderr
