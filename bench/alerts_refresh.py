"""Cost of one Hub.refresh_alerts cycle with 1,000 firing alerts in a real Alertmanager.

Starts the Debian `prometheus-alertmanager` on a free port, posts the alerts through its API
(POST /api/v2/alerts) plus a few silences, then times refresh_alerts: wall and CPU time of cockpit's
process, and the CPU Alertmanager spent answering. Median of 5 runs (after one warm-up).

    python bench/alerts_refresh.py [--alerts 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cockpit.model import Matcher, SilenceRequest, utcnow  # noqa: E402
from cockpit.sources.alertmanager import AlertmanagerSource  # noqa: E402
from cockpit.sources.hub import Hub  # noqa: E402
from tests.support.promstack import Proc, free_port, start_alertmanager  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def server_cpu_s(proc: Proc) -> float:
    """utime + stime of the Alertmanager process, from /proc."""
    assert proc.popen is not None
    fields = Path(f"/proc/{proc.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def make_alerts(n: int) -> list[dict]:
    now = utcnow()
    return [
        {
            "labels": {
                "alertname": f"Alert{i % 40}",
                "namespace": f"ns{i % 25}",
                "pod": f"pod-{i}",
                "severity": ("critical", "warning", "info")[i % 3],
            },
            "annotations": {"summary": f"pod-{i} is unhappy", "description": "x" * 200},
            "startsAt": (now - timedelta(seconds=i)).isoformat(),
            "endsAt": (now + timedelta(hours=1)).isoformat(),
            "generatorURL": "http://prometheus.example/graph",
        }
        for i in range(n)
    ]


def measure(fn: Callable[[], object], servers: list[Proc], runs: int) -> tuple[float, float, float, object]:
    fn()  # warm-up: connections, imports
    walls, cpus, srv = [], [], []
    result: object = None
    for _ in range(runs):
        s0 = sum(server_cpu_s(p) for p in servers)
        c0, w0 = time.process_time(), time.perf_counter()
        result = fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
        srv.append(sum(server_cpu_s(p) for p in servers) - s0)
    return statistics.median(walls), statistics.median(cpus), statistics.median(srv), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--alerts", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        c1, c2 = free_port(), free_port()
        a1 = start_alertmanager(Path(tmp) / "a1", peers=[f"127.0.0.1:{c2}"], cluster_port=c1)
        a2 = start_alertmanager(Path(tmp) / "a2", peers=[f"127.0.0.1:{c1}"], cluster_port=c2)
        try:
            s1, s2 = AlertmanagerSource(a1.url), AlertmanagerSource(a2.url)
            alerts = make_alerts(args.alerts)
            for src in (s1, s2):
                src.post_alerts(alerts)
            for i in range(10):  # some silences, so the silence list and silenced states cost something
                s1.create_silence(SilenceRequest((Matcher("alertname", f"Alert{i}"),), 3600, "bench", "bench"))
            time.sleep(1.5)  # let gossip carry the silences to the second replica

            one = Hub(alert_sources=[s1], silence_backends=[s1])
            two = Hub(alert_sources=[s1, s2], silence_backends=[s1, s2])
            rows = [
                ("fetch_alerts only, 1 AM", measure(s1.fetch_alerts, [a1], args.runs)),
                ("refresh_alerts, 1 AM", measure(one.refresh_alerts, [a1], args.runs)),
                ("refresh_alerts, HA pair (dedup)", measure(two.refresh_alerts, [a1, a2], args.runs)),
            ]
            print(f"{args.alerts} firing alerts per Alertmanager, 10 silences; median of {args.runs} runs")
            print(f"{'cycle':34} {'alerts':>6} {'wall ms':>8} {'cpu ms':>7} {'AM cpu ms':>9}")
            for label, (wall, cpu, srv, result) in rows:
                count = len(result.alerts) if hasattr(result, "alerts") else len(result)  # type: ignore[arg-type]
                print(f"{label:34} {count:>6} {wall * 1000:>8.1f} {cpu * 1000:>7.1f} {srv * 1000:>9.0f}")
        finally:
            a1.stop()
            a2.stop()


if __name__ == "__main__":
    main()
