"""Shared bench helpers: a fake apiserver in a child process that can churn pods, /proc readers.

The fake apiserver (tests/fakekube, TLS) runs in its own process so its CPU and memory are not
counted as ours. Its stdin takes commands:

    churn N RATE LOG   modify N random pods at RATE/s; each gets restartCount 1_000_000 + i and a
                       line "ns name restarts t_emit" in LOG; answers "done" when the last is applied

Run directly: python bench/common.py --pods 10000 --kubeconfig /tmp/kc
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK = 1_000_000  # restart counts from here on were set by a churn
TICKS = os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def hwm_mb(pid: int | str = "self") -> float:
    """Peak RSS (VmHWM) of a live process."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_s(pid: int | str = "self") -> float:
    """utime + stime of a process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q / 100 * (len(s) - 1))))] if s else float("nan")


class KubeServer:
    """`with KubeServer(10_000, tmpdir) as kube:` -> kube.kubeconfig, kube.churn(...)."""

    def __init__(self, pods: int, tmp: Path) -> None:
        self.kubeconfig = tmp / "kubeconfig"
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__)), "--pods", str(pods),
                                      "--kubeconfig", str(self.kubeconfig)], cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def __enter__(self) -> KubeServer:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            self.close()
            raise SystemExit(f"fake apiserver did not start: {line!r}")
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def churn_async(self, n: int, rate: float, log: Path) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"churn {n} {rate} {log}\n")
        self.proc.stdin.flush()

    def wait_done(self) -> None:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if line != "done":
            raise SystemExit(f"churn failed: {line!r}")


def read_churn_log(log: Path) -> list[tuple[str, str, int, float]]:
    out = []
    for line in log.read_text().splitlines():
        ns, name, restarts, t = line.split()
        out.append((ns, name, int(restarts), float(t)))
    return out


# -- the server side ------------------------------------------------------------------------------
def _churn(fake, n: int, rate: float, log: Path) -> None:  # noqa: ANN001 - tests.fakekube.FakeKube
    import copy

    rng = random.Random(11)
    keys = list(fake.store.objects["pods"])
    start = time.perf_counter()
    with log.open("w") as f:
        for i in range(n):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            ns, name = rng.choice(keys)
            with fake.store.cond:
                obj = copy.deepcopy(fake.store.objects["pods"][(ns, name)])
            statuses = obj.setdefault("status", {}).get("containerStatuses") or []
            if not statuses:
                continue
            statuses[0]["restartCount"] = MARK + i
            fake.apply("pods", obj)
            f.write(f"{ns} {name} {MARK + i} {time.time():.6f}\n")
    print("done", flush=True)


def serve() -> None:
    sys.path.insert(0, str(ROOT))
    from tests.fakekube import FakeKube
    from tests.fakekube.fixtures import scenario, seeded_pods

    ap = argparse.ArgumentParser()
    ap.add_argument("--pods", type=int, default=10_000)
    ap.add_argument("--kubeconfig", required=True)
    args = ap.parse_args()
    with FakeKube() as fake:
        world = scenario()
        world["pods"] = seeded_pods(args.pods)
        fake.load(world)
        fake.kubeconfig(Path(args.kubeconfig))
        print("ready", flush=True)
        for line in sys.stdin:  # stdin closing (parent gone) ends the server
            cmd = line.split()
            if cmd and cmd[0] == "churn":
                threading.Thread(target=_churn, args=(fake, int(cmd[1]), float(cmd[2]), Path(cmd[3])),
                                 daemon=True).start()


if __name__ == "__main__":
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    serve()


class KeyTiming:
    """Mixed into a bench's CockpitApp: `press_key()` sends "down" to the Pods table and times it until
    the moved cursor is painted (`keys`, seconds); a key with no repaint in 2 s counts in `lost_keys`."""

    keys: list[float]
    key_t0: float | None = None
    lost_keys = 0

    def press_key(self) -> None:
        if self.key_t0 is not None and time.perf_counter() - self.key_t0 > 2.0:
            self.lost_keys += 1  # no repaint within 2 s: count it, do not wait forever
            self.key_t0 = None
        if self.key_t0 is None:
            self.key_t0 = time.perf_counter()
            self.simulate_key("down")  # type: ignore[attr-defined]

    def on_virtual_table_row_highlighted(self, event) -> None:  # noqa: ANN001 - a VirtualTable message
        if self.key_t0 is not None and event.table is self.pods_pane.table:  # type: ignore[attr-defined]
            self.call_after_refresh(self._key_painted)  # type: ignore[attr-defined]

    def _key_painted(self) -> None:
        if self.key_t0 is not None:
            self.keys.append(time.perf_counter() - self.key_t0)
            self.key_t0 = None
