"""10,000 pods in the real TUI: snapshot vs kubectl, launch -> full count, watch churn, keypresses.

    python bench/tui_scale.py [--pods 10000] [--runs 5] [--launch-runs 5] [--events 500] [--rate 50]
                              [--skip-snapshot]

1. `cockpit snapshot --kubeconfig KC` (the real CLI, a subprocess) vs `kubectl get pods -A -o json`
   against the same fake apiserver, interleaved, median of --runs.
2. A fresh headless CockpitApp process (120x40), started as `cockpit` starts it (cli.start_tui):
   launch -> pods pane title shows the full count, painted; median of --launch-runs + the churn run.
3. While the fake apiserver modifies --events random pods at --rate/s (watch MODIFIED events), the
   app gets a "down" key in the Pods pane every 100 ms. Measured: watch event emitted -> the row's
   new state in the pods table and painted (p50/p95 over events); key posted -> cursor moved and
   painted; every modified pod's final state must be in the table at the end (dropped = 0).
The fake apiserver runs in its own process (bench/common.py) so its CPU and memory are not ours.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, KubeServer, pct, read_churn_log  # noqa: E402

CHILD = r"""
import json, os, sys, time
t0 = float(os.environ["BENCH_T0"])
from bench.common import MARK, KeyTiming, hwm_mb, rss_mb
from cockpit.config import Config
from cockpit.cli import start_tui

N = int(os.environ["BENCH_PODS"])
CHURN_S = float(os.environ["BENCH_CHURN_S"])
OUT = os.environ["BENCH_OUT"]
config = Config(kubeconfig=os.environ["BENCH_KC"])
hub, clock, advisor = start_tui(config)  # exactly what `cockpit` runs before the screen opens
from cockpit.ui.app import CockpitApp


class Bench(KeyTiming, CockpitApp):
    def on_mount(self):
        super().on_mount()
        self.full_at = None
        self.seen = {}  # (ns, name) -> [(restarts, t_painted)]
        self.keys = []  # key -> painted latencies (s)
        self.key_t0 = None
        self.pod_updates = 0
        self.lost_keys = 0

    def show_pods(self, view=None):
        super().show_pods(view)
        self.pod_updates += 1
        pods = self.state.pods.pods
        self.call_after_refresh(self._painted, pods)

    def _painted(self, pods):
        now = time.time()
        if self.full_at is None and len(pods) >= N and f"Pods {N}" in self.pods_pane.title_plain:
            self.full_at = now
            print(f"FULL {now - t0:.4f} {rss_mb():.1f}", flush=True)
            if CHURN_S <= 0:  # a launch-only run
                self.exit()
                return
            self.action_goto("pods")
            self.set_timer(0.5, self._start_churn)
        if self.full_at is not None:
            for item in self.pods_pane.view.rows.items.values():  # what the table holds now
                p = item[1]
                if p.restarts >= MARK:
                    k = (p.namespace, p.name)
                    hist = self.seen.setdefault(k, [])
                    if not hist or hist[-1][0] != p.restarts:
                        hist.append((p.restarts, now))

    def _start_churn(self):
        print("CHURN", flush=True)
        self.churn_start = time.time()
        self.key_timer = self.set_interval(0.1, self._press)
        self.set_timer(CHURN_S + 3.0, self._finish)

    def _press(self):
        if time.time() - self.churn_start > CHURN_S:
            self.key_timer.stop()
            return
        self.press_key()

    def _finish(self):
        final = {f"{p.namespace} {p.name}": p.restarts for p in self.pods_pane.shown if p.restarts >= MARK}
        seen = {f"{k[0]} {k[1]}": v for k, v in self.seen.items()}
        with open(OUT, "w") as f:
            json.dump({"seen": seen, "final": final, "keys": self.keys, "rss": rss_mb(), "hwm": hwm_mb(),
                       "updates": self.pod_updates,
                       "lost_keys": self.lost_keys, "focused": repr(self.focused)}, f)
        self.exit()


