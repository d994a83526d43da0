"""docker save / load / import and their podman and docker-py forms: archives written
by mkimage.py, podman (containers/image) and berth itself, round trips between two
daemons that must keep image IDs, hostile archives, and memory that stays bounded
while big archives stream."""
import gzip
import hashlib
import io
import json
import os
import tarfile
import threading
import time

import pytest

from conftest import UnixHTTPConnection, client_env, run
from registry import mkimage, registry  # noqa: F401 - fixture

PYTHON = "/usr/bin/python3"


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def load(daemon, data, api="/v1.41/images/load"):
    return daemon.request("POST", api, body=data, headers={"Content-Type": "application/x-tar"})


def lines(r):
    return [json.loads(line) for line in r.body.decode().splitlines() if line.strip()]


def image_ids(daemon):
    return sorted(i["Id"] for i in daemon.request("GET", "/images/json").json())


def tags_of(daemon, name):
    return daemon.request("GET", f"/images/{name}/json").json()["RepoTags"]


def archive_bytes(write, *args, **kw):
    buf = io.BytesIO()
    path = f"/tmp/berth-archive-{os.getpid()}-{threading.get_ident()}.tar"
    try:
        write(path, *args, **kw)
        with open(path, "rb") as f:
            buf.write(f.read())
    finally:
        os.unlink(path)
    return buf.getvalue()


def members(data):
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        return {m.name: (tf.extractfile(m).read() if m.isfile() else None) for m in tf}


# ---------------------------------------------------------------------------
# loading what others wrote


def test_load_mkimage_docker_archive(daemon):
    img = mkimage.multilayer_image()
    data = archive_bytes(mkimage.write_docker_archive, img, ["multi:1", "example.com/team/multi:2"])
    r = load(daemon, data)
    assert r.status == 200, r.body
    assert r.headers["Content-Type"] == "application/json"
    assert lines(r) == [{"stream": "Loaded image: multi:1\n"},
                        {"stream": "Loaded image: example.com/team/multi:2\n"}]
    info = daemon.request("GET", "/images/multi:1/json").json()
    assert info["Id"] == img.id
    assert sorted(info["RepoTags"]) == ["example.com/team/multi:2", "multi:1"]
    assert info["RootFS"]["Layers"] == img.diff_ids
    # The whiteouts of the top layer became overlay whiteouts, as with a pull.
    top = os.path.join(daemon.root, "layers", img.diff_ids[2][7:])
    assert os.getxattr(os.path.join(top, "data", "dir"), "trusted.overlay.opaque") == b"y"
    assert daemon.store_dirs()["tmp"] == []
    # Loading it again changes nothing but says the same.
    assert lines(load(daemon, data)) == lines(r)
    assert image_ids(daemon) == [img.id]


def test_load_mkimage_oci_archive_gzip_layers(daemon):
    img = mkimage.busybox_image()       # gzip layer blobs, as a registry holds them
    data = archive_bytes(mkimage.write_oci_archive, img, ["oci/busybox:1.0"])
    r = load(daemon, data, "/libpod/images/load")
    assert r.status == 200, r.body
    assert r.json() == {"Names": ["docker.io/oci/busybox:1.0"]}
    info = daemon.request("GET", "/libpod/images/oci/busybox:1.0/json").json()
    assert info["Id"] == img.id[7:]
    # An OCI index entry without names loads an image named by its ID.
    other = mkimage.variant_image()
    data = archive_bytes(mkimage.write_oci_archive, other)
    r = load(daemon, data)
    assert lines(r) == [{"stream": f"Loaded image ID: {other.id}\n"}]
    assert daemon.request("GET", f"/images/{other.id}/json").json()["RepoTags"] == []


def test_load_compressed_archive_and_zero_padding(daemon):
    img = mkimage.busybox_image()
    data = archive_bytes(mkimage.write_docker_archive, img, "gz:1")
    r = load(daemon, gzip.compress(data, mtime=0))
    assert r.status == 200, r.body
    assert daemon.request("GET", "/images/gz:1/json").json()["Id"] == img.id


# ---------------------------------------------------------------------------
# round trips


