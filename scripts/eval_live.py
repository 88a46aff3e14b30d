#!/usr/bin/env python3
"""Run the eval set (tests/eval/*.yaml) against the real Anthropic API, N times per state, and score it.

Needs ANTHROPIC_API_KEY (costs money; never run in CI). ANTHROPIC_BASE_URL and COCKPIT_MODEL are
honoured as everywhere else. Each state is scored like ITBench by tests/eval/score.py, exactly as
offline Marcus is in CI: 0 if an expected cause is missed, else the precision of what was named.
A state passes^N only if all N runs pass. Cost is summed from each answer's usage line.

    python scripts/eval_live.py [--runs 3] [--case crash] [--model claude-...] [--show]
    python scripts/eval_live.py --offline     # no key: offline Marcus through the same harness
    python scripts/eval_live.py --bench       # no key: our overhead from stream() to the first text
                                              # chunk at 10k pods, against the local fake API
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cockpit.advisor.base import AdvisorRequest
from cockpit.advisor.persona import load_persona
from tests.eval.loader import EvalCase, load_cases
from tests.eval.score import Report, StateScore, question_of, score_answer, screen_of

_COST = re.compile(r"\$(\d+\.\d+)")
_NOT_ON_SCREEN = re.compile(r"(\d+) names? not on screen")


async def run_case(advisor, case: EvalCase) -> dict:
    start = time.perf_counter()
    first: float | None = None
    parts, errors, usage = [], [], ""
    async for chunk in advisor.stream(AdvisorRequest(question_of(case), screen_of(case))):
        if chunk.kind in ("text", "mark"):
            first = first if first is not None else time.perf_counter() - start
            parts.append(chunk.text)
        elif chunk.kind in ("error", "status"):
            errors.append(chunk.text)
        elif chunk.kind == "usage":
            usage = chunk.text
    cost = float(m.group(1)) if (m := _COST.search(usage)) else 0.0
    marks = int(m.group(1)) if (m := _NOT_ON_SCREEN.search(usage)) else 0
    return {"score": score_answer(case, "".join(parts)), "errors": errors, "usage": usage, "cost": cost,
            "marks": marks, "first_s": first, "total_s": time.perf_counter() - start}


def _line(case: EvalCase, runs: list[dict]) -> str:
    scores: list[StateScore] = [r["score"] for r in runs]
    passed = sum(s.passed for s in scores)
    first = [r["first_s"] for r in runs if r["first_s"] is not None]
    return (f"{case.path.stem:34} pass^{len(runs)} {'yes' if passed == len(runs) else 'no '} ({passed}/{len(runs)}) "
            f"mean score {statistics.mean(s.score for s in scores):.2f}, not on screen {sum(r['marks'] for r in runs)}, "
            f"first text {statistics.median(first) if first else float('nan'):.1f}s, "
            f"${sum(r['cost'] for r in runs):.4f}")


async def evaluate(advisor, cases: list[EvalCase], runs: int, show: bool) -> int:
    per_state: list[list[dict]] = []
    for case in cases:
        results = [await run_case(advisor, case) for _ in range(runs)]
        per_state.append(results)
        print(_line(case, results), flush=True)
        for r in results:
            s = r["score"]
            for what, items in (("missed", s.missed), ("wrong", s.wrong), ("false alarm", s.false_alarms),
                                ("error", r["errors"])):
                for item in items:
                    print(f"    {what}: {item}")
            if show:
                print("    " + s.answer.replace("\n", "\n    "))
    flat = Report([r["score"] for rs in per_state for r in rs])
    pass_n = sum(all(r["score"].passed for r in rs) for rs in per_state) / max(1, len(per_state))
    cost = sum(r["cost"] for rs in per_state for r in rs)
    marks = sum(r["marks"] for rs in per_state for r in rs)
    print(f"{flat.summary()} (over {runs} run(s) per state)")
    print(f"pass^{runs}: {pass_n:.0%} of {len(per_state)} states; names marked not on screen: {marks}; "
          f"cost ${cost:.4f}")
    return 0


async def bench(runs: int = 20) -> int:
    """stream() -> first text chunk at 10k pods against the fake API: what cockpit adds before Claude."""
    from dataclasses import replace

    from bench.context import bad_day
    from cockpit.advisor.claude import ClaudeMarcus
    from cockpit.analysis.changes import build_changes
    from cockpit.analysis.incidents import build_incidents
    from tests.fakeanthropic import FakeAnthropic, Reply

    screen = bad_day()
    changes = build_changes(screen.snapshot)
    snap = replace(screen.snapshot, changes=changes)
    screen = replace(screen, snapshot=replace(snap, incidents=build_incidents(snap, changes)))
    fake = FakeAnthropic().start()
    os.environ["ANTHROPIC_BASE_URL"] = fake.url
    try:
        advisor = ClaudeMarcus(load_persona("marcus"), api_key="sk-ant-bench-not-a-key-0000")
        lat = []
        for i in range(runs + 2):
            fake.queue(Reply.text("Hi", " there."))
            t0 = time.perf_counter()
            async for chunk in advisor.stream(AdvisorRequest("what is burning?", screen)):
                if chunk.kind == "text":
                    if i >= 2:  # two warm-up runs: imports, connection pool
                        lat.append(time.perf_counter() - t0)
                    break
    finally:
        fake.stop()
    print(f"stream() -> first text chunk at {len(snap.pods):,} pods against the fake at 0 ms delay: median "
          f"{statistics.median(lat) * 1000:.1f} ms (min {min(lat) * 1000:.1f}, max {max(lat) * 1000:.1f}, n={len(lat)})")
    return 0


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="runs per state; pass^N needs all N to pass")
    ap.add_argument("--case", default="", help="only cases whose file name contains this")
    ap.add_argument("--model", default="", help="model id (default: COCKPIT_MODEL or the newest Sonnet)")
    ap.add_argument("--persona", default="marcus")
    ap.add_argument("--show", action="store_true", help="print every answer")
    ap.add_argument("--offline", action="store_true", help="score offline Marcus (no key, no cost)")
    ap.add_argument("--bench", action="store_true", help="our overhead before the first text, fake API")
    args = ap.parse_args()
    if args.bench:
        return await bench()
    cases = [c for c in load_cases() if args.case in c.path.name]
    persona = load_persona(args.persona)
    if args.offline:
        from cockpit.advisor.offline import OfflineMarcus

        print(f"offline Marcus, {len(cases)} states")
        return await evaluate(OfflineMarcus(persona), cases, 1, args.show)
    key = os.environ.get("ANTHROPIC_API_KEY", "")
    if not key:
        print("eval_live: ANTHROPIC_API_KEY is not set; this script calls the real API (or use --offline)",
              file=sys.stderr)
        return 2
    from cockpit.advisor.claude import ClaudeMarcus, choose_model
    from cockpit.advisor.tools import ToolBackend

    advisor = ClaudeMarcus(persona, api_key=key, model=choose_model(args.model, persona.model),
                           tools=ToolBackend(), timeout_s=120)
    print(f"model {advisor.model}, {len(cases)} states, {args.runs} run(s) each")
    return await evaluate(advisor, cases, max(1, args.runs), args.show)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
