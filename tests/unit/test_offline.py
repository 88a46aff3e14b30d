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


def test_selected_pod_answer_names_its_real_reason(marcus, snap):
    pod = next(p for p in snap.pods if p.reason == "CrashLoopBackOff")
    text = ask(marcus, snap, focused="pods", selected_pod=pod)
    assert text.startswith(f"pod shop/{pod.name}: CrashLoopBackOff")
    assert f"{pod.restarts} restarts" in text
    assert "OOMKilled (exit 137), memory limit 512Mi" in text
    assert f"kubectl logs --previous -n shop {pod.name}" in text
    assert "kubectl rollout undo deployment/checkout-api -n shop" in text
    assert "CheckoutErrorBudgetBurn" in text and "14.6x" in text


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


def test_unprompted_comment_leads_with_the_top_finding(marcus, snap):
    text = ask(marcus, snap, question=None)
    top = snap.findings[0]
    assert text.splitlines()[1] == f"- {top.summary}"
    assert "First: Treat it as one incident" in text
    assert re.match(r"\d+ critical and \d+ warning findings; \d+ alerts firing\.", text)


def test_alert_and_slo_selection(marcus, snap):
    burn = next(a for a in snap.alerts if a.name == "CheckoutErrorBudgetBurn")
    text = ask(marcus, snap, focused="alerts", selected_alert=burn)
    assert text.startswith("alert CheckoutErrorBudgetBurn: critical, firing")
    assert "runbooks.example.com/checkout" in text and "Silence it only after" in text
    slo = next(s for s in snap.slos if s.key == ("checkout", "availability"))
    text = ask(marcus, snap, focused="slos", selected_slo=slo)
    assert "page, 62% budget left" in text and "1h 14.6x" in text and "mitigate now" in text


def test_hostile_alert_text_is_sanitized(marcus, snap):
    hostile = next(a for a in snap.alerts if any("\x1b" in v for v in a.annotations.values()))
    hostile = replace(hostile, annotations={"summary": hostile.annotations["description"]})
    text = ask(marcus, snap, focused="alerts", selected_alert=hostile)
    assert "\x1b" not in text and "\x07" not in text and "pwned" not in text


def test_calm_screen_says_so(marcus):
    world = DemoWorld(start_s=30, frozen=True)
    snap = replace(demo_hub(world).snapshot(), alerts=(), pods=(), slos=(), workloads=(), findings=())
    assert ask(marcus, snap, question=None).startswith("Quiet screen: 0 alert(s) firing")


async def test_stream_yields_the_answer_in_pieces(marcus, snap):
    request = AdvisorRequest(None, ScreenState(snap))
    chunks = [c async for c in marcus.stream(request)]
    assert chunks[-1].kind == "done" and len(chunks) > 10
    assert "".join(c.text for c in chunks if c.kind == "text") == marcus.answer_text(request)
    assert marcus.name == "offline"