def test_docker_save_load_round_trip_keeps_ids(make_daemon):
    a, b = make_daemon("a"), make_daemon("b")
    multi, bb = mkimage.multilayer_image(), mkimage.busybox_image()
    assert load(a, archive_bytes(mkimage.write_docker_archive, [(multi, ["multi:1"]), (bb, ["bb:1", "bb:2"])])).status == 200
    env_a, env_b = client_env(a), client_env(b)
    path = os.path.join(a.dir, "saved.tar")
    run(["docker", "save", "-o", path, "multi:1", "bb"], env=env_a)
    with open(path, "rb") as f:
        saved = members(f.read())
    manifest = json.loads(saved["manifest.json"])
    assert [m["RepoTags"] for m in manifest] == [["multi:1"], ["bb:1", "bb:2"]]
    assert manifest[0]["Config"] == multi.id[7:] + ".json"
    assert saved[manifest[0]["Config"]] == multi.config_bytes
    # Each layer is the very tar the image was built from (shared ones once).
    assert manifest[0]["Layers"] == [d[7:] + "/layer.tar" for d in multi.diff_ids]
    for layer in multi.layers:
        assert saved[layer.diff_id[7:] + "/layer.tar"] == layer.tar
    assert json.loads(saved["repositories"])["bb"] == {"1": bb.diff_ids[0][7:], "2": bb.diff_ids[0][7:]}
    p = run(["docker", "load", "-i", path], env=env_b)
    assert p.stdout.splitlines() == ["Loaded image: multi:1", "Loaded image: bb:1", "Loaded image: bb:2"]
    assert image_ids(b) == image_ids(a) == sorted([multi.id, bb.id])
    assert sorted(tags_of(b, "bb:1")) == ["bb:1", "bb:2"]
    # b can save them again, byte for byte.
    r1 = a.request("GET", "/v1.41/images/get?names=multi:1")
    r2 = b.request("GET", "/v1.41/images/get?names=multi:1")
    assert r1.status == r2.status == 200
    assert r1.headers["Content-Type"] == "application/x-tar"
    assert r1.body == r2.body


def test_save_by_id_has_no_repo_tags_and_oci_format(make_daemon):
    a, b = make_daemon("a"), make_daemon("b")
    img = mkimage.multilayer_image()
    load(a, archive_bytes(mkimage.write_docker_archive, img, "multi:1"))
    r = a.request("GET", f"/images/{img.id[7:19]}/get")
    assert r.status == 200, r.body
    assert json.loads(members(r.body)["manifest.json"])[0]["RepoTags"] is None
    r = a.request("GET", "/libpod/images/export?references=multi:1&format=oci-archive")
    assert r.status == 200, r.body
    oci = members(r.body)
    index = json.loads(oci["index.json"])
    assert index["manifests"][0]["annotations"] == {"io.containerd.image.name": "docker.io/library/multi:1",
                                                    "org.opencontainers.image.ref.name": "1"}
    for layer in img.layers:
        assert oci["blobs/sha256/" + layer.diff_id[7:]] == layer.tar
    r = load(b, r.body, "/libpod/images/load")
    assert r.json() == {"Names": ["docker.io/library/multi:1"]}
    assert image_ids(b) == [img.id]
    r = a.request("GET", "/libpod/images/multi:1/get?format=docker-dir")
    assert r.status == 501 and "docker-dir" in r.json()["message"]


def test_save_unknown_image_is_404_before_any_byte(daemon):
    r = daemon.request("GET", "/images/get?names=nosuch")
    assert r.status == 404
    assert r.json()["message"] == "No such image: nosuch"
    r = daemon.request("GET", "/images/get")
    assert r.status == 400 and "no image to save" in r.json()["message"]


def test_save_without_tar_split_refuses_a_layer_it_cannot_reproduce(daemon):
    # mkimage (Python's tarfile) writes numbers as Go does ("0000644\0"), libarchive
    # as "000644 \0": packing the directory again gives another diff_id.
    img = mkimage.busybox_image()
    load(daemon, archive_bytes(mkimage.write_docker_archive, img, "bb:1"))
    os.unlink(os.path.join(daemon.root, "tar-split", img.diff_ids[0][7:]))
    r = daemon.request("GET", "/images/bb:1/get")
    assert r.status == 500
    message = r.json()["message"]
    assert img.diff_ids[0] in message and "original tar was not kept" in message
    assert daemon.store_dirs()["tmp"] == []