Bench(hub, config, advisor=advisor, clock=clock).run(headless=True, size=(120, 40))
"""


def bench_snapshot(kc: Path, tmp: Path, runs: int) -> tuple[list[float], list[float], int]:
    ours = [sys.executable, "-m", "cockpit", "snapshot", "--kubeconfig", str(kc)]
    kubectl = ["kubectl", "--kubeconfig", str(kc), "--cache-dir", str(tmp / "cache"), "get", "pods", "-A", "-o", "json"]
    env = {**os.environ, "HOME": str(tmp), "XDG_CONFIG_HOME": str(tmp / "cfg"), "XDG_STATE_HOME": str(tmp / "st")}
    subprocess.run(kubectl, capture_output=True, check=True, timeout=120)  # warm the discovery cache
    a, b, n = [], [], 0
    for _ in range(runs):
        t = time.perf_counter()
        out = subprocess.run(ours, capture_output=True, check=True, timeout=120, cwd=ROOT, env=env).stdout
        a.append(time.perf_counter() - t)
        n = len(json.loads(out)["pods"])
        t = time.perf_counter()
        subprocess.run(kubectl, capture_output=True, check=True, timeout=120)
        b.append(time.perf_counter() - t)
    return a, b, n


def bench_tui(kube: KubeServer, tmp: Path, pods: int, events: int, rate: float) -> dict:
    out, log = tmp / "tui.json", tmp / "churn.log"
    env = {**os.environ, "BENCH_T0": repr(time.time()), "BENCH_PODS": str(pods), "BENCH_KC": str(kube.kubeconfig),
           "BENCH_CHURN_S": str(events / rate), "BENCH_OUT": str(out), "PYTHONPATH": str(ROOT),
           "XDG_STATE_HOME": str(tmp / "st")}
    argv = [sys.executable, "-c", CHILD]
    if os.environ.get("BENCH_PYSPY"):  # collapsed stacks of the TUI process, for bench/README.md
        argv = ["py-spy", "record", "--format", "raw", "-r", "200", "-o", os.environ["BENCH_PYSPY"], "--", *argv]
    child = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None
    full = (0.0, 0.0)
    try:
        for line in child.stdout:
            if line.startswith("FULL "):
                full = (float(line.split()[1]), float(line.split()[2]))
            elif line.startswith("CHURN"):
                kube.churn_async(events, rate, log)
                break
        kube.wait_done()
        child.wait(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    if not out.exists():
        raise SystemExit(f"TUI child failed:\n{child.stderr.read()[-4000:] if child.stderr else ''}")
    data = json.loads(out.read_text())
    data["full_s"], data["full_rss"] = full
    data["log"] = read_churn_log(log)
    return data


def bench_launch(kube: KubeServer, tmp: Path, pods: int, runs: int) -> list[float]:
    """Launch -> full count painted, in fresh processes (the churn run's launch is one more sample)."""
    out = []
    for _ in range(runs):
        env = {**os.environ, "BENCH_T0": repr(time.time()), "BENCH_PODS": str(pods), "BENCH_KC": str(kube.kubeconfig),
               "BENCH_CHURN_S": "0", "BENCH_OUT": str(tmp / "launch.json"), "PYTHONPATH": str(ROOT),
               "XDG_STATE_HOME": str(tmp / "st")}
        proc = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120)
        full = [line for line in proc.stdout.splitlines() if line.startswith("FULL ")]
        if not full:
            raise SystemExit(f"launch run failed:\n{proc.stderr[-4000:]}")
        out.append(float(full[0].split()[1]))
    return out


def event_latencies(data: dict) -> tuple[list[float], int, int]:
    """Per emitted event: time until the table showed that state or a later one of the same pod."""
    lat, last = [], {}
    for ns, name, restarts, t_emit in data["log"]:
        last[f"{ns} {name}"] = restarts
        hist = data["seen"].get(f"{ns} {name}", [])
        t_seen = next((t for r, t in hist if r >= restarts), None)
        if t_seen is not None:
            lat.append(t_seen - t_emit)
    dropped = sum(1 for k, r in last.items() if data["final"].get(k) != r)
    return lat, dropped, len(last)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pods", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--events", type=int, default=500)
    ap.add_argument("--rate", type=float, default=50.0)
    ap.add_argument("--launch-runs", type=int, default=5, help="launch-only runs for the launch median")
    ap.add_argument("--skip-snapshot", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="tui-scale-") as d, KubeServer(args.pods, Path(d)) as kube:
        tmp = Path(d)
        rows = []
        if not args.skip_snapshot:
            ours, theirs, n = bench_snapshot(kube.kubeconfig, tmp, args.runs)
            assert n == args.pods, n
            mo, mk = statistics.median(ours), statistics.median(theirs)
            rows += [("cockpit snapshot (CLI), median", f"{mo:.2f} s"),
                     ("kubectl get pods -A -o json, median", f"{mk:.2f} s"),
                     ("ratio cockpit/kubectl (target <= 1.0)", f"{mo / mk:.2f}x"),
                     ("  runs cockpit", " ".join(f"{x:.2f}" for x in ours)),
                     ("  runs kubectl", " ".join(f"{x:.2f}" for x in theirs))]
        launches = bench_launch(kube, tmp, args.pods, args.launch_runs) if args.launch_runs > 0 else []
        data = bench_tui(kube, tmp, args.pods, args.events, args.rate)
        launches.append(data["full_s"])
        lat, dropped, modified = event_latencies(data)
        keys = data["keys"]
        rows += [(f"TUI launch -> Pods {args.pods} painted, median of {len(launches)} (target <= 2 s)",
                  f"{statistics.median(launches):.2f} s"),
                 ("  runs", " ".join(f"{x:.2f}" for x in launches)),
                 ("  RSS at that moment (churn run)", f"{data['full_rss']:.0f} MB"),
                 (f"watch event -> row painted p50 ({len(lat)}/{len(data['log'])} events)",
                  f"{statistics.median(lat) * 1000:.0f} ms" if lat else "n/a"),
                 ("watch event -> row painted p95 (target <= 250 ms)",
                  f"{pct(lat, 95) * 1000:.0f} ms" if lat else "n/a"),
                 ("  max", f"{max(lat) * 1000:.0f} ms" if lat else "n/a"),
                 (f"keypress -> painted p50 ({len(keys)} keys, {data['lost_keys']} lost)",
                  f"{statistics.median(keys) * 1000:.1f} ms" if keys else "n/a"),
                 ("keypress -> painted p95 (target <= 50 ms)", f"{pct(keys, 95) * 1000:.1f} ms" if keys else "n/a"),
                 (f"dropped updates (of {modified} modified pods)", str(dropped)),
                 ("pods pane updates during the run", str(data["updates"])),
                 ("TUI RSS at end / peak", f"{data['rss']:.0f} / {data['hwm']:.0f} MB")]
    if os.environ.get("BENCH_DEBUG"):
        print("focused:", data["focused"])
    print(f"pods: {args.pods}   events: {args.events} at {args.rate:g}/s   nproc: {os.cpu_count()}")
    width = max(len(r[0]) for r in rows) + 2
    for name, value in rows:
        print(f"{name:{width}}{value:>14}")


if __name__ == "__main__":
    main()
