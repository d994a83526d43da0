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
  token_registry  module: registry with Bearer token auth (distribution's `auth: token`)
                  backed by a TokenServer (`.token`); busybox:latest, busybox:v2 (another
                  image), multilayer:latest. Users: "berth"/"secret" (pull, push) and
                  "reader"/"readonly" (pull only); anonymous pull is off until a test sets
                  `.token.anonymous_pull = True`.
TokenServer issues RS256 JWTs the way Docker Hub's auth service does (GET /token?service=
&scope=, Basic credentials optional) and records every request it answers.
Each yields a RegistryServer; `.images["busybox:latest"]` is a Pushed (digests, refs).
"""
import base64
import hashlib
import http.server
import json
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
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

    def __init__(self, host, user=None, password=None, timeout=60, bearer=None):
        """bearer: a token (str) sent as "Authorization: Bearer", or a callable
        scope -> token asked again whenever the registry answers 401 with a Bearer
        challenge (the request is then retried once with the new token)."""
        self.base = host if "://" in host else "http://" + host
        self.host = urllib.parse.urlsplit(self.base).netloc
        self.user, self.password = user, password
        self.timeout = timeout
        self.bearer = bearer
        self._token = bearer if isinstance(bearer, str) else None
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
        reply = self._send(method, url, data, headers, auth)
        if (reply.status == 401 and auth is not False and callable(self.bearer)
                and (reply.headers.get("WWW-Authenticate") or "").lower().startswith("bearer ")):
            challenge = parse_challenge(reply.headers["WWW-Authenticate"])
            self._token = self.bearer(challenge.get("scope"))
            reply = self._send(method, url, data, headers, auth)
        if ok is not None and reply.status not in ok:
            raise RegistryError(reply.status, reply.body, url)
        return reply

    def _send(self, method, url, data, headers, auth):
        h = dict(self._auth_headers(auth))
        if auth is not False and self._token and "Authorization" not in h:
            h["Authorization"] = "Bearer " + self._token
        h.update(headers or {})
        req = urllib.request.Request(url, data=data, headers=h, method=method)
        try:
            with self._opener.open(req, timeout=self.timeout) as r:
                return Reply(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            return Reply(e.code, e.headers, e.read())

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


def parse_challenge(header):
    """'Bearer realm="x",service="y",scope="a:b:pull,push"' -> {"scheme": "Bearer",
    "realm": "x", "service": "y", "scope": "a:b:pull,push"} (values quoted or not)."""
    scheme, _, rest = header.strip().partition(" ")
    out = {"scheme": scheme}
    for m in re.finditer(r'(\w+)=(?:"([^"]*)"|([^,]*))', rest):
        out[m.group(1).lower()] = m.group(2) if m.group(2) is not None else m.group(3)
    return out


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
    """docker-registry on 127.0.0.1:<free port>. auth=(user, password) turns on htpasswd;
    token=<a started TokenServer> turns on Bearer token auth through it instead."""

    def __init__(self, auth=None, base_dir=None, token=None):
        self.auth = auth
        self.token = token
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

    def other_host(self):
        """"NAME:PORT" by a name engines do not take for loopback (so not plain HTTP by
        default): the machine's own name when it resolves to 127.0.0.1; else skip."""
        name = socket.gethostname().lower()
        try:
            addr = socket.gethostbyname(name)
        except OSError:
            pytest.skip(f"the host name {name!r} does not resolve")
        if addr != "127.0.0.1" or name == "localhost" or not re.fullmatch(r"[a-z0-9-]+", name):
            pytest.skip(f"the host name {name!r} is not another name for 127.0.0.1")
        return f"{name}:{self.port}"

    def client(self, user=None, password=None, anonymous=False):
        """A RegistryClient; with the server's credentials unless anonymous or given.
        With token auth: tokens minted by the TokenServer for whatever scope the
        registry asks (as `user`, default TOKEN_ADMIN), without an HTTP round trip."""
        if anonymous:
            return RegistryClient(self.host)
        if self.token is not None:
            return RegistryClient(self.host, bearer=self.token.minter(user or TOKEN_ADMIN))
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
        elif self.token is not None:
            lines += ["auth:", "  token:", f"    realm: {self.token.realm}",
                      f"    service: {self.token.service}", f"    issuer: {self.token.issuer}",
                      f"    rootcertbundle: {self.token.cert_path}"]
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
# token server (Bearer token auth, as Docker Hub's auth.docker.io)

TOKEN_SERVICE = "berth-registry"
TOKEN_ISSUER = "berth-token-issuer"
TOKEN_ADMIN = "berth"
# name -> password (every action), or (password, actions allowed)
TOKEN_USERS = {"berth": "secret", "reader": ("readonly", ("pull",))}
TOKEN_LEEWAY = 60        # distribution 2.8 accepts exp/nbf up to 60 s off (token.Leeway)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def libtrust_key_id(spki_der):
    """docker/libtrust's key ID: SHA-256 of the DER SubjectPublicKeyInfo, first 240
    bits, base32, in groups of 4 joined by ':' (what distribution matches "kid" with)."""
    b32 = base64.b32encode(hashlib.sha256(spki_der).digest()[:30]).decode()
    return ":".join(b32[i:i + 4] for i in range(0, len(b32), 4))


