"""The berth CLI's image verbs (pull, images, image inspect/exists, history, tag, untag,
rmi, the `image` group) against a real berthd and a registry on loopback, checked for
podman's output and exit statuses."""
import base64
import json
import os
import re

import pytest

from conftest import BERTH, client_env, run
from registry import AUTH_PASSWORD, AUTH_USER, auth_registry, fresh_registry, registry  # noqa: F401 - fixtures


def berth(daemon, *args, check=True):
    return run([BERTH, *args], env=client_env(daemon), check=check, timeout=120)


def pulled(daemon, img):
    p = berth(daemon, "pull", "-q", img.ref)
    assert p.stdout == img.id[7:] + "\n"
    return p


def table(stdout):
    """Rows of a podman-style table split at runs of 2+ spaces."""
    return [re.split(r"\s{2,}", line.rstrip()) for line in stdout.splitlines()]


def test_pull_streams_progress_then_the_id(daemon, registry):
    img = registry.images["busybox:latest"]
    p = berth(daemon, "pull", img.ref)
    # As podman --remote: progress on stderr, the ID alone on stdout.
    assert p.stdout == img.id[7:] + "\n"
    assert p.stderr.startswith(f"Trying to pull {img.ref}...\n")
    assert "Copying blob " in p.stderr
    p = berth(daemon, "image", "pull", "--quiet", img.ref)
    assert p.stdout == img.id[7:] + "\n" and p.stderr == ""


def test_pull_errors(daemon, registry):
    img = registry.images["busybox:latest"]
    p = berth(daemon, "pull", f"{img.name}:nosuchtag", check=False)
    assert p.returncode == 125
    assert p.stdout == ""
    last = p.stderr.splitlines()[-1]
    assert last.startswith("Error: ") and "nosuchtag" in last
    p = berth(daemon, "pull", "127.0.0.1:1/x", check=False)
    assert p.returncode == 125
    assert p.stderr.startswith("Error: ") and "127.0.0.1:1" in p.stderr
    # Every image is tried; each failure is reported, the good one still printed.
    p = berth(daemon, "pull", "-q", "127.0.0.1:1/a", img.ref, "127.0.0.1:1/b", check=False)
    assert p.returncode == 125
    assert p.stdout == img.id[7:] + "\n"
    errors = p.stderr.splitlines()
    assert len(errors) == 2 and all(e.startswith("Error: ") for e in errors)
    assert "127.0.0.1:1/a" in errors[0] and "127.0.0.1:1/b" in errors[1]


def test_pull_with_creds(daemon, auth_registry):
    img = auth_registry.images["busybox:latest"]
    p = berth(daemon, "pull", "--creds", f"{AUTH_USER}:{AUTH_PASSWORD}", img.ref)
    assert p.stdout == img.id[7:] + "\n"
    p = berth(daemon, "rmi", img.ref)
    p = berth(daemon, "pull", "--creds", f"{AUTH_USER}:wrong", img.ref, check=False)
    assert p.returncode == 125 and p.stderr.startswith("Error: ")
    assert "wrong" not in p.stderr
    p = berth(daemon, "pull", "--creds", AUTH_USER, img.ref, check=False)
    assert p.returncode == 125
    assert p.stderr == "Error: invalid --creds: expected USERNAME:PASSWORD, both not empty\n"


