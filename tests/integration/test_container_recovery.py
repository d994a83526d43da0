"""berthd killed (-9) or stopped while containers run, exit, or are being created and
started: after a restart on the same root, running containers are still running and
controllable, exits that happened while it was down are recorded (code and time), --rm
containers are gone, restart policies apply, and nothing is lost or duplicated."""
import os
import random
import threading
import time

import pytest

from test_containers import IMAGE, Engine, mounts_under, rfc3339


@pytest.fixture
def engine():
    eng = Engine("berth-ctr-rec-")
    try:
        yield eng
    finally:
        eng.close()


def crash(engine):
    engine.daemon.proc.kill()
    engine.daemon.proc.wait()


def restart(engine):
    engine.daemon.start()


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def wait_exit_file(engine, cid, timeout=10):
    """conmon has written the exit file: the exit happened entirely while berthd was down."""
    path = os.path.join(engine.root, "exits", cid)
    deadline = time.monotonic() + timeout
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert os.path.exists(path), f"conmon wrote no exit file {path}"


def wait_gone(pid, timeout=10):
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(pid), f"pid {pid} still alive"


def no_leftovers(engine, keep=()):
    containers = os.path.join(engine.root, "containers")
    listed = os.listdir(containers) if os.path.isdir(containers) else []
    assert sorted(set(listed) - set(keep)) == []
    assert [m for m in mounts_under(engine.root) if not any(k in m for k in keep)] == []
    runc_root = os.path.join(engine.runroot, "runc")
    states = os.listdir(runc_root) if os.path.isdir(runc_root) else []
    assert sorted(set(states) - set(keep)) == []


TRAP = 'trap "exit 3" TERM; echo up; while true; do sleep 0.1; done'


@pytest.mark.parametrize("how", ["kill9", "sigterm"])
def test_running_container_survives(engine, how):
    cid = engine.out("run", "-d", "--name", "surv", IMAGE, "sh", "-c", TRAP).strip()
    pid = engine.wait_state("surv", lambda s: s["Running"])["Pid"]
    started = engine.state("surv")["StartedAt"]
    if how == "kill9":
        crash(engine)
    else:
        assert engine.daemon.stop() == 0
    time.sleep(0.5)
    assert alive(pid), "the container died with berthd"
    restart(engine)
    st = engine.state("surv")
    assert (st["Status"], st["Running"], st["Pid"], st["StartedAt"]) == ("running", True, pid, started)
    assert engine.out("ps", "-q", "--no-trunc").split() == [cid]
    assert engine.out("logs", "surv") == "up\n"
    # controllable: pause/unpause, then stop with the trap's exit code
    engine.docker("pause", "surv")
    assert engine.state("surv")["Status"] == "paused"
    engine.docker("unpause", "surv")
    # a wait and a log follower started now see the adopted container's exit
    waited, followed = {}, {}
    tw = threading.Thread(target=lambda: waited.setdefault("p", engine.docker("wait", "surv", timeout=30)))
    tf = threading.Thread(target=lambda: followed.setdefault("p", engine.docker("logs", "-f", "surv", timeout=30)))
    tw.start()
    tf.start()
    time.sleep(0.5)
    t0 = time.monotonic()
    engine.docker("stop", "-t", "10", "surv")
    assert time.monotonic() - t0 < 5, "SIGTERM did not reach the adopted container"
    wait_gone(pid)
    tw.join(30)
    tf.join(30)
    assert waited["p"].stdout == "3\n"
    assert followed["p"].stdout == "up\n"
    st = engine.state("surv")
    assert (st["Status"], st["ExitCode"]) == ("exited", 3)
    assert engine.out("wait", "surv") == "3\n"
    engine.docker("rm", "surv")
    no_leftovers(engine)


def test_exit_while_daemon_down(engine):
    cid = engine.out("run", "-d", "--name", "dn", IMAGE, "sh", "-c", "sleep 1; exit 5").strip()
    st = engine.wait_state("dn", lambda s: s["Running"])
    pid = st["Pid"]
    crash(engine)
    wait_gone(pid)
    wait_exit_file(engine, cid)
    exited_by = time.time()
    time.sleep(0.5)
    restart(engine)
    st = engine.state("dn")
    assert (st["Status"], st["Running"], st["ExitCode"], st["Pid"]) == ("exited", False, 5, 0)
    finished = rfc3339(st["FinishedAt"])
    assert rfc3339(st["StartedAt"]) + 0.9 <= finished <= exited_by + 0.2, \
        f"FinishedAt {st['FinishedAt']} is not the time of the exit"
    assert engine.out("wait", "dn", timeout=10) == "5\n"
    assert engine.out("ps", "-a", "--filter", "exited=5", "--format", "{{.Names}}") == "dn\n"
    # the exited container released its rootfs and runc state, and starts again
    no_leftovers(engine, keep=[cid])
    assert mounts_under(engine.root) == []
    engine.docker("start", "dn")
    assert engine.out("wait", "dn") == "5\n"
    engine.docker("rm", "dn")
    no_leftovers(engine)