def decode_jwt(token):
    """-> (header, claims) without verifying anything."""
    header, claims, _ = token.split(".")
    return json.loads(b64url_decode(header)), json.loads(b64url_decode(claims))


def parse_scope(scope):
    """'repository:NAME:pull,push' -> ("repository", "NAME", ["pull", "push"]); a scope
    parameter may hold several, space-separated (see parse_scopes)."""
    rest, _, actions = scope.rpartition(":")
    typ, _, name = rest.partition(":")
    return typ, name, [a for a in actions.split(",") if a]


def parse_scopes(values):
    out = []
    for v in values:
        out += [parse_scope(s) for s in v.split()]
    return out


class TokenRequest:
    """One GET /token the server answered."""

    def __init__(self, service, scopes, user, status, access=None, authorization=None):
        self.service = service
        self.scopes = scopes            # the scope parameters as sent (may be [])
        self.user = user                # the Basic user (even a wrong one), None: anonymous
        self.status = status            # 200, 401, 400
        self.access = access or []      # what the token granted
        self.authorization = authorization

    @property
    def scope(self):
        return " ".join(self.scopes)

    def __repr__(self):
        return f"TokenRequest({self.scope!r}, user={self.user!r}, status={self.status})"


class TokenServer:
    """A token service on 127.0.0.1:<free port> as distribution's token auth expects:
    GET /token?service=S&scope=repository:NAME:pull[,push] (scope repeatable, optional)
    with optional Basic credentials ->
      200 {"token", "access_token", "expires_in", "issued_at"} granting the requested
          actions the user may have (anonymous: pull only, if anonymous_pull),
      401 for wrong credentials, or no credentials when anonymous pull is off
          (anonymous="empty" answers 200 with no access instead, as Docker Hub does).
    The JWT is RS256 over an openssl-made key; its header names the key by "x5c" (the
    self-signed certificate, which is the registry's rootcertbundle) or, with
    key_header="kid", by libtrust key ID. Knobs a test may turn (reset() restores them):
      lifetime          seconds until exp (negative: expired on arrival)
      anonymous_pull    anonymous requests get pull
      fields            which of "token" / "access_token" the answer carries
      tamper            callable(request_number, user, access) -> access, applied before
                        minting (request_number counts from 1 since the last reset)
    `requests` lists every TokenRequest; count(scope=..., user=..., status=...)."""

    def __init__(self, users=None, anonymous_pull=False, anonymous="401", service=TOKEN_SERVICE,
                 issuer=TOKEN_ISSUER, lifetime=300, key_header="x5c", base_dir=None):
        self.users = dict(TOKEN_USERS if users is None else users)
        self.service, self.issuer = service, issuer
        self.key_header = key_header
        self._defaults = {"anonymous_pull": anonymous_pull, "anonymous": anonymous,
                          "lifetime": lifetime, "fields": ("token", "access_token"),
                          "tamper": None}
        self.__dict__.update(self._defaults)
        self.dir = tempfile.mkdtemp(prefix="berth-token-", dir=base_dir)
        self.key_path = os.path.join(self.dir, "key.pem")
        self.cert_path = os.path.join(self.dir, "cert.pem")
        self.requests = []
        self._lock = threading.Lock()
        self._httpd = None
        self._thread = None

    # addresses
    @property
    def port(self):
        return self._httpd.server_address[1]

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def realm(self):
        return self.url + "/token"

    # state
    def reset(self):
        """Forget the requests seen and put the knobs back as constructed."""
        with self._lock:
            self.requests = []
            self.__dict__.update(self._defaults)

    def count(self, scope=None, user=False, status=None):
        """How many requests match: scope (the scope parameter as sent; "" for none),
        user (None: anonymous; default: any), status."""
        with self._lock:
            return sum(1 for r in self.requests
                       if (scope is None or r.scope == scope)
                       and (user is False or r.user == user)
                       and (status is None or r.status == status))

    def seen(self):
        with self._lock:
            return list(self.requests)

    # keys
    def _make_key(self):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
                        "-keyout", self.key_path, "-out", self.cert_path, "-days", "2",
                        "-subj", f"/CN={self.issuer}"],
                       check=True, capture_output=True)
        with open(self.cert_path) as f:
            self.cert_der = ssl.PEM_cert_to_DER_cert(f.read())
        spki = subprocess.run(["openssl", "pkey", "-in", self.key_path, "-pubout", "-outform", "DER"],
                              check=True, capture_output=True).stdout
        self.key_id = libtrust_key_id(spki)

    def sign(self, data):
        """RS256 (RSASSA-PKCS1-v1_5 with SHA-256) with the server's key."""
        return subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.key_path], input=data,
                              check=True, capture_output=True).stdout

    def mint(self, user, access, lifetime=None, now=None, audience=None, issuer=None):
        """A signed JWT. access: [{"type": "repository", "name": N, "actions": [...]}]."""
        now = int(time.time() if now is None else now)
        lifetime = self.lifetime if lifetime is None else lifetime
        header = {"alg": "RS256", "typ": "JWT"}
        if self.key_header == "kid":
            header["kid"] = self.key_id
        else:
            header["x5c"] = [base64.b64encode(self.cert_der).decode()]
        claims = {"iss": issuer or self.issuer, "sub": user or "", "aud": audience or self.service,
                  "exp": now + lifetime, "nbf": now - 10, "iat": now,
                  "jti": secrets.token_hex(16), "access": access}
        signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                         b64url(json.dumps(claims, separators=(",", ":")).encode()))
        return signing_input + "." + b64url(self.sign(signing_input.encode()))

    def minter(self, user=TOKEN_ADMIN):
        """scope -> a token granting all of it to `user`, for RegistryClient(bearer=)."""
        def mint_for(scope):
            scopes = parse_scopes([scope]) if scope else []
            return self.mint(user, [{"type": t, "name": n, "actions": a} for t, n, a in scopes],
                             lifetime=max(self.lifetime, 300))
        return mint_for

    # policy
    def _user_actions(self, user):
        entry = self.users[user]
        return set(entry[1]) if isinstance(entry, tuple) else None      # None: everything

    def _check(self, authorization):
        """-> (user or None, ok). Wrong or malformed credentials: (user, False)."""
        if not authorization:
            return None, True
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "basic":
            return None, False
        try:
            user, _, password = base64.b64decode(value).decode().partition(":")
        except ValueError:
            return None, False
        entry = self.users.get(user)
        want = entry[0] if isinstance(entry, tuple) else entry
        return user, entry is not None and secrets.compare_digest(password, want)

    def answer(self, query, authorization):
        """-> (status, body dict) for a GET /token; records the request."""
        service = (query.get("service") or [""])[0]
        scope_values = query.get("scope", [])
        user, ok = self._check(authorization)
        status, body, access = 200, None, []
        if not ok:
            status, body = 401, {"details": "incorrect username or password"}
        elif service != self.service:
            status, body = 400, {"details": f"unknown service {service!r}"}
        elif user is None and not self.anonymous_pull and self.anonymous != "empty":
            status, body = 401, {"details": "authentication required"}
        else:
            allowed = ({"pull"} if self.anonymous_pull else set()) if user is None \
                else self._user_actions(user)
            for typ, name, actions in parse_scopes(scope_values):
                granted = [a for a in actions if allowed is None or a in allowed]
                if granted:
                    access.append({"type": typ, "name": name, "actions": granted})
        with self._lock:
            number = len(self.requests) + 1
            tamper, lifetime, fields = self.tamper, self.lifetime, self.fields
            record = TokenRequest(service, list(scope_values), user, status, access, authorization)
            self.requests.append(record)
        if status == 200:
            if tamper is not None:
                access = tamper(number, user, access)
                record.access = access
            token = self.mint(user, access, lifetime=lifetime)
            body = {"expires_in": lifetime,
                    "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
            body.update({f: token for f in fields})
        return status, body

    # server
    def _handler(self):
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                if url.path != "/token":
                    return self._reply(404, {"details": "not found"})
                status, body = server.answer(urllib.parse.parse_qs(url.query),
                                             self.headers.get("Authorization"))
                extra = {"WWW-Authenticate": f'Basic realm="{server.realm}"'} if status == 401 else {}
                self._reply(status, body, extra)

            def _reply(self, status, body, extra=None):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler

    def start(self):
        self._make_key()
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="token-server",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop answering (the port is closed: a registry using it then fails to reach
        its realm) and remove the key; idempotent. `realm` still names the old port."""
        try:
            if self._httpd is not None and self._thread is not None:
                self._httpd.shutdown()
                self._httpd.server_close()
                self._thread.join(10)
                self._thread = None
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


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


@pytest.fixture(scope="module")
def token_registry():
    """A registry with Bearer token auth through a TokenServer (`.token`): busybox:latest,
    busybox:v2 (another image), multilayer:latest, pushed with tokens minted directly."""
    token = TokenServer().start()
    server = None
    try:
        server = RegistryServer(token=token).start()
        server.push("busybox:latest", mkimage.busybox_image())
        server.push("busybox:v2", mkimage.variant_image())
        server.push("multilayer:latest", mkimage.multilayer_image())
        yield server
    finally:
        if server is not None:
            server.stop()
        token.stop()