def test_pull_save_load_round_trip_keeps_id(make_daemon, registry):
    a, b = make_daemon("a"), make_daemon("b")
    img = registry.images["multilayer:latest"]
    assert a.request("POST", f"/images/create?fromImage={img.name}&tag=latest").status == 200
    r = a.request("GET", f"/images/{img.ref}/get")
    assert r.status == 200, r.body
    assert lines(load(b, r.body)) == [{"stream": f"Loaded image: {img.ref}\n"}]
    assert image_ids(b) == [img.id]


def test_docker_py_load_and_save(make_daemon):
    a, b = make_daemon("a"), make_daemon("b")
    img = mkimage.busybox_image()
    path = os.path.join(a.dir, "in.tar")
    mkimage.write_docker_archive(path, img, "py/busybox:1")
    code = f"""
import docker
a = docker.DockerClient(base_url="{a.url}")
b = docker.DockerClient(base_url="{b.url}")
with open("{path}", "rb") as f:
    loaded = a.images.load(f.read())
assert [i.id for i in loaded] == ["{img.id}"], loaded
assert loaded[0].tags == ["py/busybox:1"], loaded[0].tags
data = b"".join(a.images.get("py/busybox:1").save(named=True))
again = b.images.load(data)
assert [i.id for i in again] == ["{img.id}"], again
assert again[0].tags == ["py/busybox:1"], again[0].tags
print("ok")
"""
    assert run([PYTHON, "-c", code]).stdout.strip() == "ok"


def test_podman_save_load(make_daemon):
    a, b = make_daemon("a"), make_daemon("b")
    img = mkimage.multilayer_image()
    load(a, archive_bytes(mkimage.write_docker_archive, img, "localhost/multi:1"))
    env_a, env_b = client_env(a), client_env(b)
    for fmt in ("docker-archive", "oci-archive"):
        path = os.path.join(a.dir, fmt + ".tar")
        run(["podman", "--remote", "save", "--format", fmt, "-o", path, "localhost/multi:1"], env=env_a)
        p = run(["podman", "--remote", "load", "-i", path], env=env_b)
        assert "Loaded image: localhost/multi:1" in p.stdout
        assert image_ids(b) == [img.id]
        run(["podman", "--remote", "rmi", "localhost/multi:1"], env=env_b)
        assert b.store_dirs()["layers"] == b.store_dirs()["tar-split"] == []


# ---------------------------------------------------------------------------
# import


def test_docker_import(daemon):
    img = mkimage.multilayer_image()
    path = os.path.join(daemon.dir, "rootfs.tar")
    digest = mkimage.write_rootfs_tar(path, img)
    env = client_env(daemon)
    p = run(["docker", "import", "-m", "from the tests", "-c", 'CMD ["sh"]', "-c", "ENV A=b C=d",
             "-c", "WORKDIR /data", path, "imported:1"], env=env)
    image_id = p.stdout.strip()
    assert image_id.startswith("sha256:")
    info = daemon.request("GET", "/images/imported:1/json").json()
    assert info["Id"] == image_id
    assert info["RootFS"]["Layers"] == [digest]      # the tarball as given is the layer
    assert info["Config"]["Cmd"] == ["sh"] and info["Config"]["WorkingDir"] == "/data"
    assert info["Config"]["Env"] == ["A=b", "C=d"]
    assert info["Comment"] == "from the tests"
    assert info["Architecture"] == mkimage.host_arch() and info["Os"] == "linux"
    layer = os.path.join(daemon.root, "layers", digest[7:])
    assert open(os.path.join(layer, "data", "keep.txt")).read() == "keep"
    assert not os.path.exists(os.path.join(layer, "data", "a.txt"))
    # The imported layer saves as the very tarball that was imported.
    saved = members(daemon.request("GET", "/images/imported:1/get").body)
    with open(path, "rb") as f:
        assert saved[digest[7:] + "/layer.tar"] == f.read()


