"""Run a fake apiserver on its own: `python -m tests.fakekube --pods 10000 --kubeconfig /tmp/kc`.

Prints "ready" once serving; stops when stdin closes or on SIGTERM. Used by bench/pods_scale.py so the
server's memory and CPU are not counted as the client's.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from tests.fakekube import FakeKube
from tests.fakekube.fixtures import scenario, seeded_pods


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pods", type=int, default=0, help="seeded pods to add to the incident scenario")
    ap.add_argument("--kubeconfig", required=True)
    args = ap.parse_args()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with FakeKube() as fake:
        world = scenario()
        if args.pods:
            world["pods"] = seeded_pods(args.pods)
        fake.load(world)
        fake.kubeconfig(Path(args.kubeconfig))
        print("ready", flush=True)
        threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
        done.wait()


if __name__ == "__main__":
    main()
