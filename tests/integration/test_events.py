"""GET /events and /libpod/events: image events replayed with since/until and filters,
followed live by the docker CLI, docker-py and podman --remote; a follower keeps a
socket-activated daemon up and lets it go when it leaves. Container events depend on
the lifecycle code emitting them."""
import json
import os
import select
import shutil
import subprocess
import time
import urllib.parse

import pytest

from conftest import BERTHD, SANITIZER_MARKERS, client_env, run, wait_for_socket
from registry import registry  # noqa: F401 - fixture

PYTHON = "/usr/bin/python3"
ACTIVATE = shutil.which("systemd-socket-activate")


def events(env, *args):
    """`docker events` up to a second from now (events of this second included)."""
    until = str(int(time.time()) + 1)
    out = run(["docker", "events", "--since", "0", "--until", until, "--format", "{{json .}}", *args],
              env=env, timeout=30).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def actions(evs, type_=None):
    return [e["Action"] for e in evs if type_ is None or e["Type"] == type_]


def api_events(daemon, query):
    r = daemon.request("GET", "/v1.41/events?" + urllib.parse.urlencode(query))
    return r, [json.loads(line) for line in r.body.decode().splitlines() if line.strip()]


def test_image_events_replayed(daemon, registry):
    img = registry.images["busybox:latest"]
    env = client_env(daemon)
    run(["docker", "pull", img.ref], env=env)
    run(["docker", "tag", img.ref, "mine:v1"], env=env)
    run(["docker", "rmi", "mine:v1"], env=env)
    run(["docker", "rmi", img.ref], env=env)
    evs = events(env)
    assert actions(evs) == ["pull", "tag", "untag", "untag", "delete"]
    pull, tag, untag, _, delete = evs
    assert pull["Actor"]["ID"] == img.ref and pull["Actor"]["Attributes"]["name"] == img.ref
    assert tag["id"] == img.id and tag["Actor"]["Attributes"]["name"] == "mine:v1"
    assert untag["status"] == "untag" and untag["Actor"]["ID"] == img.id
    assert delete["Actor"]["ID"] == img.id
    for e in evs:
        assert e["Type"] == "image" and e["scope"] == "local"
        assert e["time"] == e["timeNano"] // 10**9
    times = [e["timeNano"] for e in evs]
    assert times == sorted(times)
    # Filters: event, image (with and without the tag), type, label.
    assert actions(events(env, "--filter", "event=tag")) == ["tag"]
    assert actions(events(env, "--filter", "image=mine")) == ["tag"]
    assert actions(events(env, "--filter", "image=mine:v1")) == ["tag"]
    assert actions(events(env, "--filter", "image=" + img.id)) == ["tag", "untag", "untag", "delete"]
    assert events(env, "--filter", "type=container") == []
    assert events(env, "--filter", "label=nosuch") == []
    # since/until bound the replay.
    at = f"{tag['timeNano'] // 10**9}.{tag['timeNano'] % 10**9:09d}"
    r, only_tag = api_events(daemon, {"since": at, "until": at})
    assert r.status == 200 and actions(only_tag) == ["tag"]
    r, later = api_events(daemon, {"since": str(tag["time"] - 7200), "until": str(tag["time"] - 3600)})
    assert r.status == 200 and later == []


def test_bad_parameters_are_400(daemon):
    r = daemon.request("GET", "/v1.41/events?since=yesterday")
    assert r.status == 400
    assert r.json()["message"] == ('invalid value for since: "yesterday" '
                                   "(seconds since the epoch, a date, or a duration such as 10m)")
    r = daemon.request("GET", "/v1.41/events?since=200&until=100")
    assert r.status == 400
    assert r.json()["message"] == "`since` time (200) cannot be after `until` time (100)"
    r = daemon.request("GET", "/v1.41/events?filters=" + urllib.parse.quote('{"colour":["red"]}'))
    assert r.status == 400
    assert r.json()["message"] == 'filters: unsupported filter "colour"'


def test_until_in_the_future_ends_the_stream(daemon):
    start = time.monotonic()
    r = daemon.request("GET", f"/v1.41/events?until={time.time() + 1.5:.3f}")
    took = time.monotonic() - start
    assert r.status == 200 and r.body == b""
    assert 1.0 <= took <= 5, took


def read_line(proc, timeout):
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    return proc.stdout.readline() if ready else ""


