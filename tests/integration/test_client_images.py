"""The berth CLI's image verbs (pull, images, image inspect/exists, history, tag, untag,
rmi, the `image` group) against a real berthd and a registry on loopback, checked for
podman's output and exit statuses."""
import json
import re

import pytest

from conftest import BERTH, client_env, run
from registry import AUTH_PASSWORD, AUTH_USER, auth_registry, registry  # noqa: F401 - fixtures


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
