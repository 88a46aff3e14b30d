"""What fired in a window, read from Prometheus's own alert history (the `ALERTS` series), plus the
other records of a shift: Alertmanager silences (expired ones included) and cockpit's audit log.

Prometheus writes `ALERTS{alertstate="firing"}` at every rule evaluation and a stale marker when an
alert resolves, so the history is there for hours cockpit was not running. Five queries read it: how
many steps each alert fired (a cheap server-side count that sizes the rest), one range query of the
firing series at the rule evaluation interval (coarser only when the window or the volume needs it),
and three instant queries for the state at the window's edges (with ALERTS_FOR_STATE's activeAt for
alerts already firing when the window opened). Functions of the timestamps inside subqueries are
avoided: Prometheus evaluates them step by step (20 s for 12 h x 1,000 alerts instead of 0.3 s).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cockpit.model import AlertHistory

FIRING = 'ALERTS{alertstate="firing"}'
MAX_POINTS = 11_000  # Prometheus's own cap on points per series in a range query
MAX_TOTAL_POINTS = 600_000  # points of the range query over all alerts (~10 MB of JSON)
DEFAULT_INTERVAL_S = 15.0  # when the rules API cannot say (vmalert, Thanos ruler, backfilled data)
_DROP = ("__name__", "alertstate")

Samples = list[tuple[dict[str, str], float]]
Series = list[tuple[dict[str, str], list[tuple[float, float]]]]


@dataclass(frozen=True, slots=True)
class History:
    alerts: tuple[AlertHistory, ...]
    start: float
    end: float
    step_s: float
    queries: tuple[str, ...] = ()  # each "PROMQL @ time" or "PROMQL [start, end] step", in the order sent
    error: str = ""


def step_for(window_s: float, interval_s: float | None) -> float:
    """The resolution: one rule evaluation, unless the window needs more than MAX_POINTS steps."""
    base = interval_s if interval_s and interval_s > 0 else DEFAULT_INTERVAL_S
    return float(max(1, math.ceil(max(base, window_s / MAX_POINTS))))


def _key(labels: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in labels.items() if k not in _DROP))


def edge_queries(start: float, end: float, step: float) -> list[tuple[str, str, float]]:
    """(what, PromQL, evaluation time) of the instant queries."""
    return [
        ("points", f"count_over_time({FIRING}[{max(1, round(end - start))}s:{step:g}s])", end),
        ("active_at", f"ALERTS_FOR_STATE and ignoring(alertstate) {FIRING}", start),
        ("at_start", FIRING, start),
        ("at_end", FIRING, end),
    ]


def coarser(step: float, points: Samples) -> float:
    """A step that keeps the range query under MAX_TOTAL_POINTS (a 12 h window of 1,000 alerts that
    all fire throughout would otherwise be 2.9 M points)."""
    total = sum(v for _, v in points if math.isfinite(v))
    return step if total <= MAX_TOTAL_POINTS else float(math.ceil(step * total / MAX_TOTAL_POINTS))


def spans(values: list[tuple[float, float]], step: float) -> list[tuple[float, float]]:
    """Runs of consecutive steps: one per separate firing."""
    out: list[list[float]] = []
    for ts, _ in values:
        if out and ts - out[-1][1] <= step * 1.5:
            out[-1][1] = ts
        else:
            out.append([ts, ts])
    return [(a, b) for a, b in out]


def assemble(series: Series, edges: dict[str, Samples], start: float, end: float, step: float) -> list[AlertHistory]:
    """Pure: the range query's firing runs and the edge states joined into one AlertHistory per alert."""
    from cockpit.sources.prometheus import fingerprint

    at_start = {_key(lb) for lb, _ in edges.get("at_start", ())}
    at_end = {_key(lb) for lb, _ in edges.get("at_end", ())}
    active_at = {_key(lb): v for lb, v in edges.get("active_at", ()) if math.isfinite(v)}
    runs: dict[tuple[tuple[str, str], ...], list[tuple[float, float]]] = {}
    for labels, values in series:
        runs.setdefault(_key(labels), []).extend(spans(sorted(values), step))
    for k in at_end - runs.keys():  # fired only after the last step
        runs[k] = [(end, end)]
    out = []
    for k, rs in runs.items():
        rs.sort()
        lb = dict(k)
        first = rs[0][0]
        if k in at_start and active_at.get(k, first) < first:
            first = active_at[k]  # firing since before the window: when it became active
        firing = k in at_end
        out.append(AlertHistory(
            fingerprint=fingerprint(lb), name=lb.get("alertname", ""), severity=lb.get("severity", "none").lower(),
            labels=lb, first_fired=_dt(first), last_fired=_dt(end if firing else rs[-1][1]),
            firing_s=min(end - start, sum(b - a + step for a, b in rs)), times_fired=len(rs),
            state="firing" if firing else "resolved",
        ))
    out.sort(key=lambda h: (h.state != "firing", h.first_fired, h.name, h.fingerprint))
    return out


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def eval_interval(prom: Any) -> float | None:
    """The shortest evaluation interval of the alerting rule groups, from /api/v1/rules."""
    rules = getattr(prom, "rules", None)
    if rules is None:
        return None
    try:
        intervals = [r.interval_s for r in rules("alert") if r.interval_s > 0]
    except Exception:  # a store without a rules API (VictoriaMetrics): default step
        return None
    return min(intervals) if intervals else None


