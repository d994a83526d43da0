"""Bearer token authentication against a real docker-registry (distribution 2.8,
`auth: token`) and a token server on loopback (registry.TokenServer), as Docker Hub
works: pulls, logins and pushes through the Docker API, docker-py and the docker CLI,
tokens cached per scope, renewed when they expire, and clear errors when the token
server or the registry says no. A recording proxy in front of the registry shows what
berthd actually sent it."""
import base64
import http.client
import http.server
import json
import os
import threading
import time

import pytest

from conftest import client_env, run
from registry import TOKEN_LEEWAY, RegistryServer, TokenServer, decode_jwt, token_registry  # noqa: F401

PYTHON = "/usr/bin/python3"
PULL = "repository:{}:pull"
PUSH = "repository:{}:pull,push"


@pytest.fixture
def reg(token_registry):
    """The module's token registry, with the token server's knobs and records reset."""
    token_registry.token.reset()
    yield token_registry
    token_registry.token.reset()


def x_registry_auth(user, password):
    return base64.urlsafe_b64encode(json.dumps({"username": user, "password": password}).encode()).decode()


def creds(user="berth", password="secret"):
    return {"X-Registry-Auth": x_registry_auth(user, password)}


def pull(daemon, ref, headers=None):
    image, _, tag = ref.rpartition(":")
    return daemon.request("POST", f"/v1.41/images/create?fromImage={image}&tag={tag}", headers=headers)


def stream_lines(r):
    return [json.loads(line) for line in r.body.decode().splitlines() if line.strip()]


def assert_pulled(r, ref):
    assert r.status == 200, r.body
    lines = stream_lines(r)
    assert not any("error" in line for line in lines), lines
    assert lines[-1]["status"] == f"Status: Downloaded newer image for {ref}", lines


def auth_daemon(make_daemon, name="d"):
    """A daemon whose auth file (REGISTRY_AUTH_FILE) lives in the test's directory."""
    d = make_daemon(name, start=False)
    d.auth_file = os.path.join(d.dir, "auth.json")
    d.env = dict(os.environ, REGISTRY_AUTH_FILE=d.auth_file)
    return d.start()


# ---------------------------------------------------------------------------
# a recording (and delaying) proxy in front of the registry

class Proxy:
    """127.0.0.1:<free port> forwarding to `upstream` ("127.0.0.1:PORT"), recording
    every request as (method, path, Authorization, status, WWW-Authenticate).
    hold(predicate, seconds): the first request predicate(method, path) matches waits
    that long before it is forwarded (one-shot per hold)."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.log = []
        self._holds = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                delay = proxy._take_hold(self.command, self.path)
                if delay:
                    time.sleep(delay)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("connection", "keep-alive", "proxy-connection")}
                conn = http.client.HTTPConnection(proxy.upstream, timeout=60)
                try:
                    conn.request(self.command, self.path, body=body, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                finally:
                    conn.close()
                with proxy._lock:
                    proxy.log.append((self.command, self.path, self.headers.get("Authorization"),
                                      resp.status, resp.getheader("WWW-Authenticate")))
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("connection", "keep-alive", "transfer-encoding",
                                         "content-length", "date", "server"):
                        self.send_header(k, v)
                n = resp.getheader("Content-Length") if self.command == "HEAD" else str(len(data))
                if n is not None:
                    self.send_header("Content-Length", n)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = forward

            def log_message(self, *args):
                pass

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def host(self):
        return f"127.0.0.1:{self._httpd.server_address[1]}"

    def hold(self, predicate, seconds):
        with self._lock:
            self._holds.append([predicate, seconds])

    def _take_hold(self, method, path):
        with self._lock:
            for h in self._holds:
                if h[0](method, path):
                    self._holds.remove(h)
                    return h[1]
        return 0

    def requests(self, method=None, path=None):
        with self._lock:
            return [r for r in self.log
                    if (method is None or r[0] == method) and (path is None or r[1] == path)]

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(10)


@pytest.fixture
def proxy(reg):
    p = Proxy(reg.host)
    yield p
    p.stop()


def jti(authorization):
    assert authorization and authorization.startswith("Bearer "), authorization
    return decode_jwt(authorization[7:])[1]["jti"]


# ---------------------------------------------------------------------------
# pulls

def test_anonymous_pull_when_the_token_server_grants_it(daemon, reg):
    ts = reg.token
    ts.anonymous_pull = True
    img = reg.images["busybox:latest"]
    r = pull(daemon, img.ref)
    assert_pulled(r, img.ref)
    assert daemon.request("GET", f"/images/{img.ref}/json").json()["Id"] == img.id
    [req] = ts.seen()
    # Anonymous: no credentials went to the token server; the token grants pull only.
    assert (req.scope, req.user, req.authorization, req.status) == (PULL.format("busybox"), None, None, 200)
    assert req.service == "berth-registry"
    assert req.access == [{"type": "repository", "name": "busybox", "actions": ["pull"]}]


def test_pull_needs_credentials_when_the_token_server_does(daemon, reg):
    ts = reg.token
    img = reg.images["busybox:latest"]
    # None: the token server's 401 comes back as an error that names the registry.
    r = pull(daemon, img.ref)
    assert r.status in (401, 403), r.body
    message = r.json()["message"]
    assert message.startswith(f"pulling {img.name}: registry {reg.host}: authentication failed"), message
    assert "credentials required" in message
    assert [(q.user, q.authorization, q.status) for q in ts.seen()] == [(None, None, 401)]
    # Wrong ones: the same, without "credentials required".
    ts.reset()
    r = pull(daemon, img.ref, headers=creds("berth", "wrong"))
    assert r.status in (401, 403), r.body
    message = r.json()["message"]
    assert reg.host in message and "authentication failed (token server answered 401)" in message
    assert [(q.user, q.status) for q in ts.seen()] == [("berth", 401)]
    assert daemon.request("GET", f"/images/{img.ref}/json").status == 404
    # Right ones in X-Registry-Auth: Basic to the token server, then the image.
    ts.reset()
    r = pull(daemon, img.ref, headers=creds())
    assert_pulled(r, img.ref)
    [req] = ts.seen()
    assert (req.scope, req.user, req.status) == (PULL.format("busybox"), "berth", 200)
    assert req.authorization == "Basic " + base64.b64encode(b"berth:secret").decode()
    assert daemon.request("GET", f"/images/{img.ref}/json").json()["Id"] == img.id


def test_docker_py_pull_with_auth_config(daemon, reg):
    ts = reg.token
    img = reg.images["busybox:v2"]
    code = f"""
