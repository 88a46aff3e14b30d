#!/usr/bin/env python3
"""Run the eval set (tests/eval/*.yaml) against the real Anthropic API and score Marcus's answers.

Needs ANTHROPIC_API_KEY (costs money; never run in CI). ANTHROPIC_BASE_URL and COCKPIT_MODEL are
honoured as everywhere else. For each case Marcus sees the case's screen (first alert and first
problem pod selected) and answers its question (or comments unprompted). Scoring is a text
heuristic: an expectation is hit when the answer names its subject; an expect_not is a false
alarm when one sentence names its subject together with the words of its kind.

    python scripts/eval_live.py [--case crash] [--model claude-...] [--show]
    python scripts/eval_live.py --bench   # no key needed: context size at 10k pods and our overhead
                                          # from stream() to the first text chunk, against the fake API
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cockpit.advisor.base import AdvisorRequest, ScreenState  # noqa: E402
from cockpit.advisor.claude import ClaudeMarcus, choose_model  # noqa: E402
from cockpit.advisor.context import pod_rank  # noqa: E402
from cockpit.advisor.persona import load_persona  # noqa: E402
from cockpit.advisor.tools import ToolBackend  # noqa: E402
from tests.eval.loader import EvalCase, Expect, load_cases  # noqa: E402

KIND_WORDS = {
    "crashloop": r"crash|restart", "oom": r"oom|out of memory|memory limit", "image-pull": r"image|pull",
    "config": r"config|secret", "unschedulable": r"pending|schedul", "replica-gap": r"replica|rollout",
    "slo-burn": r"burn|budget|slo", "node-pressure": r"pressure|node", "alert": r"alert|fir|page",
    "correlation": r"caus|because|behind|same", "alert-storm": r"storm|noise", "silenced": r"silenc",
}


def _names(subject: str) -> list[str]:
    """The words an answer would use for a subject: 'deployment shop/api' -> ['shop/api', 'api']."""
    last = subject.split()[-1] if subject.split() else subject
    return [last.lower(), last.split("/")[-1].lower()]


def hit(answer: str, e: Expect) -> bool:
    text = answer.lower()
    return any(n and n in text for n in _names(e.subject))


def false_alarm(answer: str, e: Expect) -> bool:
    words = "|".join(KIND_WORDS.get(k, re.escape(k)) for k in e.kinds)
    for sentence in re.split(r"(?<=[.!?])\s+|\n", answer.lower()):
        if any(n and n in sentence for n in _names(e.subject)) and re.search(words, sentence):
            return True
    return False


def screen_of(case: EvalCase) -> ScreenState:
    snap = case.snapshot
    problems = sorted((p for p in snap.pods if pod_rank(p) < 9), key=pod_rank)
    return ScreenState(snapshot=snap, focused="pods" if problems else "alerts",
                       selected_alert=snap.alerts[0] if snap.alerts else None,
                       selected_pod=problems[0] if problems else None, visible_alerts=snap.alerts,
                       visible_pods=snap.pods, visible_slos=snap.slos)


async def run_case(advisor: ClaudeMarcus, case: EvalCase) -> dict:
    start = time.perf_counter()
    first: float | None = None
    parts, errors, usage = [], [], ""
    async for chunk in advisor.stream(AdvisorRequest(case.question, screen_of(case))):
        if chunk.kind == "text":
            first = first if first is not None else time.perf_counter() - start
            parts.append(chunk.text)
        elif chunk.kind in ("error", "status"):
            errors.append(chunk.text)
        elif chunk.kind == "usage":
            usage = chunk.text
    answer = "".join(parts)
    hits = [e for e in case.expect if hit(answer, e)]
    alarms = [e for e in case.expect_not if false_alarm(answer, e)]
    return {"case": case, "answer": answer, "hits": hits, "alarms": alarms, "errors": errors, "usage": usage,
            "first_s": first, "total_s": time.perf_counter() - start}


def bench_snapshot(n: int = 10_000):  # noqa: ANN201
    from dataclasses import replace
    from datetime import UTC, datetime, timedelta

    from cockpit.analysis.analyzers import analyze
    from cockpit.model import Alert, Pod, Snapshot

    now = datetime.now(UTC)
    pods = tuple(Pod(f"ns-{i % 50}", f"svc-{i % 400}-7d9f8b6c5d-{i:05d}", "Running", 0 if i % 47 == 0 else 1, 1,
                     9 if i % 47 == 0 else 0, "CrashLoopBackOff" if i % 47 == 0 else "Running", f"node-{i % 60}",
                     now - timedelta(hours=5)) for i in range(n))
    alerts = tuple(Alert(f"fp{i}", f"Alert{i}", "critical" if i < 3 else "warning", "firing", {"namespace": "ns-1"},
                         {"summary": "pods crash-looping"}, now) for i in range(12))
    snap = Snapshot(taken_at=now, alerts=alerts, pods=pods)
    snap = replace(snap, findings=tuple(analyze(snap)))  # as Hub.snapshot() does
    return ScreenState(snapshot=snap, focused="pods", selected_alert=alerts[0], selected_pod=pods[0],
                       visible_alerts=alerts, visible_pods=pods)


async def bench(runs: int = 20) -> int:
    import statistics

    from cockpit.advisor.context import build_context, estimate_tokens
    from tests.fakeanthropic import FakeAnthropic, Reply

    screen = bench_snapshot()
    start = time.perf_counter()
    ctx = build_context(screen)
    took = time.perf_counter() - start
    print(f"context at {len(screen.snapshot.pods):,} pods: ~{estimate_tokens(ctx):,} tokens (chars/3.5), "
          f"{len(ctx):,} chars, built in {took * 1000:.0f} ms")
    print("  " + [ln for ln in ctx.splitlines() if ln.startswith("not shown")][-1])
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
    print(f"stream() -> first text chunk against the fake at 0 ms delay: median {statistics.median(lat) * 1000:.1f} ms "
          f"(min {min(lat) * 1000:.1f}, max {max(lat) * 1000:.1f}, n={len(lat)})")
    return 0


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", default="", help="only cases whose file name contains this")
    ap.add_argument("--model", default="", help="model id (default: COCKPIT_MODEL or the newest Sonnet)")
    ap.add_argument("--persona", default="marcus")
    ap.add_argument("--show", action="store_true", help="print every answer")
    ap.add_argument("--bench", action="store_true", help="measure context size and overhead against the fake API")
    args = ap.parse_args()
    if args.bench:
        return await bench()
    key = os.environ.get("ANTHROPIC_API_KEY", "")
    if not key:
        print("eval_live: ANTHROPIC_API_KEY is not set; this script calls the real API", file=sys.stderr)
        return 2
    persona = load_persona(args.persona)
    advisor = ClaudeMarcus(persona, api_key=key, model=choose_model(args.model, persona.model),
                           tools=ToolBackend(), timeout_s=120)
    cases = [c for c in load_cases() if args.case in c.path.name]
    expected = hits = alarms = 0
    print(f"model {advisor.model}, {len(cases)} cases")
    for case in cases:
        r = await run_case(advisor, case)
        expected += len(case.expect)
        hits += len(r["hits"])
        alarms += len(r["alarms"])
        first = f"{r['first_s']:.1f}s" if r["first_s"] is not None else "-"
        print(f"{case.path.stem:28} {len(r['hits'])}/{len(case.expect)} named, {len(r['alarms'])} false alarms, "
              f"first text {first}, total {r['total_s']:.1f}s, {r['usage'] or 'no usage'}")
        for e in case.expect:
            if e not in r["hits"]:
                print(f"    missed: {e}")
        for e in r["alarms"]:
            print(f"    false alarm: {e}")
        for err in r["errors"]:
            print(f"    error: {err}")
        if args.show:
            print("    " + r["answer"].replace("\n", "\n    "))
    print(f"recall {hits}/{expected} ({hits / max(expected, 1):.0%}), false alarms {alarms}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
