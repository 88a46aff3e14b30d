"""Issue 3: an alert turning active in a real Alertmanager -> painted in the Alerts pane.

    python bench/alert_latency.py [--alerts 20] [--intervals 10,2]

Starts the Debian Alertmanager, posts 100 background alerts, launches the headless app (a fresh
process, 120x40) with alerts_interval_s = each of --intervals, then posts --alerts new alerts one
by one at random gaps (0.2-1.2 s, so they land at every phase of the refresh cycle). Latency = POST
/api/v2/alerts returned -> the alert is in the Alerts pane and painted. p50/p95 per interval.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, pct  # noqa: E402
from cockpit.sources.alertmanager import AlertmanagerSource  # noqa: E402
from tests.support.promstack import start_alertmanager  # noqa: E402

CHILD = r"""
import os, sys, time
from cockpit.config import Config
from cockpit.sources.factory import build_hub
from cockpit.ui.app import CockpitApp

config = Config(alertmanagers=(os.environ["BENCH_AM"],), alerts_interval_s=float(os.environ["BENCH_INTERVAL"]))
hub, clock = build_hub(config)
want = int(os.environ["BENCH_N"])


class Bench(CockpitApp):
    seen = set()
    ready = False

    def show_alerts(self):
        super().show_alerts()
        self.call_after_refresh(self._painted, self.state.alerts.alerts)

    def _painted(self, alerts):
        now = time.time()
        if not self.ready and alerts:
            self.ready = True
            print("READY", flush=True)
        for a in alerts:
            if a.name.startswith(os.environ["BENCH_TAG"]) and a.name not in self.seen:
                self.seen.add(a.name)
                print(f"SEEN {a.name} {now:.6f}", flush=True)
        if len(self.seen) >= want:
            self.exit()


Bench(hub, config, clock=clock).run(headless=True, size=(120, 40))
"""


def alert(name: str) -> dict:
    return {"labels": {"alertname": name, "severity": "critical", "namespace": "bench"},
            "annotations": {"summary": f"{name} fired"}}


def run(url: str, interval: float, n: int, tmp: Path) -> list[float]:
    tag = f"BenchLatency{interval:g}".replace(".", "_") + "x"
    env = {**os.environ, "BENCH_TAG": tag, "BENCH_AM": url, "BENCH_INTERVAL": str(interval), "BENCH_N": str(n),
           "PYTHONPATH": str(ROOT), "HOME": str(tmp), "XDG_STATE_HOME": str(tmp / "st")}
    child = subprocess.Popen([sys.executable, "-c", CHILD], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None
    src = AlertmanagerSource(url)
    posted: dict[str, float] = {}
    seen: dict[str, float] = {}
    rng = random.Random(3)
    try:
        if child.stdout.readline().strip() != "READY":
            raise SystemExit(f"app failed: {child.stderr.read()[-3000:] if child.stderr else ''}")
        for i in range(n):
            time.sleep(rng.uniform(0.2, 1.2))
            name = f"{tag}{i:02d}"
            src.post_alerts([alert(name)])
            posted[name] = time.time()
        for line in child.stdout:
            if line.startswith("SEEN "):
                _, name, t = line.split()
                seen[name] = float(t)
        child.wait(timeout=interval * 3 + 30)
        if len(seen) < n and child.stderr is not None:
            print(f"interval {interval:g}: app saw {len(seen)}/{n}: {child.stderr.read()[-2000:]}", file=sys.stderr)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return [seen[k] - posted[k] for k in posted if k in seen]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--alerts", type=int, default=20)
    ap.add_argument("--intervals", default="10,2")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="alert-latency-") as d:
        am = start_alertmanager(Path(d) / "am")
        try:
            AlertmanagerSource(am.url).post_alerts([alert(f"Background{i}") for i in range(100)])
            for interval in (float(x) for x in args.intervals.split(",")):
                lat = run(am.url, interval, args.alerts, Path(d))
                rows.append((interval, lat))
        finally:
            am.stop()
    print(f"alert active in Alertmanager -> painted in the Alerts pane ({args.alerts} alerts, 100 background)")
    print(f"{'alerts_interval_s':>18} {'seen':>6} {'p50 s':>7} {'p95 s':>7} {'max s':>7}")
    for interval, lat in rows:
        if not lat:
            print(f"{interval:>18g} {0:>4}/{args.alerts}  none seen")
            continue
        print(f"{interval:>18g} {len(lat):>4}/{args.alerts} {statistics.median(lat):>7.2f} {pct(lat, 95):>7.2f} "
              f"{max(lat):>7.2f}")


if __name__ == "__main__":
    main()
