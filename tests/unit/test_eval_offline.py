"""Offline recall over the eval set (tests/eval/*.yaml): the findings a principal SRE would name."""

from __future__ import annotations

from cockpit.advisor.base import AdvisorRequest, ScreenState
from cockpit.advisor.offline import OfflineMarcus
from cockpit.analysis.analyzers import analyze
from tests.eval.loader import load_cases, score

FLOOR = 0.8
SCENARIOS = ("crash loop", "oom", "rollout", "pending", "node", "fast burn", "slow burn", "storm", "silenced",
             "calm", "partial outage", "conflicting")


def test_eval_set_covers_the_scenarios():
    names = " ".join(c.name.lower() for c in load_cases())
    cases = load_cases()
    assert len(cases) >= 12
    assert [s for s in SCENARIOS if s not in names] == []


def test_offline_recall_floor_and_no_false_alarms():
    hits = total = 0
    report = []
    false_alarms = []
    for case in load_cases():
        findings = analyze(case.snapshot)
        hit, missed, false = score(findings, case)
        hits, total = hits + len(hit), total + len(case.expect)
        false_alarms += [f"{case.path.name}: {e}" for e in false]
        report.append(f"{case.path.name}: {len(hit)}/{len(case.expect)}" + (f" missed {missed}" if missed else ""))
    recall = hits / total
    print("\n".join(report))
    print(f"offline recall: {hits}/{total} = {recall:.2f}")
    assert recall >= FLOOR
    assert false_alarms == []


def test_marcus_comment_names_the_worst_expected_problem():
    marcus = OfflineMarcus()
    for case in load_cases():
        text = marcus.answer_text(AdvisorRequest(None, ScreenState(case.snapshot)))
        if not case.expect:
            assert text.startswith("Quiet screen"), case.name
            continue
        top = analyze(case.snapshot)[0]
        assert top.summary in text, case.name
