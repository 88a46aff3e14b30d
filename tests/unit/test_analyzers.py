"""Offline analyzers: each problem named once, grouped, ordered critical first, joined across panes."""

from __future__ import annotations

from datetime import UTC, datetime

from cockpit.analysis.analyzers import analyze
from cockpit.model import Alert, ContainerState, Node, Pod, SLOStatus, Snapshot, SourceHealth, Workload

NOW = datetime(2026, 11, 26, 3, 14, tzinfo=UTC)


def pod(name: str, ns: str = "shop", reason: str = "Running", *, rs: str = "", last: str = "", code: int | None = None,
        limit: str = "", message: str = "", phase: str = "Running", conditions: tuple = (), node: str = "node-1",
        restarts: int = 0, image: str = "img:1") -> Pod:
    c = ContainerState(name.split("-")[0], image, ready=reason == "Running", restarts=restarts,
                       state="running" if reason == "Running" else "waiting", reason=reason, message=message,
                       last_reason=last, last_exit_code=code, memory_limit=limit)
    owner = ("ReplicaSet", rs) if rs else ("", "")
    labels = {"pod-template-hash": rs.rsplit("-", 1)[-1]} if rs else {}
    return Pod(ns, name, phase, int(c.ready), 1, restarts, reason, node, NOW, "ctx", labels, (c,), *owner, conditions)


def alert(name: str, severity: str = "critical", state: str = "firing", **labels: str) -> Alert:
    return Alert(f"fp-{name}-{labels.get('pod', '')}", name, severity, state, {"alertname": name, **labels},
                 {"summary": f"{name} summary"}, NOW)


def slo(service: str, name: str, status: str, burn_1h: float | None, ns: str = "shop") -> SLOStatus:
    burns = {"5m": burn_1h, "1h": burn_1h}
    return SLOStatus(service, name, 0.999, burn_rates=burns, budget_remaining=0.6 if burn_1h else None,
                     status=status, namespace=ns)


def kinds(findings) -> list[tuple[str, str]]:
    return [(f.kind, f.subject) for f in findings]


def test_crashloop_names_last_termination_and_exit_code():
    snap = Snapshot(NOW, pods=(pod("cart-5d4-abcde", reason="CrashLoopBackOff", rs="cart-5d4", last="Error",
                                   code=1, restarts=7),))
    [f] = analyze(snap)
    assert (f.kind, f.severity, f.subject) == ("crashloop", "critical", "pod shop/cart-5d4-abcde")
    assert "7 restarts" in f.summary and "Error (exit 1)" in f.summary


def test_many_similar_pods_are_one_finding():
    pods = tuple(pod(f"api-7d9f-{i:05d}", reason="CrashLoopBackOff", rs="api-7d9f", last="Error", code=2)
                 for i in range(12))
    findings = analyze(Snapshot(NOW, pods=pods))
    assert kinds(findings) == [("crashloop", "deployment shop/api")]
    assert findings[0].summary.startswith("12 pods of deployment shop/api crash-looping")
    assert len(findings[0].evidence) == 6 and "7 more" in findings[0].evidence[-1]


def test_oom_against_the_memory_limit():
    with_limit = pod("java-1a2-x", reason="CrashLoopBackOff", rs="java-1a2", last="OOMKilled", code=137, limit="512Mi")
    no_limit = pod("batch-3b4-y", ns="jobs", reason="Running", rs="batch-3b4", last="OOMKilled", code=137)
    by_subject = {f.subject: f for f in analyze(Snapshot(NOW, pods=(with_limit, no_limit))) if f.kind == "oom"}
    assert "512Mi memory limit" in by_subject["pod shop/java-1a2-x"].summary
    assert by_subject["pod shop/java-1a2-x"].severity == "critical"
    assert "no memory limit" in by_subject["pod jobs/batch-3b4-y"].summary
    assert by_subject["pod jobs/batch-3b4-y"].severity == "warning"


def test_image_pull_config_and_unschedulable():
    msg = "0/3 nodes are available: 3 Insufficient cpu."
    pods = (
        pod("flags-6b7-a", ns="platform", reason="ImagePullBackOff", rs="flags-6b7", image="flags:v1.8.O",
            phase="Pending", message="Back-off pulling image"),
        pod("notifier-2c3-b", ns="platform", reason="CreateContainerConfigError", rs="notifier-2c3",
            message='configmap "notifier-config" not found', phase="Pending"),
        pod("worker-9f8-c", ns="batch", reason="Pending", rs="worker-9f8", phase="Pending", node="",
            conditions=(("PodScheduled", "False", "Unschedulable", msg),)),
    )
    by_kind = {f.kind: f for f in analyze(Snapshot(NOW, pods=pods))}
    assert "flags:v1.8.O" in by_kind["image-pull"].summary
    assert "notifier-config" in by_kind["config"].summary
    assert msg in by_kind["unschedulable"].summary


