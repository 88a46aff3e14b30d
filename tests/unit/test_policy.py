"""Unprompted comments: only on meaningful change, debounced, budgeted, never twice for the same screen."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from cockpit.advisor.policy import CommentPolicy, changes
from cockpit.model import Alert, Finding, Pod, SLOStatus, Snapshot

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
BASE = Snapshot(taken_at=NOW, pods=(Pod("shop", "web-1", "Running", 1, 1),),
                slos=(SLOStatus("shop", "availability", 0.999, status="ok"),))


def with_alert(snap: Snapshot, name: str, severity: str = "critical", state: str = "firing") -> Snapshot:
    a = Alert(f"fp-{name}", name, severity, state, {})
    return replace(snap, alerts=snap.alerts + (a,), findings=snap.findings + (Finding("critical", "alert", f"alert {name}", name),))


def test_meaningful_changes() -> None:
    assert changes(BASE, BASE) == []
    assert changes(BASE, with_alert(BASE, "Hot")) == ["new critical alert Hot"]
    assert changes(BASE, with_alert(BASE, "Meh", severity="warning")) == []
    assert changes(BASE, with_alert(BASE, "Quiet", state="silenced")) == []
    bad = replace(BASE, pods=(Pod("shop", "web-1", "Running", 0, 1, 5, "CrashLoopBackOff"),))
    assert changes(BASE, bad) == ["1 new problem pod (shop/web-1)"]
    paging = replace(BASE, slos=(replace(BASE.slos[0], status="page"),))
    assert changes(BASE, paging) == ["SLO shop/availability ok → page"]
    assert changes(paging, paging) == []


def test_unchanged_screen_costs_nothing() -> None:
    p = CommentPolicy(min_interval_s=20, hourly_budget=12)
    hot = with_alert(BASE, "Hot")
    d = p.decide(BASE, hot, "marcus", "m", now=0)
    assert d.speak and "Hot" in d.reason
    p.record(d, now=0)
    assert not p.decide(hot, hot, "marcus", "m", now=100).speak
    # the same findings again (alert flapped away and back) are not re-sent
    assert not p.decide(BASE, hot, "marcus", "m", now=200).speak
    # ...unless persona or model changed
    assert p.decide(BASE, hot, "marcus", "other-model", now=300).speak


def test_debounce_keeps_the_change_for_later() -> None:
    p = CommentPolicy(min_interval_s=20, hourly_budget=12)
    one = with_alert(BASE, "One")
    p.record(p.decide(BASE, one, now=0), now=0)
    two = with_alert(one, "Two")
    d = p.decide(one, two, now=5)
    assert not d.speak and d.reason == "debounced"
    later = p.decide(two, two, now=25)  # nothing new since, but "Two" is still owed a comment
    assert later.speak and "Two" in later.reason


def test_hourly_budget() -> None:
    p = CommentPolicy(min_interval_s=1, hourly_budget=3)
    snap, t = BASE, 0.0
    spoken = 0
    for i in range(6):
        new = with_alert(snap, f"A{i}")
        d = p.decide(snap, new, now=t)
        if d.speak:
            p.record(d, now=t)
            spoken += 1
        snap, t = new, t + 60
    assert spoken == 3
    assert "budget" in p.decide(snap, with_alert(snap, "X"), now=t).reason
    # an hour after the first comment, one slot is free again
    assert p.decide(snap, with_alert(snap, "Y"), now=3600 + 1).speak


def test_clock_is_injectable() -> None:
    ticks = iter([0.0, 5.0, 30.0])
    p = CommentPolicy(clock=lambda: next(ticks))
    d = p.decide(BASE, with_alert(BASE, "A"))
    p.record(d, now=0.0)
    assert not p.decide(BASE, with_alert(BASE, "B")).speak  # t=5: debounced
    assert p.decide(BASE, with_alert(BASE, "B")).speak  # t=30


def test_a_new_incident_is_news_and_leads() -> None:
    from cockpit.model import Impact, Incident, Members

    inc = Incident("inc-1", "node worker-7 NotReady", "critical", "worker-7 NotReady since 03:05", "observed",
                   NOW, Impact(), Members(nodes=("worker-7",)))
    hot = with_alert(replace(BASE, incidents=(inc,)), "KubeNodeNotReady")
    assert changes(BASE, hot)[:2] == ["new incident: node worker-7 NotReady", "new critical alert KubeNodeNotReady"]
    assert changes(hot, hot) == []
    warm = replace(BASE, incidents=(replace(inc, severity="warning"),))
    assert changes(warm, replace(warm, incidents=(inc,))) == ["incident now critical: node worker-7 NotReady"]
