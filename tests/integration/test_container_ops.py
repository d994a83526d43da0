"""docker top, docker stats and docker update against a real berthd, through the docker
CLI, docker-py, podman --remote and the raw API: process lists filtered to the
container, stats numbers that match the cgroup, limits applied live (read back from the
cgroup files) and stored, and Docker's errors for stopped containers and bad values."""
import json
import os
import socket
import time

import docker
import pytest

from conftest import run
from test_containers import IMAGE, engine_fixture

PODMAN = "podman"


@pytest.fixture(scope="module")
def eng():
    yield from engine_fixture("berth-ops-")


@pytest.fixture
def busy(eng):
    """A running container with a known process tree (sh and a long sleep)."""
    cid = eng.out("run", "-d", IMAGE, "sh", "-c", "sleep 1000 & while true; do sleep 1; done").strip()
    yield cid
    eng.docker("rm", "-f", cid, check=False)


def cgroup_file(controller, cid, name):
    for root in (f"/sys/fs/cgroup/{controller}", "/sys/fs/cgroup"):
        path = os.path.join(root, "berth", cid, name)
        if os.path.exists(path):
            with open(path) as f:
                return f.read().strip()
    pytest.skip(f"no {controller} cgroup file {name} for the container on this host")


def stream_lines(eng, path, count, timeout=10):
    """The first `count` lines of a streamed GET, then hang up."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(eng.daemon.socket)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    buf = b""
    try:
        while buf.count(b"\n{") + (1 if b"\r\n\r\n{" in buf else 0) < count + 1:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    except socket.timeout:
        pass
    finally:
        s.close()
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = [ln for ln in body.split(b"\r\n") if ln.startswith(b"{")]
    objs = []
    for ln in lines:
        for part in ln.split(b"\n"):
            if part.startswith(b"{"):
                objs.append(json.loads(part))
    return head.decode(), objs[:count]


def test_top_docker_cli_and_api(eng, busy):
    out = eng.out("top", busy)
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["UID", "PID", "PPID"], out
    assert any("sleep 1000" in ln for ln in lines[1:]), out
    # Only the container's processes: berthd itself is not in the list.
    assert not any("berthd" in ln for ln in lines), out
    r = eng.api("GET", f"/v1.41/containers/{busy}/top?ps_args=aux")
    assert r.status == 200, r.body
    top = r.json()
    assert top["Titles"][0] == "USER" and "COMMAND" in top["Titles"]
    cmds = [p[-1] for p in top["Processes"]]
    assert any(c.startswith("sh -c sleep 1000") for c in cmds), cmds
    assert all(len(p) == len(top["Titles"]) for p in top["Processes"])


def test_top_errors(eng, busy):
    r = eng.api("GET", f"/v1.41/containers/{busy}/top?ps_args=--no-such-option")
    assert r.status == 500, r.body
    assert r.json()["message"].startswith("ps: "), r.body
    r = eng.api("GET", f"/v1.41/containers/{busy}/top?ps_args=-o%20pid,user=PID")
    assert r.status == 400 and 'specifying "pid,user=PID" is not allowed' in r.json()["message"], r.body
    r = eng.api("GET", "/v1.41/containers/nosuchthing/top")
    assert r.status == 404, r.body
    stopped = eng.out("create", IMAGE, "true").strip()
    try:
        r = eng.api("GET", f"/v1.41/containers/{stopped}/top")
        assert r.status == 409, r.body
        assert r.json()["message"] == f"Container {stopped} is not running"
        p = eng.fails("top", stopped)
        assert "is not running" in p.stderr
    finally:
        eng.docker("rm", "-f", stopped, check=False)


def test_top_docker_py(eng, busy):
    client = docker.DockerClient(base_url=eng.daemon.url, version="1.41")
    try:
        top = client.containers.get(busy).top()
        assert "PID" in top["Titles"]
        assert any("sleep 1000" in p[-1] for p in top["Processes"])
    finally:
        client.close()


def test_top_podman_remote(eng, busy):
    out = run([PODMAN, "--remote", "top", busy], env=eng.env).stdout
    lines = out.splitlines()
    assert lines[0].split() == ["USER", "PID", "PPID", "%CPU", "ELAPSED", "TTY", "TIME", "COMMAND"], out
    # PIDs as the container sees them: sh is 1, its parent outside is 0.
    rows = [ln.split() for ln in lines[1:]]
    init = [r for r in rows if r[1] == "1"]
    assert init and init[0][2] == "0" and " ".join(init[0][7:]).startswith("sh -c"), out
    out = run([PODMAN, "--remote", "top", busy, "pid", "args"], env=eng.env).stdout
    assert out.splitlines()[0].split() == ["PID", "COMMAND"], out
    assert any(ln.split()[1:] == ["sleep", "1000"] for ln in out.splitlines()[1:]), out


def test_stats_no_stream_cli(eng, busy):
    out = eng.out("stats", "--no-stream", busy)
    header, row = out.splitlines()[:2]
    assert header.split()[:3] == ["CONTAINER", "ID", "NAME"], out
    cells = row.split()
    assert busy.startswith(cells[0])
    cpu = float(cells[2].rstrip("%"))
    assert 0.0 <= cpu <= 200.0, out
    # MEM USAGE / LIMIT: non-zero usage, the host's memory as the limit.
    assert cells[3] != "0B" and cells[4] == "/", out
    assert int(cells[-1]) >= 2, out   # PIDS: sh and sleep at least


def test_stats_api_shapes(eng, busy):
    r = eng.api("GET", f"/v1.41/containers/{busy}/stats?stream=0")
    assert r.status == 200, r.body
    s = r.json()
    assert s["id"] == busy and s["name"].startswith("/")
    # Two samples: precpu is the first, a second or so earlier.
    assert s["preread"] != "0001-01-01T00:00:00Z"
    assert s["cpu_stats"]["cpu_usage"]["total_usage"] >= s["precpu_stats"]["cpu_usage"]["total_usage"] > 0
    assert s["cpu_stats"]["system_cpu_usage"] > s["precpu_stats"]["system_cpu_usage"]
    assert s["memory_stats"]["usage"] > 0 and s["pids_stats"]["current"] >= 2
    r = eng.api("GET", f"/v1.41/containers/{busy}/stats?stream=0&one-shot=1")
    assert r.status == 200 and r.json()["preread"] == "0001-01-01T00:00:00Z", r.body
    r = eng.api("GET", f"/v1.41/containers/{busy}/stats?stream=1&one-shot=1")
    assert r.status == 400, r.body
    r = eng.api("GET", "/v1.41/containers/nosuchthing/stats?stream=0")
    assert r.status == 404, r.body


def test_stats_stream_one_per_second(eng, busy):
    t0 = time.monotonic()
    head, objs = stream_lines(eng, f"/v1.41/containers/{busy}/stats", 3)
    took = time.monotonic() - t0
    assert head.startswith("HTTP/1.1 200"), head
    assert len(objs) == 3, objs
    assert objs[0]["preread"] == "0001-01-01T00:00:00Z"
    assert objs[1]["preread"] == objs[0]["read"] and objs[2]["preread"] == objs[1]["read"]
    assert 1.5 < took < 6, took


def test_stats_stopped_container(eng):
    cid = eng.out("create", IMAGE, "true").strip()
    try:
        r = eng.api("GET", f"/v1.41/containers/{cid}/stats?stream=0")
        assert r.status == 200, r.body
        s = r.json()
        assert s["id"] == cid and s["read"] == "0001-01-01T00:00:00Z"
        assert s["cpu_stats"]["cpu_usage"]["total_usage"] == 0 and s["memory_stats"] == {}
        # Streaming: the one empty report, then the stream ends.
        r = eng.api("GET", f"/v1.41/containers/{cid}/stats")
        assert r.status == 200 and len(r.body.splitlines()) == 1, r.body
    finally:
        eng.docker("rm", "-f", cid, check=False)


def test_stats_docker_py(eng, busy):
    client = docker.DockerClient(base_url=eng.daemon.url, version="1.41")
    try:
        s = client.containers.get(busy).stats(stream=False)
        assert s["id"] == busy and s["memory_stats"]["usage"] > 0
    finally:
        client.close()


def test_stats_podman_remote(eng, busy):
    out = run([PODMAN, "--remote", "stats", "--no-stream", "--format", "json", busy], env=eng.env).stdout
    rows = json.loads(out)
    assert len(rows) == 1 and busy.startswith(rows[0]["id"]), out
    assert rows[0]["pids"] != "0" and rows[0]["mem_usage"].split(" / ")[0] != "0B", out
    r = eng.api("GET", f"/v4.3.1/libpod/containers/stats?containers={busy}&stream=false")
    assert r.status == 200, r.body
    rep = r.json()
    assert rep["Error"] is None and rep["Stats"][0]["ContainerID"] == busy
    st = rep["Stats"][0]
    assert st["MemUsage"] > 0 and 0 < st["MemPerc"] < 100 and st["PIDs"] >= 2 and st["CPUNano"] > 0
    r = eng.api("GET", "/v4.3.1/libpod/containers/stats?containers=nosuchthing&stream=false")
    assert r.status == 404, r.body
    r = eng.api("GET", f"/v4.3.1/libpod/containers/stats?containers={busy}&interval=0")
    assert r.status == 400, r.body


def test_update_applies_live(eng, busy):
    eng.docker("update", "--memory", "64m", "--cpus", "0.5", "--pids-limit", "50", busy)
    assert cgroup_file("memory", busy, "memory.limit_in_bytes") == str(64 << 20)
    assert cgroup_file("cpu", busy, "cpu.cfs_quota_us") == "50000"
    assert cgroup_file("cpu", busy, "cpu.cfs_period_us") == "100000"
    assert cgroup_file("pids", busy, "pids.max") == "50"
    hc = eng.inspect(busy)["HostConfig"]
    assert hc["Memory"] == 64 << 20 and hc["NanoCpus"] == 500000000 and hc["PidsLimit"] == 50
    # stats now report the new limit.
    s = eng.api("GET", f"/v1.41/containers/{busy}/stats?stream=0&one-shot=1").json()
    assert s["memory_stats"]["limit"] == 64 << 20 and s["pids_stats"]["limit"] == 50
    # Lifting the pids limit.
    eng.docker("update", "--pids-limit", "-1", busy)
    assert cgroup_file("pids", busy, "pids.max") == "max"


def test_update_docker_py_and_restart_policy(eng, busy):
    client = docker.DockerClient(base_url=eng.daemon.url, version="1.41")
    try:
        c = client.containers.get(busy)
        c.update(mem_limit="32m", restart_policy={"Name": "on-failure", "MaximumRetryCount": 3})
        assert cgroup_file("memory", busy, "memory.limit_in_bytes") == str(32 << 20)
        hc = eng.inspect(busy)["HostConfig"]
        assert hc["Memory"] == 32 << 20
        assert hc["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 3}
    finally:
        client.close()


def test_update_errors(eng, busy):
    p = eng.fails("update", "--memory", "1m", busy)
    assert "Minimum memory limit allowed is 6MB" in p.stderr
    eng.docker("update", "--cpus", "1", busy)
    p = eng.fails("update", "--cpu-quota", "50000", busy)
    assert "CPU Quota cannot be updated as NanoCPUs has already been set" in p.stderr
    r = eng.api("POST", f"/v1.41/containers/{busy}/update", body={"RestartPolicy": {"Name": "bogus"}})
    assert r.status == 400 and r.json()["message"] == "invalid restart policy 'bogus'", r.body
    r = eng.api("POST", f"/v1.41/containers/{busy}/update", body={"Memory": "64m"})
    assert r.status == 400 and "Memory must be an integer" in r.json()["message"], r.body
    r = eng.api("POST", "/v1.41/containers/nosuchthing/update", body={"Memory": 64 << 20})
    assert r.status == 404, r.body
    # Nothing of the refused updates was stored.
    hc = eng.inspect(busy)["HostConfig"]
    assert hc["RestartPolicy"]["Name"] != "bogus" and hc["CpuQuota"] in (0, None)


def test_update_autoremove_conflict(eng):
    cid = eng.out("run", "-d", "--rm", IMAGE, "sleep", "1000").strip()
    try:
        p = eng.fails("update", "--restart", "always", cid)
        assert "Restart policy cannot be updated because AutoRemove is enabled" in p.stderr
    finally:
        eng.docker("rm", "-f", cid, check=False)


def test_update_stopped_container_applies_at_start(eng):
    cid = eng.out("create", IMAGE, "sleep", "1000").strip()
    try:
        r = eng.api("POST", f"/v1.41/containers/{cid}/update", body={"Memory": 48 << 20, "PidsLimit": 20})
        assert r.status == 200 and r.json() == {"Warnings": []}, r.body
        assert eng.inspect(cid)["HostConfig"]["Memory"] == 48 << 20
        eng.docker("start", cid)
        assert cgroup_file("memory", cid, "memory.limit_in_bytes") == str(48 << 20)
        assert cgroup_file("pids", cid, "pids.max") == "20"
        # The same route under /libpod (berth's CLI uses it).
        r = eng.api("POST", f"/v4.3.1/libpod/containers/{cid}/update", body={"PidsLimit": 30})
        assert r.status == 200, r.body
        assert cgroup_file("pids", cid, "pids.max") == "30"
    finally:
        eng.docker("rm", "-f", cid, check=False)