def test_import_gzip_through_the_api_and_podman(daemon):
    img = mkimage.busybox_image()
    path = os.path.join(daemon.dir, "rootfs.tar.gz")
    mkimage.write_rootfs_tar(path, img, compress_gzip=True)
    with open(path, "rb") as f:
        data = f.read()
    r = daemon.request("POST", "/v1.41/images/create?fromSrc=-&repo=gz/imported&tag=t", body=data)
    assert r.status == 200, r.body
    image_id = lines(r)[-1]["status"]
    assert tags_of(daemon, "gz/imported:t") == ["gz/imported:t"]
    assert daemon.request("GET", "/images/gz/imported:t/json").json()["RootFS"]["Layers"] == \
        [sha256(gzip.decompress(data))]
    p = run(["podman", "--remote", "import", "--change", "CMD=/bin/sh", path, "pod/imported:1"],
            env=client_env(daemon))
    podman_id = p.stdout.strip().splitlines()[-1]
    info = daemon.request("GET", "/libpod/images/pod/imported:1/json").json()
    assert info["Id"] == podman_id != image_id[7:]
    assert info["Config"]["Cmd"] == ["/bin/sh", "-c", "/bin/sh"]


def test_import_errors(daemon):
    r = daemon.request("POST", "/images/create?fromSrc=ftp://example.com/x.tar", body=b"x")
    assert r.status == 400 and "unsupported URL scheme \"ftp\"" in r.json()["message"]
    r = daemon.request("POST", "/images/create?fromSrc=-&repo=Bad/Name", body=b"x" * 100000)
    assert r.status == 400 and "Bad/Name" in r.json()["message"]
    r = daemon.request("POST", "/libpod/images/import?changes=RUN%20rm%20-rf", body=b"x")
    assert r.status == 400 and "RUN is not supported" in r.json()["message"]
    r = daemon.request("POST", "/images/create?fromSrc=-", body=b"this is not a tar" * 100)
    assert r.status == 400 and "importing the root filesystem tarball" in r.json()["message"]
    assert daemon.store_dirs() == {"tmp": [], "layers": [], "tar-split": []}
    # The connection, the daemon and the pull route still work.
    assert daemon.request("GET", "/_ping").status == 200
    assert daemon.request("POST", "/images/create?fromImage=Bad/Name").status == 400


# ---------------------------------------------------------------------------
# hostile and broken archives


