"""Pyrra `pyrra.dev/v1alpha1` ServiceLevelObjective: ratio, latency and bool_gauge indicators.

Each indicator names plain vector selectors; the queries are built as Pyrra builds its burn-rate rules
(`sum by (grouping) (rate(errors[w])) / sum by (grouping) (rate(total[w]))`, latency as
1 - success/total over histogram buckets, bool_gauge as the share of 0 samples). With `grouping` every
group is its own SLI; the worst group counts, as for any query returning several series. Pyrra has no
service: the object's namespace (where Pyrra itself files it) stands in, "default" without one.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from cockpit.slo.spec import (
    SLOSpec,
    Where,
    check_objective,
    duration_s,
    labels_of,
    prom_duration,
    selector_name,
)

_MATCHER_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*(?:"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`)')
_LABEL_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_KINDS = ("ratio", "latency", "bool_gauge")


def spec(path: Path | str, doc: dict[str, Any]) -> SLOSpec:
    where = Where(path)
    meta = where.get(doc, "metadata", "metadata", dict)
    name = where.get(meta, "name", "metadata.name", str)
    where.slo = name
    body = where.get(doc, "spec", "spec", dict)
    objective = _target(where, body)
    window = where.get(body, "window", "spec.window", str)
    try:
        period = prom_duration(window)
    except ValueError:
        raise where.fail(body, "window", "spec.window", f"expected a duration like 28d or 4w, got {window!r}") from None
    ind = where.get(body, "indicator", "spec.indicator", dict)
    kinds = [k for k in ind if ind.get(k) is not None]
    if "latencyNative" in kinds and not set(kinds) & set(_KINDS):
        raise where.fail(ind, "latencyNative", "spec.indicator.latencyNative",
                         "native-histogram SLIs are not supported; use a latency indicator (_bucket/_count)")
    chosen = [k for k in kinds if k in _KINDS]
    if len(chosen) != 1:
        problem = (f"needs exactly one of {', '.join(_KINDS)}, found: {', '.join(kinds) or 'none'}")
        key = chosen[1] if len(chosen) > 1 else (kinds[0] if kinds else "ratio")  # the line to look at
        raise where.fail(ind, key, "spec.indicator", problem)
    kind = chosen[0]
    queries, sels, grouping = _queries(where, ind, kind)
    metric = (sels.get("total") or sels["metric"])[0]
    period_metric, period_query = period_rule(kind, sels, grouping, name, period)
    namespace = meta.get("namespace") if isinstance(meta.get("namespace"), str) else ""
    labels = {**labels_of(where, meta, "labels", "metadata.labels"), **({"namespace": namespace} if namespace else {})}
    if grouping:
        labels["pyrra_grouping"] = ",".join(grouping)
    alerting = body.get("alerting") if isinstance(body.get("alerting"), dict) else {}
    alert = str(alerting["name"]) if isinstance(alerting.get("name"), str) else "ErrorBudgetBurn"  # Pyrra's default
    return SLOSpec(service=namespace or "default", name=name, objective=objective, period=period, labels=labels,
                   alert_names=(alert,), source_file=str(path), tool="pyrra", pyrra_metric=_burnrate_base(metric),
                   pyrra_period_metric=period_metric, pyrra_period_query=period_query, **queries)


def _target(where: Where, body: dict[str, Any]) -> float:
    raw = where.get(body, "target", "spec.target", (str, int, float))
    try:
        pct = float(raw)
    except ValueError:
        pct = math.nan
    if not check_objective(pct / 100):
        raise where.fail(body, "target", "spec.target", f"must be a percentage between 0 and 100 (exclusive), got {raw!r}")
    return round(pct / 100, 12)


def _selector(where: Where, node: Any, key: str, field_path: str) -> tuple[str, str]:
    """(metric name, selector) of a `metric:` field; Pyrra accepts a plain vector selector only."""
    sel = where.get(node, key, field_path, str).strip()
    name = selector_name(sel)
    if name is None:
        raise where.fail(node, key, field_path, f"expected a vector selector like name{{label=\"value\"}}, got {sel!r}"[:300])
    return name, sel


def _grouping(where: Where, node: dict[str, Any], field_path: str) -> list[str]:
    raw = where.get(node, "grouping", f"{field_path}.grouping", list, required=False) or []
    if not all(isinstance(g, str) and _LABEL_RE.match(g) for g in raw):
        raise where.fail(node, "grouping", f"{field_path}.grouping", f"expected a list of label names, got {raw!r}"[:300])
    return list(raw)


Selectors = dict[str, tuple[str, str]]  # part (errors, success, total, metric) -> (metric name, selector)


def _queries(where: Where, ind: dict[str, Any], kind: str) -> tuple[dict[str, str], Selectors, list[str]]:
    fp = f"spec.indicator.{kind}"
    node = where.get(ind, kind, fp, dict)
    grouping = _grouping(where, node, fp)
    by = _by(grouping)

    def rate(sel: str) -> str:
        return f"sum{by} (rate({sel}[{{{{.window}}}}]))"

    if kind == "bool_gauge":
        sels = {"metric": _selector(where, node, "metric", f"{fp}.metric")}
        sel = sels["metric"][1]
        count = f"sum{by} (count_over_time({sel}[{{{{.window}}}}]))"
        raw = f"({count}\n-\nsum{by} (sum_over_time({sel}[{{{{.window}}}}])))\n/\n{count}"
        return {"raw_query": raw}, sels, grouping
    parts = ("errors", "total") if kind == "ratio" else ("success", "total")
    sels = {}
    for part in parts:
        sub = where.get(node, part, f"{fp}.{part}", dict)
        sels[part] = _selector(where, sub, "metric", f"{fp}.{part}.metric")
    if kind == "ratio":
        return {"error_query": rate(sels["errors"][1]), "total_query": rate(sels["total"][1])}, sels, grouping
    return {"good_query": rate(sels["success"][1]), "total_query": rate(sels["total"][1])}, sels, grouping


def _by(grouping: list[str]) -> str:
    return f" by ({', '.join(sorted(grouping))})" if grouping else ""


def _renamed(selector: tuple[str, str], name: str, slo: str, extra: str = "") -> str:
    """The selector on a recorded metric: same matchers, plus `slo` (and `extra`), as Pyrra queries them."""
    metric, sel = selector
    inner = sel[len(metric):].strip().removeprefix("{").removesuffix("}")
    # Pyrra's rules set `slo` themselves, replacing a label of that name the metric had
    kept = [m.group(0) for m in _MATCHER_RE.finditer(inner) if m.group(1) != "slo"]
    slo_value = slo.replace("\\", "\\\\").replace('"', '\\"')
    matchers = [*kept, *([extra] if extra else []), 'slo="' + slo_value + '"']
    return f"{name}{{{', '.join(matchers)}}}"


def period_rule(kind: str, sels: Selectors, grouping: list[str], slo: str, period: str) -> tuple[str, str]:
    """(recorded metric to look for, error-ratio query) over Pyrra's own rules for the whole window:
    `<metric>:increase<window>` (ratio, latency) or `:count<window>` / `:sum<window>` (bool_gauge), the
    queries Pyrra's QueryErrors / QueryTotal run, so the period is not a raw scan of its whole window."""
    window, by = pyrra_duration(period), _by(grouping)
    if kind == "bool_gauge":
        base = sels["metric"][0]
        count = f"sum{by} ({_renamed(sels['metric'], f'{base}:count{window}', slo)})"
        total_sum = f"sum{by} ({_renamed(sels['metric'], f'{base}:sum{window}', slo)})"
        return f"{base}:count{window}", f"({count}\n-\n{total_sum})\n/\n{count}"
    total_name = f"{_increase_base(sels['total'][0])}:increase{window}"
    if kind == "ratio":
        errors = _renamed(sels["errors"], f"{_increase_base(sels['errors'][0])}:increase{window}", slo)
        return total_name, f"(sum{by} ({errors}))\n/\n(sum{by} ({_renamed(sels['total'], total_name, slo)}))"
    success = _renamed(sels["success"], f"{_increase_base(sels['success'][0])}:increase{window}", slo)
    total = _renamed(sels["total"], total_name, slo, 'le=""')  # the count, not a bucket, in Pyrra's rule
    return total_name, f"1 - ((sum{by} ({success}))\n/\n(sum{by} ({total})))"


def pyrra_duration(period: str) -> str:
    """A window as Prometheus' model.Duration prints it, which is how Pyrra names its rules: weeks and
    years only when exact (28d -> 4w, 30d -> 30d, 7d -> 1w)."""
    left = int(duration_s(period))
    out = ""
    for unit, size, exact in (("y", 365 * 86400, True), ("w", 7 * 86400, True), ("d", 86400, False),
                              ("h", 3600, False), ("m", 60, False), ("s", 1, False)):
        if exact and left % size:
            continue
        if left >= size:
            out += f"{left // size}{unit}"
            left %= size
    return out or "0s"


def _increase_base(metric: str) -> str:
    """Pyrra's increaseName: the metric without _total, _count, _bucket."""
    for suffix in ("_total", "_count", "_bucket"):
        metric = metric.removesuffix(suffix)
    return metric


def _burnrate_base(metric: str) -> str:
    """Pyrra names its rules after the total metric without _total / _count (BurnrateName)."""
    for suffix in ("_total", "_count"):
        metric = metric.removesuffix(suffix)
    return metric
