"""Import from a URL: `docker import http://...`, docker-py's import_image_from_url,
`podman --remote import URL` and `berth import URL` against a real berthd that
downloads the tarball from a web server on 127.0.0.1 (started and stopped by a
fixture), and the failures: unreachable host, 404, content that is no tarball, a
download cut short, schemes other than http(s). No failure leaves anything behind."""
import gzip
import hashlib
import http.server
import io
import json
import random
import socket
import tarfile
import threading

import pytest

from conftest import BERTH, client_env, run
from registry import mkimage


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def lines(r):
    return [json.loads(line) for line in r.body.decode().splitlines() if line.strip()]


def image_ids(daemon):
    return sorted(i["Id"] for i in daemon.request("GET", "/images/json").json())


def assert_nothing_left(daemon):
    assert image_ids(daemon) == []
    assert daemon.store_dirs() == {"tmp": [], "layers": [], "tar-split": []}


def big_rootfs_tar():
    """A rootfs of about 1.5 MB that does not compress: several progress lines."""
    buf = io.BytesIO()
    data = random.Random(1).randbytes(1536 * 1024)
    with tarfile.open(fileobj=buf, mode="w") as tf:
        info = tarfile.TarInfo("data/blob")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class Web:
    """A web server on 127.0.0.1 serving `files`, plus a few misbehaving paths."""

    def __init__(self):
        self.files = {}
        self.requests = []
        web = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                web.requests.append(self.path)
                if self.path == "/to-ftp":
                    self.send_response(302)
                    self.send_header("Location", "ftp://127.0.0.1/rootfs.tar")
                    self.end_headers()
                elif self.path == "/moved":
                    self.send_response(302)
                    self.send_header("Location", "/rootfs.tar")
                    self.end_headers()
                elif self.path == "/truncated.tar":
                    data = web.files["/rootfs.tar"]
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[:len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                elif self.path in web.files:
                    data = web.files[self.path]
                    self.send_response(200)
                    self.send_header("Content-Type", "application/x-tar")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                else:
                    body = b"no such file\n"
                    self.send_response(404)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


@pytest.fixture(scope="module")
def busybox_tar():
    return mkimage.rootfs_tar_bytes(mkimage.busybox_image())


@pytest.fixture
def web(busybox_tar):
    w = Web()
    w.files["/rootfs.tar"] = busybox_tar
    w.files["/rootfs.tar.gz"] = gzip.compress(busybox_tar, mtime=0)
    w.files["/page.html"] = b"<!DOCTYPE html><html><body>" + b"not a tarball " * 100 + b"</body></html>\n"
    w.files["/empty.tar"] = b""
    w.files["/text.gz"] = gzip.compress(b"gzip, but no tar inside\n" * 100, mtime=0)
    yield w
    w.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def berth(daemon, *args, check=True):
    return run([BERTH, *args], env=client_env(daemon), check=check, timeout=120)


# ---------------------------------------------------------------------------
# the four clients


def test_docker_cli_import_url_runs(daemon, web, busybox_tar):
    env = client_env(daemon)
    url = web.url("/rootfs.tar")
    p = run(["docker", "import", "-c", 'CMD ["/bin/echo", "from the web"]', url, "web/imported:1"], env=env)
    out = p.stdout.splitlines()
    assert out[0] == f"Downloading from {url}"
    image_id = out[-1]
    info = daemon.request("GET", "/images/web/imported:1/json").json()
    assert info["Id"] == image_id and info["RootFS"]["Layers"] == [sha256(busybox_tar)]
    assert info["RepoTags"] == ["web/imported:1"] and info["Config"]["Cmd"] == ["/bin/echo", "from the web"]
    p = run(["docker", "run", "--rm", "--network", "none", "web/imported:1"], env=env)
    assert p.stdout == "from the web\n"
    # A redirect is followed: the same tarball, the same layer.
    p = run(["docker", "import", web.url("/moved"), "web/moved:1"], env=env)
    moved = daemon.request("GET", "/images/web/moved:1/json").json()
    assert moved["Id"] == p.stdout.splitlines()[-1] and moved["RootFS"]["Layers"] == info["RootFS"]["Layers"]


def test_api_import_url_streams_progress(daemon, web):
    tar = big_rootfs_tar()
    web.files["/big.tar.gz"] = data = gzip.compress(tar, compresslevel=1, mtime=0)
    url = web.url("/big.tar.gz")
    r = daemon.request("POST", "/v1.41/images/create?fromSrc=" + url + "&repo=web/big&tag=t&message=m")
    assert r.status == 200 and r.headers["Content-Type"] == "application/json", r.body
    out = lines(r)
    assert out[0] == {"status": f"Downloading from {url}"}
    progress = [line["progressDetail"] for line in out if line.get("status") == "Importing"]
    assert len(progress) >= 3 and all(p["total"] == len(data) for p in progress)
    assert [p["current"] for p in progress] == sorted(p["current"] for p in progress)
    assert progress[-1]["current"] == len(data)
    image_id = out[-1]["status"]
    info = daemon.request("GET", "/images/web/big:t/json").json()
    assert info["Id"] == image_id and info["RootFS"]["Layers"] == [sha256(tar)] and info["Comment"] == "m"
    # Docker reads a source without a scheme as http://.
    r = daemon.request("POST", "/v1.41/images/create?fromSrc=" + url[len("http://"):] + "&repo=web/noscheme")
    assert r.status == 200 and lines(r)[-1]["status"].startswith("sha256:"), r.body
    assert daemon.request("GET", "/images/web/noscheme/json").json()["RootFS"]["Layers"] == [sha256(tar)]


def test_docker_py_import_url(daemon, web, busybox_tar):
    import docker
    api = docker.APIClient(base_url=daemon.url, version="1.41")
    try:
        text = api.import_image_from_url(web.url("/rootfs.tar.gz"), repository="py/imported", tag="1")
    finally:
        api.close()
    out = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert out[0]["status"].startswith("Downloading from http://127.0.0.1:")
    info = daemon.request("GET", "/images/py/imported:1/json").json()
    assert info["Id"] == out[-1]["status"]
    assert info["RootFS"]["Layers"] == [sha256(busybox_tar)]   # the layer is the tar, decompressed


def test_libpod_import_url(daemon, web, busybox_tar):
    """The request podman's bindings make for `podman --remote import URL REF`."""
    r = daemon.request("POST", "/v4.3.1/libpod/images/import?changes=CMD%3D%2Fbin%2Ftrue&reference=pod%2Fapi%3A1"
                       "&url=" + web.url("/rootfs.tar"), headers={"Content-Type": "application/x-tar"})
    assert r.status == 200, r.body
    image_id = r.json()["Id"]
    info = daemon.request("GET", "/libpod/images/pod/api:1/json").json()
    assert info["Id"] == image_id and info["RootFS"]["Layers"] == [sha256(busybox_tar)]
    assert info["Config"]["Cmd"] == ["/bin/sh", "-c", "/bin/true"]


PODMAN_URL_BUG = "url and r parameters cannot be used together"


def test_podman_import_url(daemon, web, busybox_tar):
    p = run(["podman", "--remote", "import", "--change", "CMD=/bin/true", web.url("/rootfs.tar"), "pod/web:1"],
            env=client_env(daemon), check=False)
    if p.returncode == 125 and PODMAN_URL_BUG in p.stderr:
        # podman 4.3.1's tunnel hands its bindings a nil *os.File as the body, which they
        # see as a reader: it refuses every URL import before sending a request (the
        # request it means to send is test_libpod_import_url's).
        pytest.skip(f"podman --remote import URL fails in the podman client itself: {PODMAN_URL_BUG}")
    assert p.returncode == 0, p.stderr
    image_id = p.stdout.strip().splitlines()[-1]
    info = daemon.request("GET", "/libpod/images/pod/web:1/json").json()
    assert info["Id"] == image_id and info["RootFS"]["Layers"] == [sha256(busybox_tar)]
    assert info["Config"]["Cmd"] == ["/bin/sh", "-c", "/bin/true"]


def test_berth_import_url(daemon, web, busybox_tar):
    p = berth(daemon, "import", "-m", "over http", web.url("/rootfs.tar.gz"), "berth/web:1")
    image_id = p.stdout.strip()
    assert p.stdout == image_id + "\n" and len(image_id) == 64
    info = daemon.request("GET", "/v4.3.1/libpod/images/berth/web:1/json").json()
    assert info["Id"] == image_id and info["RootFS"]["Layers"] == [sha256(busybox_tar)]
    assert info["Comment"] == "over http"


# ---------------------------------------------------------------------------
# failures


def test_import_url_errors_api(daemon, web):
    port = free_port()
    cases = [
        (web.url("/missing.tar"), 404, "cannot download " + web.url("/missing.tar") + ": the server answered "
         "HTTP status 404"),
        (f"http://127.0.0.1:{port}/x.tar", 502, f"cannot download http://127.0.0.1:{port}/x.tar: "),
        (web.url("/page.html"), 400, web.url("/page.html") + " is no tarball: import a tar archive"),
        (web.url("/empty.tar"), 400, "is no tarball (the answer is empty)"),
        ("ftp://127.0.0.1/rootfs.tar", 400, "unsupported URL scheme \"ftp\" in ftp://127.0.0.1/rootfs.tar"),
        ("file:///etc/passwd", 400, "unsupported URL scheme \"file\" in file:///etc/passwd"),
        ("http:///rootfs.tar", 400, "http:///rootfs.tar names no host"),
        (web.url("/to-ftp"), 400, "cannot download " + web.url("/to-ftp") + ": "),
    ]
    for url, status, message in cases:
        for path in ("/v1.41/images/create?fromSrc=" + url + "&repo=bad/url",
                     "/v4.3.1/libpod/images/import?url=" + url + "&reference=bad/url"):
            r = daemon.request("POST", path)
            assert (r.status, r.headers["Content-Type"]) == (status, "application/json"), (path, r.body)
            assert message in r.json()["message"], (path, r.json())
    assert "ftp" in daemon.request("POST", "/libpod/images/import?url=" + web.url("/to-ftp")).json()["message"]
    r = daemon.request("POST", "/libpod/images/import?url=127.0.0.1/x.tar")
    assert r.status == 400 and r.json()["message"] == "127.0.0.1/x.tar is no URL: import from an http:// or " \
        "https:// address"
    # A bad name is refused before anything is downloaded.
    before = len(web.requests)
    r = daemon.request("POST", "/v1.41/images/create?fromSrc=" + web.url("/rootfs.tar") + "&repo=Bad/Name")
    assert r.status == 400 and "Bad/Name" in r.json()["message"]
    r = daemon.request("POST", "/libpod/images/import?url=" + web.url("/rootfs.tar") + "&changes=RUN%20x")
    assert r.status == 400 and "RUN is not supported" in r.json()["message"]
    assert len(web.requests) == before
    assert_nothing_left(daemon)
    assert daemon.request("GET", "/_ping").status == 200


def test_import_url_fails_half_way(daemon, web):
    """Failures after the download began: Docker's stream ends with an error line,
    libpod's answer has the error's status; nothing stays in the store."""
    for path, message in (("/truncated.tar", "cannot download " + web.url("/truncated.tar") + ": "),
                          ("/text.gz", "importing the root filesystem tarball: ")):
        r = daemon.request("POST", "/v1.41/images/create?fromSrc=" + web.url(path) + "&repo=half/way")
        assert r.status == 200, r.body
        out = lines(r)
        assert out[0] == {"status": "Downloading from " + web.url(path)}
        assert message in out[-1]["error"] and out[-1]["errorDetail"]["message"] == out[-1]["error"]
        r = daemon.request("POST", "/libpod/images/import?url=" + web.url(path))
        assert r.status == (500 if path == "/truncated.tar" else 400) and message in r.json()["message"], r.body
    assert_nothing_left(daemon)


def test_import_url_errors_clients(daemon, web):
    env = client_env(daemon)
    missing = web.url("/missing.tar")
    p = run(["docker", "import", missing, "x:1"], env=env, check=False)
    assert p.returncode == 1 and f"cannot download {missing}: the server answered HTTP status 404" in p.stderr
    p = berth(daemon, "import", web.url("/page.html"), "x:1", check=False)
    assert (p.returncode, p.stdout) == (125, "")
    assert p.stderr == f"Error: {web.url('/page.html')} is no tarball: import a tar archive, maybe compressed " \
        "(gzip, bzip2, xz, zstd)\n"
    p = berth(daemon, "import", "file:///etc/passwd", check=False)
    assert p.returncode == 125 and "unsupported URL scheme \"file\" in file:///etc/passwd" in p.stderr
    assert_nothing_left(daemon)