def tar_of(entries):
    """entries: (name, bytes) for files, (name, None, target) for symlinks."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for e in entries:
            ti = tarfile.TarInfo(e[0])
            if e[1] is None:
                ti.type, ti.linkname = tarfile.SYMTYPE, e[2]
                tf.addfile(ti)
            else:
                ti.size = len(e[1])
                tf.addfile(ti, io.BytesIO(e[1]))
    return buf.getvalue()


def docker_archive(img, layers=None, layer_paths=None):
    layers = layers if layers is not None else [l.tar for l in img.layers]
    paths = layer_paths or [f"l{i}/layer.tar" for i in range(len(layers))]
    manifest = [{"Config": "config.json", "RepoTags": ["evil:1"], "Layers": paths}]
    return [("config.json", img.config_bytes), ("manifest.json", json.dumps(manifest).encode())] + \
        list(zip([f"l{i}/layer.tar" for i in range(len(layers))], layers))


def assert_refused(daemon, data, *needles):
    before = daemon.store_dirs()
    r = load(daemon, data)
    assert r.status == 400, r.body
    message = r.json()["message"]
    for n in needles:
        assert n in message, message
    assert daemon.store_dirs() == before, "a failed load left files behind"
    assert daemon.request("GET", "/images/evil:1/json").status == 404
    return message


def test_hostile_member_names_are_refused(daemon):
    img = mkimage.busybox_image()
    good = docker_archive(img)
    assert_refused(daemon, tar_of([("../evil", b"x")] + good), "../evil", "leads out of the archive")
    assert_refused(daemon, tar_of([("/etc/evil", b"x")] + good), "/etc/evil")
    assert_refused(daemon, tar_of(good[:2] + [("l0/layer.tar", None, "../../../etc/passwd")]),
                   "l0/layer.tar", "link target")
    assert not os.path.exists(os.path.join(daemon.dir, "evil"))


def test_missing_layer_and_config(daemon):
    img = mkimage.busybox_image()
    assert_refused(daemon, tar_of(docker_archive(img, layer_paths=["nosuch/layer.tar"])),
                   "the archive has no nosuch/layer.tar", img.id)
    entries = [e for e in docker_archive(img) if e[0] != "config.json"]
    assert_refused(daemon, tar_of(entries), "the archive has no config.json")
    assert_refused(daemon, tar_of([("hello", b"x")]), "neither manifest.json", "index.json")
    assert_refused(daemon, b"not a tar at all" * 100, "not a valid tar")


def test_layer_that_does_not_match_its_diff_id_is_refused_and_rolled_back(daemon):
    img = mkimage.multilayer_image()
    layers = [l.tar for l in img.layers]
    other = mkimage.Layer([mkimage.File("data/other.txt", "not what the config says")], "none")
    layers[2] = other.tar
    message = assert_refused(daemon, tar_of(docker_archive(img, layers)),
                             "layer 3", other.diff_id, img.diff_ids[2])
    assert "unpacks to" in message
    # The two good layers were unpacked, then removed again with the failure.
    assert daemon.store_dirs() == {"tmp": [], "layers": [], "tar-split": []}


def test_oci_blob_that_does_not_match_its_digest(daemon):
    img = mkimage.busybox_image()
    data = archive_bytes(mkimage.write_oci_archive, img, "evil:1")
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        entries = [(m.name, tf.extractfile(m).read()) for m in tf if m.isfile()]
    # The same uncompressed content, compressed differently: diff_id right, digest wrong.
    blob = "blobs/sha256/" + img.layers[0].digest[7:]
    entries = [(n, gzip.compress(img.layers[0].tar, compresslevel=1, mtime=0) if n == blob else d)
               for n, d in entries]
    assert_refused(daemon, tar_of(entries), img.layers[0].digest, "does not match its digest")


# ---------------------------------------------------------------------------
# streaming


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class RssWatch:
    def __init__(self, pid):
        self.pid, self.peak, self.stop = pid, 0, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, vm_rss_kib(self.pid))
            time.sleep(0.02)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def chunks(path, size=256 * 1024):
    with open(path, "rb") as f:
        while True:
            block = f.read(size)
            if not block:
                return
            yield block


def test_big_archive_streams_with_bounded_memory(make_daemon):
    a, b = make_daemon("a"), make_daemon("b")
    img = mkimage.big_image()
    path = os.path.join(a.dir, "big.tar")
    mkimage.write_docker_archive(path, img, "big:1")
    assert os.path.getsize(path) > 55 << 20
    with RssWatch(a.proc.pid) as watch:
        conn = UnixHTTPConnection(a.socket, timeout=300)
        conn.request("POST", "/v1.41/images/load", body=chunks(path), encode_chunked=True,
                     headers={"Transfer-Encoding": "chunked", "Content-Type": "application/x-tar"})
        r = conn.getresponse()
        body = r.read()
        conn.close()
    assert r.status == 200, body
    assert watch.peak < 150 * 1024, f"berthd reached {watch.peak} KiB while loading"
    # And out again into b, without holding the archive anywhere.
    with RssWatch(a.proc.pid) as watch:
        conn = UnixHTTPConnection(a.socket, timeout=300)
        conn.request("GET", "/v1.41/images/big:1/get")
        r = conn.getresponse()
        out = os.path.join(a.dir, "out.tar")
        with open(out, "wb") as f:
            while True:
                block = r.read(1 << 20)
                if not block:
                    break
                f.write(block)
                time.sleep(0.001)   # a slow reader: the save must wait, not buffer
        conn.close()
    assert r.status == 200
    assert watch.peak < 150 * 1024, f"berthd reached {watch.peak} KiB while saving"
    with open(out, "rb") as f:
        r = load(b, f.read())
    assert lines(r) == [{"stream": "Loaded image: big:1\n"}]
    assert image_ids(b) == [img.id]


def test_client_that_hangs_up_mid_upload(daemon):
    img = mkimage.big_image(random_mb=8, small_files=10)
    path = os.path.join(daemon.dir, "big.tar")
    mkimage.write_docker_archive(path, img, "big:1")
    conn = UnixHTTPConnection(daemon.socket)
    conn.putrequest("POST", "/v1.41/images/load")
    conn.putheader("Content-Length", str(os.path.getsize(path)))
    conn.endheaders()
    with open(path, "rb") as f:
        conn.send(f.read(3 << 20))
    conn.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and daemon.store_dirs()["tmp"]:
        time.sleep(0.05)
    assert daemon.store_dirs() == {"tmp": [], "layers": [], "tar-split": []}
    assert "POST /v1.41/images/load" in daemon.log() and "(aborted)" in daemon.log()
    # The daemon goes on serving, loads included.
    assert load(daemon, archive_bytes(mkimage.write_docker_archive, mkimage.busybox_image(), "bb:1")).status == 200


def test_keep_alive_across_streamed_bodies_and_concurrent_loads(daemon):
    data = archive_bytes(mkimage.write_docker_archive, mkimage.multilayer_image(), "multi:1")
    conn = UnixHTTPConnection(daemon.socket)
    for _ in range(2):
        conn.request("POST", "/v1.41/images/load", body=data)
        r = conn.getresponse()
        assert r.status == 200 and b"Loaded image: multi:1" in r.read()
    conn.request("POST", "/v1.41/images/create?fromSrc=-&repo=bad%20name", body=b"x" * 300000)
    r = conn.getresponse()
    assert r.status == 400 and b"bad name" in r.read()
    conn.request("GET", "/_ping")
    r = conn.getresponse()
    assert r.status == 200 and r.read() == b"OK"
    conn.close()
    # The same layers from several loads at once: each unpacked, one kept.
    other = archive_bytes(mkimage.write_docker_archive, mkimage.variant_image(), "variant:1")
    results = []
    threads = [threading.Thread(target=lambda d=d: results.append(load(daemon, d).status))
               for d in (data, other, data, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 4
    assert len(daemon.store_dirs()["layers"]) == 4      # busybox, 2 of multilayer, 1 of variant
    assert daemon.store_dirs()["tmp"] == []


def test_archives_written_by_podman_itself(daemon, workdir):
    """containers/image writes docker-archives with symlinked layer.tar members and
    OCI archives with gzip blobs and a converted config: both load."""
    img = mkimage.multilayer_image()
    src = os.path.join(workdir, "src.tar")
    mkimage.write_docker_archive(src, img, "localhost/multi:1")
    local = ["podman", "--root", os.path.join(workdir, "podman-root"), "--runroot",
             os.path.join(workdir, "podman-run"), "--storage-driver", "vfs"]
    env = dict(os.environ)
    env.pop("CONTAINER_HOST", None)
    p = run(local + ["load", "-i", src], env=env, check=False, timeout=120)
    if p.returncode != 0:
        pytest.skip(f"podman cannot use local storage here: {p.stderr.strip()[-300:]}")
    docker_path, oci_path = os.path.join(workdir, "podman.tar"), os.path.join(workdir, "podman-oci.tar")
    run(local + ["save", "-o", docker_path, "localhost/multi:1"], env=env, timeout=120)
    run(local + ["save", "--format", "oci-archive", "-o", oci_path, "localhost/multi:1"], env=env, timeout=120)
    with open(docker_path, "rb") as f:
        data = f.read()
    assert any(m.issym() for m in tarfile.open(fileobj=io.BytesIO(data)))
    assert lines(load(daemon, data)) == [{"stream": "Loaded image: localhost/multi:1\n"}]
    assert image_ids(daemon) == [img.id]
    with open(oci_path, "rb") as f:
        r = load(daemon, f.read(), "/libpod/images/load")
    assert r.json() == {"Names": ["localhost/multi:1"]}
    converted = daemon.request("GET", "/images/localhost/multi:1/json").json()
    assert converted["RootFS"]["Layers"] == img.diff_ids
    assert daemon.store_dirs()["tmp"] == []
