"""The HTTP frame: ping headers, version prefixes, versions, errors, keep-alive."""
import socket
import threading

from conftest import UnixHTTPConnection, request


def test_ping_headers(daemon):
    r = daemon.request("GET", "/_ping")
    assert r.status == 200 and r.body == b"OK"
    h = r.headers
    assert h["Api-Version"] == "1.41"
    assert h["Ostype"] == "linux"
    assert h["Server"].startswith("Berth/")
    assert "no-cache" in h["Cache-Control"]
    assert h["Pragma"] == "no-cache"
    assert h["Libpod-Api-Version"] == "4.3.1"


def test_head_ping_has_headers_and_no_body(daemon):
    r = daemon.request("HEAD", "/_ping")
    assert r.status == 200 and r.body == b""
    assert r.headers["Api-Version"] == "1.41"


def test_version_prefixes_reach_the_same_routes(daemon):
    for path in ("/version", "/v1.41/version", "/v1.24/version"):
        v = daemon.request("GET", path).json()
        assert v["ApiVersion"] == "1.41" and v["MinAPIVersion"] == "1.24"
        assert v["Components"][0]["Name"] == "Engine"
    for path in ("/libpod/version", "/v4.3.1/libpod/version", "/v4.0.0/libpod/_ping"):
        assert daemon.request("GET", path).status == 200
    v = daemon.request("GET", "/v4.3.1/libpod/version").json()
    assert v["Components"][0]["Name"] == "Podman Engine"
    assert v["Components"][0]["Details"]["APIVersion"] == "4.3.1"


def test_version_and_info_report_real_facts(daemon):
    import os
    v = daemon.request("GET", "/version").json()
    assert v["KernelVersion"] == os.uname().release
    assert v["Os"] == "linux" and v["Arch"] in ("amd64", "arm64")
    names = [c["Name"] for c in v["Components"]]
    assert "runc" in names and "conmon" in names
    info = daemon.request("GET", "/info").json()
    assert info["NCPU"] == os.cpu_count()
    assert info["DockerRootDir"] == daemon.root
    assert info["CgroupVersion"] in ("1", "2")
    assert info["Driver"] == "overlay"
    assert info["DefaultRuntime"] == "runc"
    assert info["MemTotal"] > 0
    pod = daemon.request("GET", "/v4.3.1/libpod/info").json()
    assert pod["host"]["ociRuntime"]["path"].endswith("runc")
    assert pod["host"]["ociRuntime"]["version"].startswith("runc version")
    assert pod["store"]["graphRoot"] == daemon.root
    assert pod["store"]["runRoot"] == daemon.runroot
    assert pod["host"]["remoteSocket"]["path"] == daemon.url


def test_engine_id_survives_restart(make_daemon):
    d = make_daemon()
    first = d.request("GET", "/info").json()["ID"]
    assert d.stop() == 0
    d.start()
    assert d.request("GET", "/info").json()["ID"] == first


def test_api_version_too_new_or_old(daemon):
    r = daemon.request("GET", "/v1.99/version")
    assert r.status == 400
    assert r.json()["message"] == "client version 1.99 is too new. Maximum supported API version is 1.41"
    r = daemon.request("GET", "/v1.12/info")
    assert r.status == 400
    assert "client version 1.12 is too old. Minimum supported API version is 1.24" in r.json()["message"]
    r = daemon.request("GET", "/v1.x/info")
    assert r.status == 404 or r.status == 400


def test_unknown_route_404_and_wrong_method_405(daemon):
    r = daemon.request("GET", "/nosuch/thing")
    assert r.status == 404
    body = r.json()
    assert body["response"] == 404 and "page not found" in body["message"] and body["cause"]
    r = daemon.request("GET", "/v4.3.1/libpod/nosuch")
    assert r.status == 404
    r = daemon.request("DELETE", "/v1.41/info")
    assert r.status == 405
    assert r.json()["message"] == "method DELETE is not allowed on /v1.41/info"


def test_keep_alive_serves_many_requests_on_one_connection(daemon):
    conn = UnixHTTPConnection(daemon.socket)
    try:
        for _ in range(50):
            r = request(None, "GET", "/_ping", conn=conn)
            assert r.status == 200
            assert r.headers.get("Connection", "").lower() != "close"
        # An error reply keeps the connection too.
        assert request(None, "GET", "/nosuch", conn=conn).status == 404
        assert request(None, "GET", "/v1.41/version", conn=conn).status == 200
    finally:
        conn.close()


def test_concurrent_connections(daemon):
    errors = []

    def worker():
        conn = UnixHTTPConnection(daemon.socket)
        try:
            for _ in range(30):
                if request(None, "GET", "/v1.41/info", conn=conn).status != 200:
                    errors.append("bad status")
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(e))
        finally:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors


def raw_exchange(path, payload, read_timeout=10):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(read_timeout)
    s.connect(path)
    try:
        s.sendall(payload)
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, BrokenPipeError):
                break
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data and b"}" in data:
                break
        return data
    finally:
        s.close()


def test_garbage_request_does_not_hurt_the_daemon(daemon):
    data = raw_exchange(daemon.socket, b"THIS IS NOT HTTP\r\n\r\n")
    assert data == b"" or data.startswith(b"HTTP/1.1 4")
    data = raw_exchange(daemon.socket, b"GET /_ping HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200000 + b"\r\n\r\n")
    assert data == b"" or data.startswith(b"HTTP/1.1 4")
    assert daemon.request("GET", "/_ping").status == 200


def test_oversized_declared_body_is_refused_unread(daemon):
    # 40 MiB announced, nothing sent: the answer must come without the body.
    head = (b"POST /v1.41/version HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 41943040\r\n\r\n")
    data = raw_exchange(daemon.socket, head)
    assert data.startswith(b"HTTP/1.1 413"), data[:200]
    assert b"larger than the 32 MiB limit" in data
    assert daemon.request("GET", "/_ping").status == 200


def test_oversized_chunked_body_is_refused_without_buffering(daemon):
    """Without Content-Length the limit shows only while reading: the rest is dropped
    (the daemon's memory stays flat) and the answer is still a 413."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(daemon.socket)
    s.sendall(b"GET /v1.41/info HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"%x\r\n" % (1 << 20) + b"x" * (1 << 20) + b"\r\n"
    for _ in range(48):
        s.sendall(chunk)
    s.sendall(b"0\r\n\r\n")
    data = b""
    while b"}" not in data:
        part = s.recv(65536)
        if not part:
            break
        data += part
    s.close()
    assert data.startswith(b"HTTP/1.1 413"), data[:200]
    assert b"larger than the 32 MiB limit" in data
    rss_kib = int([line for line in open(f"/proc/{daemon.proc.pid}/status")
                   if line.startswith("VmRSS:")][0].split()[1])
    assert rss_kib < 200 * 1024, f"berthd RSS {rss_kib} KiB after a 48 MiB body"
    assert daemon.request("GET", "/_ping").status == 200


def test_every_request_is_logged_at_debug(daemon):
    import time
    daemon.request("GET", "/v1.41/version")
    daemon.request("GET", "/nope")
    # The line is written when libmicrohttpd reports the request complete, just after
    # the reply has gone out.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and "GET /nope 404 " not in daemon.log():
        time.sleep(0.02)
    log = daemon.log()
    assert "GET /v1.41/version 200 " in log
    assert "GET /nope 404 " in log
