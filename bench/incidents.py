#!/usr/bin/env python3
"""Changes + incidents per recompute at scale: 10k pods, 1k alerts, 100 SLOs (target <= 50 ms).

What the findings worker does after new data, off the event loop: build_changes (rollout diffs of
800 ReplicaSets, node conditions, restarts, 1,000 events, alert starts, silences, SLO transitions),
build_incidents with the previous result (id matching) and the highlight index. The cluster is a bad
day: a rollout whose new pods crash, a node NotReady with its pods, pods Pending for memory beside
nodes under MemoryPressure, scattered crash loops and image pulls, 1k alerts naming pods,
deployments, nodes and services, 100 SLOs (a few burning).

    python bench/incidents.py [--pods 10000] [--alerts 1000] [--slos 100] [--runs 30]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cockpit.analysis.changes import build_changes  # noqa: E402
from cockpit.analysis.incidents import build_incidents, index_incidents  # noqa: E402
from cockpit.model import (  # noqa: E402
    Alert,
    ContainerState,
    Event,
    Node,
    Pod,
    Revision,
    Silence,
    SLOStatus,
    Snapshot,
    Workload,
)

NOW = datetime(2026, 12, 3, 3, 14, tzinfo=UTC)
CTX = "prod"


def ago(s: float) -> datetime:
    return NOW - timedelta(seconds=s)


def world(n_pods: int, n_alerts: int, n_slos: int, seed: int = 7, spread: bool = False) -> Snapshot:
    """spread=False: problems sit in a dozen workloads, as on a real bad day; spread=True: they are
    scattered over every workload (1% crash loops, 0.5% Pending, 0.5% image pulls, alerts on random
    pods): hundreds of incidents, the worst case for grouping."""
    rnd = random.Random(seed)
    sick = set(range(10, 400, 37))  # the workloads that have problems when not spread
    n_deploy, n_nodes = max(1, n_pods // 25), 60
    nodes = []
    for i in range(n_nodes):
        down, hot = i == 7, i in (11, 12)
        conds = (("Ready", "Unknown" if down else "True", "", ago(240 if down else 86400 * 20)),
                 ("MemoryPressure", "True" if hot else "False", "", ago(900 if hot else 86400 * 20)))
        nodes.append(Node(f"worker-{i}", ready=not down, pressure=("MemoryPressure",) if hot else (), context=CTX,
                          conditions=conds, allocatable={"memory": "64Gi", "cpu": "16"}))
    pods, workloads, revisions, events = [], [], [], []
    for d in range(n_deploy):
        ns, app = f"team-{d % 40}", f"svc-{d}"
        old_h, new_h = f"{d:05x}a", f"{d:05x}b"
        rolled = d == 3  # the bad rollout
        revisions.append(Revision("ReplicaSet", ns, f"{app}-{old_h}", "Deployment", app, 4, ago(86400 * 3),
                                  (("app", f"reg/{app}:1.0"),), {"image of app": f"reg/{app}:1.0"}, 1 if rolled else 25,
                                  1 if rolled else 25, old_h, CTX))
        revisions.append(Revision("ReplicaSet", ns, f"{app}-{new_h}", "Deployment", app, 5,
                                  ago(600 if rolled else 86400 * 9), (("app", f"reg/{app}:1.1"),),
                                  {"image of app": f"reg/{app}:1.1"}, 24 if rolled else 0, 0, new_h, CTX))
        workloads.append(Workload("Deployment", ns, app, 25, 1 if rolled else 25, 25, 1 if rolled else 25, CTX))
        for i in range(25):
            n = len(pods)
            if n >= n_pods:
                break
            node = f"worker-{rnd.randrange(n_nodes)}"
            name = f"{app}-{(new_h if rolled and i else old_h)}-{i:05d}"
            labels = {"app": app, "pod-template-hash": new_h if rolled and i else old_h}
            c = ContainerState("app", f"reg/{app}:1.0", ready=True, state="running", memory_limit="512Mi")
            phase, reason, ready, restarts, last, conds = "Running", "Running", 1, 0, None, ()
            roll = rnd.random() if spread or d in sick else 1.0
            if not spread and d in sick:
                roll = rnd.choice([0.005, 0.005, 0.012, 0.017, 0.5]) if i < 8 else 1.0
            if rolled and i:
                c = ContainerState("app", f"reg/{app}:1.1", reason="CrashLoopBackOff", restarts=6, state="waiting",
                                   last_reason="Error", last_exit_code=1, last_finished_at=ago(30))
                reason, ready, restarts, last = "CrashLoopBackOff", 0, 6, ago(30)
            elif roll < 0.01:
                c = ContainerState("app", c.image, reason="CrashLoopBackOff", restarts=9, state="waiting",
                                   last_reason="OOMKilled", last_exit_code=137, last_finished_at=ago(50),
                                   memory_limit="512Mi")
                reason, ready, restarts, last = "CrashLoopBackOff", 0, 9, ago(50)
            elif roll < 0.015:
                phase, reason, ready, node = "Pending", "Pending", 0, ""
                conds = (("PodScheduled", "False", "Unschedulable", "0/60 nodes are available: 60 Insufficient memory."),)
            elif roll < 0.02:
                c = ContainerState("app", "reg/typo:9", reason="ImagePullBackOff", state="waiting")
                phase, reason, ready = "Pending", "ImagePullBackOff", 0
            elif roll < 0.2:
                restarts, last = 2, ago(86400)  # old restarts of healthy pods
            pods.append(Pod(ns, name, phase, ready, 1, restarts, reason, node, ago(86400 * 2), CTX, labels, (c,),
                            "ReplicaSet", f"{app}-{labels['pod-template-hash']}", conds, last))
            if reason != "Running" and len(events) < 1000:
                events.append(Event(ns, "Pod", name, "Warning", "BackOff", "Back-off restarting failed container",
                                    12, ago(900), ago(20), "kubelet", CTX))
    alerts = []
    problem_pods = [p for p in pods if p.reason != "Running"] or pods
    for i in range(n_alerts):
        p = pods[rnd.randrange(len(pods))] if spread or i % 5 == 4 else problem_pods[rnd.randrange(len(problem_pods))]
        if not spread and i % 5 == 4:  # the rest of the storm: a few services' error alerts
            p = pods[25 * (i % 17) % len(pods)]
        kind = i % 4
        lb = {"namespace": p.namespace, "severity": "critical" if i % 7 == 0 else "warning"}
        if kind == 0:
            lb |= {"alertname": "KubePodCrashLooping", "pod": p.name}
        elif kind == 1:
            lb |= {"alertname": "KubeDeploymentReplicasMismatch", "deployment": p.labels["app"]}
        elif kind == 2:
            lb = {"alertname": "NodeHighLoad", "severity": "warning", "node": f"worker-{i % n_nodes}"}
        else:
            lb |= {"alertname": f"ServiceErrors{i % 13}", "service": p.labels["app"]}
        state = "silenced" if i % 11 == 0 else "firing"
        alerts.append(Alert(f"{i:016x}", lb["alertname"], lb["severity"], state, lb, {"summary": "x"}, ago(60 + i)))
    slos = []
    for i in range(n_slos):
        burn = 20.0 if i == 3 else 7.0 if i == 5 else 0.3
        status = "page" if burn > 14.4 else "ticket" if burn > 3 else "ok"
        slos.append(SLOStatus(f"svc-{i}", "availability", 0.999, burn_rates={"1h": burn, "5m": burn},
                              budget_remaining=0.6, status=status, exhaustion_s=7200.0, namespace=f"team-{i % 40}"))
    silences = (Silence("s1", (), ago(1800), NOW + timedelta(hours=1), "me", "known"),)
    return Snapshot(NOW, tuple(alerts), silences, tuple(pods), tuple(events), tuple(nodes), tuple(workloads),
                    tuple(slos), contexts=(CTX,), revisions=tuple(revisions))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pods", type=int, default=10_000)
    ap.add_argument("--alerts", type=int, default=1000)
    ap.add_argument("--slos", type=int, default=100)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--spread", action="store_true", help="problems scattered over every workload (worst case)")
    args = ap.parse_args()
    snap = world(args.pods, args.alerts, args.slos, spread=args.spread)
    prev = None
    times: dict[str, list[float]] = {"changes": [], "incidents": [], "index": [], "total": [], "total CPU": []}
    for run in range(args.runs + 3):  # 3 warm-up runs
        c0 = time.thread_time()  # CPU of this thread: the machine is shared, wall time carries others' load
        t0 = time.perf_counter()
        changes = build_changes(snap, prev)
        t1 = time.perf_counter()
        incidents = build_incidents(snap, changes, prev.incidents if prev else ())
        t2 = time.perf_counter()
        with_inc = Snapshot(snap.taken_at, snap.alerts, snap.silences, snap.pods, snap.events, snap.nodes,
                            snap.workloads, snap.slos, contexts=snap.contexts, revisions=snap.revisions,
                            changes=changes, incidents=incidents)
        index_incidents(with_inc)
        t3 = time.perf_counter()
        c3 = time.thread_time()
        prev = with_inc
        if run >= 3:
            for k, v in (("changes", t1 - t0), ("incidents", t2 - t1), ("index", t3 - t2), ("total", t3 - t0),
                         ("total CPU", c3 - c0)):
                times[k].append(v * 1000)
    print(f"{len(snap.pods)} pods, {len(snap.alerts)} alerts, {len(snap.slos)} SLOs, {len(snap.revisions)} "
          f"ReplicaSets, {len(snap.events)} events, {len(snap.nodes)} nodes -> {len(prev.changes)} changes, "
          f"{len(prev.incidents)} incidents")
    for i in prev.incidents[:5]:
        print(f"  {i.rank}. [{i.severity}] {i.title}: {i.cause[:110]}")
    print(f"{'ms per recompute':<18}{'median':>8}{'p95':>8}{'max':>8}")
    for k, v in times.items():
        v.sort()
        print(f"{k:<18}{statistics.median(v):8.1f}{v[int(0.95 * (len(v) - 1))]:8.1f}{v[-1]:8.1f}")
    ok = statistics.median(times["total CPU"]) <= 50
    print("target <= 50 ms per recompute (median CPU):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
