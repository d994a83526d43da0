#!/usr/bin/python3
"""A local docker-registry with the images bench/images.sh pulls.

Starts Debian's docker-registry on 127.0.0.1:<free port> (tests/integration/registry.py's
RegistryServer, storage under --dir), pushes

  big:latest              mkimage.big_image(): busybox + ~52 MiB random data + 5000 small
                          files + a small layer (4 layers, ~56 MB compressed)
  many/img000..NNN:latest mkimage.variant_image(content=str(i), path="f.txt"): busybox + a
                          one-file layer, so every one is a distinct image

then writes --ready FILE (JSON: host, registry_pid, big, big_id, small) atomically and
serves until SIGTERM/SIGINT or until its parent exits; it stops the registry and removes
its directory on the way out.

Usage: registry-setup.py --dir DIR --ready FILE [--images N] [--big-mb MB]
"""
import argparse
import json
import os
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "fixtures"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import mkimage  # noqa: E402
from registry import RegistryServer  # noqa: E402


def stop_on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True, help="parent directory for the registry's state")
    ap.add_argument("--ready", required=True, help="JSON file written once everything is pushed")
    ap.add_argument("--images", type=int, default=100, help="distinct small images to push")
    ap.add_argument("--big-mb", type=float, default=52, help="MiB of random data in big:latest")
    args = ap.parse_args()

    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGINT, stop_on_signal)
    parent = os.getppid()
    server = RegistryServer(base_dir=args.dir)
    try:
        server.start()
        t0 = time.monotonic()
        big = server.push("big:latest", mkimage.big_image(random_mb=args.big_mb))
        small = [server.push(f"many/img{i:03d}:latest",
                             mkimage.variant_image(content=str(i), path="f.txt")).ref
                 for i in range(args.images)]
        ready = {"host": server.host, "registry_pid": server.proc.pid, "big": big.ref,
                 "big_id": big.id, "big_bytes": sum(l.size for l in big.image.layers),
                 "small": small, "push_seconds": round(time.monotonic() - t0, 2)}
        tmp = args.ready + ".tmp"
        with open(tmp, "w") as f:
            json.dump(ready, f)
        os.rename(tmp, args.ready)
        # Serve until told to stop, or until the script that started us is gone.
        while os.getppid() == parent and server.proc.poll() is None:
            time.sleep(0.5)
        if server.proc.poll() is not None:
            print(f"registry-setup.py: docker-registry exited:\n{server.log()[-3000:]}",
                  file=sys.stderr)
            return 1
        return 0
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
