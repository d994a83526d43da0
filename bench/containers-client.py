#!/usr/bin/python3
"""bench/containers.sh's API client: bulk container creation and image tagging over one
keep-alive connection, and an IDE-like poller that lists containers and images on a timer.

Usage:
  containers-client.py SOCKET create N [--image IMG] [--deadline SECONDS]
  containers-client.py SOCKET tag IMAGE N [--deadline SECONDS]
  containers-client.py SOCKET poll SECONDS [--interval SECONDS]

Each prints one JSON line. Exit status: 0 when done, 1 on an HTTP error (the message on
stderr), 3 when --deadline passed first (the JSON line says how far it got).
"""

import argparse
import http.client
import json
import socket
import statistics
import sys
import time


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=600):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.unix_path)
        self.sock = sock


class Client:
    def __init__(self, path):
        self.conn = UnixConnection(path)

    def request(self, method, target, body=None, ok=(200, 201, 204)):
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.conn.request(method, target, body=data, headers=headers)
        resp = self.conn.getresponse()
        payload = resp.read()
        if resp.status not in ok:
            text = payload[:600].decode(errors="replace")
            raise RuntimeError(f"{method} {target}: HTTP {resp.status}: {text}")
        return payload


def bulk(args, what, count, one):
    """Runs one(i) count times; stops at the deadline."""
    start = time.monotonic()
    done = 0
    for i in range(count):
        if args.deadline and time.monotonic() - start > args.deadline:
            print(json.dumps({what: done, "wanted": count, "seconds": round(time.monotonic() - start, 3),
                              "deadline_passed": True}))
            return 3
        one(i)
        done += 1
    print(json.dumps({what: done, "wanted": count, "seconds": round(time.monotonic() - start, 3)}))
    return 0


def create(args):
    client = Client(args.socket)
    body = {"Image": args.image, "Cmd": ["true"], "HostConfig": {"NetworkMode": "none"}}
    return bulk(args, "created", args.count, lambda i: client.request("POST", "/containers/create", body))


def tag(args):
    client = Client(args.socket)

    def one(i):
        client.request("POST", f"/images/{args.image}/tag?repo=bench/tag{i:04d}&tag=v1")

    return bulk(args, "tagged", args.count, one)


def poll(args):
    """Every interval: GET /containers/json?all=1, then GET /images/json. A round that
    ends after the next tick starts the next one at once (no burst to catch up)."""
    client = Client(args.socket)
    rounds = []
    late = 0
    start = time.monotonic()
    tick = start
    while tick < start + args.seconds:
        now = time.monotonic()
        if now < tick:
            time.sleep(tick - now)
        t0 = time.monotonic()
        client.request("GET", "/containers/json?all=1")
        client.request("GET", "/images/json")
        t1 = time.monotonic()
        rounds.append(t1 - t0)
        tick += args.interval
        if t1 > tick:
            late += 1
            tick = t1
    elapsed = time.monotonic() - start
    print(json.dumps({
        "rounds": len(rounds),
        "late_rounds": late,
        "seconds": round(elapsed, 3),
        "round_ms_median": round(statistics.median(rounds) * 1000, 2),
        "round_ms_max": round(max(rounds) * 1000, 2),
    }))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("socket")
    sub = parser.add_subparsers(dest="verb", required=True)
    p = sub.add_parser("create")
    p.add_argument("count", type=int)
    p.add_argument("--image", default="busybox")
    p.add_argument("--deadline", type=float, default=0)
    p = sub.add_parser("tag")
    p.add_argument("image")
    p.add_argument("count", type=int)
    p.add_argument("--deadline", type=float, default=0)
    p = sub.add_parser("poll")
    p.add_argument("seconds", type=float)
    p.add_argument("--interval", type=float, default=0.1)
    args = parser.parse_args()
    try:
        return {"create": create, "tag": tag, "poll": poll}[args.verb](args)
    except (OSError, RuntimeError, http.client.HTTPException) as e:
        print(f"containers-client.py: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
