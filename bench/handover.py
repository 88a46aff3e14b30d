"""`cockpit handover --since 12h` over 1,000 alerts of history (target ≤ 3 s).

The history is backfilled into a fresh Prometheus with `promtool tsdb create-blocks-from openmetrics`:
ALERTS / ALERTS_FOR_STATE for N alerts at a 30 s evaluation interval over the last 12 h, each firing
1-4 times for 2-90 minutes, a tenth still firing at the end. A real Alertmanager holds 50 silences.
Prints the queries the hand-over sends and the time of the command as a user runs it.

    .venv/bin/python bench/handover.py [--alerts 1000] [--hours 12]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.promstack import start_alertmanager, start_prometheus  # noqa: E402

INTERVAL = 30


def openmetrics(n: int, hours: float, end: float, seed: int = 7) -> tuple[str, int]:
    rnd = random.Random(seed)
    start = end - hours * 3600
    alerts, states = [], []
    samples = 0
    for i in range(n):
        labels = (f'alertname="BenchAlert{i % 120}",severity="{rnd.choice(["critical", "warning", "info"])}",'
                  f'namespace="ns{i % 40}",instance="10.0.{i // 250}.{i % 250}:9100"')
        t = start + rnd.uniform(0, 3600)
        episodes = []
        for _ in range(rnd.randint(1, 4)):
            length = rnd.uniform(120, 5400)
            if t + length > end:
                break
            episodes.append((t, t + length))
            t += length + rnd.uniform(600, 3 * 3600)
        if i % 10 == 0:
            episodes.append((max(t, end - 1800), end))  # still firing
        for a, b in episodes:
            ts = a - a % INTERVAL
            while ts <= b:
                alerts.append((labels, ts))
                states.append((labels, ts, a))
                ts += INTERVAL
    samples = len(alerts)
    alerts.sort()
    states.sort()
    out = ["# TYPE ALERTS gauge"]
    out += [f'ALERTS{{{lb},alertstate="firing"}} 1 {ts:.0f}' for lb, ts in alerts]
    out.append("# TYPE ALERTS_FOR_STATE gauge")
    out += [f"ALERTS_FOR_STATE{{{lb}}} {active:.0f} {ts:.0f}" for lb, ts, active in states]
    out.append("# EOF")
    return "\n".join(out) + "\n", samples


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--alerts", type=int, default=1000)
    ap.add_argument("--hours", type=float, default=12)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-handover-"))
    end = time.time() - 60
    text, samples = openmetrics(args.alerts, args.hours, end)
    (tmp / "history.om").write_text(text)
    data = tmp / "prom-data"
    t0 = time.perf_counter()
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", str(tmp / "history.om"), str(data)],
                   check=True, capture_output=True)
    print(f"backfilled {args.alerts} alerts, {samples} firing samples ×2 series over {args.hours:g}h "
          f"in {time.perf_counter() - t0:.1f}s")
    prom = start_prometheus(tmp / "prom", storage_dir=data, extra_args=["--storage.tsdb.retention.time=30d"])
    am = start_alertmanager(tmp / "am")
    try:
        from cockpit.model import Matcher, SilenceRequest
        from cockpit.sources.alertmanager import AlertmanagerSource

        src = AlertmanagerSource(am.url)
        for i in range(50):
            src.create_silence(SilenceRequest((Matcher("alertname", f"BenchAlert{i}"),), 600 * (i + 1), "bench",
                                              f"bench silence {i}"))
        from cockpit.config import load_config
        from cockpit.shift import build_handover
        from cockpit.sources.factory import build_hub

        config = load_config({"prometheus": prom.url, "alertmanagers": (am.url,)}, env={})
        hub, _ = build_hub(config)
        sent: list[str] = []
        t0 = time.perf_counter()
        result = build_handover(hub, config, args.hours * 3600, log=sent.append)
        inproc = time.perf_counter() - t0
        print(f"queries sent ({len(sent)}):")
        for q in sent:
            print(f"  {q}")
        print(f"hand-over data: {len(result['alerts'])} alerts "
              f"({sum(a['state'] == 'firing' for a in result['alerts'])} still firing), "
              f"{len(result['silences']['created'])} silences created; assembled in {inproc:.2f}s (in process)")
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "cockpit", "handover", "--prometheus", prom.url,
                                   "--alertmanager", am.url, "--since", f"{args.hours:g}h", "--format", "json"],
                                  capture_output=True, text=True, cwd=ROOT,
                                  env={"PATH": "/usr/bin:/bin", "HOME": str(tmp), "XDG_STATE_HOME": str(tmp / "state"),
                                       "XDG_CONFIG_HOME": str(tmp / "cfg")})
            times.append(time.perf_counter() - t0)
            if proc.returncode:
                print(proc.stderr)
                return 1
        times.sort()
        print(f"cockpit handover --since {args.hours:g}h --format json: median {times[len(times) // 2]:.2f}s "
              f"(runs: {', '.join(f'{t:.2f}' for t in times)}; target ≤ 3 s)")
    finally:
        prom.stop()
        am.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
