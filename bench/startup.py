"""Demo start-up: process launch -> first full screen (alerts, pods, SLOs shown), and peak RSS.

Run: python bench/startup.py [--runs 5] [--seconds 5]
Each run is a fresh `python` process that runs the real app headless on the demo; "full" means
every pane has its first data and Marcus has spoken. Peak RSS is measured on a run that keeps the
demo live for --seconds.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

CHILD = r"""
import os, sys, time
t0 = float(os.environ["COCKPIT_BENCH_T0"])
from cockpit.cli import start_tui
from cockpit.config import Config

hold = float(os.environ.get("COCKPIT_BENCH_HOLD", "0"))
hub, clock, advisor = start_tui(Config(demo=True))  # exactly what `cockpit demo` runs before the screen
from cockpit.ui.app import CockpitApp

class Bench(CockpitApp):
    def on_mount(self):
        super().on_mount()
        self.set_interval(0.01, self._check)
        self._done = False

    def _check(self):
        full = self.state.alerts.health and self.state.pods.health and self.state.slos.health
        if full and not self._done and self.marcus_pane.transcript.strip():
            self._done = True
            print(f"FULL {time.time() - t0:.4f}", flush=True)
            self.set_timer(hold, self.exit) if hold else self.exit()

Bench(hub, Config(demo=True), advisor=advisor, clock=clock).run(headless=True, size=(120, 40))
"""


def run_once(hold: float) -> tuple[float, int]:
    env = {**os.environ, "COCKPIT_BENCH_T0": repr(time.time()), "COCKPIT_BENCH_HOLD": str(hold)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=120)
    rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    line = next((x for x in out.stdout.splitlines() if x.startswith("FULL ")), None)
    if line is None:
        raise SystemExit(f"child failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
    return float(line.split()[1]), max(rss_kb, before)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args()
    times = [run_once(0.0)[0] for _ in range(args.runs)]
    _, rss_kb = run_once(args.seconds)
    print(f"{'metric':44} {'value':>10}")
    print(f"{'demo launch -> first full screen, median':44} {statistics.median(times):>9.3f}s")
    print(f"{'  runs':44} {', '.join(f'{t:.3f}' for t in times):>10}")
    print(f"{f'demo peak RSS (live {args.seconds:g}s)':44} {rss_kb / 1024:>8.1f}MB")


if __name__ == "__main__":
    main()
