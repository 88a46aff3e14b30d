"""Offline Marcus: answers from the findings and the screen, quoting real values, never raw cluster text."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from cockpit.advisor.base import AdvisorRequest, ScreenState
from cockpit.advisor.offline import OfflineMarcus
from cockpit.sources.demo import DemoWorld, demo_hub


@pytest.fixture(scope="module")
def snap():
    world = DemoWorld(frozen=True)
    return replace(demo_hub(world).snapshot(), taken_at=world.now())


@pytest.fixture(scope="module")
def marcus():
    return OfflineMarcus()


def ask(marcus, snap, question="what do you make of this?", **screen):
    return marcus.answer_text(AdvisorRequest(question, ScreenState(snap, **screen)))


def test_selected_pod_answer_names_its_incident_change_and_next_steps(marcus, snap):
    pod = next(p for p in snap.pods if p.reason == "CrashLoopBackOff")
    text = ask(marcus, snap, focused="pods", selected_pod=pod)
    assert text.startswith(f"pod shop/{pod.name}: CrashLoopBackOff")
    assert f"{pod.restarts} restarts" in text
    assert "OOMKilled (exit 137), memory limit 512Mi" in text
    assert "It belongs to incident 1 of" in text and "Hypothesis: rollout of deployment shop/checkout-api" in text
    assert "Changed before it: 03:11 deployment shop/checkout-api" in text
    assert f"kubectl logs --previous -n shop {pod.name}" in text
    assert "kubectl rollout undo deployment/checkout-api -n shop" in text
    assert "14.6x" in text and "PromQL: `" in text and "What would change my mind" in text
    assert re.search(r"- \[pod-[0-9a-f]+\] pod shop/" + re.escape(pod.name), text)  # evidence ids, its own first


def test_a_different_pod_gets_a_different_answer(marcus, snap):
    pulling = next(p for p in snap.pods if p.reason == "ImagePullBackOff")
    text = ask(marcus, snap, focused="pods", selected_pod=pulling)
    assert "ImagePullBackOff" in text and "flags:v1.8.O" in text
    assert "OOMKilled" not in text and "logs --previous" not in text


def test_every_number_comes_from_the_screen(marcus, snap):
    pod = next(p for p in snap.pods if p.reason == "CrashLoopBackOff")
    text = ask(marcus, snap, focused="pods", selected_pod=pod)
    source = repr(snap) + repr(snap.findings)
    for number in re.findall(r"(?<![\w.-])\d+(?:\.\d+)?x?(?![\w-])", text):
        assert number.rstrip("x") in source, number


def test_unprompted_comment_names_every_incident_once(marcus, snap):
    text = ask(marcus, snap, question=None)
    lines = text.splitlines()
    assert re.match(r"\d+ incidents, \d+ critical; \d+ alerts firing\. Most impactful first:", lines[0])
    assert lines[1].startswith("1. [critical] checkout-api") and "kubectl rollout undo" in lines[1]
    assert len(lines) == 1 + len(snap.incidents) and len(set(lines)) == len(lines)


def test_whole_screen_answer_says_observed_or_hypothesis_for_each(marcus, snap):
    text = ask(marcus, snap, question="what needs my attention?")
    causes = [ln for ln in text.splitlines() if ln.strip().startswith(("Observed:", "Hypothesis:"))]
    assert len(causes) == len(snap.incidents)
    assert "[" not in text.replace("[critical]", "").replace("[warning]", "")  # no internal markers


def test_alert_and_slo_selection(marcus, snap):
    burn = next(a for a in snap.alerts if a.name == "CheckoutErrorBudgetBurn")
    text = ask(marcus, snap, focused="alerts", selected_alert=burn)
    assert text.startswith("alert CheckoutErrorBudgetBurn: critical, firing")
    assert "runbooks.example.com/checkout" in text and "Silence it only once" in text
    assert "It belongs to incident 1 of" in text
    slo = next(s for s in snap.slos if s.key == ("checkout", "availability"))
    text = ask(marcus, snap, focused="slos", selected_slo=slo)
    assert "page, 62% budget left" in text and "1h 14.6x" in text and "kubectl rollout undo" in text


def test_hostile_alert_text_is_sanitized(marcus, snap):
    hostile = next(a for a in snap.alerts if any("\x1b" in v for v in a.annotations.values()))
    hostile = replace(hostile, annotations={"summary": hostile.annotations["description"]})
    text = ask(marcus, snap, focused="alerts", selected_alert=hostile)
    assert "\x1b" not in text and "\x07" not in text and "pwned" not in text


def test_calm_screen_says_so(marcus):
    world = DemoWorld(start_s=30, frozen=True)
    snap = replace(demo_hub(world).snapshot(), alerts=(), pods=(), slos=(), workloads=(), findings=(), incidents=(),
                   changes=(), nodes=())
    text = ask(marcus, snap, question=None)
    assert text == "Calm: no incident across 0 pods. Nothing needs you right now; nothing is firing."


async def test_stream_yields_the_answer_in_pieces(marcus, snap):
    request = AdvisorRequest(None, ScreenState(snap))
    chunks = [c async for c in marcus.stream(request)]
    assert chunks[-1].kind == "done" and len(chunks) > 10
    assert "".join(c.text for c in chunks if c.kind == "text") == marcus.answer_text(request)
    assert marcus.name == "offline"
