"""Offline Marcus over the eval set (tests/eval/*.yaml), scored like ITBench (tests/eval/score.py).

Floors, not targets: a change that makes Marcus miss a cause, name noise or fail a state fails CI.
Figures: `python -m tests.eval.score`.
"""

from __future__ import annotations

from cockpit.analysis.analyzers import analyze
from tests.eval.loader import load_cases, score
from tests.eval.score import run_offline

RECALL_FLOOR = 0.95
PRECISION_FLOOR = 0.95
PASSED_FLOOR = 0.9
SCENARIOS = ("crash loop", "oom", "rollout", "pending", "node", "fast burn", "slow burn", "storm", "silenced",
             "calm", "partial outage", "conflicting", "config change", "capacity", "disk pressure", "dependency",
             "noisy calm", "unrelated")


def test_eval_set_covers_the_scenarios():
    cases = load_cases()
    names = " ".join(c.name.lower() for c in cases)
    assert len(cases) >= 30
    assert [s for s in SCENARIOS if s not in names] == []
    assert sum(not c.causes for c in cases) >= 3  # calm screens that must raise no alarm


def test_analyzer_findings_recall_and_no_false_alarms():
    hits = total = 0
    false_alarms = []
    for case in load_cases():
        hit, _, false = score(analyze(case.snapshot), case)
        hits, total = hits + len(hit), total + len(case.expect)
        false_alarms += [f"{case.path.name}: {e}" for e in false]
    assert hits / total >= 0.8
    assert false_alarms == []


def test_offline_marcus_floor():
    report = run_offline()
    print("\n".join(report.lines()))
    print(report.summary())
    assert report.recall >= RECALL_FLOOR
    assert report.precision >= PRECISION_FLOOR
    assert report.passed >= PASSED_FLOOR
    calm = [s for s in report.states if not s.case.causes]
    assert [s.case.name for s in calm if s.false_alarms] == []


def test_offline_marcus_comment_floor():
    report = run_offline(comment=True)
    print(report.summary())
    assert report.recall >= RECALL_FLOOR and report.precision >= PRECISION_FLOOR
    assert report.passed >= PASSED_FLOOR


def test_the_scoring_can_fail():
    from tests.eval.score import score_answer

    case = next(c for c in load_cases() if c.path.stem.startswith("21"))
    good = score_answer(case, "hypothesis: payments/availability burns 16.2x while the payments-api pods are "
                              "healthy: a dependency. Watchdog is informational.")
    assert good.passed and good.score == 1.0
    noisy = score_answer(case, "payments/availability burns 16x (budget). Watchdog fires too.")
    assert not noisy.passed and noisy.false_alarms == ["watchdog"] and noisy.score == 0.5
    blind = score_answer(case, "Calm: nothing needs you.")
    assert blind.missed and blind.score == 0.0
    calm = next(c for c in load_cases() if not c.causes)
    assert not score_answer(calm, "frontend is crash-looping.").passed
