"""The fleet in VictoriaMetrics: 50 clusters x 2,000 pods (100,000 pods) of kube-state-metrics series.

    python bench/fleet.py [--clusters 50] [--pods 2000] [--refreshes 5] [--tui]

1. Imports the generated fleet (tests/support/ksm.py, problems planted in known clusters) into a fresh
   Debian victoria-metrics, then, in a fresh cockpit process as `cockpit --pods-from prometheus` builds
   it (build_hub), times the first refresh (launch -> problem rows known), then --refreshes more:
   wall time, our process's CPU per refresh and at the default interval, RSS, and every query with its
   time (the store's cost) and result size.
2. With --tui: the real TUI (headless, 120x40) on the same store: launch -> the pods pane painted with
   its first problem rows, and key -> painted p95 while refreshes run back to back.
The store runs in its own process, so its CPU and memory are not ours.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, pct  # noqa: E402
from tests.support import ksm  # noqa: E402
from tests.support.promstack import start_victoria_metrics  # noqa: E402

CHILD = r"""
import json, os, sys, time
t0 = time.perf_counter()
from bench.common import cpu_s, hwm_mb, rss_mb
from cockpit.config import Config
from cockpit.sources.factory import build_hub

config = Config(prometheus=os.environ["BENCH_URL"], pods_from="prometheus")
hub, _clock = build_hub(config)
fleet = hub.clusters[0]
first = hub.refresh_pods()
launch = time.perf_counter() - t0
problems = len(first.pods)
runs = []
for _ in range(int(os.environ["BENCH_REFRESHES"])):
    c0, w0 = cpu_s(), time.perf_counter()
    result = hub.refresh_pods()
    runs.append((time.perf_counter() - w0, cpu_s() - c0))
queries = fleet.last_queries()
print(json.dumps({
    "launch_s": launch, "problems": problems, "clusters": len(first.clusters),
    "pods_total": sum(s.pods for s in first.clusters),
    "runs": runs, "rss_mb": rss_mb(), "hwm_mb": hwm_mb(), "queries": queries,
    "interval_s": config.fleet_scrape_interval_s,
}))
"""


TUI_CHILD = r"""
import json, os, time
t0 = float(os.environ["BENCH_T0"])
from bench.common import KeyTiming, cpu_s, hwm_mb, rss_mb
from cockpit.config import Config
from cockpit.cli import start_tui

config = Config(prometheus=os.environ["BENCH_URL"], pods_from="prometheus")
hub, clock, advisor = start_tui(config)  # exactly what `cockpit` runs before the screen opens
from cockpit.ui.app import CockpitApp
SECONDS = float(os.environ["BENCH_SECONDS"])


class Bench(KeyTiming, CockpitApp):
    first_at = None
    refreshes = 0

    def show_pods(self, view=None):
        super().show_pods(view)
        self.refreshes += 1
        self.call_after_refresh(self._painted)

    def _painted(self):
        if self.first_at is None and self.pods_pane.shown:
            self.first_at = time.time()
            print(f"FIRST {self.first_at - t0:.3f} {len(self.pods_pane.shown)}", flush=True)
            self.keys = []
            self.main.action_goto("pods")
            self.c0, self.w0 = cpu_s(), time.perf_counter()
            self.set_interval(0.1, self.press_key)
            self.set_interval(1.0, self.refresh_pods)  # refreshes back to back: keys race them
            self.set_timer(SECONDS, self._finish)

    def _finish(self):
        wall = time.perf_counter() - self.w0
        print("DONE " + json.dumps({"keys": self.keys, "refreshes": self.refreshes, "rss": rss_mb(),
                                    "hwm": hwm_mb(), "cpu_share": (cpu_s() - self.c0) / wall}), flush=True)
        self.exit()