def test_nodes_workloads_slos_sources():
    snap = Snapshot(
        NOW,
        nodes=(Node("node-3", pressure=("MemoryPressure", "DiskPressure")), Node("node-4", ready=False), Node("node-5")),
        workloads=(Workload("Deployment", "shop", "checkout-api", 3, 1), Workload("StatefulSet", "db", "pg", 2, 0),
                   Workload("Deployment", "shop", "cart", 2, 2)),
        slos=(slo("checkout", "availability", "page", 14.2), slo("checkout", "latency", "ticket", 3.1),
              slo("payments", "availability", "ok", 0.2), slo("search", "availability", "no-data", None)),
        sources={"prometheus": SourceHealth("prometheus", "prometheus", ok=False, error="HTTP 503 Service Unavailable",
                                            last_ok=NOW)},
    )
    found = kinds(analyze(snap))
    assert ("node-pressure", "node node-3") in found and found.count(("node-pressure", "node node-3")) == 2
    assert ("node-notready", "node node-4") in found
    assert ("replica-gap", "deployment shop/checkout-api") in found and ("replica-gap", "statefulset db/pg") in found
    assert ("slo-burn", "slo checkout/availability") in found and ("slo-burn", "slo checkout/latency") in found
    assert ("slo-nodata", "slo search/availability") in found
    assert not [s for k, s in found if "payments" in s or "cart" in s or "node-5" in s]
    assert ("source-down", "source prometheus") in found
    findings = analyze(snap)
    burn = next(f for f in findings if f.subject == "slo checkout/availability")
    assert burn.severity == "critical" and "14.2x" in burn.summary


def test_correlation_joins_alert_pods_and_slo():
    pods = tuple(pod(f"checkout-api-7d9f-{i}", reason="CrashLoopBackOff", rs="checkout-api-7d9f", last="OOMKilled",
                     code=137, limit="512Mi") for i in range(3))
    snap = Snapshot(NOW, pods=pods, alerts=(
        alert("CheckoutErrorBudgetBurn", namespace="shop", sloth_service="checkout", sloth_slo="availability"),
        alert("Watchdog", "info"),
    ), slos=(slo("checkout", "availability", "page", 14.2),))
    findings = analyze(snap)
    corr = findings[0]
    assert corr.kind == "correlation" and corr.subject == "alert CheckoutErrorBudgetBurn"
    assert corr.summary == ("CheckoutErrorBudgetBurn, 3 crash-looping checkout-api pods and the checkout "
                            "availability SLO burning 14.2x (1h) point to one cause")
    assert "slo checkout/availability" in corr.related and "deployment shop/checkout-api" in corr.related
    assert not [f for f in findings if "Watchdog" in f.subject]


def test_unexplained_critical_alert_and_silenced_ones():
    snap = Snapshot(NOW, alerts=(
        alert("KubeAPIErrorsHigh", job="apiserver"),
        alert("KubeJobFailed", state="silenced", namespace="ml"),
        alert("CPUThrottlingHigh", "warning", namespace="ml"),
    ))
    found = kinds(analyze(snap))
    assert ("alert", "alert KubeAPIErrorsHigh") in found
    assert ("silenced", "silences") in found
    assert not [s for _, s in found if "KubeJobFailed" in s or "CPUThrottling" in s]


def test_critical_first_and_hostile_text_cleaned():
    bad = "[bold red]x[/] \x1b]0;pwned\x07\x1b[2J"
    snap = Snapshot(NOW, pods=(
        pod("a-1b2-x", ns="z", reason="ImagePullBackOff", rs="a-1b2", message=bad, phase="Pending"),
        pod("b-3c4-y", ns="z", reason="CrashLoopBackOff", rs="b-3c4", last="Error", code=1),
    ), slos=(slo("s", "x", "no-data", None),))
    findings = analyze(snap)
    assert [f.severity for f in findings] == ["critical", "warning", "info"]
    pull = findings[1]
    assert "\x1b" not in pull.summary and "\x07" not in pull.summary
    assert "[bold red]x[/]" in pull.summary  # kept literal: the UI renders Text, never markup


def test_alert_storm_is_named_once():
    alerts = tuple(alert("KubePodNotReady", "warning", namespace="orders", pod=f"w-{i}") for i in range(30))
    found = [f for f in analyze(Snapshot(NOW, alerts=alerts)) if f.kind == "alert-storm"]
    assert len(found) == 1 and "30 alerts firing" in found[0].summary and "orders" in found[0].summary


def test_ten_thousand_pods_single_pass():
    pods = []
    for d in range(500):
        for i in range(20):
            bad = d % 25 == 0
            pods.append(pod(f"svc{d}-abc12-{i}", ns=f"ns{d % 40}", reason="CrashLoopBackOff" if bad else "Running",
                            rs=f"svc{d}-abc12", last="Error" if bad else "", code=1 if bad else None,
                            node=f"node-{i % 50}"))
    alerts = tuple(alert("KubePodCrashLooping", namespace=f"ns{d % 40}", pod=f"svc{d}-abc12-0")
                   for d in range(0, 500, 25)) + tuple(
        alert("KubePodNotReady", "warning", namespace=f"ns{d % 40}", pod=f"svc{d}-abc12-1") for d in range(200))
    snap = Snapshot(NOW, pods=tuple(pods), alerts=alerts, nodes=tuple(Node(f"node-{i}") for i in range(50)))
    findings = analyze(snap)
    crash = [f for f in findings if f.kind == "crashloop"]
    assert len(pods) == 10_000 and len(crash) == 20
    assert all(f.summary.startswith("20 pods of deployment") for f in crash)


def test_running_but_not_ready_only_after_startup():
    from dataclasses import replace
    from datetime import timedelta

    stuck = replace(pod("web-1a2-a", rs="web-1a2"), ready=0, created_at=NOW - timedelta(minutes=20))
    starting = replace(pod("web-1a2-b", rs="web-1a2"), ready=0, created_at=NOW - timedelta(seconds=30))
    found = analyze(Snapshot(NOW, pods=(stuck, starting)))
    assert kinds(found) == [("not-ready", "pod shop/web-1a2-a")]
