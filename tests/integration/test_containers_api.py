"""Containers through docker-py and raw HTTP: the statuses and messages of every error
Docker defines for the container routes, wait conditions, the hijacked attach stream's
framing, and docker-py's run/logs/stop/wait/list/prune. Docker 20.10 (API 1.41) is the
reference for statuses and message texts."""
import socket
import time

import docker
import pytest

from test_containers import IMAGE, Engine, engine_fixture, frames, hijack, read_all


@pytest.fixture(scope="module")
def engine():
    yield from engine_fixture("berth-ctr-api-")


@pytest.fixture(autouse=True)
def _clean(engine):
    yield
    engine.rm_all()


@pytest.fixture(scope="module")
def client(engine):
    c = docker.DockerClient(base_url=engine.daemon.url, version="1.41", timeout=60)
    yield c
    c.close()


def create(engine, name=None, **config):
    body = {"Image": IMAGE, "Cmd": ["true"]}
    body.update(config)
    path = "/v1.41/containers/create" + (f"?name={name}" if name else "")
    return engine.api("POST", path, body)


def created(engine, name=None, **config):
    r = create(engine, name, **config)
    assert r.status == 201, r.body
    return r.json()["Id"]


def message(r):
    return r.json()["message"]


def start(engine, cid):
    return engine.api("POST", f"/v1.41/containers/{cid}/start")


# ---------------------------------------------------------------------------
# create errors


def test_create_answer(engine):
    r = create(engine, "c1")
    assert r.status == 201
    assert r.headers["Content-Type"] == "application/json"
    body = r.json()
    assert set(body) == {"Id", "Warnings"} and len(body["Id"]) == 64
    assert body["Warnings"] in ([], None)


def test_create_unknown_image(engine):
    r = create(engine, Image="nosuch/image:1")
    assert r.status == 404
    assert message(r) == "No such image: nosuch/image:1"


def test_create_name_conflict(engine):
    cid = created(engine, "dup")
    r = create(engine, "dup")
    assert r.status == 409
    assert message(r) == (f'Conflict. The container name "/dup" is already in use by container "{cid}". '
                          "You have to remove (or rename) that container to be able to reuse that name.")
    # a leading slash names the same container
    assert create(engine, "/dup").status == 409


@pytest.mark.parametrize("name", ["bad name!", "-lead", "a/b", "é"])
def test_create_invalid_name(engine, name):
    from urllib.parse import quote
    r = engine.api("POST", "/v1.41/containers/create?name=" + quote(name), {"Image": IMAGE})
    assert r.status == 400
    assert message(r) == (f"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")