def test_rm_container_exiting_while_down_is_removed(engine):
    cid = engine.out("run", "-d", "--rm", "--name", "gone", IMAGE, "sh", "-c", "sleep 1").strip()
    pid = engine.wait_state("gone", lambda s: s["Running"])["Pid"]
    crash(engine)
    wait_gone(pid)
    wait_exit_file(engine, cid)
    restart(engine)
    deadline = time.monotonic() + 10
    while engine.api("GET", "/v1.41/containers/gone/json").status != 404 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert engine.api("GET", "/v1.41/containers/gone/json").status == 404
    assert engine.ids() == []
    no_leftovers(engine)
    # the name is free again
    engine.docker("run", "--rm", "--name", "gone", IMAGE, "true")


def test_restart_policy_applied_after_restart(engine):
    cid = engine.out("run", "-d", "--name", "alw", "--restart", "always", IMAGE, "sh", "-c",
                     "sleep 1; exit 1").strip()
    pid = engine.wait_state("alw", lambda s: s["Running"])["Pid"]
    crash(engine)
    wait_gone(pid)
    wait_exit_file(engine, cid)
    restart(engine)
    st = engine.wait_state("alw", lambda s: s["Running"] and s["Pid"] != pid)
    assert engine.inspect("alw")["RestartCount"] >= 1
    assert st["Pid"] > 0


def test_kill9_during_create_and_start(engine):
    rnd = random.Random(4)
    for round_ in range(6):
        names = [f"c{round_}-{i}" for i in range(3)]
        procs = []

        def go(name):
            procs.append(engine.docker("run", "-d", "--name", name, IMAGE, "sleep", "100", check=False,
                                       timeout=60))

        threads = [threading.Thread(target=go, args=(n,)) for n in names]
        for t in threads:
            t.start()
        time.sleep(rnd.uniform(0.0, 1.2))
        crash(engine)
        for t in threads:
            t.join()
        restart(engine)
        listed = engine.api("GET", "/v1.41/containers/json?all=1").json()
        ids = [c["Id"] for c in listed]
        all_names = [c["Names"][0] for c in listed]
        assert len(ids) == len(set(ids)), f"duplicate IDs after restart: {listed}"
        assert len(all_names) == len(set(all_names)), f"duplicate names: {all_names}"
        runc_root = os.path.join(engine.runroot, "runc")
        stale_mounts = []
        for c in listed:
            info = engine.inspect(c["Id"])
            st = info["State"]
            assert st["Status"] in ("created", "running", "exited"), st
            has_runc_state = os.path.isdir(os.path.join(runc_root, c["Id"]))
            if st["Running"]:
                assert alive(st["Pid"]) and has_runc_state, st
            else:
                # a container berthd does not call running has no process and no runc state
                assert not has_runc_state, f"{c['Names']} is {st['Status']} but runc still has it"
                merged = (info["GraphDriver"]["Data"] or {}).get("MergedDir")
                if merged in mounts_under(engine.root):
                    stale_mounts.append(merged)
        # each one that is not running starts and runs
        for c in listed:
            if not engine.state(c["Id"])["Running"]:
                r = engine.api("POST", f"/v1.41/containers/{c['Id']}/start")
                assert r.status == 204, r.body
                assert engine.state(c["Id"])["Running"]
        # berthd's restart left no rootfs mounted for a container it does not run
        assert stale_mounts == [], f"round {round_}: rootfs still mounted for stopped containers"
        # each is removable, and nothing of them stays
        for cid in ids:
            r = engine.api("DELETE", f"/v1.41/containers/{cid}?force=1")
            assert r.status == 204, r.body
        assert engine.ids() == []
        no_leftovers(engine)
        # names from the round can be used again
        for n in names:
            engine.docker("create", "--name", n, IMAGE, "true")
        engine.rm_all()
    assert engine.api("GET", "/_ping").status == 200
