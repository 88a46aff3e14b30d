"""Offline Marcus speaks in incidents: what must hold with no API key (issue "Marcus speaks in incidents")."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from cockpit.advisor.base import AdvisorRequest
from cockpit.advisor.claude import make_advisor
from cockpit.advisor.offline import OfflineMarcus
from cockpit.advisor.persona import load_persona
from cockpit.config import Config
from tests.eval.loader import load_cases, with_incidents
from tests.eval.score import QUESTION, screen_of

CASES = {c.path.stem: c for c in load_cases()}
MARKER = re.compile(r"\[\d+ more chars\]|\[… truncated|<cluster_data>|\{[a-z_]+\}")


def say(case, question=QUESTION, **screen) -> str:  # noqa: ANN001, ANN003
    return OfflineMarcus().answer_text(AdvisorRequest(question, replace(screen_of(case), **screen)))


def test_no_key_four_unrelated_problems_are_all_named(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    advisor = make_advisor(Config(), load_persona("marcus"))
    assert advisor.name == "offline"
    text = advisor.answer_text(AdvisorRequest(QUESTION, screen_of(CASES["25_four_unrelated"])))
    for name, word in (("orders-api", "OOMKilled"), ("thumbnailer", "pull"), ("report-builder", "Pending"),
                       ("node-6", "MemoryPressure")):
        assert any(name in ln and word in ln for ln in text.splitlines()), (name, text)


def test_node_down_storm_is_one_cause_with_its_pod_count():
    text = say(CASES["17_node_down_storm"])
    numbered = [ln for ln in text.splitlines() if re.match(r"\d+\. ", ln)]
    assert len(numbered) == 1 and "worker-7 NotReady" in numbered[0]
    assert "9 pods on it unreachable" in text
    assert "readiness" not in text  # the pods are not explained by their own probes
    assert "kubectl cordon worker-7" in text


def test_evicted_pods_are_tied_to_the_nodes_disk_pressure():
    text = say(CASES["19_evictions_disk_pressure"])
    assert any("evicted" in ln and "node-4 under DiskPressure" in ln for ln in text.splitlines()), text
    assert "kubectl describe node node-4" in text


def test_rollout_names_both_images_and_the_rollback():
    case = CASES["15_rollout_crashloop"]
    text = say(case)
    assert re.search(r"checkout-api:2\.3\.1 → \S+checkout-api:2\.4\.0", text)
    assert "`kubectl rollout undo deployment/checkout-api -n shop`" in text
    pod = next(p for p in case.snapshot.pods if p.name == "checkout-api-5c6d7-0")
    about = say(case, "why is this pod crashing?", focused="pods", selected_pod=pod)
    assert "Changed before it: 03:02 deployment shop/checkout-api: revision 42" in about
    assert "kubectl rollout undo deployment/checkout-api -n shop" in about and "What would change my mind" in about


def test_calm_screens_are_one_line_naming_nothing():
    for case in CASES.values():
        if not case.causes and not [s for s in case.snapshot.slos if s.status == "no-data"]:
            text = say(case)
            assert text.startswith("Calm: no incident") and "\n" not in text, case.name


def test_a_failing_source_is_said_with_what_it_hides():
    text = say(CASES["22_partial_outage_alertmanager"])
    assert text.startswith("1 incident, 1 critical; no alert firing as last seen:")
    assert "Alertmanager is failing (alertmanager http://am:9093: connection refused), its last answer at 03:10" in text
    assert "(firing alerts or silences) is stale" in text
    text = say(CASES["10_calm"], coverage={"alerts": ("not configured", ""), "pods": ("ok", "")})
    assert text.startswith("No incident in what I can see (6 pods, 2 nodes, 1 SLO), but I cannot see everything:")
    assert "No alert source is configured: I see no firing alerts or silences at all" in text


def test_no_answer_repeats_a_line_or_shows_internal_markers():
    for case in CASES.values():
        snap = case.snapshot
        screens = [{}, *({"focused": "pods", "selected_pod": p} for p in snap.pods[:3]),
                   *({"focused": "alerts", "selected_alert": a} for a in snap.alerts[:2]),
                   *({"focused": "slos", "selected_slo": s} for s in snap.slos[:2])]
        for question in (None, QUESTION):
            for sel in screens:
                text = say(case, question, **sel)
                lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
                assert len(lines) == len(set(lines)), (case.name, text)
                assert not MARKER.search(text), (case.name, text)


def test_hostile_text_in_incidents_stays_inert():
    case = CASES["19_evictions_disk_pressure"]
    evil = "\x1b]0;pwned\x07[bold red]boom[/] \x1b[31mred\u202e"
    pods = tuple(replace(p, message=evil) if p.phase == "Failed" else p for p in case.snapshot.pods)
    snap = with_incidents(replace(case.snapshot, pods=pods, incidents=(), changes=()))
    text = say(replace(case, snapshot=snap), focused="pods", selected_pod=next(p for p in pods if p.phase == "Failed"))
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text


def test_a_bad_day_with_many_incidents_stays_readable():
    from bench.context import bad_day
    from cockpit.analysis.changes import build_changes
    from cockpit.analysis.incidents import build_incidents

    s = bad_day(4000)
    changes = build_changes(s.snapshot)
    snap = replace(s.snapshot, changes=changes)
    snap = replace(snap, incidents=build_incidents(snap, changes))
    screen = replace(s, snapshot=snap, focused="alerts", selected_pod=None, selected_alert=None)
    text = OfflineMarcus().answer_text(AdvisorRequest(QUESTION, screen))
    lines = text.splitlines()
    assert len([ln for ln in lines if re.match(r"\d+\. ", ln)]) == 5  # the five that matter most, in full
    also = next(ln for ln in lines if ln.startswith("Also: "))
    assert re.search(r"in \d+ places: ", also) and re.search(r"and \d+ more\.$", also)
    assert len(text) < 4000 and len(lines) == len(set(lines))


def test_a_question_naming_a_member_gets_its_incident():
    text = say(CASES["25_four_unrelated"], "why is the thumbnailer not starting?")
    assert text.startswith("Incident 2 of 3 (warning): thumbnailer cannot pull")
    assert "ErrImagePull|ImagePullBackOff" in text and "pulling fine on another node" in text
    assert text.splitlines()[-1].startswith("Also on screen: 2 other incidents, the worst orders-api")
    node = say(CASES["17_node_down_storm"], "what is wrong with worker-7?")
    assert "Changed before it: 03:05 node worker-7: NotReady since 03:05" in node
    assert 'kube_node_status_condition{node="worker-7", status="true"}' in node
    assert say(CASES["17_node_down_storm"], "anything odd?").startswith("1 incident, 1 critical")


def test_a_config_edit_before_the_failure_is_named():
    text = say(CASES["16_config_change_before_error"])
    assert "Hypothesis: 2 pods of deployment platform/notifier cannot create their container" in text
    assert "configmap platform/notifier-config, which its pods read, changed at 03:08" in text


def test_changed_before_it_lists_only_what_came_before_the_incident():
    from datetime import timedelta

    from cockpit.model import Change

    base = CASES["15_rollout_crashloop"].snapshot
    later = Change(base.taken_at - timedelta(minutes=2), "scale", "deployment shop/checkout-api",
                   "Scaled up replica set checkout-api-5c6d7 to 3", ("workload:deployment/shop/checkout-api",),
                   {}, "eval")
    snap = with_incidents(replace(base, changes=(later,), incidents=()))
    case = replace(CASES["15_rollout_crashloop"], snapshot=snap)
    text = say(case, "what about checkout-api?")
    before = next(line for line in text.splitlines() if line.startswith("Changed before it:"))
    assert "rollout" in before.lower() or "revision 42" in before
    assert "Scaled up" not in before, before
    assert any(line.startswith("Since then:") and "Scaled up replica set checkout-api-5c6d7 to 3" in line
               for line in text.splitlines()), text


# -- a question naming something: that thing, or plainly "I don't see it" ----------------------------
@pytest.fixture(scope="module")
def demo_screen():
    from cockpit.advisor.base import ScreenState
    from cockpit.sources.demo import DemoWorld, demo_hub

    snap = demo_hub(DemoWorld(frozen=True)).snapshot()
    return ScreenState(snapshot=snap, visible_alerts=snap.alerts, visible_pods=snap.pods, visible_slos=snap.slos)


def streamed(screen, question: str) -> tuple[str, list[str]]:  # noqa: ANN001
    import asyncio

    async def run() -> tuple[str, list[str]]:
        text, usage = "", []
        async for c in OfflineMarcus().stream(AdvisorRequest(question, screen)):
            if c.kind in ("text", "mark"):
                text += c.text
            elif c.kind == "usage":
                usage.append(c.text)
        return text, usage

    return asyncio.run(run())


def test_a_name_that_exists_nowhere_is_said_plainly_and_marked(demo_screen):
    overview = OfflineMarcus().answer_text(AdvisorRequest("anything odd?", demo_screen))
    text, usage = streamed(demo_screen, "what about payments-db-0?")
    assert text.startswith("I don't see payments-db-0 (not on screen) on screen (no pod, node"), text
    assert text != overview and "1 name not on screen" in usage[0]
    assert text.count("payments-db-0") == 1  # said once, marked once
    assert "What I do see: 3 incidents" in text  # then the screen in brief


def test_should_i_silence_the_dead_mans_switch(demo_screen):
    text = OfflineMarcus().answer_text(AdvisorRequest("should I silence Watchdog?", demo_screen))
    assert text.startswith("Don't silence Watchdog") and "dead man's switch" in text
    assert "belongs to no incident" in text and 'alertname="Watchdog"' in text


def test_silencing_an_alert_that_signals_a_page_level_burn_is_not_yet(demo_screen):
    burn = next(a for a in demo_screen.snapshot.alerts if a.labels.get("sloth_service"))
    text = OfflineMarcus().answer_text(AdvisorRequest(f"can I silence {burn.name} for now?", demo_screen))
    assert text.startswith("Not yet.") and "hides a page-level SLO burn" in text
    assert "It belongs to incident 1 of" in text and f'alertname="{burn.name}"' in text


def test_a_question_naming_a_calm_node_or_workload_is_answered_about_it(demo_screen):
    calm = next(n for n in demo_screen.snapshot.nodes if not n.pressure)
    text = OfflineMarcus().answer_text(AdvisorRequest(f"is {calm.name} ok?", demo_screen))
    assert text.startswith(f"node {calm.name}: Ready") and "in no incident" in text
    whole = next(w for w in demo_screen.snapshot.workloads if w.desired and w.ready == w.desired)
    text = OfflineMarcus().answer_text(AdvisorRequest(f"how is {whole.name} doing?", demo_screen))
    assert text.startswith(f"{whole.kind.lower()} {whole.namespace}/{whole.name}: {whole.ready}/{whole.desired} ready")


def test_a_service_with_two_slos_is_answered_with_the_one_the_question_means(demo_screen):
    ask = OfflineMarcus().answer_text
    assert ask(AdvisorRequest("why is checkout slow?", demo_screen)).startswith("slo checkout/latency")
    assert ask(AdvisorRequest("is checkout failing?", demo_screen)).startswith("slo checkout/availability")
