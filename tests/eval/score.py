"""Scoring answers like ITBench: a state scores 0 if any expected cause is missed, else the precision of
what the answer named. Used by tests/unit/test_eval_offline.py (offline Marcus) and scripts/eval_live.py.

An answer "names" an entity of the screen (a node, a workload or its pods, an alert, an SLO) when the
name appears in a sentence that does not just clear it ("the cart pods are healthy"). A named entity is correct when it belongs to an expected cause (its `names` or
`members`, either way a substring); naming a `healthy` entity, or anything at all on a state with no
causes, is a false alarm. A state passes when no cause is missed and nothing was a false alarm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cockpit.advisor.base import ScreenState
from cockpit.analysis.correlate import workload_of
from tests.eval.loader import Cause, EvalCase

QUESTION = "What needs my attention right now, and what would you do first?"


def _find(name: str, text: str) -> bool:
    return re.search(rf"(?<![a-z0-9-]){re.escape(name.lower())}(?![a-z0-9-])", text) is not None


def entities(case: EvalCase) -> dict[str, set[str]]:
    """entity -> the spellings that name it (a workload is named by its pods' names too)."""
    snap = case.snapshot
    out: dict[str, set[str]] = {}
    for n in snap.nodes:
        out.setdefault(n.name.lower(), set()).add(n.name.lower())
    for w in snap.workloads:
        out.setdefault(w.name.lower(), set()).add(w.name.lower())
    for p in snap.pods:
        w = workload_of(p)[1].lower()
        out.setdefault(w, set()).update({w, p.name.lower()})
    for a in snap.alerts:
        out.setdefault(a.name.lower(), set()).add(a.name.lower())
    for s in snap.slos:
        out.setdefault(f"{s.service}/{s.name}".lower(), set()).add(f"{s.service}/{s.name}".lower())
    return out


def cause_named(answer: str, cause: Cause) -> bool:
    """Some line names the cause (and says the cause's words, when it has any)."""
    for line in answer.lower().splitlines():
        if any(_find(n, line) for n in cause.names) and (not cause.words or re.search(cause.words, line, re.I)):
            return True
    return False


def _belongs(entity: str, names: list[str]) -> bool:
    return any(n in entity or entity in n for n in names)


@dataclass
class StateScore:
    case: EvalCase
    answer: str
    missed: list[str] = field(default_factory=list)
    named: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return 1.0 if not self.named else 1 - len(self.wrong) / len(self.named)

    @property
    def score(self) -> float:
        return 0.0 if self.missed else self.precision

    @property
    def passed(self) -> bool:
        return not self.missed and not self.false_alarms


# A sentence that calls something fine is not an alarm about it ("the cart pods are healthy").
_CLEARS = re.compile(r"\b(healthy|fine|normal|unaffected|not the cause|not involved|look(s)? ok|is ok|are ok|"
                     r"nothing (wrong|to do)|no action|ignore|noise|informational|silenced)\b")


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n", text) if s.strip()]


def score_answer(case: EvalCase, answer: str) -> StateScore:
    r = StateScore(case, answer)
    r.missed = [c.id for c in case.causes if not cause_named(answer, c)]
    allowed = [n.lower() for c in case.causes for n in (*c.names, *c.members)]
    healthy = [h.lower() for h in case.healthy]
    # What counts as named: sentences that do not merely clear something as fine.
    text = "\n".join(s for s in _sentences(answer.lower()) if not _CLEARS.search(s))
    for entity, spellings in entities(case).items():
        if not any(_find(s, text) for s in spellings):
            continue
        r.named.append(entity)
        if not _belongs(entity, allowed):
            r.wrong.append(entity)
            if not case.causes or _belongs(entity, healthy):
                r.false_alarms.append(entity)
    return r


@dataclass
class Report:
    states: list[StateScore]

    @property
    def recall(self) -> float:
        total = sum(len(s.case.causes) for s in self.states)
        return 1.0 if not total else 1 - sum(len(s.missed) for s in self.states) / total

    @property
    def precision(self) -> float:
        named = sum(len(s.named) for s in self.states)
        return 1.0 if not named else 1 - sum(len(s.wrong) for s in self.states) / named

    @property
    def false_alarms(self) -> int:
        return sum(len(s.false_alarms) for s in self.states)

    @property
    def passed(self) -> float:
        return sum(s.passed for s in self.states) / max(1, len(self.states))

    @property
    def mean_score(self) -> float:
        return sum(s.score for s in self.states) / max(1, len(self.states))

    def summary(self) -> str:
        return (f"{len(self.states)} states: recall {self.recall:.2f}, precision {self.precision:.2f}, "
                f"false alarms {self.false_alarms}, passed {self.passed:.0%}, mean score {self.mean_score:.2f}")

    def lines(self) -> list[str]:
        out = []
        for s in self.states:
            out.append(f"{s.case.path.stem:34} score {s.score:.2f}" + (" PASS" if s.passed else " FAIL")
                       + (f" missed {s.missed}" if s.missed else "") + (f" wrong {s.wrong}" if s.wrong else "")
                       + (f" false alarms {s.false_alarms}" if s.false_alarms else ""))
        return out


def screen_of(case: EvalCase) -> ScreenState:
    """The screen of a case: everything visible; the row named by `select` selected (and focused)."""
    snap = case.snapshot
    kind, _, name = case.select.partition(" ")
    sel: dict = {}
    if kind == "pod":
        sel = {"focused": "pods", "selected_pod": next(p for p in snap.pods if p.name == name)}
    elif kind == "alert":
        sel = {"focused": "alerts", "selected_alert": next(a for a in snap.alerts if a.name == name)}
    elif kind == "slo":
        sel = {"focused": "slos", "selected_slo": next(s for s in snap.slos if f"{s.service}/{s.name}" == name)}
    return ScreenState(snapshot=snap, visible_alerts=snap.alerts, visible_pods=snap.pods, visible_slos=snap.slos,
                       **sel)


def question_of(case: EvalCase) -> str:
    return case.question if case.select and case.question else QUESTION


def run_offline(cases: list[EvalCase] | None = None, comment: bool = False) -> Report:
    """Offline Marcus's answer to each state's question (or his unprompted comment), scored."""
    from cockpit.advisor.base import AdvisorRequest
    from cockpit.advisor.offline import OfflineMarcus
    from tests.eval.loader import load_cases

    marcus = OfflineMarcus()
    states = []
    for case in cases if cases is not None else load_cases():
        answer = marcus.answer_text(AdvisorRequest(None if comment else question_of(case), screen_of(case)))
        states.append(score_answer(case, answer))
    return Report(states)


if __name__ == "__main__":  # python -m tests.eval.score: the offline figures
    report = run_offline()
    print("\n".join(report.lines()))
    print("answers: " + report.summary())
    print("unprompted comments: " + run_offline(comment=True).summary())