def test_pull_platform(daemon, registry):
    plat = registry.images["platforms:latest"]
    arm, amd = plat.platforms["arm64/v8"], plat.platforms["amd64"]
    assert arm.id != amd.id
    assert berth(daemon, "pull", "-q", "--platform", "linux/arm64/v8", plat.ref).stdout == arm.id[7:] + "\n"
    # Normalized as podman does: aarch64 is arm64, whose only variant is v8.
    assert berth(daemon, "pull", "-q", "--platform", "linux/aarch64", plat.ref).stdout == arm.id[7:] + "\n"
    assert berth(daemon, "pull", "-q", "--platform", "linux/amd64", plat.ref).stdout == amd.id[7:] + "\n"
    # policy=missing keeps the stored image only when it is for the platform asked for.
    r = daemon.request("POST", f"/v4.3.1/libpod/images/pull?reference={plat.ref}&policy=missing&arch=amd64")
    assert r.json() == {"images": [amd.id[7:]], "id": amd.id[7:]}
    r = daemon.request("POST", f"/v4.3.1/libpod/images/pull?reference={plat.ref}&policy=missing&arch=arm64")
    assert r.status == 200 and f'"id":"{arm.id[7:]}"' in r.body.decode().replace(" ", ""), r.body
    r = daemon.request("POST", f"/v4.3.1/libpod/images/pull?reference={plat.ref}&policy=missing&arch=amd64")
    assert r.status == 200 and f'"id":"{amd.id[7:]}"' in r.body.decode().replace(" ", ""), r.body
    # podman --remote sends --platform's ARCH/VARIANT in arch.
    p = run(["podman", "--remote", "pull", "-q", "--platform", "linux/arm64/v8", plat.ref], env=client_env(daemon))
    assert p.stdout == arm.id[7:] + "\n"
    p = berth(daemon, "pull", "--platform", "linux/s390x", plat.ref, check=False)
    assert p.returncode == 125 and p.stdout == ""
    assert "no image for platform linux/s390x in the manifest list" in p.stderr.splitlines()[-1]
    for bad, hint in (("bad", ""), ("linux/", ", each part of letters, digits, '_' and '-'"),
                      ("a/b/c/d", ""), ("linux/am d64", ", each part of letters, digits, '_' and '-'")):
        p = berth(daemon, "pull", "--platform", bad, plat.ref, check=False)
        assert (p.returncode, p.stdout) == (125, ""), bad
        assert p.stderr == f'Error: invalid platform "{bad}": expected OS/ARCH[/VARIANT]{hint}\n'
    r = daemon.request("POST", f"/v4.3.1/libpod/images/pull?reference={plat.ref}&arch=arm64/v8&variant=v8")
    assert r.status == 400 and "the variant" in r.json()["message"]
    r = daemon.request("POST", f"/images/create?fromImage={plat.name}&tag=latest&platform=linux/arm64")
    assert r.status == 200 and b"error" not in r.body
    r = daemon.request("POST", f"/images/create?fromImage={plat.name}&tag=latest&platform=linux//x")
    assert r.status == 400 and "invalid platform" in r.json()["message"]


def test_pull_tls_verify(daemon, registry):
    img = registry.images["busybox:latest"]
    # Loopback is plain HTTP by default; --tls-verify asks for HTTPS there too, as podman.
    for flag in ("--tls-verify", "--tls-verify=true"):
        p = berth(daemon, "pull", flag, img.ref, check=False)
        assert (p.returncode, p.stdout) == (125, "")
        last = p.stderr.splitlines()[-1]
        assert last.startswith(f"Error: pulling {img.name}: registry {registry.host}: "), last
        assert last.endswith(f" (https://{registry.host}/v2/; TLS is required for this registry)"), last
    assert berth(daemon, "pull", "-q", "--tls-verify=false", img.ref).stdout == img.id[7:] + "\n"
    # Another name for the registry is HTTPS by default; tlsVerify=false makes it insecure
    # for that pull alone.
    other = f"{registry.other_host()}/busybox:latest"
    p = berth(daemon, "pull", other, check=False)
    assert p.returncode == 125 and f"(https://{registry.other_host()}/v2/; TLS is required" in p.stderr
    assert berth(daemon, "pull", "-q", "--tls-verify=false", other).stdout == img.id[7:] + "\n"
    p = run(["podman", "--remote", "pull", "-q", "--tls-verify=false", other], env=client_env(daemon))
    assert p.stdout == img.id[7:] + "\n"
    p = berth(daemon, "pull", "--tls-verify=true", other, check=False)
    assert p.returncode == 125
    p = berth(daemon, "pull", "--tls-verify=maybe", img.ref, check=False)
    assert (p.returncode, p.stderr) == (
        125, 'Error: invalid argument "maybe" for "--tls-verify" flag: expected true or false\n')
    r = daemon.request("POST", f"/v4.3.1/libpod/images/pull?reference={img.ref}&tlsVerify=maybe")
    assert r.status == 400 and "tlsVerify" in r.json()["message"]


