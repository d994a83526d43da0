"""A local Docker registry for the integration tests, and a minimal push/pull client.

RegistryServer runs Debian's `docker-registry serve` (distribution 2.8) on 127.0.0.1 with
filesystem storage in a temp dir; RegistryClient speaks the Registry HTTP API v2 with
urllib (Basic auth); push_image / push_index upload images built by
tests/fixtures/mkimage.py.

Fixtures (import them into a test module: `from registry import registry, auth_registry`):
  registry        session: anonymous registry with busybox:latest (Docker schema 2),
                  busybox:oci (OCI manifest), multilayer:latest, platforms:latest
                  (manifest list amd64 + arm64/v8), corrupt:latest (layer blob corrupted)
  auth_registry   module: htpasswd registry (user "berth", password "secret", realm
                  "berth-test") with busybox:latest
  fresh_registry  function: an empty anonymous registry of its own (for push/delete tests)
Each yields a RegistryServer; `.images["busybox:latest"]` is a Pushed (digests, refs).
"""
import base64
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "fixtures")))
import mkimage  # noqa: E402

REGISTRY_BIN = os.environ.get("BERTH_REGISTRY_BIN", "/usr/bin/docker-registry")
HTPASSWD_BIN = "htpasswd"
REALM = "berth-test"
AUTH_USER, AUTH_PASSWORD = "berth", "secret"

ACCEPT_MANIFESTS = ", ".join(mkimage.ALL_MANIFEST_TYPES)


# ---------------------------------------------------------------------------
# client

class RegistryError(Exception):
    def __init__(self, status, body, url):
        super().__init__(f"{status} from {url}: {body[:500]!r}")
        self.status, self.body, self.url = status, body, url


class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **kw):
        return None


