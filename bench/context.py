#!/usr/bin/env python3
"""Marcus's Claude context at scale: size (estimated tokens) and build time at 10k pods.

The snapshot is an on-call bad day: 10k pods in 400 Deployments over 60 nodes (with allocatable and
requests), a rollout whose new pods crash, a node NotReady with its pods, pods Pending for memory
beside nodes under MemoryPressure, scattered crash loops, 1k alerts and 100 SLOs (a few burning).
Changes and incidents are attached first, as Hub.snapshot() does; their cost is printed apart.

    python bench/context.py [--pods 10000] [--runs 20] [--budget 6000] [--show]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cockpit.advisor.base import ScreenState  # noqa: E402
from cockpit.advisor.context import build_context, estimate_tokens  # noqa: E402
from cockpit.analysis.changes import build_changes  # noqa: E402
from cockpit.analysis.incidents import build_incidents  # noqa: E402
from cockpit.model import (  # noqa: E402
    Alert,
    ContainerState,
    Node,
    Pod,
    Revision,
    SLOStatus,
    Snapshot,
    SourceHealth,
    Workload,
)

NOW = datetime(2026, 11, 26, 3, 14, tzinfo=UTC)


def _pod(i: int, n_nodes: int) -> Pod:
    ns, app = f"ns-{i % 50}", f"svc-{i % 400}"
    rs = f"{app}-7d9f8"
    node = f"node-{i % n_nodes}"
    state = dict(state="running", ready=True, reason="Running")
    phase, ready, reason, conds = "Running", 1, "Running", ()
    if app == "svc-7":  # the bad rollout: its new ReplicaSet's pods crash
        rs = f"{app}-5c6d7"
        state = dict(state="waiting", ready=False, reason="CrashLoopBackOff")
        ready, reason = 0, "CrashLoopBackOff"
    elif i % 997 == 0:  # scattered crash loops
        state = dict(state="waiting", ready=False, reason="CrashLoopBackOff")
        ready, reason = 0, "CrashLoopBackOff"
    elif app == "svc-12" and (i // 400) % 2:  # Pending for memory
        phase, ready, reason, node = "Pending", 0, "Pending", ""
        conds = (("PodScheduled", "False", "Unschedulable", "0/60 nodes are available: 60 Insufficient memory."),)
        state = dict(state="waiting", ready=False, reason="")
    c = ContainerState(app, f"registry.example.com/{ns}/{app}:2.4.0", restarts=9 if ready == 0 else 0,
                       last_reason="Error" if reason == "CrashLoopBackOff" else "", last_exit_code=1 if ready == 0 else None,
                       memory_request="512Mi", cpu_request="250m", memory_limit="1Gi", **state)
    return Pod(ns, f"{rs}-{i:05d}", phase, ready=ready, total=1, restarts=c.restarts, reason=reason, node=node,
               created_at=NOW - timedelta(hours=5), context="prod", containers=(c,), owner_kind="ReplicaSet",
               labels={"app": app, "pod-template-hash": rs.rsplit("-", 1)[1]}, owner_name=rs, conditions=conds)


def bad_day(n: int = 10_000, n_nodes: int = 60) -> ScreenState:
    pods = tuple(_pod(i, n_nodes) for i in range(n))
    nodes = []
    for k in range(n_nodes):
        ready = k != 3  # node-3 stopped reporting
        status = "True" if ready else "Unknown"
        pressure = ("MemoryPressure",) if k in (5, 6) else ()
        conds = (("Ready", status, "" if ready else "NodeStatusUnknown", NOW - timedelta(minutes=3 if not ready else 4000)),
                 *((p, "True", "", NOW - timedelta(minutes=20)) for p in pressure))
        nodes.append(Node(f"node-{k}", ready=ready, pressure=pressure, context="prod", conditions=conds,
                          allocatable={"cpu": "64", "memory": "256Gi"}))
    workloads = tuple(Workload("Deployment", f"ns-{a % 50}", f"svc-{a}", 25, 25 if a not in (7, 12) else 12,
                               updated=25, available=25, context="prod") for a in range(400))
    revs = (Revision("ReplicaSet", "ns-7", "svc-7-7d9f8", "Deployment", "svc-7", revision=4,
                     created_at=NOW - timedelta(days=6), images=(("svc-7", "registry.example.com/ns-7/svc-7:2.3.1"),),
                     hash="7d9f8", context="prod"),
            Revision("ReplicaSet", "ns-7", "svc-7-5c6d7", "Deployment", "svc-7", revision=5,
                     created_at=NOW - timedelta(minutes=12), desired=25, hash="5c6d7", context="prod",
                     images=(("svc-7", "registry.example.com/ns-7/svc-7:2.4.0"),)))
    alerts = tuple(Alert(f"fp{i}", "KubePodCrashLooping" if i % 3 else "KubePodNotReady",
                         "critical" if i < 20 else "warning", "firing",
                         {"namespace": f"ns-{i % 50}", "pod": pods[i * 7 % n].name}, {"summary": "pod is failing"},
                         NOW - timedelta(minutes=10)) for i in range(1000))
    slos = tuple(SLOStatus(f"svc-{k}", "availability", 0.999, burn_rates={"5m": 16.0 if k in (7, 12) else 0.3,
                                                                        "1h": 15.0 if k in (7, 12) else 0.3},
                           budget_remaining=0.6, status="page" if k in (7, 12) else "ok", namespace=f"ns-{k % 50}")
                 for k in range(100))
    sources = {"alertmanager": SourceHealth("alertmanager", "alertmanager", True, "", NOW, NOW),
               "prod": SourceHealth("prod", "kubernetes", True, "", NOW, NOW),
               "prometheus": SourceHealth("prometheus", "prometheus", False, "HTTP 503", NOW - timedelta(minutes=2), NOW)}
    snap = Snapshot(taken_at=NOW, alerts=alerts, pods=pods, nodes=tuple(nodes), workloads=workloads, slos=slos,
                    sources=sources, contexts=("prod",), revisions=revs)
    return ScreenState(snapshot=snap, focused="pods", selected_pod=pods[7], selected_alert=alerts[0],
                       visible_alerts=alerts[:60], visible_pods=pods[:200], visible_slos=slos[:40],
                       coverage={"alerts": ("ok", ""), "pods": ("ok", ""), "slos": ("stale", "prometheus: HTTP 503")})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pods", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--budget", type=int, default=6000)
    ap.add_argument("--show", action="store_true", help="print the context")
    args = ap.parse_args()
    screen = bad_day(args.pods)
    t0 = time.perf_counter()
    changes = build_changes(screen.snapshot)
    snap = replace(screen.snapshot, changes=changes)
    snap = replace(snap, incidents=build_incidents(snap, changes))
    analysis_ms = (time.perf_counter() - t0) * 1000
    screen = replace(screen, snapshot=snap)
    build_context(screen, args.budget)  # warm-up: imports, regex compiles
    times = []
    for _ in range(args.runs):
        t = time.perf_counter()
        text = build_context(screen, args.budget)
        times.append((time.perf_counter() - t) * 1000)
    tokens = estimate_tokens(text)
    print(f"pods {len(snap.pods):,}, alerts {len(snap.alerts):,}, SLOs {len(snap.slos)}, nodes {len(snap.nodes)}, "
          f"incidents {len(snap.incidents)}, changes {len(snap.changes)} (changes+incidents {analysis_ms:.0f} ms, once)")
    print(f"context: ~{tokens:,} tokens (chars/3.5) of a {args.budget:,} budget, {len(text):,} chars")
    print(f"build_context: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms over {args.runs} runs")
    sections = [ln for ln in text.splitlines() if ln.startswith("<") and not ln.startswith(("</", "<cluster_data"))]
    print("sections: " + " ".join(s.strip("<>") for s in sections))
    if args.show:
        print(text)
    ok = tokens <= args.budget and statistics.median(times) <= 50
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