def write_authfile(path, auths):
    with open(path, "w") as f:
        json.dump({"auths": {k: {"auth": base64.b64encode(v.encode()).decode()} for k, v in auths.items()}}, f)
    return path


def test_pull_authfile(daemon, auth_registry, workdir):
    img = auth_registry.images["busybox:latest"]
    host = auth_registry.host
    good = write_authfile(os.path.join(workdir, "good.json"),
                          {"other.example:5000": "x:y", host: f"{AUTH_USER}:{AUTH_PASSWORD}"})
    assert berth(daemon, "pull", "-q", "--authfile", good, img.ref).stdout == img.id[7:] + "\n"
    berth(daemon, "rmi", img.ref)
    # A namespace key is more specific than the host's; a URL key (docker's) names its host.
    ns = write_authfile(os.path.join(workdir, "ns.json"), {host: "berth:wrong", f"{host}/busybox": f"{AUTH_USER}:{AUTH_PASSWORD}"})
    assert berth(daemon, "pull", "-q", "--authfile", ns, img.ref).stdout == img.id[7:] + "\n"
    berth(daemon, "rmi", img.ref)
    url = write_authfile(os.path.join(workdir, "url.json"), {f"http://{host}/v2/": f"{AUTH_USER}:{AUTH_PASSWORD}"})
    assert berth(daemon, "pull", "-q", "--authfile", url, img.ref).stdout == img.id[7:] + "\n"
    wrong = write_authfile(os.path.join(workdir, "wrong.json"), {host: f"{AUTH_USER}:wrong"})
    p = berth(daemon, "pull", "--authfile", wrong, img.ref, check=False)
    assert p.returncode == 125 and p.stderr.splitlines()[-1].startswith("Error: ") and "wrong" not in p.stderr
    missing = os.path.join(workdir, "none.json")
    p = berth(daemon, "pull", "--authfile", missing, img.ref, check=False)
    assert (p.returncode, p.stdout, p.stderr) == (
        125, "", f"Error: cannot read the auth file {missing}: No such file or directory\n")
    elsewhere = write_authfile(os.path.join(workdir, "elsewhere.json"), {"other.example:5000": "x:y"})
    # Nothing for this registry: the pull goes without credentials, as podman's does.
    p = berth(daemon, "pull", "--authfile", elsewhere, img.ref, check=False)
    assert (p.returncode, p.stdout) == (125, ""), p.stderr
    assert p.stderr == f"Error: pulling {host}/busybox: registry {host}: authentication required\n"
    broken = os.path.join(workdir, "broken.json")
    with open(broken, "w") as f:
        f.write("{not json")
    p = berth(daemon, "pull", "--authfile", broken, img.ref, check=False)
    assert p.returncode == 125 and p.stderr.startswith(f"Error: cannot read the auth file {broken}: ")
    bad = os.path.join(workdir, "bad.json")
    with open(bad, "w") as f:
        json.dump({"auths": {host: {"auth": "bm90LWEtcGFpcg=="}}}, f)   # "not-a-pair"
    p = berth(daemon, "pull", "--authfile", bad, img.ref, check=False)
    assert (p.returncode, p.stderr) == (
        125, f"Error: the auth file {bad}: the entry for {host} is not base64 of USERNAME:PASSWORD\n")


