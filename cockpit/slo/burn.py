"""Burn rates, error budgets and the SRE Workbook's alerting thresholds: pure math, no I/O.

The engine that queries Prometheus is cockpit.sources.slo_engine; this module is what it, the demo,
the panes and the analyzers compute with, plus the text of the recording-rule queries.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from cockpit.model import BURN_WINDOWS, SLOStatus
from cockpit.slo.spec import SLOSpec, duration_s

LONG_WINDOWS = ("1d", "3d")
RECORDED_METRIC = "slo:sli_error:ratio_rate{window}"
PYRRA_METRIC = "{base}:burnrate{window}"
# SRE Workbook, multiwindow multi-burn-rate alerts: (long window, short window, threshold).
PAGE_RULES = (("1h", "5m", 14.4), ("6h", "30m", 6.0))
TICKET_RULES = (("1d", "2h", 3.0), ("3d", "6h", 1.0))
# Per window, the highest threshold a rule holds it to: a burn above it shows red in the SLOs pane.
WINDOW_LIMITS = {w: t for _long, _short, t in (*TICKET_RULES, *PAGE_RULES) for w in (_long, _short)}


# ---------------------------------------------------------------- pure math


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def burn_rate(error_ratio: float | None, objective: float) -> float | None:
    """How many times faster than sustainable the budget burns; None when there is no data."""
    ratio = _finite(error_ratio)
    return None if ratio is None else ratio / (1 - objective)


def status_for(burn_rates: Mapping[str, float | None]) -> str:
    """page / ticket / ok / no-data. A missing window never satisfies a rule; without data for the
    last hour we cannot claim the SLO is fine, so that is no-data, never ok."""
    def fires(rules: tuple[tuple[str, str, float], ...]) -> bool:
        return any((burn_rates.get(a) or 0) > t and (burn_rates.get(b) or 0) > t for a, b, t in rules)

    if fires(PAGE_RULES):
        return "page"
    if fires(TICKET_RULES):
        return "ticket"
    return "no-data" if _finite(burn_rates.get("1h")) is None else "ok"


def budget_remaining(period_ratio: float | None, objective: float) -> float | None:
    """1.0 = untouched, 0 = spent, negative = overspent; None without data."""
    burn = burn_rate(period_ratio, objective)
    return None if burn is None else 1 - burn


def exhaustion_s(remaining: float | None, period_s: float, burn_1h: float | None) -> float | None:
    """Seconds until the budget is gone at the current 1h burn; None if it never runs out."""
    if remaining is None or burn_1h is None or burn_1h <= 0:
        return None
    return max(0.0, remaining) * period_s / burn_1h


def worst(samples: Iterable[float]) -> float | None:
    """A spec whose query returns several series: the worst (highest) error ratio counts."""
    values = [v for v in samples if math.isfinite(v)]
    return max(values) if values else None


def build_status(spec: SLOSpec, ratios: Mapping[str, float | None], queries: Mapping[str, str],
                 error: str = "") -> SLOStatus:
    windows = (*BURN_WINDOWS, spec.period)
    ratios = {w: _finite(ratios.get(w)) for w in windows}
    burns = {w: burn_rate(ratios[w], spec.objective) for w in windows}
    remaining = budget_remaining(ratios[spec.period], spec.objective)
    return SLOStatus(
        service=spec.service, name=spec.name, objective=spec.objective, period=spec.period,
        error_ratios=ratios, burn_rates=burns, budget_remaining=remaining,
        status="no-data" if error else status_for(burns),
        exhaustion_s=exhaustion_s(remaining, duration_s(spec.period), burns["1h"]),
        queries=dict(queries), labels=dict(spec.labels), namespace=spec.labels.get("namespace", ""),
        error=error,
    )


# ---------------------------------------------------------------- recording-rule queries


def recorded_query(spec: SLOSpec, window: str) -> str:
    if spec.pyrra_metric:
        return f'{PYRRA_METRIC.format(base=spec.pyrra_metric, window=window)}{{slo="{_esc(spec.name)}"}}'
    return f'{RECORDED_METRIC.format(window=window)}{{sloth_service="{_esc(spec.service)}", sloth_slo="{_esc(spec.name)}"}}'


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


# Moved to cockpit.sources (the I/O half): re-export for compatibility, loaded on first use so that
# importing this module imports nothing of sources (pyproject.toml's contract names this exception).
def __getattr__(name: str) -> object:
    if name in ("SLOEngine", "RefreshStats", "budget_history"):
        from cockpit.sources import slo_engine

        return getattr(slo_engine, name)
    if name == "PromQuery":
        from cockpit.sources import base

        return base.PromQuery
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
