"""The evidence check: invented names are marked `(not on screen)`, English and real names never are."""

from __future__ import annotations

import pytest

from cockpit.advisor.base import AdvisorRequest, ScreenState
from cockpit.advisor.evidence import MARK, Known, StreamCheck, check_text, marked
from cockpit.advisor.offline import OfflineMarcus
from tests.eval.loader import load_cases


@pytest.fixture(scope="module")
def known():
    case = next(c for c in load_cases() if c.path.name.startswith("01_"))
    return Known.of(case.snapshot)


@pytest.mark.parametrize("text, bad", [
    ("node node-9 is NotReady.", ["node-9"]),
    ("Restart payments-api-zzz-1 first.", ["payments-api-zzz-1"]),
    ("the alert PaymentsLatencyHigh is firing", ["PaymentsLatencyHigh"]),
    ("roll back deployment/payments-apix", ["payments-apix"]),
    ("payments/ledger-0 is pending", ["ledger-0"]),
    ("scrape worker-12:9100 again", ["worker-12"]),
])
def test_invented_names_are_marked(known, text, bad):
    spans, flagged = check_text(text, known)
    assert flagged == bad
    assert any(s.kind == "mark" and MARK in s.text for s in spans)


@pytest.mark.parametrize("text", [
    "The pod payments-api-6f7d8-0 is crash-looping (CrashLoopBackOff, last OOMKilled, exit 1).",
    "KubePodCrashLooping fires for payments; the ReplicaSet payments-api-6f7d8 and its ConfigMap look fine.",
    "Check ready/desired and CPU/memory and/or the 5m/1h windows of the multi-burn-rate table, utf-8 logs.",
    "Roll back: `kubectl rollout undo deployment/payments-api -n payments`, then watch payments-api-6f7d8-*.",
    "Image registry.example.com/shop/api:2.4.0 replaced v2.3.1; the pod is read-only, a follow-up is due.",
    "Observed: 2 pods of shop/cart-5b6c7 are fine. Hypothesis: a dependency of payments.",
    "Run the e2e-tests on ipv4-only hosts; pods named payments-api-6f7d8-xxxxx are placeholders.",
])
def test_real_names_and_english_are_never_marked(known, text):
    assert check_text(text, known)[1] == []


def test_mark_goes_after_the_name_before_punctuation_and_after_a_code_span(known):
    assert marked("Look at node-9.", known) == f"Look at node-9 {MARK}."
    out = marked("Run `kubectl describe node node-9 --show-events`, then wait.", known)
    assert out == f"Run `kubectl describe node node-9 --show-events` {MARK}, then wait."


def test_streamed_in_pieces_gives_the_same_marks(known):
    text = "First node node-9 then `kubectl logs -n payments ghost-pod-1` and KubePodCrashLooping."
    whole = marked(text, known)
    sc = StreamCheck(known)
    spans = []
    for i in range(0, len(text), 3):
        spans += sc.feed(text[i:i + 3])
    spans += sc.finish()
    assert "".join(s.text for s in spans) == whole
    assert sc.flagged == ["node-9", "ghost-pod-1"]


def test_a_tool_result_makes_a_name_known(known):
    sc = StreamCheck(known)
    sc.add_known("kube_pod_info{pod=\"batch-runner-42\"} 1")
    assert sc.feed("batch-runner-42 exists ") and sc.flagged == []


def test_offline_marcus_never_names_what_is_not_on_screen():
    marcus = OfflineMarcus()
    for case in load_cases():
        k = Known.of(case.snapshot)
        for question in (None, case.question or "What needs my attention right now, and what would you do first?"):
            text = marcus.answer_text(AdvisorRequest(question, ScreenState(case.snapshot)))
            assert check_text(text, k)[1] == [], (case.name, text)


async def test_offline_stream_marks_and_counts():
    case = load_cases()[0]
    marcus = OfflineMarcus()
    marcus.answer_text = lambda request: "node node-9 is down."  # type: ignore[method-assign]
    chunks = [c async for c in marcus.stream(AdvisorRequest("?", ScreenState(case.snapshot)))]
    assert [c.text for c in chunks if c.kind == "mark"] == [f" {MARK}"]
    usage = [c.text for c in chunks if c.kind == "usage"]
    assert usage and "1 name not on screen (node-9)" in usage[0]