def test_pull_all_tags(daemon, registry, fresh_registry):
    env = client_env(daemon)
    bb, multi = registry.images["busybox:latest"], registry.images["multilayer:latest"]
    for img in (bb, multi):
        berth(daemon, "pull", "-q", img.ref)
    repo = fresh_registry.ref("every")
    for source, tag in ((bb, "v1"), (multi, "v2"), (bb, "v3")):
        berth(daemon, "tag", source.ref, f"{repo}:{tag}")
        berth(daemon, "push", "-q", f"{repo}:{tag}")
        berth(daemon, "untag", source.id[7:], f"{repo}:{tag}")
    p = berth(daemon, "pull", "--all-tags", repo)
    # As podman: one "Trying to pull" per tag in the registry's order, an ID per tag.
    trying = [line for line in p.stderr.splitlines() if line.startswith("Trying to pull ")]
    assert trying == [f"Trying to pull {repo}:{t}..." for t in ("v1", "v2", "v3")]
    ids = [json.loads(berth(daemon, "image", "inspect", f"{repo}:{t}").stdout)[0]["Id"] for t in ("v1", "v2", "v3")]
    assert p.stdout == "".join(i + "\n" for i in ids)
    assert ids[0] == ids[2] != ids[1]
    # A tag in the name is ignored, as podman does; -q prints only the IDs.
    p = berth(daemon, "pull", "-a", "-q", f"{repo}:v2")
    assert (p.stdout, p.stderr) == ("".join(i + "\n" for i in ids), "")
    p = run(["podman", "--remote", "pull", "-q", "--all-tags", repo], env=env)
    assert p.stdout == "".join(i + "\n" for i in ids)
    # docker pull -a: Docker's API pulls every tag when none is given.
    for t in ("v1", "v2", "v3"):
        berth(daemon, "untag", ids[0] if t != "v2" else ids[1], f"{repo}:{t}")
    p = run(["docker", "pull", "-a", repo], env=env)
    assert all(f"{t}: Pulling from every" in p.stdout for t in ("v1", "v2", "v3")), p.stdout
    assert berth(daemon, "image", "exists", f"{repo}:v3").returncode == 0
    p = berth(daemon, "pull", "-a", fresh_registry.ref("nosuch"), check=False)
    assert (p.returncode, p.stdout) == (125, "")
    assert p.stderr.startswith(f"Error: pulling every tag of {fresh_registry.ref('nosuch')}: "), p.stderr
    assert "NAME_UNKNOWN" in p.stderr
    r = daemon.request("POST", f"/v4.3.1/libpod/images/pull?reference={repo}&allTags=true&policy=never")
    assert r.status == 400 and "never" in r.json()["message"]
    # Without allTags the stored image answers for "missing" and "never" as before.
    r = daemon.request("POST", f"/v4.3.1/libpod/images/pull?reference={repo}:v2&policy=missing")
    assert (r.status, r.json()) == (200, {"images": [ids[1]], "id": ids[1]})
    r = daemon.request("POST", f"/v4.3.1/libpod/images/pull?reference={repo}:v9&policy=never")
    assert r.status == 404 and "never" in r.json()["message"]
    r = daemon.request("POST", f"/v4.3.1/libpod/images/pull?reference={repo}:v2&policy=missing&os=li+nux")
    assert r.status == 400 and 'invalid OS "li nux"' in r.json()["message"]


