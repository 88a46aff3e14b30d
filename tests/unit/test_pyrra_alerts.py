"""Pyrra's burn alerts (`ErrorBudgetBurn{slo="<objective>"}`) lead to their SLO, like Sloth's do by
sloth_service/sloth_slo: in the correlation, the offline findings and the incidents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cockpit.analysis.analyzers import analyze
from cockpit.analysis.correlate import alert_hits_slo
from cockpit.analysis.incidents import with_incidents
from cockpit.model import Alert, SLOStatus, Snapshot

NOW = datetime(2026, 12, 3, 3, 30, tzinfo=UTC)


def burn_alert(slo: str, namespace: str = "shop") -> Alert:
    # What Pyrra's rules fire: alertname ErrorBudgetBurn, the objective in `slo`, the metric's own
    # equality matchers (here the namespace of the service, not of the SLO object) and long/short windows.
    labels = {"alertname": "ErrorBudgetBurn", "severity": "critical", "slo": slo, "namespace": namespace,
              "long": "1h", "short": "5m"}
    return Alert(f"fp-{slo}", "ErrorBudgetBurn", "critical", "firing", labels, {"summary": "budget burning"},
                 NOW - timedelta(minutes=5))


def pyrra_slo(name: str, status: str = "page") -> SLOStatus:
    return SLOStatus("monitoring", name, 0.999, burn_rates={"1h": 20.0, "5m": 20.0}, status=status,
                     budget_remaining=0.4, namespace="monitoring", labels={"namespace": "monitoring"})


def test_the_slo_label_names_the_objective():
    assert alert_hits_slo(burn_alert("thanos-store"), pyrra_slo("thanos-store"))
    assert not alert_hits_slo(burn_alert("thanos-query"), pyrra_slo("thanos-store"))


def test_the_burn_alert_and_its_slo_are_one_incident_and_one_finding():
    snap = with_incidents(Snapshot(taken_at=NOW, alerts=(burn_alert("thanos-store"), burn_alert("other")),
                                   slos=(pyrra_slo("thanos-store"), pyrra_slo("unrelated", "ok"))))
    [inc] = [i for i in snap.incidents if "monitoring/thanos-store" in i.members.slos]
    assert inc.members.alerts == ("fp-thanos-store",)
    [joined] = [f for f in analyze(snap) if f.kind == "correlation"]
    assert joined.related == ("alert ErrorBudgetBurn", "slo monitoring/thanos-store")
