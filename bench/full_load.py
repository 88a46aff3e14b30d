"""Everything at once: 1,000 firing alerts (real Alertmanager) + 100 SLOs (real Prometheus) + 10,000 pods.

    python bench/full_load.py [--window 30] [--pods 10000] [--alerts 1000] [--slos 100]

Launches the headless app (a fresh process, 120x40) at the default intervals (alerts 10 s, pods 5 s,
SLOs 30 s, plus the pods watch). Once every pane shows its full count, it measures for --window
seconds (30 s = one SLO cycle, three alert cycles, six pod cycles): the app's CPU time (all threads)
as % of one core, and its RSS at the end and peak (VmHWM). Backends run in their own processes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.alerts_refresh import make_alerts  # noqa: E402
from bench.common import ROOT, KubeServer  # noqa: E402
from bench.slo_refresh import metrics, spec_file  # noqa: E402
from cockpit.sources.alertmanager import AlertmanagerSource  # noqa: E402
from tests.support.promstack import start_alertmanager, start_exporter, start_prometheus  # noqa: E402

CHILD = r"""
import json, os, time
from bench.common import hwm_mb, rss_mb
from cockpit.config import Config
from cockpit.cli import start_tui

env = os.environ
config = Config(prometheus=env["BENCH_PROM"], alertmanagers=(env["BENCH_AM"],), kubeconfig=env["BENCH_KC"],
                slos=(env["BENCH_SLO"],))
hub, clock, advisor = start_tui(config)  # exactly what `cockpit` runs before the screen opens
from cockpit.ui.app import CockpitApp
want = (int(env["BENCH_ALERTS"]), int(env["BENCH_PODS"]), int(env["BENCH_SLOS"]))
window = float(env["BENCH_WINDOW"])
t_launch = float(env["BENCH_T0"])


class Bench(CockpitApp):
    started = None

    def on_mount(self):
        super().on_mount()
        self.set_interval(0.25, self._check)

    def _check(self):
        s = self.state
        if self.started is None and (len(s.alerts.alerts), len(s.pods.pods), len(s.slos.slos)) >= want \
                and len(s.pods.pods) >= want[1] and len(s.slos.slos) >= want[2]:
            self.started = (time.time(), time.process_time(), rss_mb())
            self.set_timer(window, self._finish)

    def _finish(self):
        t, cpu, rss0 = self.started
        out = {"full_s": t - t_launch, "rss_full": rss0, "cpu_s": time.process_time() - cpu,
               "wall_s": time.time() - t, "rss": rss_mb(), "hwm": hwm_mb(),
               "counts": [len(self.state.alerts.alerts), len(self.state.pods.pods), len(self.state.slos.slos)]}
        with open(env["BENCH_OUT"], "w") as f:
            json.dump(out, f)
        self.exit()


Bench(hub, config, advisor=advisor, clock=clock).run(headless=True, size=(120, 40))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--window", type=float, default=30.0)
    ap.add_argument("--pods", type=int, default=10_000)
    ap.add_argument("--alerts", type=int, default=1000)
    ap.add_argument("--slos", type=int, default=100)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="full-load-") as d, KubeServer(args.pods, Path(d)) as kube:
        tmp = Path(d)
        t0 = time.time() // 60 * 60 - 60
        url, stop_exporter = start_exporter(lambda: "\n".join(metrics(args.slos, t0, time.time())) + "\n")
        (tmp / "data").mkdir()
        prom = start_prometheus(tmp, scrape_targets=[url], storage_dir=tmp / "data")
        am = start_alertmanager(tmp / "am")
        try:
            AlertmanagerSource(am.url).post_alerts(make_alerts(args.alerts))
            spec = spec_file(tmp / "slos.yml", "bench", args.slos)
            out = tmp / "out.json"
            env = {**os.environ, "BENCH_PROM": prom.url, "BENCH_AM": am.url, "BENCH_KC": str(kube.kubeconfig),
                   "BENCH_SLO": str(spec), "BENCH_ALERTS": str(args.alerts), "BENCH_PODS": str(args.pods),
                   "BENCH_SLOS": str(args.slos), "BENCH_WINDOW": str(args.window), "BENCH_OUT": str(out),
                   "BENCH_T0": repr(time.time()), "PYTHONPATH": str(ROOT), "XDG_STATE_HOME": str(tmp / "st")}
            child = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True,
                                   timeout=args.window + 120)
            if not out.exists():
                raise SystemExit(f"app failed:\n{child.stderr[-4000:]}")
            r = json.loads(out.read_text())
        finally:
            am.stop()
            prom.stop()
            stop_exporter()
    a, p, s = r["counts"]
    print(f"{a} alerts + {s} SLOs + {p} pods, default intervals (alerts 10 s, pods 5 s + watch, SLOs 30 s)")
    rows = [("launch -> every pane at its full count", f"{r['full_s']:.1f} s"),
            ("RSS then", f"{r['rss_full']:.0f} MB"),
            (f"CPU over {r['wall_s']:.0f} s steady state (target <= 20%)", f"{100 * r['cpu_s'] / r['wall_s']:.1f} %"),
            ("RSS at end (target <= 250 MB)", f"{r['rss']:.0f} MB"),
            ("peak RSS (VmHWM)", f"{r['hwm']:.0f} MB")]
    for name, value in rows:
        print(f"{name:48}{value:>10}")


if __name__ == "__main__":
    main()
