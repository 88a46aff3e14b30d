"""Selecting a row lights its alerts, pods and SLOs in the other panes."""

from __future__ import annotations

import pytest

from cockpit.analysis.correlate import names_match, related, workload_of
from cockpit.sources.demo import DemoWorld, demo_hub


@pytest.fixture(scope="module")
def snap():
    return demo_hub(DemoWorld(frozen=True)).snapshot()


def by_name(snap, name):
    return [a for a in snap.alerts if a.name == name]


def test_slo_burn_alert_lights_checkout_pods_and_its_slo(snap):
    [burn] = by_name(snap, "CheckoutErrorBudgetBurn")
    rel = related(snap, alert=burn)
    pods = {name for _, _, name in rel.pods}
    assert pods and all(n.startswith("checkout-api-") for n in pods)
    assert len(pods) == len([p for p in snap.pods if p.name.startswith("checkout-api-")])
    assert rel.slos == {("checkout", "availability")}  # sloth_slo picks the one SLO, not latency
    assert burn.fingerprint not in rel.alerts


def test_pod_alert_lights_exactly_its_pod(snap):
    crash = by_name(snap, "KubePodCrashLooping")[0]
    rel = related(snap, alert=crash)
    assert {n for _, _, n in rel.pods} == {crash.labels["pod"]}
    assert ("checkout", "availability") in rel.slos


def test_crashing_pod_lights_its_alerts_and_checkout_slos(snap):
    pod = next(p for p in snap.pods if p.reason == "CrashLoopBackOff")
    rel = related(snap, pod=pod)
    names = {a.name for a in snap.alerts if a.fingerprint in rel.alerts}
    assert {"KubePodCrashLooping", "CheckoutErrorBudgetBurn", "KubeDeploymentReplicasMismatch"} <= names
    own = [a for a in by_name(snap, "KubePodCrashLooping") if a.fingerprint in rel.alerts]
    assert [a.labels["pod"] for a in own] == [pod.name]  # not its siblings' crash alerts
    assert "Watchdog" not in names
    assert rel.slos == {("checkout", "availability"), ("checkout", "latency")}


def test_slo_lights_its_alert_and_pods_not_other_services(snap):
    checkout = next(s for s in snap.slos if s.key == ("checkout", "availability"))
    rel = related(snap, slo=checkout)
    assert {a.name for a in snap.alerts if a.fingerprint in rel.alerts} >= {"CheckoutErrorBudgetBurn"}
    assert rel.pods and all(ns == "shop" and n.startswith("checkout-api") for _, ns, n in rel.pods)
    payments = next(s for s in snap.slos if s.service == "payments")
    prel = related(snap, slo=payments)
    assert prel.alerts == frozenset()
    assert prel.pods and all(ns == "payments" and n.startswith("payments-api") for _, ns, n in prel.pods)


def test_nothing_selected_is_empty(snap):
    assert related(snap) == related(snap, alert=None)
    assert not related(snap).pods


def test_name_rules():
    assert names_match("checkout", "checkout-api") and names_match("checkout-api", "checkout")
    assert not names_match("api", "checkout-api") and not names_match("check", "checkout")
    pod = next(p for p in DemoWorld(frozen=True).pods() if p.name.startswith("checkout-api-"))
    assert workload_of(pod) == ("deployment", "checkout-api")
    ledger = next(p for p in DemoWorld(frozen=True).pods() if p.name.startswith("ledger-"))
    assert workload_of(ledger) == ("statefulset", "ledger")
