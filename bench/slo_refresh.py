"""What one SLO refresh costs for N SLOs against a real Prometheus: raw queries, Sloth rules, and a
mix of Sloth and Pyrra rules (half the SLOs each).

    python bench/slo_refresh.py [--slos 100] [--history-hours 24] [--rounds 5]

Starts the Debian `prometheus` on a free port, an exporter with two counters per SLO, backfills
`--history-hours` of samples (so raw long-window queries scan real data), and generates Sloth SLI
recording rules for one copy of the SLOs, Sloth and Pyrra burn-rate rules for a mixed copy (Pyrra
ServiceLevelObjectives with a 28d window: rules for 5m..1d and 4d, so 3d and the period stay raw,
as with real Pyrra). Then it times SLOEngine.fetch_slos(): a cold refresh (no
cache) and a warm one (1d / 3d / period served from the 5 min cache), for each copy. Prints a
Markdown table: queries sent and wall time (median of --rounds).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cockpit.slo.spec import load_specs  # noqa: E402
from cockpit.sources.slo_engine import SLOEngine  # noqa: E402
from tests.integration.test_slo_prometheus import prom_client, sloth_rules  # noqa: E402
from tests.integration.test_slo_upstream import pyrra_rules  # noqa: E402
from tests.support.promstack import start_exporter, start_prometheus  # noqa: E402

RPS, OFFSET = 20.0, 1_000_000.0


def ratio(i: int) -> float:
    return 0.0001 * (i % 30)  # burns from 0 to 2.9 on a 99.9% objective


def metrics(n: int, t0: float, now: float) -> list[str]:
    dt = now - t0
    out = []
    for i in range(n):
        out.append(f'bench_requests_total{{slo="s{i}",code="500"}} {OFFSET + RPS * ratio(i) * dt!r}')
        out.append(f'bench_requests_total{{slo="s{i}",code="200"}} {OFFSET + RPS * (1 - ratio(i)) * dt!r}')
    return out


def spec_file(path: Path, service: str, n: int) -> Path:
    slos = [{"name": f"s{i}", "objective": 99.9, "sli": {"events": {
        "error_query": f'sum(rate(bench_requests_total{{slo="s{i}",code="500"}}[{{{{.window}}}}]))',
        "total_query": f'sum(rate(bench_requests_total{{slo="s{i}"}}[{{{{.window}}}}]))',
    }}} for i in range(n)]
    path.write_text(yaml.safe_dump({"version": "prometheus/v1", "service": service, "slos": slos}))
    return path


PYRRA_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "4d")  # what Pyrra records for a 28d window


def pyrra_file(path: Path, first: int, n: int) -> Path:
    """n Pyrra ServiceLevelObjectives reading the bench series s<first>..; one multi-document file."""
    docs = [{"apiVersion": "pyrra.dev/v1alpha1", "kind": "ServiceLevelObjective",
             "metadata": {"name": f"p{i}", "namespace": "pyrra"},
             "spec": {"target": "99.9", "window": "28d", "indicator": {"ratio": {
                 "errors": {"metric": f'bench_requests_total{{slo="s{i}",code="500"}}'},
                 "total": {"metric": f'bench_requests_total{{slo="s{i}"}}'}}}}} for i in range(first, first + n)]
    path.write_text(yaml.safe_dump_all(docs))
    return path


def backfill(tmp: Path, n: int, t0: float, hours: float) -> Path:
    data = tmp / "data"
    data.mkdir()
    if hours <= 0:
        return data
    lines = ["# TYPE bench_requests counter"]
    for t in range(int(t0 - hours * 3600), int(t0), 60):
        lines += [f"{m} {t}" for m in metrics(n, t0 - hours * 3600, t)]
    lines.sort(key=lambda line: line.split(" ")[0])  # OpenMetrics wants each series' samples together
    (tmp / "history.om").write_text("\n".join(lines) + "\n# EOF\n")
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", "-q", str(tmp / "history.om"), str(data)],
                   check=True, timeout=300)
    return data


def measure(engine_factory, rounds: int) -> dict[str, float]:
    cold, warm, queries_cold, queries_warm = [], [], 0, 0
    for _ in range(rounds):
        engine = engine_factory()
        engine.fetch_slos()
        cold.append(engine.stats.seconds)
        queries_cold = engine.stats.queries
        engine.fetch_slos()
        warm.append(engine.stats.seconds)
        queries_warm = engine.stats.queries
    return {"cold_q": queries_cold, "cold_s": statistics.median(cold),
            "warm_q": queries_warm, "warm_s": statistics.median(warm)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--slos", type=int, default=100)
    ap.add_argument("--history-hours", type=float, default=24.0)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()
    n = args.slos
    with tempfile.TemporaryDirectory(prefix="slo-bench-") as d:
        tmp = Path(d)
        t0 = time.time() // 60 * 60 - 60
        started = time.perf_counter()
        data = backfill(tmp, n, t0, args.history_hours)
        print(f"backfilled {args.history_hours:g} h for {n} SLOs in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        url, stop_exporter = start_exporter(lambda: "\n".join(metrics(n, t0 - args.history_hours * 3600, time.time())) + "\n")
        raw = load_specs([str(spec_file(tmp / "raw.yml", "raw", n))])
        recorded = load_specs([str(spec_file(tmp / "recorded.yml", "recorded", n))])
        half = n // 2
        mixed = (load_specs([str(spec_file(tmp / "mixed-sloth.yml", "mixed", half))])
                 + load_specs([str(pyrra_file(tmp / "mixed-pyrra.yml", half, n - half))]))
        rules = sloth_rules(recorded)
        rules["groups"] += sloth_rules([s for s in mixed if not s.pyrra_metric])["groups"]
        rules["groups"] += pyrra_rules([s for s in mixed if s.pyrra_metric], PYRRA_WINDOWS)["groups"]
        for g in rules["groups"]:
            g["interval"] = "10s"  # 800 rules every second would load the machine more than the bench
        (tmp / "rules.yml").write_text(yaml.safe_dump(rules, sort_keys=False))
        prom = start_prometheus(tmp, scrape_targets=[url], rule_files=[tmp / "rules.yml"], storage_dir=data,
                                extra_args=["--storage.tsdb.retention.time=30d"])
        try:
            client = prom_client(prom.url, timeout=30)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:  # until every SLO has every recorded window
                probe, probe_mixed = SLOEngine(recorded, client), SLOEngine(mixed, client)
                if all(v is not None for s in probe.fetch_slos() for v in s.error_ratios.values()) \
                        and probe.stats.queries == 9 and probe_mixed.fetch_slos() \
                        and probe_mixed.stats.recorded_slos == len(mixed):
                    break
                time.sleep(1)
            rows = [("raw queries (no recording rules)", measure(lambda: SLOEngine(raw, client, args.concurrency), args.rounds)),
                    ("Sloth recording rules", measure(lambda: SLOEngine(recorded, client, args.concurrency), args.rounds)),
                    (f"{half} Sloth + {n - half} Pyrra recording rules",
                     measure(lambda: SLOEngine(mixed, client, args.concurrency), args.rounds))]
        finally:
            prom.stop()
            stop_exporter()
    print(f"\nSLO refresh, {n} SLOs, {args.history_hours:g} h of history, concurrency {args.concurrency}, "
          f"median of {args.rounds}\n")
    print("| mode | cold: queries | cold: wall | warm: queries | warm: wall |")
    print("|---|---:|---:|---:|---:|")
    for name, m in rows:
        print(f"| {name} | {m['cold_q']} | {m['cold_s'] * 1000:.0f} ms | {m['warm_q']} | {m['warm_s'] * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
