"""The SLO engine: the SLO source that queries Prometheus for every spec's error ratios (I/O; the math is
cockpit.slo.burn's).

It prefers Sloth's recording rules (`slo:sli_error:ratio_rate<window>`): one query per window covers
every SLO that has them; Pyrra's (`<metric>:burnrate<window>{slo=...}`, an error ratio despite the
name) are batched the same way. SLOs without them fall back to their own raw queries. Long windows
(1d, 3d, the period) change slowly and cost the most, so they are cached for `long_ttl_s`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import cast

from cockpit.analysis.duration import duration_s
from cockpit.analysis.sanitize import sanitize_line
from cockpit.errors import SourceError
from cockpit.model import BURN_WINDOWS, SLOStatus
from cockpit.slo.burn import (
    LONG_WINDOWS,
    RECORDED_METRIC,
    budget_remaining,
    build_status,
    recorded_query,
    worst,
)
from cockpit.slo.spec import SLOSpec
from cockpit.sources.base import PromQuery


def _one_line(exc: BaseException) -> str:
    """Backend error text is hostile too (it may echo a query or a proxy's page): one clean line."""
    text = str(exc) if isinstance(exc, SourceError) else f"{type(exc).__name__}: {exc}"
    return sanitize_line(" ".join(text.split()), 300, for_terminal=False)


@dataclass
class RefreshStats:
    """What the last refresh cost; the bench and `cockpit check` read it."""

    queries: int = 0
    cached: int = 0
    failed: int = 0
    recorded_slos: int = 0
    seconds: float = 0.0
    executed: list[str] = field(default_factory=list)


class SLOEngine:
    """cockpit.sources.base.SLOSource over any PromQuery (PrometheusSource, Thanos, ...)."""

    name = "slo"
    kind = "slo"

    def __init__(self, specs: Iterable[SLOSpec], prom: PromQuery, max_concurrency: int = 8,
                 long_ttl_s: float = 300.0, at: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.specs = list(specs)
        self.prom = prom
        self.max_concurrency = max(1, max_concurrency)
        self.long_ttl_s = long_ttl_s
        self.at = at  # pin the evaluation time (tests, replays); None = now
        self.clock = clock
        self.stats = RefreshStats()
        self._cache: dict[tuple[str, str], tuple[float, object]] = {}  # (query, at) -> (time, rows)
        self._lock = threading.Lock()

    # -- public

    def fetch_slos(self) -> list[SLOStatus]:
        started = time.perf_counter()
        self.stats = RefreshStats()
        now = self.clock()
        recorded = self._detect_recorded()
        jobs = self._plan(recorded)
        results, fresh = self._run(jobs, now)
        ratios, statuses = self._assemble(jobs, results)
        self._remember(jobs, results, fresh, ratios, now)
        self.stats.recorded_slos = len({key for key, _ in recorded} & {s.key for s in self.specs})
        self.stats.seconds = time.perf_counter() - started
        if fresh and self.stats.failed == len(fresh):
            # Nothing answered: Prometheus itself is failing; the Hub keeps the last data, marked stale.
            raise SourceError(next(r[1] for r in results.values() if isinstance(r, tuple)))
        return statuses

    def budget_history_for(self, slo: SLOStatus, points: int = 60) -> list[tuple[float, float]]:
        """Budget remaining over the SLO's period up to now (or the pinned time), for the details view."""
        spec = next((s for s in self.specs if s.key == slo.key), None)
        if spec is None:
            return []
        end = self.at if self.at is not None else time.time()
        return budget_history(spec, self.prom, end - duration_s(spec.period), end, points)

    # -- planning

    def _detect_recorded(self) -> set[tuple[tuple[str, str], str]]:
        """One cheap query per tool: which (service, slo, window) have Sloth or Pyrra recording rules."""
        q = 'group by (sloth_service, sloth_slo, sloth_window) ({__name__=~"slo:sli_error:ratio_rate.+"})'
        try:
            rows = self._query(q)
        except Exception:  # a failing Prometheus shows up in the per-SLO queries
            return set()
        found = {((lb.get("sloth_service", ""), lb.get("sloth_slo", "")), lb.get("sloth_window", "")) for lb, _ in rows}
        return found | self._detect_pyrra()

    def _detect_pyrra(self) -> set[tuple[tuple[str, str], str]]:
        """Pyrra's burn-rate rules per window, and its rule for the whole window (the period)."""
        pyrra = {(s.pyrra_metric, s.name): s.key for s in self.specs if s.pyrra_metric}
        periods = {(s.pyrra_period_metric, s.name): (s.key, s.period) for s in self.specs if s.pyrra_period_metric}
        if not pyrra:
            return set()
        q = 'group by (__name__, slo) ({__name__=~".+:(burnrate|increase|count).+", slo!=""})'
        try:
            rows = self._query(q)
        except Exception:  # as above
            return set()
        found = set()
        for lb, _ in rows:
            name, slo = lb.get("__name__", ""), lb.get("slo", "")
            base, _, window = name.rpartition(":burnrate")
            key = pyrra.get((base, slo))
            if key is not None:
                found.add((key, window))
            elif (name, slo) in periods:
                found.add(periods[(name, slo)])
        return found

    def _plan(self, recorded: set[tuple[tuple[str, str], str]]) -> dict[str, list[tuple[SLOSpec, str, str]]]:
        """Group work by the query to run: query -> [(spec, window, query shown to the user)]."""
        jobs: dict[str, list[tuple[SLOSpec, str, str]]] = {}
        for spec in self.specs:
            for window in dict.fromkeys((*BURN_WINDOWS, spec.period)):
                if (spec.key, window) in recorded and spec.pyrra_period_query and window == spec.period:
                    q = spec.pyrra_period_query  # Pyrra records the window as increases: one query per SLO
                    jobs.setdefault(q, []).append((spec, window, q))
                elif (spec.key, window) in recorded:
                    jobs.setdefault(_batch(spec, window), []).append((spec, window, recorded_query(spec, window)))
                else:
                    q = spec.error_ratio_query(window)
                    jobs.setdefault(q, []).append((spec, window, q))
        return jobs

    def _is_long(self, query: str, users: list[tuple[SLOSpec, str, str]]) -> bool:
        return all(w in LONG_WINDOWS or w == s.period for s, w, _ in users)

    # -- execution

    def _run(self, jobs: dict[str, list[tuple[SLOSpec, str, str]]], now: float) -> tuple[dict[str, object], list[str]]:
        """query -> rows, or ("error", message); long windows come from the cache while fresh."""
        results: dict[str, object] = {}
        todo = []
        for q, users in jobs.items():
            hit = self._cache.get((q, str(self.at)))
            if hit and self._is_long(q, users) and now - hit[0] < self.long_ttl_s:
                results[q] = hit[1]
                self.stats.cached += 1
            else:
                todo.append(q)
        with ThreadPoolExecutor(max_workers=self.max_concurrency, thread_name_prefix="slo") as pool:
            for q, res in zip(todo, pool.map(self._safe_query, todo), strict=True):
                results[q] = res
                self.stats.failed += isinstance(res, tuple)
        return results, todo

    def _remember(self, jobs: dict[str, list[tuple[SLOSpec, str, str]]], results: dict[str, object],
                  fresh: list[str], ratios: dict[tuple[str, str], dict[str, float | None]], now: float) -> None:
        """Cache long-window answers only when every SLO in them got a value: "no data" may be a
        recording rule or a scrape history still filling up, so it is asked again next refresh."""
        for q in fresh:
            users = jobs[q]
            if not isinstance(results[q], tuple) and self._is_long(q, users) and all(
                ratios[s.key].get(w) is not None for s, w, _ in users
            ):
                self._cache[(q, str(self.at))] = (now, results[q])

    def _safe_query(self, q: str) -> object:
        try:
            return self._query(q)
        except Exception as exc:  # one SLO's bad query must not sink the others
            return ("error", _one_line(exc))

    def _query(self, q: str) -> list[tuple[dict[str, str], float]]:
        with self._lock:
            self.stats.queries += 1
            self.stats.executed.append(q)
        return self.prom.query(q, at=self.at)

    def _assemble(self, jobs: dict[str, list[tuple[SLOSpec, str, str]]],
                  results: dict[str, object]) -> tuple[dict[tuple[str, str], dict[str, float | None]], list[SLOStatus]]:
        ratios: dict[tuple[str, str], dict[str, float | None]] = {s.key: {} for s in self.specs}
        shown: dict[tuple[str, str], dict[str, str]] = {s.key: {} for s in self.specs}
        errors: dict[tuple[str, str], str] = {}
        for q, users in jobs.items():
            res = results[q]
            for spec, window, user_q in users:
                shown[spec.key][window] = user_q
                if isinstance(res, tuple):
                    errors.setdefault(spec.key, f"{window}: {res[1]}")
                    continue
                ratios[spec.key][window] = _value(cast("list[tuple[dict[str, str], float]]", res), q, spec, user_q)
        statuses = [build_status(s, ratios[s.key], shown[s.key], errors.get(s.key, "")) for s in self.specs]
        return ratios, statuses


def _batch(spec: SLOSpec, window: str) -> str:
    """The query that reads this window's recording rule for every SLO that has one."""
    if spec.pyrra_metric:  # one query per window for every Pyrra SLO: their metric names differ
        return f'{{__name__=~".+:burnrate{window}", slo!=""}}'
    return RECORDED_METRIC.format(window=window) + '{sloth_slo!=""}'


def _value(rows: list[tuple[dict[str, str], float]], query: str, spec: SLOSpec, user_q: str) -> float | None:
    """The spec's error ratio in a query's answer; a batched answer is filtered by the rules' labels
    (several series of one SLO: Pyrra's grouping, the worst counts)."""
    if user_q != query and spec.pyrra_metric:
        name = user_q.partition("{")[0]
        rows = [(lb, v) for lb, v in rows if lb.get("__name__") == name and lb.get("slo") == spec.name]
    elif user_q != query:
        rows = [(lb, v) for lb, v in rows if (lb.get("sloth_service"), lb.get("sloth_slo")) == spec.key]
    return worst(v for _, v in rows)


# ---------------------------------------------------------------- history


def budget_history(spec: SLOSpec, prom: PromQuery, start: float, end: float,
                   points: int = 60) -> list[tuple[float, float]]:
    """(timestamp, budget remaining) over [start, end] for the details sparkline.

    Uses the Sloth (or Pyrra) period recording rule when Prometheus has it, the raw query otherwise.
    """
    step = max(1.0, (end - start) / max(1, points - 1))
    series: list[tuple[dict[str, str], list[tuple[float, float]]]] = []
    recorded = spec.pyrra_period_query or recorded_query(spec, spec.period)
    for q in (recorded, spec.error_ratio_query(spec.period)):
        series = prom.query_range(q, start, end, step)
        if any(values for _, values in series):
            break
    by_ts: dict[float, list[float]] = {}
    for _, values in series:
        for ts, v in values:
            by_ts.setdefault(ts, []).append(v)
    out = []
    for ts in sorted(by_ts):
        remaining = budget_remaining(worst(by_ts[ts]), spec.objective)
        if remaining is not None:
            out.append((ts, remaining))
    return out
