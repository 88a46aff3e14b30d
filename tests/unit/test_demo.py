"""The embedded demo incident: opens mid-incident, loops through its phases, silences work in memory."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cockpit.analysis.sanitize import sanitize
from cockpit.model import Matcher, SilenceRequest
from cockpit.sources.base import ReadOnlyError, SourceError
from cockpit.sources.demo import CYCLE_S, DemoWorld, demo_hub, matcher_matches


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture(scope="module")
def snap():
    world = DemoWorld(frozen=True)
    return replace(demo_hub(world).snapshot(), taken_at=world.now())


def test_opens_mid_incident_with_pages_firing(snap):
    world = DemoWorld(frozen=True)
    assert world.phase() == "incident"
    assert world.now().isoformat() == "2026-11-26T03:14:00+00:00"
    firing = {(a.name, a.severity) for a in snap.alerts if a.state == "firing"}
    assert ("KubePodCrashLooping", "critical") in firing
    assert ("CheckoutErrorBudgetBurn", "critical") in firing
    assert ("Watchdog", "info") in firing
    assert any(sev == "warning" for _, sev in firing)


def test_cluster_has_the_promised_trouble(snap):
    assert 35 <= len(snap.pods) <= 50
    assert {p.namespace for p in snap.pods} == {"shop", "payments", "platform", "monitoring", "kube-system"}
    crash = [p for p in snap.pods if p.reason == "CrashLoopBackOff"]
    assert len(crash) == 3 and all(p.name.startswith("checkout-api-") for p in crash)
    c = crash[0].containers[0]
    assert (c.last_reason, c.last_exit_code, c.memory_limit) == ("OOMKilled", 137, "512Mi")
    assert any(c.reason == "ImagePullBackOff" for p in snap.pods for c in p.containers)
    pending = [p for p in snap.pods if p.phase == "Pending" and p.conditions and p.conditions[0][1] == "False"]
    assert pending and "Insufficient memory" in pending[0].conditions[0][3] and pending[0].node == ""
    assert [n.name for n in snap.nodes if "MemoryPressure" in n.pressure] == ["node-3"]
    checkout = next(w for w in snap.workloads if w.name == "checkout-api")
    assert checkout.gap > 0
    reasons = {e.reason for e in snap.events if e.type == "Warning"}
    assert {"OOMKilling", "BackOff", "FailedScheduling"} <= reasons


def test_slos_cover_every_status(snap):
    status = {s.key: s.status for s in snap.slos}
    assert status[("checkout", "availability")] == "page"
    assert status[("checkout", "latency")] == "ticket"
    assert status[("payments", "availability")] == "ok"
    assert status[("search", "availability")] == "no-data"
    burn = next(s for s in snap.slos if s.key == ("checkout", "availability")).burn_rates["1h"]
    assert 13.0 <= burn <= 16.0


def test_hostile_text_kept_raw_in_the_data(snap):
    raw = [v for a in snap.alerts for v in a.annotations.values() if "\x1b]0;pwned\x07" in v]
    assert len(raw) == 1 and "[bold red]" in raw[0] and "\x1b[2J" in raw[0]
    cluster = demo_hub(DemoWorld(frozen=True)).clusters[0]
    pod = next(p for p in snap.pods if p.reason == "CrashLoopBackOff")
    logs = cluster.pod_logs(pod.namespace, pod.name, previous=True)
    assert "\x1b]0;pwned\x07" in logs and "[link=" in logs
    assert "\x1b" not in sanitize(logs)


def test_phases_loop_on_the_simulated_clock():
    clock = FakeClock()
    world = DemoWorld(start_s=0, clock=clock)
    seen = []
    for _ in range(int(2 * CYCLE_S / 10)):
        if not seen or seen[-1] != world.phase():
            seen.append(world.phase())
        clock.t += 10
    cycle = ["calm", "deploy", "incident", "rollback", "recovery", "calm"]
    assert seen == cycle + cycle[1:]


def test_restarts_grow_and_burn_falls_after_rollback():
    clock = FakeClock()
    world = DemoWorld(start_s=200, clock=clock)
    hub = demo_hub(world)
    restarts_before = max(p.restarts for p in hub.refresh_pods().pods)
    burn_before = hub.refresh_slos().slos[0].burn_rates
    clock.t += 100
    assert max(p.restarts for p in hub.refresh_pods().pods) > restarts_before
    clock.t += 150  # past the rollback
    assert world.phase() == "recovery"
    after = hub.refresh_slos().slos[0]
    assert after.burn_rates["5m"] < 1 < burn_before["5m"]
    assert after.burn_rates["1h"] < burn_before["1h"]
    assert not [p for p in hub.refresh_pods().pods if p.reason == "CrashLoopBackOff"]


def test_deterministic_for_a_given_time():
    a, b = DemoWorld(frozen=True), DemoWorld(frozen=True)
    assert a.pods() == b.pods() and a.alerts() == b.alerts() and a.slos() == b.slos()


def test_hub_has_four_named_demo_sources():
    hub = demo_hub(DemoWorld(frozen=True))
    names = [s.name for s in (*hub.alert_sources, *hub.clusters, *hub.slo_sources)]
    assert hub.demo and len(names) == len(set(names)) == 4
    assert hub.silence_backends[0].name == "demo-alertmanager"


def test_silence_hides_matching_alerts_until_expired(tmp_path):
    hub = demo_hub(DemoWorld(frozen=True))
    req = SilenceRequest((Matcher("alertname", "KubePod.*", is_regex=True), Matcher("namespace", "shop")),
                         3600, "tester", "rollback under way")
    silence = hub.create_silence(req)
    assert silence.state == "active" and silence.id in {s.id for s in hub.refresh_alerts().silences}
    alerts = hub.refresh_alerts().alerts
    crash = [a for a in alerts if a.name == "KubePodCrashLooping"]
    assert crash and all(a.state == "silenced" and a.silenced_by == (silence.id,) for a in crash)
    assert all(a.state == "firing" for a in alerts if a.name == "CheckoutErrorBudgetBurn")
    expired = hub.expire_silence(silence.id)
    assert expired.state == "expired"
    assert all(a.state == "firing" for a in hub.refresh_alerts().alerts if a.name == "KubePodCrashLooping")


def test_readonly_hub_refuses_silences():
    hub = demo_hub(DemoWorld(frozen=True), readonly=True)
    with pytest.raises(ReadOnlyError):
        hub.create_silence(SilenceRequest((Matcher("alertname", "Watchdog"),), 60, "t", "c"))
    assert hub.refresh_alerts().silences == ()


def test_matcher_semantics_are_alertmanagers():
    labels = {"alertname": "KubePodCrashLooping", "namespace": "shop"}
    assert not matcher_matches(Matcher("alertname", "KubePod", is_regex=True), labels)  # fully anchored
    assert matcher_matches(Matcher("alertname", "KubePod.+", is_regex=True), labels)
    assert matcher_matches(Matcher("namespace", "payments", is_equal=False), labels)
    assert matcher_matches(Matcher("team", "", is_regex=False), labels)  # missing label == ""
    assert not matcher_matches(Matcher("namespace", "sh.*", is_regex=True, is_equal=False), labels)


def test_logs_and_describe():
    world = DemoWorld(frozen=True)
    cluster = demo_hub(world).clusters[0]
    pod = next(p for p in world.pods() if p.reason == "CrashLoopBackOff")
    assert "java.lang.OutOfMemoryError" in cluster.pod_logs("shop", pod.name, previous=True)
    desc = cluster.describe_pod("shop", pod.name)
    assert desc.owner_chain == (f"ReplicaSet/{pod.owner_name}", "Deployment/checkout-api")
    assert desc.workload and desc.workload.name == "checkout-api"
    assert desc.node and desc.node.name == "node-3"
    assert any(e.reason == "BackOff" for e in desc.events)
    healthy = next(p for p in world.pods() if p.namespace == "payments")
    assert "request served" in cluster.pod_logs("payments", healthy.name)
    with pytest.raises(SourceError, match="not found"):
        cluster.pod_logs("shop", "nope")
    pulling = next(p for p in world.pods() if p.reason == "ImagePullBackOff")
    with pytest.raises(SourceError, match="waiting to start"):
        cluster.pod_logs(pulling.namespace, pulling.name)


def test_silence_ids_stay_distinct_in_the_8_characters_the_ui_shows():
    # the silences view, the toasts and the confirm dialogs cut ids to 8 characters (Alertmanager UUIDs)
    world = DemoWorld(frozen=True)
    req = SilenceRequest((Matcher("alertname", "Watchdog"),), 3600, "me", "test")
    ids = [world.add_silence(req).id for _ in range(3)]
    assert len({i[:8] for i in ids}) == 3, ids


def test_check_says_what_the_demo_rules_source_is_not_0_alerts(capsys) -> None:
    from cockpit.cli import main

    assert main(["check", "--demo"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rules = next(line for line in lines if "demo-rules" in line)
    assert "0 alerts" not in rules and "rules only" in rules and "Alertmanager" in rules, rules
    am = next(line for line in lines if "demo-alertmanager" in line)
    assert int(am.split(": ", 1)[1].split()[0]) > 0  # the firing alerts are counted where they come from
