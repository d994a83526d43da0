"""Tests of the test fixtures themselves: tests/fixtures/mkimage.py and registry.py.
No berth needed; the registry is Debian's docker-registry on 127.0.0.1. The last test
cross-checks the images with podman (the reference engine) when it is installed."""
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

import pytest

from registry import (ACCEPT_MANIFESTS, AUTH_PASSWORD, AUTH_USER, REALM, RegistryClient,
                      RegistryServer, auth_registry, fresh_registry, registry,  # noqa: F401
                      mkimage, verify_blob)

MKIMAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures",
                       "mkimage.py")


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def tar_names(data):
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        return [m.name for m in tf]


@pytest.fixture
def tmp():
    d = tempfile.mkdtemp(prefix="berth-fx-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


# ---------------------------------------------------------------------------
# mkimage alone

def test_busybox_image_is_deterministic():
    a = mkimage.busybox_image()
    mkimage.busybox_layer.cache_clear()
    b = mkimage.busybox_image()
    assert a.layers[0] is not b.layers[0]
    assert a.layers[0].blob == b.layers[0].blob
    assert a.id == b.id and a.manifest_digest() == b.manifest_digest()
    assert a.manifest_digest(oci=True) == b.manifest_digest(oci=True)
    assert a.manifest_digest() != a.manifest_digest(oci=True)
    # config content
    c = a.config
    assert c["architecture"] == mkimage.host_arch() and c["os"] == "linux"
    assert c["config"]["Cmd"] == ["sh"]
    assert c["config"]["Env"][0].startswith("PATH=")
    assert c["rootfs"] == {"type": "layers", "diff_ids": a.diff_ids}
    assert len([h for h in c["history"] if not h.get("empty_layer")]) == 1
    assert a.id == sha(a.config_bytes)
    assert a.diff_ids == [sha(gzip.decompress(a.layers[0].blob))]
    # a config change changes the ID but not the layers
    lab = mkimage.busybox_image(config={"Labels": {"x": "y"}})
    assert lab.id != a.id and lab.layer_digests == a.layer_digests


def test_busybox_layer_contents():
    layer = mkimage.busybox_layer()
    with tarfile.open(fileobj=io.BytesIO(layer.tar)) as tf:
        m = {t.name: t for t in tf}
        bb = tf.extractfile(m["bin/busybox"]).read()
        passwd = tf.extractfile(m["etc/passwd"]).read().decode()
        group = tf.extractfile(m["etc/group"]).read().decode()
    with open("/bin/busybox", "rb") as f:
        assert bb == f.read()
    assert m["bin/busybox"].mode == 0o755
    for a in ("sh", "ls", "cat", "echo", "true", "false", "sleep", "id", "env", "pwd",
              "mkdir", "rm", "touch", "head", "wc", "grep", "stat"):
        assert m["bin/" + a].issym() and m["bin/" + a].linkname == "busybox", a
    assert "root:x:0:0:root:/root:/bin/sh" in passwd
    assert "nobody:x:65534:65534:nobody:/nonexistent:/bin/false" in passwd
    assert "app:x:1000:1000:" in passwd
    assert group.splitlines()[:3] == ["root:x:0:", "nobody:x:65534:", "app:x:1000:"]
    assert m["tmp"].isdir() and m["tmp"].mode == 0o1777
    assert m["root"].isdir() and m["var"].isdir()
    assert (m["home/app"].uid, m["home/app"].gid) == (1000, 1000)
    assert {t.mtime for t in m.values()} == {mkimage.MTIME}
    names = list(m)
    assert names == sorted(names, key=lambda p: p.split("/"))


def test_multilayer_layers_and_view():
    img = mkimage.multilayer_image()
    assert len(img.layers) == 3 and img.layers[0].digest == mkimage.busybox_layer().digest
    l2 = tar_names(img.layers[1].tar)
    assert {"data/a.txt", "data/keep.txt", "data/dir/b.txt", "data/dir/sub/c.txt"} <= set(l2)
    l3 = tar_names(img.layers[2].tar)
    assert "data/.wh.a.txt" in l3 and "data/dir/.wh..wh..opq" in l3
    assert "data/dir/new.txt" in l3
    view = img.rootfs()
    data = {p: (e.data if e.kind == "file" else None)
            for p, e in view.items() if p == "data" or p.startswith("data/")}
    assert data == mkimage.MULTILAYER_EXPECTED
    assert "bin/busybox" in view and not any(".wh." in p for p in view)


def test_multilayer_uncompressed_and_zstd_layers():
    img = mkimage.multilayer_image(compressions=("gzip", "none", "gzip"))
    assert img.layers[1].blob == img.layers[1].tar
    assert img.layers[1].digest == img.layers[1].diff_id
    assert img.manifest()["layers"][1]["mediaType"] == mkimage.MT_DOCKER_LAYER_TAR
    assert img.manifest(oci=True)["layers"][1]["mediaType"] == mkimage.MT_OCI_LAYER_TAR
    # the same content gives the same image ID whatever the compression
    assert img.id == mkimage.multilayer_image().id
    if not mkimage.zstd_available():
        pytest.skip("no zstd module or binary")
    z = mkimage.multilayer_image(compressions=("gzip", "zstd", "gzip"))
    assert z.layers[1].blob[:4] == b"\x28\xb5\x2f\xfd"
    assert mkimage.decompress(z.layers[1].blob, "zstd") == z.layers[1].tar
    assert z.manifest(oci=True)["layers"][1]["mediaType"] == mkimage.MT_OCI_LAYER_ZSTD
    with pytest.raises(ValueError):
        z.manifest()
    assert z.id == img.id


def test_big_image_small_sizes():
    img = mkimage.big_image(random_mb=0.5, small_files=30, small_size=100)
    assert len(img.layers) == 4
    names = tar_names(img.layers[2].tar)
    assert len([n for n in names if n.startswith("small/") and "/f" in n]) == 30
    with tarfile.open(fileobj=io.BytesIO(img.layers[1].tar)) as tf:
        assert tf.getmember("big/random.bin").size == 512 * 1024
    again = mkimage.big_image(random_mb=0.5, small_files=30, small_size=100)
    assert again.id == img.id and again.manifest_digest() == img.manifest_digest()


def test_platform_index():
    bb = mkimage.busybox_image()
    idx = mkimage.platform_index(bb)
    m = idx.manifest()
    assert m["mediaType"] == mkimage.MT_DOCKER_LIST
    plats = [e["platform"] for e in m["manifests"]]
    assert {"architecture": "amd64", "os": "linux"} in plats
    assert {"architecture": "arm64", "os": "linux", "variant": "v8"} in plats
    ids = {img.arch: img.id for img in idx.images}
    assert ids[mkimage.host_arch()] == bb.id
    assert len(set(ids.values())) == 2
    assert all(img.layer_digests == bb.layer_digests for img in idx.images)
    assert idx.manifest(oci=True)["mediaType"] == mkimage.MT_OCI_INDEX


# ---------------------------------------------------------------------------
# archives

def test_docker_archive_structure(tmp):
    img = mkimage.multilayer_image()
    path = os.path.join(tmp, "d.tar")
    mkimage.write_docker_archive(path, img, ["ml:latest", "ml:other"])
    with tarfile.open(path) as tf:
        names = tf.getnames()
        manifest = json.load(tf.extractfile("manifest.json"))
        repos = json.load(tf.extractfile("repositories"))
        config = tf.extractfile(manifest[0]["Config"]).read()
        layers = [tf.extractfile(p).read() for p in manifest[0]["Layers"]]
    assert len(manifest) == 1
    assert manifest[0]["Config"] == mkimage.hexof(img.id) + ".json"
    assert manifest[0]["RepoTags"] == ["ml:latest", "ml:other"]
    assert sha(config) == img.id
    assert [sha(l) for l in layers] == img.diff_ids == json.loads(config)["rootfs"]["diff_ids"]
    assert all(p.endswith("/layer.tar") for p in manifest[0]["Layers"])
    top = manifest[0]["Layers"][-1].split("/")[0]
    assert repos == {"ml": {"latest": top, "other": top}}
    assert {"manifest.json", "repositories"} <= set(names)
    # byte-for-byte reproducible
    path2 = os.path.join(tmp, "d2.tar")
    mkimage.write_docker_archive(path2, img, ["ml:latest", "ml:other"])
    with open(path, "rb") as a, open(path2, "rb") as b:
        assert a.read() == b.read()


def test_docker_archive_two_images(tmp):
    a, b = mkimage.busybox_image(), mkimage.multilayer_image()
    path = os.path.join(tmp, "two.tar")
    mkimage.write_docker_archive(path, [(a, ["bb:1"]), (b, ["127.0.0.1:5000/ml:2"])])
    with tarfile.open(path) as tf:
        manifest = json.load(tf.extractfile("manifest.json"))
        repos = json.load(tf.extractfile("repositories"))
        names = tf.getnames()
    assert [m["RepoTags"] for m in manifest] == [["bb:1"], ["127.0.0.1:5000/ml:2"]]
    assert set(repos) == {"bb", "127.0.0.1:5000/ml"}
    # the shared busybox layer is stored once
    assert names.count(manifest[0]["Layers"][0]) == 1
    assert manifest[0]["Layers"][0] == manifest[1]["Layers"][0]


def test_oci_archive_structure(tmp):
    img = mkimage.multilayer_image()
    path = os.path.join(tmp, "o.tar")
    mkimage.write_oci_archive(path, img, "localhost/ml:v1")
    with tarfile.open(path) as tf:
        files = {m.name: tf.extractfile(m).read() for m in tf if m.isfile()}
    assert json.loads(files["oci-layout"]) == {"imageLayoutVersion": "1.0.0"}
    index = json.loads(files["index.json"])
    assert index["schemaVersion"] == 2 and len(index["manifests"]) == 1
    desc = index["manifests"][0]
    assert desc["annotations"]["org.opencontainers.image.ref.name"] == "v1"
    assert desc["annotations"]["io.containerd.image.name"] == "localhost/ml:v1"
    assert desc["mediaType"] == mkimage.MT_OCI_MANIFEST
    assert desc["digest"] == img.manifest_digest(oci=True)
    for name, data in files.items():           # every blob verifies
        if name.startswith("blobs/sha256/"):
            assert sha(data) == "sha256:" + name.rsplit("/", 1)[1]
    manifest = json.loads(files["blobs/sha256/" + mkimage.hexof(desc["digest"])])
    assert manifest["config"]["digest"] == img.id
    assert manifest["config"]["mediaType"] == mkimage.MT_OCI_CONFIG
    for l, d in zip(manifest["layers"], img.diff_ids):
        blob = files["blobs/sha256/" + mkimage.hexof(l["digest"])]
        assert len(blob) == l["size"] and sha(gzip.decompress(blob)) == d


def test_rootfs_tar(tmp):
    path = os.path.join(tmp, "r.tar")
    digest = mkimage.write_rootfs_tar(path, mkimage.multilayer_image())
    with open(path, "rb") as f:
        data = f.read()
    assert sha(data) == digest
    names = tar_names(data)
    assert {"bin/busybox", "etc/passwd", "data/keep.txt", "data/dir/new.txt"} <= set(names)
    assert not {"data/a.txt", "data/dir/b.txt", "data/dir/sub"} & set(names)
    assert not any(".wh." in n for n in names)


# ---------------------------------------------------------------------------
# the registry fixture

def test_registry_manifests_have_expected_digests(registry):
    c = registry.client()
    assert set(c.catalog()) >= {"busybox", "multilayer", "platforms", "corrupt"}
    assert sorted(c.tags("busybox")) == ["latest", "oci"]
    for name, pushed in registry.images.items():
        repo, tag = name.split(":")
        body, ctype, digest = c.get_manifest(repo, tag)
        assert digest == pushed.digest == sha(body), name
        assert ctype == pushed.media_type, name
        assert body == pushed.manifest
        assert c.head_manifest(repo, pushed.digest) == pushed.digest
    bb, oci = registry.images["busybox:latest"], registry.images["busybox:oci"]
    assert bb.media_type == mkimage.MT_DOCKER_MANIFEST
    assert oci.media_type == mkimage.MT_OCI_MANIFEST
    assert bb.id == oci.id == mkimage.busybox_image().id      # same config blob
    assert bb.digest != oci.digest
    assert bb.ref == f"127.0.0.1:{registry.port}/busybox:latest"
    assert bb.digest_ref == f"127.0.0.1:{registry.port}/busybox@{bb.digest}"


def test_registry_blobs_verify(registry):
    c = registry.client()
    for name in ("busybox:latest", "busybox:oci", "multilayer:latest"):
        p = registry.images[name]
        m = json.loads(c.get_manifest(p.repo, p.tag)[0])
        config = c.get_blob(p.repo, m["config"]["digest"])
        assert sha(config) == p.id
        assert json.loads(config)["rootfs"]["diff_ids"] == p.diff_ids
        for desc, diff_id in zip(m["layers"], p.diff_ids):
            blob = c.get_blob(p.repo, desc["digest"])
            assert verify_blob(blob, desc["digest"]) and len(blob) == desc["size"]
            assert sha(gzip.decompress(blob)) == diff_id
        assert [d["digest"] for d in m["layers"]] == p.layer_digests


def test_registry_platform_index(registry):
    c = registry.client()
    p = registry.images["platforms:latest"]
    assert p.media_type == mkimage.MT_DOCKER_LIST
    index = json.loads(c.get_manifest("platforms", "latest")[0])
    by_arch = {e["platform"]["architecture"]: e for e in index["manifests"]}
    assert set(by_arch) == {"amd64", "arm64"}
    assert by_arch["arm64"]["platform"]["variant"] == "v8"
    archs = {}
    for arch, e in by_arch.items():
        body, ctype, digest = c.get_manifest("platforms", e["digest"])
        assert digest == e["digest"] and ctype == e["mediaType"]
        cfg = json.loads(c.get_blob("platforms", json.loads(body)["config"]["digest"]))
        archs[arch] = cfg["architecture"]
    assert archs == {"amd64": "amd64", "arm64": "arm64"}
    assert set(p.platforms) == {"amd64", "arm64/v8"}
    assert p.platforms["arm64/v8"].digest == by_arch["arm64"]["digest"]
    assert p.id == registry.images["busybox:latest"].id          # host (amd64) entry
    assert p.platforms["arm64/v8"].image.id != p.id


def test_registry_corrupt_blob(registry):
    c = registry.client()
    p = registry.images["corrupt:latest"]
    assert registry.corrupt_digest == p.layer_digests[-1]
    good_size = p.image.layers[-1].size
    blob = c.get_blob("corrupt", registry.corrupt_digest)
    assert len(blob) == good_size
    assert not verify_blob(blob, registry.corrupt_digest)
    # the manifest, config and the shared busybox layer are intact
    body, _, digest = c.get_manifest("corrupt", "latest")
    assert digest == p.digest == sha(body)
    assert verify_blob(c.get_blob("corrupt", p.id), p.id)
    assert verify_blob(c.get_blob("corrupt", p.layer_digests[0]), p.layer_digests[0])
    assert verify_blob(c.get_blob("busybox", p.layer_digests[0]), p.layer_digests[0])


def test_auth_registry_requires_credentials(auth_registry):
    r = auth_registry
    assert (r.user, r.password) == (AUTH_USER, AUTH_PASSWORD) == ("berth", "secret")
    anon = r.client(anonymous=True)
    reply = anon.request("GET", "/v2/", ok=None)
    assert reply.status == 401
    assert reply.headers["WWW-Authenticate"] == f'Basic realm="{REALM}"'
    p = r.images["busybox:latest"]
    path = "/v2/busybox/manifests/latest"
    assert anon.request("GET", path, headers={"Accept": ACCEPT_MANIFESTS}, ok=None).status == 401
    assert anon.request("GET", f"/v2/busybox/blobs/{p.id}", ok=None).status == 401
    wrong = r.client(user="berth", password="wrong")
    assert wrong.request("GET", path, ok=None).status == 401
    good = r.client()
    assert good.ping() == 200
    body, _, digest = good.get_manifest("busybox", "latest")
    assert digest == p.digest == sha(body)
    assert verify_blob(good.get_blob("busybox", p.layer_digests[0]), p.layer_digests[0])


def test_fresh_registry_push_oci_index_and_delete(fresh_registry):
    r = fresh_registry
    assert r.client().catalog() == []
    p = r.push_index("multi:v1", mkimage.platform_index(mkimage.busybox_image()), oci=True)
    c = r.client()
    body, ctype, digest = c.get_manifest("multi", "v1")
    assert ctype == mkimage.MT_OCI_INDEX and digest == p.digest
    assert all(e["mediaType"] == mkimage.MT_OCI_MANIFEST
               for e in json.loads(body)["manifests"])
    assert c.delete_manifest("multi", p.digest) == 202
    assert c.head_manifest("multi", p.digest) is None


def test_registry_server_cleans_up():
    s = RegistryServer().start()
    d, proc = s.dir, s.proc
    assert os.path.isdir(d) and proc.poll() is None
    assert RegistryClient(s.host).ping() == 200
    s.stop()
    assert proc.poll() is not None and not os.path.exists(d)


# ---------------------------------------------------------------------------
# the CLI

def test_cli_push_and_save(fresh_registry, tmp):
    py = sys.executable
    out = subprocess.run([py, MKIMAGE, "push", "--registry", fresh_registry.host,
                          "cli/bb:1", "busybox", "--oci"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    res = json.loads(out)
    bb = mkimage.busybox_image()
    assert res["digest"] == bb.manifest_digest(oci=True) and res["id"] == bb.id
    assert res["ref"] == f"{fresh_registry.host}/cli/bb:1"
    assert fresh_registry.client().head_manifest("cli/bb", "1") == res["digest"]

    out = subprocess.run([py, MKIMAGE, "push", "--registry", fresh_registry.host,
                          "cli/idx:1", "busybox", "--index"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    res = json.loads(out)
    assert res["digest"] == mkimage.platform_index(bb).digest()
    assert set(res["platforms"]) == {"amd64", "arm64/v8"}

    arch = os.path.join(tmp, "ml.tar")
    out = subprocess.run([py, MKIMAGE, "save", arch, "multilayer", "ml:cli"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    res = json.loads(out)
    assert res["format"] == "docker-archive" and res["id"] == mkimage.multilayer_image().id
    with tarfile.open(arch) as tf:
        assert json.load(tf.extractfile("manifest.json"))[0]["RepoTags"] == ["ml:cli"]


def test_cli_push_with_auth(auth_registry):
    out = subprocess.run([sys.executable, MKIMAGE, "push", "--registry", auth_registry.host,
                          "--user", AUTH_USER, "--password", AUTH_PASSWORD,
                          "cli/ml:2", "multilayer"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    assert json.loads(out)["digest"] == mkimage.multilayer_image().manifest_digest()
    bad = subprocess.run([sys.executable, MKIMAGE, "push", "--registry", auth_registry.host,
                          "cli/ml:3", "multilayer"], capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and "401" in bad.stderr


# ---------------------------------------------------------------------------
# cross-check with a reference engine

@pytest.mark.skipif(shutil.which("podman") is None, reason="podman not installed")
def test_podman_accepts_the_images(registry, tmp):
    """podman pulls every image (IDs as computed), refuses the corrupt one, picks the
    platform asked for, and loads/imports the archives."""
    root = tmp          # podman refuses a runroot longer than 50 characters
    pod = ["podman", "--root", root + "/root", "--runroot", root + "/run",
           "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs",
           "--events-backend", "none"]

    def run(*args, check=True):
        p = subprocess.run(pod + list(args), capture_output=True, text=True, timeout=60)
        if check:
            assert p.returncode == 0, f"{args}: {p.stderr}"
        return p

    try:
        for name in ("busybox:latest", "busybox:oci", "multilayer:latest", "platforms:latest"):
            run("pull", "-q", "--tls-verify=false", registry.ref(name))
            out = run("image", "inspect", "--format", "{{.Id}} {{json .RepoDigests}}",
                      registry.ref(name)).stdout.split(" ", 1)
            assert "sha256:" + out[0] == registry.images[name].id, name
            assert registry.images[name].digest_ref in json.loads(out[1]), name
        arm = registry.images["platforms:latest"].platforms["arm64/v8"]
        run("pull", "-q", "--tls-verify=false", "--arch", "arm64", "--variant", "v8",
            registry.ref("platforms:latest"))
        out = run("image", "inspect", "--format", "{{.Id}}", registry.ref("platforms:latest"))
        assert "sha256:" + out.stdout.strip() == arm.image.id
        bad = run("pull", "-q", "--tls-verify=false", registry.ref("corrupt:latest"),
                  check=False)
        assert bad.returncode != 0 and "igest" in bad.stderr
        img = mkimage.multilayer_image()
        mkimage.write_docker_archive(os.path.join(tmp, "d.tar"), img, ["localhost/ml:d"])
        mkimage.write_oci_archive(os.path.join(tmp, "o.tar"), img, "localhost/ml:o")
        mkimage.write_rootfs_tar(os.path.join(tmp, "r.tar"), img)
        run("load", "-q", "-i", os.path.join(tmp, "d.tar"))
        run("load", "-q", "-i", os.path.join(tmp, "o.tar"))
        run("import", "-q", os.path.join(tmp, "r.tar"), "localhost/ml:r")
        for tag in ("d", "o"):
            out = run("image", "inspect", "--format", "{{.Id}}", "localhost/ml:" + tag)
            assert "sha256:" + out.stdout.strip() == img.id
        mnt = run("image", "mount", "localhost/ml:r").stdout.strip()
        try:
            found = sorted(os.path.relpath(os.path.join(d, f), mnt)
                           for d, ds, fs in os.walk(os.path.join(mnt, "data"))
                           for f in ds + fs)
        finally:
            run("image", "unmount", "-a", check=False)
        assert found == ["data/dir", "data/dir/new.txt", "data/keep.txt"]
    finally:
        run("rmi", "-a", "-f", check=False)
        subprocess.run(["umount", "-R", "-l", root], stderr=subprocess.DEVNULL, check=False)