BAD_BODIES = {
    "not-json": (b"{not json", None),
    "cmd-not-a-list": ({"Image": IMAGE, "Cmd": 5}, None),
    "env-not-strings": ({"Image": IMAGE, "Env": [1, 2]}, None),
    "bind-missing-source": ({"Image": IMAGE, "HostConfig": {"Mounts": [
        {"Type": "bind", "Source": "/nonexistent-berth", "Target": "/x"}]}},
        'invalid mount config for type "bind": bind source path does not exist: /nonexistent-berth'),
    "bind-relative-source": ({"Image": IMAGE, "HostConfig": {"Mounts": [
        {"Type": "bind", "Source": "relative", "Target": "/x"}]}}, None),
    "mount-relative-target": ({"Image": IMAGE, "HostConfig": {"Mounts": [
        {"Type": "tmpfs", "Target": "rel"}]}}, None),
    "restart-policy": ({"Image": IMAGE, "HostConfig": {"RestartPolicy": {"Name": "sometimes"}}}, None),
    "cap-unknown": ({"Image": IMAGE, "HostConfig": {"CapAdd": ["NOPE"]}}, None),
    "network-mode": ({"Image": IMAGE, "HostConfig": {"NetworkMode": "container:nosuch"}}, None),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_create_bad_bodies(engine, case):
    body, text = BAD_BODIES[case]
    r = engine.api("POST", "/v1.41/containers/create", body, {"Content-Type": "application/json"})
    if case == "network-mode":
        # Docker checks the joined container at start (404 there) or create; either is an error
        if r.status == 201:
            r = engine.api("POST", f"/v1.41/containers/{r.json()['Id']}/start")
        assert r.status == 404 and "nosuch" in message(r), r.body
    else:
        assert r.status == 400, (r.status, r.body)
    if text:
        assert message(r) == text
    if case == "cap-unknown":
        assert "NOPE" in message(r)
    assert engine.api("GET", "/v1.41/containers/json?all=1").json() == [] or case == "network-mode"


def test_create_huge_body(engine):
    # a huge body is refused or handled, and the daemon stays up
    r = engine.api("POST", "/v1.41/containers/create",
                   {"Image": IMAGE, "Env": ["X=" + "y" * 100] * 20000})
    assert r.status in (201, 400, 413)
    assert engine.api("GET", "/_ping").status == 200


def test_unknown_container_everywhere(engine):
    for method, path in [("GET", "/json"), ("POST", "/start"), ("POST", "/stop"), ("POST", "/restart"),
                         ("POST", "/kill"), ("POST", "/pause"), ("POST", "/unpause"),
                         ("POST", "/wait"), ("GET", "/logs?stdout=1"), ("POST", "/rename?name=xy"),
                         ("DELETE", "")]:
        r = engine.api(method, "/v1.41/containers/nosuch" + path)
        assert r.status == 404, (method, path, r.status, r.body)
        assert message(r) == "No such container: nosuch", (method, path)


# ---------------------------------------------------------------------------
# state errors


def test_state_conflicts(engine):
    cid = created(engine, "st", Cmd=["sleep", "100"])
    # kill / pause / unpause of a created container
    r = engine.api("POST", f"/v1.41/containers/{cid}/kill")
    assert r.status == 409 and message(r) == f"Container {cid} is not running"
    r = engine.api("POST", f"/v1.41/containers/{cid}/pause")
    assert r.status == 409 and message(r) == f"Container {cid} is not running"
    # stop of a created container: 304
    assert engine.api("POST", f"/v1.41/containers/{cid}/stop").status == 304
    assert start(engine, cid).status == 204
    # start of a running container: 304
    assert start(engine, cid).status == 304
    r = engine.api("POST", f"/v1.41/containers/{cid}/unpause")
    assert r.status == 409 and message(r) == f"Container {cid} is not paused"
    r = engine.api("POST", f"/v1.41/containers/{cid}/kill?signal=BOGUS")
    assert r.status == 400
    # rm without force of a running container
    r = engine.api("DELETE", f"/v1.41/containers/{cid}")
    assert r.status == 409
    assert message(r) == (f"You cannot remove a running container {cid}. "
                          "Stop the container before attempting removal or force remove")
    assert engine.api("POST", f"/v1.41/containers/{cid}/pause").status == 204
    r = engine.api("POST", f"/v1.41/containers/{cid}/pause")
    assert r.status == 409 and message(r) == f"Container {cid} is already paused"
    r = engine.api("DELETE", f"/v1.41/containers/{cid}")
    assert r.status == 409
    assert message(r) == (f"You cannot remove a paused container {cid}. "
                          "Unpause and then stop the container before attempting removal or force remove")
    assert engine.api("POST", f"/v1.41/containers/{cid}/unpause").status == 204
    assert engine.api("POST", f"/v1.41/containers/{cid}/stop?t=0").status == 204
    assert engine.api("POST", f"/v1.41/containers/{cid}/stop").status == 304
    r = engine.api("POST", f"/v1.41/containers/{cid}/kill")
    assert r.status == 409 and message(r) == f"Container {cid} is not running"
    assert engine.api("DELETE", f"/v1.41/containers/{cid}").status == 204
    assert engine.api("GET", f"/v1.41/containers/{cid}/json").status == 404


def test_start_failure_records_exit_code(engine):
    cid = created(engine, "nocmd", Cmd=["nosuchcmd"])
    r = start(engine, cid)
    assert r.status == 400, r.body
    assert "executable file not found" in message(r)
    st = engine.state(cid)
    assert st["ExitCode"] == 127 and not st["Running"]
    assert "executable file not found" in st["Error"]
    cid = created(engine, "noexec", Cmd=["/bin/notexec"])
    r = start(engine, cid)
    assert r.status == 400 and "permission denied" in message(r)
    assert engine.state(cid)["ExitCode"] == 126
    # the failed containers can start again once fixed? no: they are just removable
    assert engine.api("DELETE", f"/v1.41/containers/{cid}").status == 204


def test_rename_errors(engine):
    a = created(engine, "ra")
    created(engine, "rb")
    r = engine.api("POST", f"/v1.41/containers/{a}/rename?name=rb")
    assert r.status == 409
    r = engine.api("POST", f"/v1.41/containers/{a}/rename?name=bad%20name")
    assert r.status == 400
    r = engine.api("POST", f"/v1.41/containers/{a}/rename?name=rc")
    assert r.status == 204
    assert engine.inspect(a)["Name"] == "/rc"
    # the old name is free again
    assert create(engine, "ra").status == 201


# ---------------------------------------------------------------------------
# wait


def test_wait_conditions(engine):
    cid = created(engine, "wt", Cmd=["sh", "-c", "sleep 0.5; exit 9"])
    # not-running on a created container returns at once (status 0)
    r = engine.api("POST", f"/v1.41/containers/{cid}/wait?condition=not-running")
    assert r.status == 200 and r.json()["StatusCode"] == 0
    r = engine.api("POST", f"/v1.41/containers/{cid}/wait?condition=bogus")
    assert r.status == 400
    assert start(engine, cid).status == 204
    r = engine.api("POST", f"/v1.41/containers/{cid}/wait")
    assert r.status == 200
    assert r.json()["StatusCode"] == 9 and r.json().get("Error") in (None, {"Message": ""})
    # next-exit: waits for the next run's exit
    import threading
    res = {}
    t = threading.Thread(target=lambda: res.setdefault(
        "r", engine.api("POST", f"/v1.41/containers/{cid}/wait?condition=next-exit")))
    t.start()
    time.sleep(0.3)
    assert "r" not in res
    assert start(engine, cid).status == 204
    t.join(20)
    assert res["r"].json()["StatusCode"] == 9
    # removed: returns once the container is deleted
    t = threading.Thread(target=lambda: res.__setitem__(
        "rm", engine.api("POST", f"/v1.41/containers/{cid}/wait?condition=removed")))
    t.start()
    time.sleep(0.3)
    assert "rm" not in res
    assert engine.api("DELETE", f"/v1.41/containers/{cid}").status == 204
    t.join(20)
    assert res["rm"].status == 200 and res["rm"].json()["StatusCode"] == 9


# ---------------------------------------------------------------------------
# attach framing over a raw hijack


def test_attach_hijack_frames(engine):
    cid = created(engine, "at", Cmd=["sh", "-c", "echo out; echo err >&2; exit 2"],
                  AttachStdout=True, AttachStderr=True)
    s, head = hijack(engine, f"/v1.41/containers/{cid}/attach?stream=1&stdout=1&stderr=1")
    try:
        assert head.startswith("HTTP/1.1 101"), head
        assert "application/vnd.docker.raw-stream" in head
        assert start(engine, cid).status == 204
        got = frames(read_all(s))
    finally:
        s.close()
    merged = {1: b"", 2: b""}
    for kind, data in got:
        merged[kind] += data
    assert merged == {1: b"out\n", 2: b"err\n"}
    assert engine.api("POST", f"/v1.41/containers/{cid}/wait").json()["StatusCode"] == 2
    # logs with the same framing; a bad detachKeys is 400
    r = engine.api("GET", f"/v1.41/containers/{cid}/logs?stdout=1&stderr=1")
    assert sorted(frames(r.body)) == [(1, b"out\n"), (2, b"err\n")]
    r = engine.api("GET", f"/v1.41/containers/{cid}/logs?stdout=1")
    assert frames(r.body) == [(1, b"out\n")]
    r = engine.api("POST", f"/v1.41/containers/{cid}/attach?stream=1&stdout=1&detachKeys=nonsense-key")
    assert r.status == 400


def test_attach_waits_for_a_slow_start_after_half_close(engine):
    # The docker CLI half-closes (SHUT_WR) an attach without stdin at once; a start that
    # comes more than a second later must still stream the output to it.
    cid = created(engine, "slow", Cmd=["sh", "-c", "echo late-start"], AttachStdout=True, AttachStderr=True)
    s, head = hijack(engine, f"/v1.41/containers/{cid}/attach?stream=1&stdout=1&stderr=1")
    try:
        assert head.startswith("HTTP/1.1 101"), head
        s.shutdown(socket.SHUT_WR)
        time.sleep(2.5)
        assert start(engine, cid).status == 204
        got = frames(read_all(s))
    finally:
        s.close()
    assert got == [(1, b"late-start\n")]


def test_attach_logs_replays_then_streams(engine):
    # logs=1: what the container wrote before the attach, then the live output
    cid = created(engine, "al", Cmd=["sh", "-c", "echo before; sleep 1; echo after"])
    assert start(engine, cid).status == 204
    time.sleep(0.5)
    s, head = hijack(engine, f"/v1.41/containers/{cid}/attach?logs=1&stream=1&stdout=1&stderr=1")
    try:
        assert head.startswith("HTTP/1.1 101"), head
        got = frames(read_all(s))
    finally:
        s.close()
    assert b"".join(data for kind, data in got if kind == 1) == b"before\nafter\n"
    # logs without stream: the log only, then the connection ends
    engine.api("POST", f"/v1.41/containers/{cid}/wait")
    s, head = hijack(engine, f"/v1.41/containers/{cid}/attach?logs=1&stream=0&stdout=1")
    try:
        got = frames(read_all(s))
    finally:
        s.close()
    assert b"".join(data for _, data in got) == b"before\nafter\n"


def test_attach_stdin_once(engine):
    cid = created(engine, "ai", Cmd=["sh", "-c", "read x; echo got:$x"], OpenStdin=True, StdinOnce=True,
                  AttachStdin=True, AttachStdout=True, AttachStderr=True)
    s, head = hijack(engine, f"/v1.41/containers/{cid}/attach?stream=1&stdin=1&stdout=1&stderr=1")
    try:
        assert head.startswith("HTTP/1.1 101"), head
        assert start(engine, cid).status == 204
        s.sendall(b"hello\n")
        s.shutdown(socket.SHUT_WR)
        got = frames(read_all(s))
    finally:
        s.close()
    assert b"".join(d for k, d in got if k == 1) == b"got:hello\n"


def test_tty_logs_are_raw():
    # its own daemon: this once took berthd down, and the module's daemon must survive it
    own = Engine("berth-ctr-tty-")
    try:
        cid = created(own, "tl", Cmd=["echo", "tty-out"], Tty=True)
        assert start(own, cid).status == 204
        own.api("POST", f"/v1.41/containers/{cid}/wait")
        r = own.api("GET", f"/v1.41/containers/{cid}/logs?stdout=1&stderr=1")
        assert r.status == 200
        assert r.body.replace(b"\r\n", b"\n") == b"tty-out\n"
        r = own.api("GET", f"/v1.41/containers/{cid}/logs?stdout=1&tail=1&timestamps=1")
        assert r.status == 200 and r.body.rstrip().endswith(b" tty-out")
    finally:
        own.close()


# ---------------------------------------------------------------------------
# list


def test_list_limit_and_size(engine):
    for n in ("l1", "l2", "l3"):
        created(engine, n)
    r = engine.api("GET", "/v1.41/containers/json?all=1&limit=2")
    assert r.status == 200, r.body
    assert [c["Names"] for c in r.json()] == [["/l3"], ["/l2"]]
    r = engine.api("GET", "/v1.41/containers/json?all=1&filters=%7B%22bogus%22%3A%5B%22x%22%5D%7D")
    assert r.status == 400
    r = engine.api("GET", "/v1.41/containers/json?all=1&filters=notjson")
    assert r.status == 400
    c = engine.api("GET", "/v1.41/containers/json?all=1&filters=" +
                   "%7B%22name%22%3A%5B%22l1%22%5D%7D").json()
    assert [x["Names"] for x in c] == [["/l1"]]
    [c] = c
    assert c["Image"] == IMAGE and c["ImageID"].startswith("sha256:") and c["Command"] == "true"
    assert c["State"] == "created" and c["Status"] == "Created"


# ---------------------------------------------------------------------------
# docker-py


def test_dockerpy_run(client):
    with pytest.raises(docker.errors.ContainerError) as e:
        client.containers.run(IMAGE, ["sh", "-c", "echo oops >&2; exit 3"], remove=True)
    assert e.value.exit_status == 3 and b"oops" in e.value.stderr
    with pytest.raises(docker.errors.ImageNotFound):
        client.containers.create("nosuch/image:1")
    with pytest.raises(docker.errors.NotFound):
        client.containers.get("nosuch")
    assert client.containers.list(all=True) == []
    # docker-py reads the output only when HostConfig.LogConfig.Type is json-file or journald
    c = client.containers.create(IMAGE, ["true"])
    assert c.attrs["HostConfig"]["LogConfig"]["Type"] == "json-file"
    c.remove()
    assert client.containers.run(IMAGE, ["echo", "hi"], remove=True) == b"hi\n"
    assert client.containers.list(all=True) == []


def test_dockerpy_detached(client):
    c = client.containers.run(IMAGE, ["sh", "-c", "echo started; sleep 100"], detach=True, name="pyd",
                              labels={"x": "1"}, environment={"A": "b"})
    deadline = time.monotonic() + 10
    while c.logs() != b"started\n" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert c.logs() == b"started\n"
    c.reload()
    assert c.status == "running" and c.name == "pyd" and c.labels == {"x": "1"}
    assert [x.name for x in client.containers.list(filters={"label": "x=1"})] == ["pyd"]
    with pytest.raises(docker.errors.APIError) as e:
        client.containers.run(IMAGE, "true", name="pyd", detach=True)
    assert e.value.status_code == 409
    c.pause()
    c.reload()
    assert c.status == "paused"
    c.unpause()
    c.stop(timeout=0)
    assert c.wait()["StatusCode"] == 137
    c.reload()
    assert c.attrs["State"]["ExitCode"] == 137
    res = client.containers.prune()
    assert res["ContainersDeleted"] == [c.id]
    assert client.containers.list(all=True) == []


def test_dockerpy_stream_logs(client):
    c = client.containers.run(IMAGE, ["sh", "-c", "for i in 1 2 3; do echo n$i; sleep 0.2; done"],
                              detach=True)
    lines = list(c.logs(stream=True, follow=True))
    assert b"".join(lines) == b"n1\nn2\nn3\n"
    assert c.wait()["StatusCode"] == 0
    c.remove()
