"""Real clients against berthd: the docker CLI, docker-py, podman --remote."""
import os
import shutil

import pytest

from conftest import client_env, run

PYTHON = "/usr/bin/python3"


def test_docker_cli_version(daemon):
    p = run(["docker", "version"], env=client_env(daemon))
    assert "Server:" in p.stdout
    assert "API version:      1.41 (minimum version 1.24)" in p.stdout
    assert "Engine:" in p.stdout and "0.1.0" in p.stdout
    assert "downgraded" in p.stdout or "API version:       1.41" in p.stdout


def test_docker_cli_version_json(daemon):
    import json
    p = run(["docker", "version", "--format", "{{json .Server}}"], env=client_env(daemon))
    server = json.loads(p.stdout)
    assert server["ApiVersion"] == "1.41"
    assert server["KernelVersion"] == os.uname().release


def test_docker_cli_info(daemon):
    p = run(["docker", "info"], env=client_env(daemon))
    assert "Server Version: 0.1.0" in p.stdout
    assert "Storage Driver: overlay" in p.stdout
    assert f"Docker Root Dir: {daemon.root}" in p.stdout
    assert "Default Runtime: runc" in p.stdout
    assert f"CPUs: {os.cpu_count()}" in p.stdout
    assert "ERROR" not in p.stderr


def test_docker_cli_against_missing_daemon(workdir):
    env = dict(os.environ, DOCKER_HOST=f"unix://{workdir}/none.sock", DOCKER_CONFIG=workdir)
    p = run(["docker", "version"], env=env, check=False)
    assert p.returncode != 0
    assert "Cannot connect" in p.stderr


def test_docker_py(daemon):
    code = (
        "import docker, sys\n"
        f"c = docker.DockerClient(base_url='{daemon.url}')\n"
        "v = c.version()\n"
        "assert v['ApiVersion'] == '1.41', v\n"
        "assert c.ping() is True\n"
        "i = c.info()\n"
        "assert i['DockerRootDir'] == sys.argv[1], i['DockerRootDir']\n"
        "a = docker.APIClient(base_url='" + daemon.url + "', version='auto')\n"
        "assert a.api_version == '1.41', a.api_version\n"
        "print('ok')\n")
    p = run([PYTHON, "-c", code, daemon.root])
    assert p.stdout.strip() == "ok"


@pytest.mark.skipif(shutil.which("podman") is None, reason="podman is not installed")
def test_podman_remote_version(daemon):
    p = run(["podman", "--remote", "version"], env=client_env(daemon))
    server = p.stdout.split("Server:", 1)[1]
    assert "API Version:  4.3.1" in server
    assert "Version:      0.1.0" in server


@pytest.mark.skipif(shutil.which("podman") is None, reason="podman is not installed")
def test_podman_remote_info(daemon):
    p = run(["podman", "--remote", "info", "--format", "json"], env=client_env(daemon))
    import json
    info = json.loads(p.stdout)
    assert info["store"]["graphRoot"] == daemon.root
    assert info["host"]["ociRuntime"]["name"] == "runc"
    assert info["host"]["kernel"] == os.uname().release
    p = run(["podman", "--remote", "info"], env=client_env(daemon))
    assert "cgroupVersion: v" in p.stdout


def test_berth_version_and_info(daemon):
    from conftest import BERTH
    p = run([BERTH, "--url", daemon.url, "version"])
    server = p.stdout.split("Server:", 1)[1]
    assert "API Version:  4.3.1" in server and "Version:      0.1.0" in server
    p = run([BERTH, "version", "--format", "json"], env=client_env(daemon))
    import json
    v = json.loads(p.stdout)
    assert v["Server"]["APIVersion"] == "4.3.1"
    assert v["Client"]["Version"] == v["Server"]["Version"]
    p = run([BERTH, "info"], env=client_env(daemon))
    assert f"graphRoot: {daemon.root}" in p.stdout
    info = json.loads(run([BERTH, "info", "--format", "json"], env=client_env(daemon)).stdout)
    assert info["host"]["kernel"] == os.uname().release


def test_berth_errors_exit_125(workdir):
    from conftest import BERTH
    p = run([BERTH, "--url", f"unix://{workdir}/none.sock", "info"], check=False)
    assert p.returncode == 125
    assert "cannot connect to berthd" in p.stderr and "none.sock" in p.stderr
    p = run([BERTH, "--url", "tcp://host:1", "info"], check=False)
    assert p.returncode == 125 and "tcp://host:1" in p.stderr
    p = run([BERTH, "frobnicate"], check=False)
    assert p.returncode == 125 and "frobnicate" in p.stderr
    p = run([BERTH, "info", "--bogus"], check=False)
    assert p.returncode == 125 and "unknown flag: --bogus" in p.stderr
    assert run([BERTH, "--help"]).stdout.count("version") >= 1
    assert "--format" in run([BERTH, "info", "--help"]).stdout