Bench(hub, config, advisor=advisor, clock=clock).run(headless=True, size=(120, 40))
"""


def run_tui(url: str, seconds: float) -> dict:
    env = {**os.environ, "BENCH_URL": url, "BENCH_T0": repr(time.time()), "BENCH_SECONDS": str(seconds),
           "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", TUI_CHILD], env=env, capture_output=True, text=True,
                         timeout=300, cwd=ROOT)
    data: dict = {}
    for line in out.stdout.splitlines():
        if line.startswith("FIRST "):
            data["first_s"], data["first_rows"] = float(line.split()[1]), int(line.split()[2])
        elif line.startswith("DONE "):
            data.update(json.loads(line[5:]))
    if "keys" not in data:
        raise SystemExit(f"TUI child failed:\n{out.stderr[-3000:]}")
    return data


def run_child(url: str, refreshes: int) -> dict:
    env = {**os.environ, "BENCH_URL": url, "BENCH_REFRESHES": str(refreshes), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(data: dict) -> None:
    walls = [w for w, _ in data["runs"]]
    cpus = [c for _, c in data["runs"]]
    cpu = sorted(cpus)[len(cpus) // 2]
    interval = data["interval_s"]
    print(f"pods in the store          {data['pods_total']:>8} in {data['clusters']} clusters")
    print(f"problem rows fetched       {data['problems']:>8}")
    print(f"launch -> problem rows     {data['launch_s']:8.2f} s   (build_hub + first refresh, fresh process)")
    print(f"refresh wall p50 / max     {sorted(walls)[len(walls) // 2]:8.3f} s / {max(walls):.3f} s")
    print(f"refresh CPU (ours) p50     {cpu:8.3f} s   = {100 * cpu / interval:.1f} % of a core at the "
          f"default {interval:g} s interval")
    print(f"RSS / peak                 {data['rss_mb']:8.1f} MB / {data['hwm_mb']:.1f} MB")
    print(f"queries per refresh        {len(data['queries']):>8}")
    for text, secs in sorted(data["queries"], key=lambda q: -q[1]):
        print(f"  {secs * 1000:7.1f} ms  {text}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clusters", type=int, default=50)
    ap.add_argument("--pods", type=int, default=2000)
    ap.add_argument("--refreshes", type=int, default=5)
    ap.add_argument("--tui", action="store_true", help="also the real TUI: launch and keys while refreshing")
    ap.add_argument("--seconds", type=float, default=20.0, help="TUI: how long keys race refreshes")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        vm = start_victoria_metrics(Path(tmp))
        stop = threading.Event()
        try:
            fleet = ksm.generate(args.clusters, args.pods, nodes_per_cluster=20)
            ksm.plant(fleet)
            t = time.perf_counter()
            lines = ksm.import_into_victoria(vm.url, fleet)
            ksm.wait_until_queryable(vm.url, fleet, timeout=300)
            print(f"imported {lines} samples ({len(fleet.pods)} pods) in {time.perf_counter() - t:.1f} s")
            # kube-state-metrics keeps reporting while we measure: nodes re-sent every 10 s keep every
            # cluster fresh (the pods stay within the store's 5 min lookback of the import).
            nodes_only = ksm.Fleet([], fleet.nodes, [])

            def scrape() -> None:
                while not stop.wait(10):
                    ksm.import_into_victoria(vm.url, nodes_only)

            threading.Thread(target=scrape, daemon=True).start()
            ksm.import_into_victoria(vm.url, nodes_only)
            data = run_child(vm.url, args.refreshes)
            report(data)
            if args.tui:
                tui = run_tui(vm.url, args.seconds)
                keys = tui["keys"]
                print(f"TUI launch -> problem rows painted {tui['first_s']:6.2f} s ({tui['first_rows']} rows)")
                print(f"TUI key -> painted p50 / p95       {pct(keys, 50) * 1000:6.1f} / {pct(keys, 95) * 1000:.1f} ms "
                      f"over {len(keys)} keys, {tui['refreshes']} refreshes back to back")
                print(f"TUI RSS / peak                     {tui['rss']:6.1f} / {tui['hwm']:.1f} MB; "
                      f"CPU while refreshing every 1 s: {100 * tui['cpu_share']:.1f} % of a core")
        finally:
            stop.set()
            vm.stop()


if __name__ == "__main__":
    main()