def test_follower_sees_a_tag_live(daemon, registry):
    img = registry.images["busybox:latest"]
    env = client_env(daemon)
    run(["docker", "pull", img.ref], env=env)
    follower = subprocess.Popen(["docker", "events", "--format", "{{json .}}", "--filter", "type=image"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1)   # the CLI has connected; without since, the pull is not replayed
        assert follower.poll() is None
        run(["docker", "tag", img.ref, "live:1"], env=env)
        line = read_line(follower, 10)
        assert line, "the follower saw nothing"
        ev = json.loads(line)
        assert ev["Action"] == "tag" and ev["Actor"]["Attributes"]["name"] == "live:1"
        assert read_line(follower, 0.5) == ""
    finally:
        follower.kill()
        follower.wait()


def test_docker_py_events(daemon, registry):
    img = registry.images["busybox:latest"]
    env = client_env(daemon)
    since = int(time.time())
    run(["docker", "pull", img.ref], env=env)
    run(["docker", "tag", img.ref, "py:1"], env=env)
    script = f"""
import docker, json, time
c = docker.DockerClient(base_url={daemon.url!r})
evs = list(c.api.events(decode=True, since={since}, until=int(time.time()) + 1))
tags = list(c.api.events(decode=True, since={since}, until=int(time.time()) + 1, filters={{"event": "tag"}}))
print(json.dumps([[e["Action"] for e in evs], [e["Actor"]["Attributes"]["name"] for e in tags]]))
"""
    got = json.loads(run([PYTHON, "-c", script], env=env).stdout)
    assert got == [["pull", "tag"], ["py:1"]]


def test_libpod_events(daemon, registry):
    img = registry.images["busybox:latest"]
    env = client_env(daemon)
    run(["docker", "pull", img.ref], env=env)
    run(["docker", "tag", img.ref, "pod:1"], env=env)
    run(["docker", "rmi", "pod:1", img.ref], env=env)
    r = daemon.request("GET", "/v4.3.1/libpod/events?stream=false")
    assert r.status == 200
    evs = [json.loads(line) for line in r.body.decode().splitlines() if line.strip()]
    assert actions(evs) == ["pull", "tag", "untag", "untag", "remove"]
    attrs = evs[1]["Actor"]["Attributes"]
    assert attrs["name"] == "pod:1" and attrs["containerExitCode"] == "0" and "podId" in attrs
    assert "HealthStatus" in evs[1]
    out = run(["podman", "--remote", "events", "--stream=false", "--since", "5m",
               "--filter", "event=remove"], env=env, timeout=30).stdout
    assert "image remove " + img.id[7:] in out or "image remove " + img.id in out, out
    assert "tag" not in out


def test_container_events(daemon, registry):
    """Needs the lifecycle code's emit calls (create, start, die, destroy)."""
    img = registry.images["busybox:latest"]
    env = client_env(daemon)
    run(["docker", "pull", img.ref], env=env)
    run(["docker", "run", "--rm", "--name", "evc", img.ref, "true"], env=env)
    evs = events(env, "--filter", "type=container")
    assert actions(evs) == ["create", "start", "die", "destroy"], evs
    for e in evs:
        assert e["Actor"]["Attributes"]["name"] == "evc"
        assert e["Actor"]["Attributes"]["image"] == img.ref and e["from"] == img.ref
    assert evs[2]["Actor"]["Attributes"]["exitCode"] == "0"
    assert actions(events(env, "--filter", "container=evc", "--filter", "event=die")) == ["die"]


@pytest.mark.skipif(ACTIVATE is None, reason="systemd-socket-activate is not installed")
def test_follower_keeps_an_activated_daemon_up(workdir):
    sock = os.path.join(workdir, "act.sock")
    log = open(os.path.join(workdir, "act.log"), "wb")
    proc = subprocess.Popen([ACTIVATE, "-l", sock, BERTHD, "--root", f"{workdir}/root", "--runroot",
                             f"{workdir}/run", "--idle-timeout", "1"],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    follower = None
    try:
        deadline = time.monotonic() + 10
        while not os.path.exists(sock):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.01)
        wait_for_socket(sock)
        env = dict(os.environ, DOCKER_HOST=f"unix://{sock}", DOCKER_CONFIG=workdir)
        follower = subprocess.Popen(["docker", "events"], env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        time.sleep(3)
        assert proc.poll() is None, "berthd exited while a client followed events"
        follower.kill()
        follower.wait()
        assert proc.wait(10) == 0   # the stream ended with its client: idle again
    finally:
        if follower and follower.poll() is None:
            follower.kill()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    text = open(os.path.join(workdir, "act.log"), errors="replace").read()
    for marker in SANITIZER_MARKERS:
        assert marker not in text, text[-4000:]