import docker
c = docker.DockerClient(base_url="{daemon.url}")
try:
    c.images.pull("{img.name}", tag="v2", auth_config={{"username": "berth", "password": "wrong"}})
    raise SystemExit("wrong password accepted")
except docker.errors.APIError as e:
    assert e.status_code in (401, 403) and "{reg.host}" in str(e), e
i = c.images.pull("{img.name}", tag="v2", auth_config={{"username": "berth", "password": "secret"}})
print(i.id)
"""
    env = dict(os.environ, DOCKER_CONFIG=os.path.join(daemon.dir, "py-docker-config"))
    assert run([PYTHON, "-c", code], env=env).stdout.strip() == img.id
    assert [(q.scope, q.user, q.status) for q in ts.seen()] == \
        [(PULL.format("busybox"), "berth", 401), (PULL.format("busybox"), "berth", 200)]


def test_one_token_per_scope_per_pull_and_only_tokens_reach_the_registry(daemon, reg, proxy):
    """Within a pull the token is asked for once and used for the manifest, the config
    and every layer (in parallel for multilayer). The cache belongs to the pull
    (registry_open per operation), so another pull of the same repository asks again."""
    ts = reg.token
    scope = PULL.format("busybox")
    first = f"{proxy.host}/busybox:latest"
    assert_pulled(pull(daemon, first, headers=creds()), first)
    assert ts.count(scope=scope) == 1
    second = f"{proxy.host}/busybox:v2"
    assert_pulled(pull(daemon, second, headers=creds()), second)
    assert ts.count(scope=scope) == 2 and ts.count() == 2
    multi = f"{proxy.host}/multilayer:latest"
    assert_pulled(pull(daemon, multi, headers=creds()), multi)
    assert ts.count(scope=PULL.format("multilayer")) == 1 and ts.count() == 3
    assert all(q.user == "berth" and q.status == 200 for q in ts.seen())

    log = proxy.requests()
    # The registry never saw the password: only Bearer tokens, or nothing.
    assert all(a is None or a.startswith("Bearer ") for _, _, a, _, _ in log), log
    # Per pull: one unauthenticated probe of /v2/, one challenged manifest GET, and
    # everything else with the pull's one token.
    challenged = [r for r in log if r[3] == 401]
    assert [(m, p) for m, p, _, _, _ in challenged] == [
        ("GET", "/v2/"), ("GET", "/v2/busybox/manifests/latest"),
        ("GET", "/v2/"), ("GET", "/v2/busybox/manifests/v2"),
        ("GET", "/v2/"), ("GET", "/v2/multilayer/manifests/latest")], log
    assert all(a is None for _, _, a, _, _ in challenged)
    assert all(c.startswith('Bearer realm="' + ts.realm + '",service="berth-registry"')
               for _, p, _, _, c in challenged if p != "/v2/")
    authorized = [r for r in log if r[2] is not None]
    assert all(r[3] == 200 for r in authorized), log
    multi_blobs = [r for r in authorized if r[1].startswith("/v2/multilayer/blobs/")]
    assert len(multi_blobs) == 3        # config + 2 layers (busybox's is already there)
    assert len({jti(a) for _, p, a, _, _ in authorized if p.startswith("/v2/multilayer/")}) == 1
    assert len({jti(a) for _, p, a, _, _ in authorized if p.startswith("/v2/busybox/")}) == 2


def test_a_token_that_expires_mid_pull_is_renewed(daemon, reg, proxy):
    """Tokens valid for 1-2 s (exp + the registry's 60 s leeway); the proxy holds the
    config GET, then the layer GET, past that: each is answered 401 invalid_token and
    berthd asks for a new token and goes on - through registry_perform (config) and
    through the layer stream's own retry (registry-stream.c)."""
    ts = reg.token
    ts.lifetime = 2 - TOKEN_LEEWAY
    img = reg.images["busybox:latest"]
    config = f"/v2/busybox/blobs/{img.config_digest}"
    layer = f"/v2/busybox/blobs/{img.layer_digests[0]}"
    proxy.hold(lambda m, p: m == "GET" and p == config, 2.2)
    proxy.hold(lambda m, p: m == "GET" and p == layer, 2.2)
    ref = f"{proxy.host}/busybox:latest"
    assert_pulled(pull(daemon, ref, headers=creds()), ref)
    assert daemon.request("GET", f"/images/{ref}/json").json()["Id"] == img.id
    assert ts.count(scope=PULL.format("busybox"), user="berth", status=200) == 3 and ts.count() == 3
    for path in (config, layer):
        (_, _, a1, s1, c1), (_, _, a2, s2, _) = proxy.requests("GET", path)
        assert (s1, s2) == (401, 200)
        assert 'error="invalid_token"' in c1
        assert jti(a1) != jti(a2)


def test_tokens_the_registry_refuses_are_a_clear_error(daemon, reg):
    """Expired on arrival (clock skew past the leeway): one token request, one retry,
    then an error naming the registry - no loop."""
    ts = reg.token
    ts.lifetime = -2 * TOKEN_LEEWAY
    img = reg.images["busybox:latest"]
    r = pull(daemon, img.ref, headers=creds())
    assert r.status in (401, 403), r.body
    message = r.json()["message"]
    assert message == (f"pulling {img.name}: manifest busybox:latest: registry {reg.host} answered "
                       "UNAUTHORIZED: authentication required"), message
    assert ts.count() == 1
    # Docker Hub's way with anonymous requests for private repositories: a token with
    # no access at all. The registry refuses it; berthd says so.
    ts.reset()
    ts.anonymous = "empty"
    r = pull(daemon, img.ref)
    assert r.status in (401, 403) and reg.host in r.json()["message"], r.body
    assert [(q.user, q.status, q.access) for q in ts.seen()] == [(None, 200, [])]


def test_access_token_alone_is_enough(daemon, reg):
    reg.token.fields = ("access_token",)
    img = reg.images["busybox:latest"]
    assert_pulled(pull(daemon, img.ref, headers=creds()), img.ref)
    assert reg.token.count(status=200) == 1


# ---------------------------------------------------------------------------
# login and push

def test_docker_login_then_pull_and_push(make_daemon, reg):
    ts = reg.token
    d = auth_daemon(make_daemon)
    env = client_env(d)
    host = reg.host
    p = run(["docker", "login", host, "-u", "berth", "-p", "wrong"], env=env, check=False)
    assert p.returncode != 0, p.stderr
    assert f"registry {host}: authentication failed (token server answered 401)" in p.stderr, p.stderr
    assert not os.path.exists(d.auth_file)
    # A login is GET /v2/ with the credentials: a token with no scope.
    assert [(q.scope, q.user, q.status) for q in ts.seen()] == [("", "berth", 401)]
    ts.reset()
    p = run(["docker", "login", host, "-u", "berth", "-p", "secret"], env=env)
    assert "Login Succeeded" in p.stdout
    assert [(q.scope, q.user, q.status) for q in ts.seen()] == [("", "berth", 200)]
    with open(d.auth_file) as f:
        auths = json.load(f)["auths"]
    assert base64.b64decode(auths[host]["auth"]).decode() == "berth:secret"

    # The daemon's stored login is enough for a pull without X-Registry-Auth.
    ts.reset()
    img = reg.images["busybox:latest"]
    assert_pulled(pull(d, img.ref), img.ref)
    assert [(q.scope, q.user) for q in ts.seen()] == [(PULL.format("busybox"), "berth")]

    # docker push: the CLI sends its login along; one token for the push scope.
    ts.reset()
    target = reg.ref("pushed:v1")
    run(["docker", "tag", img.ref, target], env=env)
    p = run(["docker", "push", target], env=env)
    status = [line for line in p.stdout.splitlines() if line.startswith("v1: digest: ")]
    assert len(status) == 1, p.stdout
    assert [(q.scope, q.user, q.status) for q in ts.seen()] == [(PUSH.format("pushed"), "berth", 200)]
    assert ts.seen()[0].access == [{"type": "repository", "name": "pushed", "actions": ["pull", "push"]}]
    assert reg.client().head_manifest("pushed", "v1") == status[0].split()[2]
    # Neither the password nor a token ends up in berthd's (debug) log.
    log = d.log()
    assert "secret" not in log and "eyJ" not in log


def test_push_reauthenticates_when_the_token_lacks_push(daemon, reg):
    """The first token for the push scope grants pull only (a token server may grant
    less than asked): the existence checks pass with it, the upload is refused with
    insufficient_scope, and berthd asks again and gets push."""
    ts = reg.token
    img = reg.images["busybox:latest"]
    assert_pulled(pull(daemon, img.ref, headers=creds()), img.ref)
    assert daemon.request("POST", f"/images/{img.ref}/tag?repo={reg.host}/grant&tag=v1").status == 201
    ts.reset()
    ts.tamper = lambda n, user, access: [dict(a, actions=["pull"]) for a in access] if n == 1 else access
    r = daemon.request("POST", f"/v1.41/images/{reg.host}/grant/push?tag=v1", headers=creds())
    assert r.status == 200
    lines = stream_lines(r)
    assert not any("error" in line for line in lines), lines
    assert [(q.scope, q.user, [a["actions"] for a in q.access]) for q in ts.seen()] == [
        (PUSH.format("grant"), "berth", [["pull"]]), (PUSH.format("grant"), "berth", [["pull", "push"]])]
    assert reg.client().head_manifest("grant", "v1") == lines[-1]["aux"]["Digest"]


def test_pull_only_user_cannot_push(daemon, reg):
    """"reader" may pull only: the token never grants push; one renewal, then an error
    in the stream that names the registry, and nothing lands there."""
    ts = reg.token
    img = reg.images["busybox:latest"]
    assert_pulled(pull(daemon, img.ref, headers=creds("reader", "readonly")), img.ref)
    assert daemon.request("POST", f"/images/{img.ref}/tag?repo={reg.host}/denied&tag=v1").status == 201
    ts.reset()
    r = daemon.request("POST", f"/v1.41/images/{reg.host}/denied/push?tag=v1",
                       headers=creds("reader", "readonly"))
    errors = [line["error"] for line in stream_lines(r) if "error" in line] if r.status == 200 \
        else [r.json()["message"]]
    assert len(errors) == 1, r.body
    assert errors[0].startswith(f"pushing {reg.host}/denied: ") and reg.host in errors[0]
    assert "UNAUTHORIZED" in errors[0], errors
    assert [(q.scope, q.user, q.status) for q in ts.seen()] == [(PUSH.format("denied"), "reader", 200)] * 2
    assert reg.client().head_manifest("denied", "v1") is None


# ---------------------------------------------------------------------------
# formerly known gaps, now fixed

def test_unreachable_token_server_is_named(daemon):
    ts = TokenServer().start()
    server = RegistryServer(token=ts).start()
    try:
        ts.stop()                       # the registry is up; its realm refuses connections
        r = pull(daemon, server.ref("busybox:latest"))
        assert r.status == 502, r.body
        message = r.json()["message"]
        assert ts.realm in message or f"127.0.0.1:{ts.port}" in message, message
    finally:
        server.stop()
        ts.stop()


def test_registrytoken_in_x_registry_auth(daemon, reg):
    img = reg.images["busybox:latest"]
    token = reg.token.mint("berth", [{"type": "repository", "name": "busybox", "actions": ["pull"]}])
    header = base64.urlsafe_b64encode(json.dumps({"registrytoken": token}).encode()).decode()
    assert_pulled(pull(daemon, img.ref, headers={"X-Registry-Auth": header}), img.ref)
    assert reg.token.count() == 0
