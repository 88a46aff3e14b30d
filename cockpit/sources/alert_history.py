"""What fired in a window, read from Prometheus's own alert history (the `ALERTS` series), plus the
other records of a shift: Alertmanager silences (expired ones included) and cockpit's audit log.

Prometheus writes `ALERTS{alertstate="firing"}` at every rule evaluation and a stale marker when an
alert resolves, so the history is there for hours cockpit was not running. Rather than pulling every
raw sample (12 h × 1,000 alerts is millions), a handful of instant queries summarise each series on
the server over a subquery whose resolution is the rule evaluation interval (coarser only when the
window would need more than MAX_POINTS steps): first and last firing, time firing, separate firings.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cockpit.model import AlertHistory
from cockpit.slo.burn import PromQuery

FIRING = 'ALERTS{alertstate="firing"}'
MAX_POINTS = 11_000  # Prometheus's own cap on points per series in a range query
DEFAULT_INTERVAL_S = 15.0  # when the rules API cannot say (vmalert, Thanos ruler, backfilled data)
_DROP = ("__name__", "alertstate")


@dataclass(frozen=True, slots=True)
class History:
    alerts: tuple[AlertHistory, ...]
    start: float
    end: float
    step_s: float
    queries: tuple[str, ...] = ()  # each "PROMQL @ unix time", in the order sent
    error: str = ""


@dataclass
class _Acc:
    labels: dict[str, str]
    samples: float = 0.0
    first: float = math.inf
    last: float = -math.inf
    rises: int = 0
    at_start: bool = False
    active_at: float | None = None
    at_end: bool = False
    seen: set[str] = field(default_factory=set)


def step_for(window_s: float, interval_s: float | None) -> float:
    """The subquery resolution: one rule evaluation, unless the window needs more than MAX_POINTS."""
    base = interval_s if interval_s and interval_s > 0 else DEFAULT_INTERVAL_S
    return float(max(1, math.ceil(max(base, window_s / MAX_POINTS))))


def _key(labels: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in labels.items() if k not in _DROP))


def queries_for(start: float, end: float, step: float) -> list[tuple[str, str, float]]:
    """(what, PromQL, evaluation time): six instant queries cover the whole window."""
    w, r = f"{max(1, round(end - start))}s", f"{step:g}s"
    sub = f"[{w}:{r}]"
    return [
        ("samples", f"count_over_time({FIRING}{sub})", end),
        ("first", f"min_over_time(timestamp({FIRING}){sub})", end),
        ("last", f"max_over_time(timestamp({FIRING}){sub})", end),
        # a step where it fires but did not one step earlier: one separate firing
        ("rises", f"count_over_time(({FIRING} unless {FIRING} offset {r}){sub})", end),
        ("at_start", f"ALERTS_FOR_STATE and ignoring(alertstate) {FIRING}", start),
        ("at_start_plain", FIRING, start),
        ("at_end", FIRING, end),
    ]


def assemble(results: dict[str, list[tuple[dict[str, str], float]]], start: float, end: float,
             step: float) -> list[AlertHistory]:
    """Pure: the per-series answers of queries_for() joined into one AlertHistory per alert."""
    from cockpit.sources.prometheus import fingerprint

    acc: dict[tuple[tuple[str, str], ...], _Acc] = {}

    def get(labels: dict[str, str]) -> _Acc:
        k = _key(labels)
        if k not in acc:
            acc[k] = _Acc(dict(k))
        return acc[k]

    for what, rows in results.items():
        for labels, value in rows:
            a = get(labels)
            a.seen.add(what)
            if what == "samples":
                a.samples = value
            elif what == "first":
                a.first = value
            elif what == "last":
                a.last = value
            elif what == "rises":
                a.rises = int(value)
            elif what in ("at_start", "at_start_plain"):
                a.at_start = True
                if what == "at_start" and math.isfinite(value):
                    a.active_at = value
            elif what == "at_end":
                a.at_end = True
    out = []
    for a in acc.values():
        if "samples" not in a.seen and not a.at_end:
            continue  # pending only, or outside the window
        first = a.first if math.isfinite(a.first) else start
        if a.at_start and a.active_at is not None and a.active_at < first:
            first = a.active_at  # firing since before the window: when it became active
        last = end if a.at_end else (a.last if math.isfinite(a.last) else first)
        times = a.rises + (1 if a.at_start else 0)
        lb = a.labels
        out.append(AlertHistory(
            fingerprint=fingerprint(lb), name=lb.get("alertname", ""),
            severity=lb.get("severity", "none").lower(), labels=lb,
            first_fired=_dt(first), last_fired=_dt(last),
            firing_s=min(end - start, a.samples * step), times_fired=max(1, times),
            state="firing" if a.at_end else "resolved",
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
    except Exception:  # noqa: BLE001 - a store without a rules API (VictoriaMetrics): default step
        return None
    return min(intervals) if intervals else None


def read_history(prom: PromQuery, start: float, end: float, interval_s: float | None = None,
                 log: Callable[[str], None] | None = None) -> History:
    """The alert history of [start, end] from a Prometheus-compatible store; never raises."""
    if interval_s is None:
        interval_s = eval_interval(prom)
    step = step_for(end - start, interval_s)
    plan = queries_for(start, end, step)
    sent = tuple(f"{q} @ {at:.0f}" for _, q, at in plan)
    for line in sent:
        if log:
            log(line)
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="history") as pool:
        futures = {what: pool.submit(prom.query, q, at) for what, q, at in plan}
        results: dict[str, list[tuple[dict[str, str], float]]] = {}
        errors = []
        for what, fut in futures.items():
            try:
                results[what] = fut.result()
            except Exception as exc:  # noqa: BLE001 - reported in one line, the hand-over goes on
                errors.append(f"{what}: {exc}")
    if errors and not any(results.get(w) for w in ("samples", "at_end")):
        return History((), start, end, step, sent, error=errors[0])
    return History(tuple(assemble(results, start, end, step)), start, end, step, sent,
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
    from cockpit.slo.burn import budget_history

    out: dict[tuple[str, str], tuple[float | None, float | None]] = {}
    for engine in hub.slo_sources:
        for spec in getattr(engine, "specs", ()):
            try:
                points = budget_history(spec, engine.prom, start, end, points=2)
            except Exception:  # noqa: BLE001 - that SLO shows "-": the rest of the hand-over stands
                continue
            at = dict(points)
            first = next((v for t, v in points if abs(t - start) < 1), None)
            out[spec.key] = (first, at.get(max(at)) if at else None)
    return out


def read_shift(hub: Any, start: datetime, end: datetime, journal: Any = None,
               log: Callable[[str], None] | None = None, expires_soon_s: float = 7200.0) -> Any:
    """Everything the hand-over needs for [start, end], read in parallel; never raises for a backend."""
    from cockpit.analysis.handover import ShiftRecords
    from cockpit.sources.hub import error_text

    problems: list[str] = []
    t0, t1 = start.timestamp(), end.timestamp()

    def silences() -> list[Any]:
        out: dict[str, Any] = {}
        for b in hub.silence_backends:
            try:
                for s in b.fetch_silences():
                    out.setdefault(s.id, s)
            except Exception as exc:  # noqa: BLE001
                problems.append(f"{b.name}: {error_text(exc)}")
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
        problems.append(f"alert history from {hub.prometheus.name}: {history.error}")
    problems += [f"{h.name}: {h.error}" for h in {**alerts.health, **slos.health}.values() if not h.ok]
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
        expires_soon_s=expires_soon_s,
    )