def read_history(prom: Any, start: float, end: float, interval_s: float | None = None,
                 log: Callable[[str], None] | None = None) -> History:
    """The alert history of [start, end] from a Prometheus-compatible store; never raises."""
    if interval_s is None:
        interval_s = eval_interval(prom)
    step = step_for(end - start, interval_s)
    sent: list[str] = []

    def note(line: str) -> None:
        sent.append(line)
        if log:
            log(line)

    plan = edge_queries(start, end, step)
    for _, q, at in plan:
        note(f"{q} @ {at:.0f}")
    edges: dict[str, Samples] = {}
    errors: list[str] = []
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="history") as pool:
        futures = {what: pool.submit(prom.query, q, at) for what, q, at in plan}
        for what, fut in futures.items():
            try:
                edges[what] = fut.result()
            except Exception as exc:  # reported in one line, the hand-over goes on
                errors.append(str(exc))
    if "points" not in edges:
        return History((), start, end, step, tuple(sent), error=errors[0] if errors else "no answer")
    step = coarser(step, edges["points"])
    series: Series = []
    if edges["points"]:
        note(f"{FIRING} [{start:.0f}, {end:.0f}] step {step:g}s")
        try:
            series = prom.query_range(FIRING, start, end, step)
        except Exception as exc:
            return History((), start, end, step, tuple(sent), error=str(exc))
    return History(tuple(assemble(series, edges, start, end, step)), start, end, step, tuple(sent),
                   error=errors[0] if errors else "")


# -- the other records of a shift ---------------------------------------------------------------------


def audit_entries(audit: Any) -> tuple[list[dict[str, Any]], str]:
    """The audit log's entries, and a one-line problem when it cannot be read."""
    if audit is None:
        return [], ""
    try:
        return audit.entries(), ""
    except (OSError, ValueError) as exc:
        return [], f"audit log {getattr(audit, 'path', '')} unreadable: {exc}"


def slo_budgets(hub: Any, start: float, end: float) -> dict[tuple[str, str], tuple[float | None, float | None]]:
    """Budget remaining at the window's start and end, per SLO: one two-point range query each."""
    from cockpit.sources.slo_engine import budget_history

    out: dict[tuple[str, str], tuple[float | None, float | None]] = {}
    for engine in hub.slo_sources:
        for spec in getattr(engine, "specs", ()):
            try:
                points = budget_history(spec, engine.prom, start, end, points=2)
            except Exception:  # that SLO shows "-": the rest of the hand-over stands
                continue
            at = dict(points)
            first = next((v for t, v in points if abs(t - start) < 1), None)
            out[spec.key] = (first, at.get(max(at)) if at else None)
    return out


def read_shift(hub: Any, start: datetime, end: datetime, journal: Any = None,
               log: Callable[[str], None] | None = None, expires_soon_s: float = 7200.0) -> Any:
    """Everything the hand-over needs for [start, end], read in parallel; never raises for a backend."""
    from cockpit.analysis.handover import ShiftRecords

    problems: list[str] = []
    t0, t1 = start.timestamp(), end.timestamp()

    def silences() -> list[Any]:
        out: dict[str, Any] = {}
        for b in hub.silence_backends:
            try:
                for s in b.fetch_silences():
                    out.setdefault(s.id, s)
            except Exception:  # the same backend's health line (refresh_alerts) says why
                continue
        return list(out.values())

    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="shift") as pool:
        f_hist = pool.submit(read_history, hub.prometheus, t0, t1, None, log) if hub.prometheus else None
        f_alerts = pool.submit(hub.refresh_alerts)
        f_sil = pool.submit(silences)
        f_slos = pool.submit(hub.refresh_slos)
        f_budget = pool.submit(slo_budgets, hub, t0, t1)
        history = f_hist.result() if f_hist else None
        alerts, sils, slos, budgets = f_alerts.result(), f_sil.result(), f_slos.result(), f_budget.result()
    if history is not None and history.error:
        problems.append(f"alert history: {history.error}")
    problems += [h.error if h.error.startswith(h.name) else f"{h.name}: {h.error}"
                 for h in {**alerts.health, **slos.health}.values() if not h.ok]
    actions, audit_problem = audit_entries(hub.audit)
    if audit_problem:
        problems.append(audit_problem)
    incidents, acks, notes = [], [], []
    if journal is not None:
        incidents, acks, notes = journal.incidents(start), journal.acks(start), journal.notes(start)
        if journal.problem:
            problems.append(journal.problem)
    return ShiftRecords(
        start=start, end=end, history=history.alerts if history else (), alerts=alerts.alerts,
        silences=sils, actions=actions, incidents=incidents, acks=acks, notes=notes, slos=slos.slos,
        budgets=budgets, problems=tuple(dict.fromkeys(problems)),
        history_from=(f"{hub.prometheus.name} (ALERTS, {history.step_s:g}s resolution)" if history else ""),
        history_ok=history is not None and not history.error,
        expires_soon_s=expires_soon_s,
    )