class RegistryClient:
    """Registry HTTP API v2 over plain HTTP. `host` is "127.0.0.1:PORT" (or a full URL)."""

    def __init__(self, host, user=None, password=None, timeout=60):
        self.base = host if "://" in host else "http://" + host
        self.host = urllib.parse.urlsplit(self.base).netloc
        self.user, self.password = user, password
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirect)

    def _auth_headers(self, auth):
        if auth is False or self.user is None:
            return {}
        if isinstance(auth, tuple):
            user, pw = auth
        else:
            user, pw = self.user, self.password or ""
        tok = base64.b64encode(f"{user}:{pw}".encode()).decode()
        return {"Authorization": "Basic " + tok}

    def request(self, method, path, data=None, headers=None, auth=None, ok=(200,)):
        """-> Reply. auth: None = the client's credentials, False = none, (u, p) = those.
        Raises RegistryError unless the status is in `ok` (ok=None accepts any)."""
        url = path if "://" in path else self.base + path
        h = dict(self._auth_headers(auth))
        h.update(headers or {})
        req = urllib.request.Request(url, data=data, headers=h, method=method)
        try:
            with self._opener.open(req, timeout=self.timeout) as r:
                reply = Reply(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            reply = Reply(e.code, e.headers, e.read())
        if ok is not None and reply.status not in ok:
            raise RegistryError(reply.status, reply.body, url)
        return reply

    # generic
    def ping(self, auth=None):
        return self.request("GET", "/v2/", auth=auth, ok=None).status

    def catalog(self):
        return self.request("GET", "/v2/_catalog").json().get("repositories", [])

    def tags(self, repo):
        return self.request("GET", f"/v2/{repo}/tags/list").json().get("tags") or []

    # blobs
    def blob_exists(self, repo, digest):
        st = self.request("HEAD", f"/v2/{repo}/blobs/{digest}", ok=(200, 404)).status
        return st == 200

    def get_blob(self, repo, digest, auth=None):
        return self.request("GET", f"/v2/{repo}/blobs/{digest}", auth=auth).body

    def upload_blob(self, repo, data, digest=None):
        """Monolithic upload: POST /blobs/uploads/ then PUT <location>&digest=. -> digest."""
        digest = digest or mkimage.sha256(data)
        r = self.request("POST", f"/v2/{repo}/blobs/uploads/", data=b"", ok=(202,),
                         headers={"Content-Length": "0"})
        loc = urllib.parse.urljoin(self.base + "/", r.headers["Location"])
        loc += ("&" if "?" in loc else "?") + "digest=" + urllib.parse.quote(digest)
        r = self.request("PUT", loc, data=data, ok=(201,),
                         headers={"Content-Type": "application/octet-stream",
                                  "Content-Length": str(len(data))})
        got = r.headers.get("Docker-Content-Digest")
        if got and got != digest:
            raise RegistryError(201, f"registry says {got}, expected {digest}".encode(), loc)
        return digest

    def ensure_blob(self, repo, data, digest=None):
        digest = digest or mkimage.sha256(data)
        if not self.blob_exists(repo, digest):
            self.upload_blob(repo, data, digest)
        return digest

    def delete_blob(self, repo, digest):
        return self.request("DELETE", f"/v2/{repo}/blobs/{digest}", ok=(202,)).status

    # manifests
    def put_manifest(self, repo, ref, data, media_type):
        """-> the Docker-Content-Digest the registry returned."""
        r = self.request("PUT", f"/v2/{repo}/manifests/{ref}", data=data, ok=(201,),
                         headers={"Content-Type": media_type})
        return r.headers.get("Docker-Content-Digest")

    def get_manifest(self, repo, ref, accept=ACCEPT_MANIFESTS, auth=None):
        """-> (body bytes, media type, Docker-Content-Digest)."""
        r = self.request("GET", f"/v2/{repo}/manifests/{ref}", auth=auth,
                         headers={"Accept": accept})
        return r.body, r.headers.get("Content-Type"), r.headers.get("Docker-Content-Digest")

    def head_manifest(self, repo, ref, accept=ACCEPT_MANIFESTS):
        r = self.request("HEAD", f"/v2/{repo}/manifests/{ref}", headers={"Accept": accept},
                         ok=(200, 404))
        return r.headers.get("Docker-Content-Digest") if r.status == 200 else None

    def delete_manifest(self, repo, digest):
        return self.request("DELETE", f"/v2/{repo}/manifests/{digest}", ok=(202,)).status


# ---------------------------------------------------------------------------
# pushing mkimage images

class Pushed:
    """What was pushed where. For an index, `digest` is the index's and `platforms`
    maps "amd64" / "arm64/v8" to a Pushed for each platform manifest."""

    def __init__(self, host, repo, tag, digest, media_type, manifest, image=None,
                 platforms=None):
        self.host, self.repo, self.tag = host, repo, tag
        self.digest, self.media_type, self.manifest = digest, media_type, manifest
        self.image, self.platforms = image, platforms or {}

    @property
    def ref(self):                  # "127.0.0.1:PORT/busybox:latest"
        return f"{self.host}/{self.repo}:{self.tag}"

    @property
    def digest_ref(self):           # "127.0.0.1:PORT/busybox@sha256:..."
        return f"{self.host}/{self.repo}@{self.digest}"

    @property
    def name(self):                 # "127.0.0.1:PORT/busybox"
        return f"{self.host}/{self.repo}"

    def _native(self):
        if self.image is not None:
            return self
        native = mkimage.host_arch()
        for key, p in self.platforms.items():
            if key.split("/")[0] == native:
                return p
        raise KeyError(f"no {native} entry in {self.ref}")

    @property
    def id(self):
        """Image ID (config digest); for an index, the host platform's."""
        return self._native().image.id

    config_digest = id

    @property
    def layer_digests(self):
        return self._native().image.layer_digests

    @property
    def diff_ids(self):
        return self._native().image.diff_ids

    def as_dict(self):
        d = {"ref": self.ref, "digest_ref": self.digest_ref, "digest": self.digest,
             "media_type": self.media_type}
        if self.image is not None:
            d.update({"id": self.image.id, "config_digest": self.image.config_digest,
                      "layer_digests": self.image.layer_digests,
                      "diff_ids": self.image.diff_ids, "platform": self.image.platform})
        if self.platforms:
            d["platforms"] = {k: v.as_dict() for k, v in self.platforms.items()}
        return d

    def __repr__(self):
        return f"Pushed({self.ref} {self.digest})"


def _push_blobs(client, repo, image):
    for dg, data in image.blobs().items():
        client.ensure_blob(repo, data, dg)


def push_image(client, repo, tag, image, oci=False):
    """Upload the blobs then the manifest under `tag` (or a digest). -> Pushed."""
    _push_blobs(client, repo, image)
    body = image.manifest_bytes(oci)
    mt = image.manifest_media_type(oci)
    got = client.put_manifest(repo, tag, body, mt)
    want = mkimage.sha256(body)
    if got and got != want:
        raise RegistryError(201, f"manifest digest {got} != {want}".encode(), repo)
    return Pushed(client.host, repo, tag, want, mt, body, image=image)


def push_index(client, repo, tag, index, oci=False):
    """Push each platform manifest by digest, then the index under `tag`. -> Pushed."""
    platforms = {}
    for img in index.images:
        p = push_image(client, repo, img.manifest_digest(oci), img, oci)
        p.tag = tag
        platforms[img.arch + ("/" + img.variant if img.variant else "")] = p
    body = index.bytes(oci)
    mt = index.media_type(oci)
    got = client.put_manifest(repo, tag, body, mt)
    want = mkimage.sha256(body)
    if got and got != want:
        raise RegistryError(201, f"index digest {got} != {want}".encode(), repo)
    return Pushed(client.host, repo, tag, want, mt, body, platforms=platforms)


def verify_blob(data, digest):
    return "sha256:" + hashlib.sha256(data).hexdigest() == digest


# ---------------------------------------------------------------------------
# server

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_htpasswd(path, user, password):
    if shutil.which(HTPASSWD_BIN) is None:
        raise RuntimeError("htpasswd not found: apt-get install -y apache2-utils")
    out = subprocess.run([HTPASSWD_BIN, "-Bbn", user, password], check=True,
                         capture_output=True, text=True).stdout.strip()
    with open(path, "w") as f:
        f.write(out + "\n")


class RegistryServer:
    """docker-registry on 127.0.0.1:<free port>. auth=(user, password) turns on htpasswd."""

    def __init__(self, auth=None, base_dir=None):
        self.auth = auth
        self.dir = tempfile.mkdtemp(prefix="berth-registry-", dir=base_dir)
        self.storage = os.path.join(self.dir, "storage")
        self.config_path = os.path.join(self.dir, "config.yml")
        self.log_path = os.path.join(self.dir, "registry.log")
        self.htpasswd_path = os.path.join(self.dir, "htpasswd")
        self.port = None
        self.proc = None
        self._logf = None
        self.images = {}            # "busybox:latest" -> Pushed
        self.corrupt_digest = None  # set by populate_standard

    # addresses
    @property
    def host(self):                 # "127.0.0.1:PORT", as used in image references
        return f"127.0.0.1:{self.port}"

    @property
    def url(self):
        return "http://" + self.host

    @property
    def user(self):
        return self.auth[0] if self.auth else None

    @property
    def password(self):
        return self.auth[1] if self.auth else None

    def ref(self, name):            # "busybox:latest" -> "127.0.0.1:PORT/busybox:latest"
        return f"{self.host}/{name}"

    def client(self, user=None, password=None, anonymous=False):
        """A RegistryClient; with the server's credentials unless anonymous or given."""
        if anonymous:
            return RegistryClient(self.host)
        if user is None and self.auth:
            user, password = self.auth
        return RegistryClient(self.host, user, password)

    def _write_config(self):
        lines = [
            "version: 0.1",
            "log:",
            "  level: info",
            "  formatter: text",
            "storage:",
            "  filesystem:",
            f"    rootdirectory: {self.storage}",
            "  delete:",
            "    enabled: true",
            "  maintenance:",
            "    uploadpurging:",
            "      enabled: false",
            "http:",
            f"  addr: 127.0.0.1:{self.port}",
            "  secret: berth-test-secret",
            "  headers:",
            "    X-Content-Type-Options: [nosniff]",
        ]
        if self.auth:
            make_htpasswd(self.htpasswd_path, *self.auth)
            lines += ["auth:", "  htpasswd:", f"    realm: {REALM}",
                      f"    path: {self.htpasswd_path}"]
        with open(self.config_path, "w") as f:
            f.write("\n".join(lines) + "\n")

    def start(self, timeout=15.0):
        if not os.access(REGISTRY_BIN, os.X_OK):
            raise RuntimeError(f"{REGISTRY_BIN} missing: apt-get install -y docker-registry")
        for attempt in range(3):
            self.port = free_port()
            self._write_config()
            self._logf = open(self.log_path, "ab")
            self.proc = subprocess.Popen([REGISTRY_BIN, "serve", self.config_path],
                                         stdout=self._logf, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
            if self._wait(timeout):
                return self
            self._stop_proc()
            if "address already in use" not in self.log():
                break
        raise RuntimeError(f"docker-registry did not come up:\n{self.log()[-3000:]}")

    def _wait(self, timeout):
        deadline = time.monotonic() + timeout
        client = RegistryClient(self.host, timeout=2)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                if client.ping(auth=False) in (200, 401):
                    return True
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.02)
        return False

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def _stop_proc(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._logf:
            self._logf.close()
            self._logf = None

    def stop(self):
        """Stop the server (terminate, kill after 10 s) and remove its directory."""
        try:
            self._stop_proc()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # pushing
    def push(self, name, image, oci=False):
        """Push an mkimage.Image as name ("repo:tag"); recorded in self.images."""
        repo, tag = mkimage.split_ref(name)
        p = push_image(self.client(), repo, tag, image, oci)
        self.images[f"{repo}:{tag}"] = p
        return p

    def push_index(self, name, index, oci=False):
        repo, tag = mkimage.split_ref(name)
        p = push_index(self.client(), repo, tag, index, oci)
        self.images[f"{repo}:{tag}"] = p
        return p

    # storage tampering
    def blob_data_path(self, digest):
        h = mkimage.hexof(digest)
        return os.path.join(self.storage, "docker", "registry", "v2", "blobs", "sha256",
                            h[:2], h, "data")

    def corrupt_blob(self, digest):
        """Overwrite the stored blob with different bytes of the same length, so the
        registry serves content that doesn't match `digest`. Every repository that
        shares this blob is affected (storage is content-addressed)."""
        path = self.blob_data_path(digest)
        with open(path, "rb") as f:
            data = f.read()
        bad = bytes(b ^ 0xFF for b in data[:64]) + data[64:]
        assert len(bad) == len(data) and bad != data
        with open(path, "wb") as f:
            f.write(bad)
        return path


# ---------------------------------------------------------------------------
# the standard contents and fixtures

CORRUPT_CONTENT = "this layer's blob is corrupted in the registry\n"


def populate_standard(server):
    """busybox:latest (schema 2), busybox:oci (OCI), multilayer:latest,
    platforms:latest (Docker manifest list amd64 + arm64/v8), corrupt:latest."""
    bb = mkimage.busybox_image()
    server.push("busybox:latest", bb)
    server.push("busybox:oci", bb, oci=True)
    server.push("multilayer:latest", mkimage.multilayer_image())
    server.push_index("platforms:latest", mkimage.platform_index(bb))
    bad = mkimage.variant_image(content=CORRUPT_CONTENT, path="corrupt.txt")
    server.push("corrupt:latest", bad)
    server.corrupt_digest = bad.layers[-1].digest
    server.corrupt_blob(server.corrupt_digest)
    return server


@pytest.fixture(scope="session")
def registry():
    """Anonymous registry with the standard images; `.corrupt_digest` is the bad blob."""
    server = RegistryServer().start()
    try:
        populate_standard(server)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def auth_registry():
    """htpasswd registry (berth / secret, realm berth-test) with busybox:latest."""
    server = RegistryServer(auth=(AUTH_USER, AUTH_PASSWORD)).start()
    try:
        server.push("busybox:latest", mkimage.busybox_image())
        yield server
    finally:
        server.stop()


@pytest.fixture
def fresh_registry():
    """An empty anonymous registry for one test."""
    server = RegistryServer().start()
    try:
        yield server
    finally:
        server.stop()