def test_images_table_and_formats(daemon, registry):
    img = registry.images["busybox:latest"]
    p = berth(daemon, "images")
    assert p.stdout == "REPOSITORY  TAG         IMAGE ID    CREATED     SIZE\n"
    pulled(daemon, img)
    rows = table(berth(daemon, "images").stdout)
    assert rows[0] == ["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]
    assert len(rows) == 2
    repo, tag, image_id, created, size = rows[1]
    assert (repo, tag, image_id) == (img.name, "latest", img.id[7:19])
    assert re.fullmatch(r"(\d+ (seconds|minutes|hours|days|weeks|months|years)|About an? (minute|hour)|"
                        r"Less than a second|1 second) ago", created), created
    assert re.fullmatch(r"\d+(\.\d+)? (B|kB|MB|GB)", size), size
    assert berth(daemon, "images", "-q").stdout == img.id[7:19] + "\n"
    assert berth(daemon, "image", "ls", "-q", "--no-trunc").stdout == img.id + "\n"
    assert berth(daemon, "image", "list", "--noheading").stdout.startswith(img.name + " ")
    listed = json.loads(berth(daemon, "images", "--format", "json").stdout)
    assert [i["Id"] for i in listed] == [img.id[7:]]
    assert img.ref in listed[0]["RepoTags"]
    rows = table(berth(daemon, "images", "--digests").stdout)
    assert rows[0][2] == "DIGEST" and rows[1][2] == img.digest
    p = berth(daemon, "images", "--format", "{{.ID}}", check=False)
    assert p.returncode == 125 and "--format" in p.stderr


def test_images_filters(daemon, registry):
    img = registry.images["busybox:latest"]
    pulled(daemon, img)
    berth(daemon, "tag", img.ref, "mine:v1")

    def repos(*args):
        return sorted((r[0], r[1]) for r in table(berth(daemon, "images", *args).stdout)[1:])

    # Which names of a matching image are listed is berthd's call (podman's too).
    assert ("docker.io/library/mine", "v1") in repos("mine")
    assert (img.name, "latest") in repos("--filter", f"reference={img.name}")
    assert repos("nosuch") == []
    assert repos("-f", "dangling=false") == repos()
    assert len(repos()) == 2
    assert berth(daemon, "images", "-q", "--filter", "dangling=true").stdout == ""
    assert berth(daemon, "images", "-q", "-f", "dangling=false,reference=mine").stdout == img.id[7:19] + "\n"
    p = berth(daemon, "images", "-f", "dangling", check=False)
    assert (p.returncode, p.stderr) == (125, 'Error: invalid filter "dangling": expected KEY=VALUE\n')
    p = berth(daemon, "images", "-f", "dangling=true", "busybox", check=False)
    assert (p.returncode, p.stderr) == (125, "Error: cannot specify an image and a filter(s)\n")
    p = berth(daemon, "images", "a", "b", check=False)
    assert (p.returncode, p.stderr) == (125, "Error: accepts at most 1 arg(s), received 2\n")
    # berthd judges the keys: its message comes through.
    p = berth(daemon, "images", "-f", "color=red", check=False)
    assert p.returncode == 125 and p.stderr.startswith("Error: ") and "color" in p.stderr


def test_inspect_and_exists(daemon, registry):
    img = registry.images["busybox:latest"]
    assert berth(daemon, "image", "exists", img.ref, check=False).returncode == 1
    pulled(daemon, img)
    out = berth(daemon, "image", "inspect", img.ref).stdout
    # podman's inspect layout: a JSON array indented by 5 spaces.
    assert out.startswith("[\n     {\n          \"Id\": ")
    info = json.loads(out)
    assert len(info) == 1 and info[0]["Id"] == img.id[7:]
    assert info[0]["RepoTags"] == [img.ref]
    assert info[0]["RootFS"]["Layers"] == img.diff_ids
    assert json.loads(berth(daemon, "inspect", img.id[7:19]).stdout)[0]["Id"] == img.id[7:]
    assert berth(daemon, "image", "exists", img.ref).returncode == 0
    assert berth(daemon, "image", "exists", img.id[7:19]).returncode == 0
    p = berth(daemon, "image", "exists", "nosuch", check=False)
    assert (p.returncode, p.stdout, p.stderr) == (1, "", "")


def test_inspect_errors(daemon, registry):
    img = registry.images["busybox:latest"]
    pulled(daemon, img)
    p = berth(daemon, "image", "inspect", img.ref, "nosuch", "other", check=False)
    assert p.returncode == 125
    # What was found is printed, then the errors as podman orders them.
    assert [i["Id"] for i in json.loads(p.stdout)] == [img.id[7:]]
    lines = p.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith('error inspecting object: unable to inspect "other": ')
    assert lines[1].startswith('Error: inspecting object: unable to inspect "nosuch": ')
    assert "nosuch" in lines[1][len('Error: inspecting object: unable to inspect "nosuch": '):]
    p = berth(daemon, "inspect", "nosuch", check=False)
    assert (p.returncode, p.stdout) == (125, "[]\n")
    assert p.stderr == 'Error: inspecting object: no such object: "nosuch"\n'
    p = berth(daemon, "inspect", "--type", "volume", "x", check=False)
    assert p.returncode == 125 and p.stderr.startswith('Error: invalid type "volume"')
    p = berth(daemon, "inspect", "--type", "container", "x", check=False)
    assert (p.returncode, p.stdout) == (125, "[]\n")
    assert p.stderr == ('Error: inspecting object: unable to inspect "x": '
                        'no container with name or ID "x" found: no such container\n')
    p = berth(daemon, "image", "inspect", check=False)
    assert (p.returncode, p.stderr) == (125, "Error: requires at least 1 arg(s), only received 0\n")


def test_history(daemon, registry):
    img = registry.images["busybox:latest"]
    pulled(daemon, img)
    rows = table(berth(daemon, "history", img.ref).stdout)
    assert rows[0] == ["ID", "CREATED", "CREATED BY", "SIZE", "COMMENT"]
    assert len(rows) >= 2
    assert rows[1][0] == img.id[7:19]
    assert all(r[0] == "<missing>" for r in rows[2:])
    layers = json.loads(berth(daemon, "image", "history", "--format", "json", img.ref).stdout)
    assert len(layers) == len(rows) - 1
    assert berth(daemon, "history", "-q", img.ref).stdout.splitlines()[0] == img.id[7:19]
    p = berth(daemon, "history", "nosuch", check=False)
    assert p.returncode == 125 and p.stderr.startswith("Error: ") and "nosuch" in p.stderr
    p = berth(daemon, "history", check=False)
    assert (p.returncode, p.stderr) == (125, "Error: accepts 1 arg(s), received 0\n")


def names_of(daemon, img):
    return sorted(json.loads(berth(daemon, "image", "inspect", img.id[7:]).stdout)[0]["RepoTags"])


def test_tag_and_untag(daemon, registry):
    img = registry.images["busybox:latest"]
    pulled(daemon, img)
    assert berth(daemon, "tag", img.ref, "mine:v1", "localhost:5000/team/app", "other").stdout == ""
    assert names_of(daemon, img) == sorted([img.ref, "docker.io/library/mine:v1",
                                            "localhost:5000/team/app:latest", "docker.io/library/other:latest"])
    rows = table(berth(daemon, "images").stdout)[1:]
    assert sorted((r[0], r[1]) for r in rows) == sorted([
        (img.name, "latest"), ("docker.io/library/mine", "v1"),
        ("localhost:5000/team/app", "latest"), ("docker.io/library/other", "latest")])
    assert len({r[2] for r in rows}) == 1
    assert berth(daemon, "images", "-q").stdout == img.id[7:19] + "\n"
    berth(daemon, "image", "untag", img.ref, "mine:v1", "localhost:5000/team/app")
    assert names_of(daemon, img) == sorted([img.ref, "docker.io/library/other:latest"])
    p = berth(daemon, "tag", img.ref, ":nope", check=False)
    assert (p.returncode, p.stderr) == (125, 'Error: parsing reference ":nope": invalid reference format\n')
    p = berth(daemon, "tag", "nosuch", "x:y", check=False)
    assert p.returncode == 125 and p.stderr.startswith("Error: ") and "nosuch" in p.stderr
    p = berth(daemon, "tag", img.ref, check=False)
    assert (p.returncode, p.stderr) == (125, "Error: requires at least 2 arg(s), only received 1\n")


def test_untag_all_names_keeps_the_image(daemon, registry):
    img = registry.images["busybox:latest"]
    pulled(daemon, img)
    berth(daemon, "tag", img.ref, "mine:v1")
    berth(daemon, "untag", img.ref)
    # podman untag without names leaves the image, dangling.
    assert berth(daemon, "image", "exists", img.id[7:]).returncode == 0
    assert names_of(daemon, img) == []
    rows = table(berth(daemon, "images").stdout)
    assert rows[1][:3] == ["<none>", "<none>", img.id[7:19]]


def test_rmi(daemon, registry):
    img = registry.images["busybox:latest"]
    pulled(daemon, img)
    berth(daemon, "tag", img.ref, "mine:v1")
    p = berth(daemon, "rmi", "mine:v1")
    assert p.stdout == "Untagged: docker.io/library/mine:v1\n"
    berth(daemon, "tag", img.ref, "mine:v1")
    p = berth(daemon, "rmi", img.id[7:19], check=False)
    assert p.returncode == 2 and p.stderr.startswith("Error: ")
    p = berth(daemon, "image", "rm", "-f", img.id[7:19])
    lines = p.stdout.splitlines()
    # podman's order: the names, then the image.
    assert {f"Untagged: {img.ref}", "Untagged: docker.io/library/mine:v1"} <= set(lines[:-1])
    assert all(line.startswith("Untagged: ") for line in lines[:-1])
    assert lines[-1].startswith("Deleted: ") and lines[-1].endswith(img.id[7:])
    assert berth(daemon, "images", "-q").stdout == ""


def test_rmi_output_is_podmans(daemon, registry):
    img = registry.images["busybox:latest"]
    pulled(daemon, img)
    p = berth(daemon, "rmi", img.ref)
    assert p.stdout == f"Untagged: {img.ref}\nDeleted: {img.id[7:]}\n"


def test_rmi_exit_statuses(daemon, registry):
    img = registry.images["busybox:latest"]
    pulled(daemon, img)
    # A missing image: exit 1, the others still removed.
    p = berth(daemon, "rmi", "nosuch", img.ref, check=False)
    assert p.returncode == 1
    assert p.stdout.startswith(f"Untagged: {img.ref}\n") and p.stdout.endswith(img.id[7:] + "\n")
    assert p.stderr.startswith("Error: ") and "nosuch" in p.stderr and p.stderr.count("\n") == 1
    p = berth(daemon, "rmi", "--ignore", "nosuch")
    assert (p.stdout, p.stderr) == ("", "")
    p = berth(daemon, "rmi", check=False)
    assert (p.returncode, p.stderr) == (125, "Error: image name or ID must be specified\n")
    pulled(daemon, img)
    berth(daemon, "tag", img.ref, "a:1", "b:2")
    p = berth(daemon, "rmi", "--all")
    lines = p.stdout.splitlines()
    assert {f"Untagged: {img.ref}", "Untagged: docker.io/library/a:1", "Untagged: docker.io/library/b:2"} <= set(lines)
    assert lines[-1].startswith("Deleted: ") and lines[-1].endswith(img.id[7:])
    assert berth(daemon, "images", "-q").stdout == ""


def test_unreachable_daemon(daemon, workdir):
    env = client_env(daemon, CONTAINER_HOST=f"unix://{workdir}/none.sock")
    for args in (["images"], ["image", "exists", "x"], ["rmi", "x"], ["pull", "x"], ["image", "inspect", "x"]):
        p = run([BERTH, *args], env=env, check=False)
        assert p.returncode == 125, args
        assert p.stderr.startswith(f"Error: cannot connect to berthd at unix://{workdir}/none.sock"), args
