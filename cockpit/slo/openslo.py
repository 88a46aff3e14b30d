"""OpenSLO specs: `openslo/v1` ratio SLOs (inline or referenced SLIs) and `openslo/v1alpha` as Sloth
reads it (`ratioMetrics` good/total or bad/total per objective, `timeWindows` count + unit).

Only what cockpit can compute is accepted: Prometheus ratio queries budgeted by occurrences. Timeslice
budgeting and threshold SLIs are refused with the reason, never read as something they are not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cockpit.slo.spec import (
    DEFAULT_PERIOD,
    WINDOW_RE,
    SLOSpec,
    Where,
    check_objective,
    is_selector,
    labels_of,
    prom_duration,
)

_PROMETHEUS_SOURCES = {"prometheus", "thanos", "cortex", "mimir", "victoriametrics", "sloth"}
_UNITS = {"second": "s", "minute": "m", "hour": "h", "day": "d", "week": "w", "month": "M",
          "quarter": "Q", "year": "Y"}


def _budgeting(where: Where, spec: dict[str, Any]) -> None:
    method = spec.get("budgetingMethod")
    if isinstance(method, str) and method.lower() != "occurrences":
        raise where.fail(spec, "budgetingMethod", "spec.budgetingMethod",
                         f"'{method}' budgeting is not supported; cockpit computes Occurrences (good/total events)")


# ---------------------------------------------------------------- v1


def _indicator(where: Where, ind: Any, field_path: str) -> dict[str, str]:
    spec = where.get(ind, "spec", f"{field_path}.spec", dict)
    if spec.get("ratioMetric") is None:
        kinds = ", ".join(k for k in spec if k != "ratioMetric") or "none"
        raise where.fail(spec, next(iter(spec), "spec"), f"{field_path}.spec.ratioMetric",
                         f"only ratio SLIs are supported (found: {kinds})")
    rm = where.get(spec, "ratioMetric", f"{field_path}.spec.ratioMetric", dict)
    counter = rm.get("counter") is True

    def query(part: str) -> str:
        fp = f"{field_path}.spec.ratioMetric.{part}"
        node = where.get(rm, part, fp, dict)
        src = where.get(node, "metricSource", f"{fp}.metricSource", dict)
        kind = src.get("type")
        if isinstance(kind, str) and kind.lower() not in _PROMETHEUS_SOURCES:
            raise where.fail(src, "type", f"{fp}.metricSource.type",
                             f"metric source '{kind}' is not Prometheus; cockpit reads PromQL SLIs only")
        src_spec = where.get(src, "spec", f"{fp}.metricSource.spec", dict)
        q = where.get(src_spec, "query", f"{fp}.metricSource.spec.query", str)
        if WINDOW_RE.search(q):
            return q
        if counter and is_selector(q):  # a bare counter selector: we add the rate
            return f"sum(rate({q.strip()}[{{{{.window}}}}]))"
        raise where.fail(src_spec, "query", f"{fp}.metricSource.spec.query",
                         "query must contain {{.window}} (or be a bare counter selector with counter: true)")

    if rm.get("raw") is not None:  # a ratio computed already: rawType says of what
        raw_type = rm.get("rawType")
        if raw_type not in ("success", "failure"):
            raise where.fail(rm, "rawType", f"{field_path}.spec.ratioMetric.rawType",
                             f"must be 'success' or 'failure' next to 'raw', got {raw_type!r}")
        q = query("raw")
        return {"raw_query": q if raw_type == "failure" else f"1 - ({q})"}
    if rm.get("total") is None:
        raise where.fail(rm, "total", f"{field_path}.spec.ratioMetric.total", "missing")
    if rm.get("bad") is not None:
        return {"error_query": query("bad"), "total_query": query("total")}
    if rm.get("good") is not None:
        return {"good_query": query("good"), "total_query": query("total")}
    raise where.fail(rm, "good", f"{field_path}.spec.ratioMetric.good", "needs 'good' or 'bad' next to 'total'")


def _period(where: Where, spec: dict[str, Any]) -> str:
    windows = where.get(spec, "timeWindow", "spec.timeWindow", list, required=False)
    if not windows:
        return DEFAULT_PERIOD
    tw = windows[0]
    dur = where.get(tw, "duration", "spec.timeWindow[0].duration", str)
    try:
        return prom_duration(dur)
    except ValueError:
        raise where.fail(tw, "duration", "spec.timeWindow[0].duration",
                         f"expected a duration like 28d or 4w, got {dur!r}") from None


def _target(where: Where, obj: Any, i: int, key: str = "target") -> float:
    fp = f"spec.objectives[{i}]"
    if isinstance(obj, dict) and obj.get("targetPercent") is not None:
        pct = where.get(obj, "targetPercent", f"{fp}.targetPercent", (int, float))
        target, key = pct / 100, "targetPercent"
    else:
        target = where.get(obj, key, f"{fp}.{key}", (int, float))
    if not check_objective(target):
        raise where.fail(obj, key, f"{fp}.{key}", f"must be between 0 and 1 (or 0-100 for targetPercent), got {obj[key]}")
    return float(target)


def specs_v1(path: Path | str, doc: dict[str, Any], slis: Mapping[str, tuple[Path | str, dict]]) -> list[SLOSpec]:
    where = Where(path)
    meta = where.get(doc, "metadata", "metadata", dict)
    name = where.get(meta, "name", "metadata.name", str)
    where.slo = name
    spec = where.get(doc, "spec", "spec", dict)
    service = where.get(spec, "service", "spec.service", str)
    _budgeting(where, spec)
    if spec.get("indicator") is not None:
        queries = _indicator(where, where.get(spec, "indicator", "spec.indicator", dict), "spec.indicator")
    else:
        ref = where.get(spec, "indicatorRef", "spec.indicatorRef", str)
        if ref not in slis:
            raise where.fail(spec, "indicatorRef", "spec.indicatorRef", f"no SLI named {ref!r} in the given files")
        sli_path, sli_doc = slis[ref]
        queries = _indicator(Where(sli_path, name), sli_doc, f"SLI {ref}")
    objectives = where.get(spec, "objectives", "spec.objectives", list)
    if not objectives:
        raise where.fail(spec, "objectives", "spec.objectives", "no objectives defined")
    period = _period(where, spec)
    labels = labels_of(where, meta, "labels", "metadata.labels")
    alerts = tuple(_alert_names(spec.get("alertPolicies")))
    out = []
    for i, obj in enumerate(objectives):
        oname = name
        if len(objectives) > 1:
            suffix = obj.get("name") or obj.get("displayName") if isinstance(obj, dict) else None
            oname = f"{name}-{suffix or i}"
        out.append(SLOSpec(service=service, name=oname, objective=_target(where, obj, i), period=period,
                           labels=labels, alert_names=alerts, source_file=str(path), tool="openslo", **queries))
    return out


def _alert_names(policies: Any) -> Iterable[str]:
    for p in policies if isinstance(policies, list) else ():
        if isinstance(p, str):
            yield p
        elif isinstance(p, dict):
            ref = p.get("alertPolicyRef")
            meta = p.get("metadata")
            if isinstance(ref, str):
                yield ref
            elif isinstance(meta, dict) and isinstance(meta.get("name"), str):
                yield meta["name"]


# ---------------------------------------------------------------- v1alpha (Sloth's reading)


def _alpha_period(where: Where, spec: dict[str, Any]) -> str:
    windows = where.get(spec, "timeWindows", "spec.timeWindows", list, required=False)
    if not windows:
        return DEFAULT_PERIOD
    tw = windows[0]
    count = where.get(tw, "count", "spec.timeWindows[0].count", int)
    unit = where.get(tw, "unit", "spec.timeWindows[0].unit", str)
    letter = _UNITS.get(unit.lower())
    if letter is None or count <= 0:
        raise where.fail(tw, "unit" if letter is None else "count", "spec.timeWindows[0]",
                         f"expected a positive count of Second/Minute/Hour/Day/Week/Month/Quarter/Year, "
                         f"got {count!r} {unit!r}")
    return prom_duration(f"{count}{letter}")


def _alpha_query(where: Where, rm: dict[str, Any], part: str, fp: str) -> str:
    node = where.get(rm, part, f"{fp}.{part}", dict)
    source = node.get("source")
    if isinstance(source, str) and source.lower() not in _PROMETHEUS_SOURCES:
        raise where.fail(node, "source", f"{fp}.{part}.source", f"source '{source}' is not Prometheus")
    qtype = node.get("queryType")
    if isinstance(qtype, str) and qtype.lower() != "promql":
        raise where.fail(node, "queryType", f"{fp}.{part}.queryType", f"query type '{qtype}' is not promql")
    q = where.get(node, "query", f"{fp}.{part}.query", str)
    if not WINDOW_RE.search(q):
        raise where.fail(node, "query", f"{fp}.{part}.query", "query must contain {{.window}}")
    return q


def specs_v1alpha(path: Path | str, doc: dict[str, Any]) -> list[SLOSpec]:
    """Named `<metadata.name>-<index>` per objective, as Sloth names them (its recording rules match)."""
    where = Where(path)
    meta = where.get(doc, "metadata", "metadata", dict)
    name = where.get(meta, "name", "metadata.name", str)
    where.slo = name
    spec = where.get(doc, "spec", "spec", dict)
    service = where.get(spec, "service", "spec.service", str)
    _budgeting(where, spec)
    period = _alpha_period(where, spec)
    objectives = where.get(spec, "objectives", "spec.objectives", list)
    if not objectives:
        raise where.fail(spec, "objectives", "spec.objectives", "no objectives defined")
    labels = labels_of(where, meta, "labels", "metadata.labels")
    out = []
    for i, obj in enumerate(objectives):
        fp = f"spec.objectives[{i}].ratioMetrics"
        if not isinstance(obj, dict) or obj.get("ratioMetrics") is None:
            found = ", ".join(k for k in obj if k not in ("target", "displayName")) if isinstance(obj, dict) else "none"
            raise where.fail(obj, "ratioMetrics", fp, f"only ratioMetrics SLIs are supported (found: {found or 'none'})")
        rm = where.get(obj, "ratioMetrics", fp, dict)
        if rm.get("total") is None:
            raise where.fail(rm, "total", f"{fp}.total", "missing")
        q: dict[str, Any]
        if rm.get("bad") is not None:
            q = {"error_query": _alpha_query(where, rm, "bad", fp)}
        elif rm.get("good") is not None:
            q = {"good_query": _alpha_query(where, rm, "good", fp)}
        else:
            raise where.fail(rm, "good", f"{fp}.good", "needs 'good' or 'bad' next to 'total'")
        q["total_query"] = _alpha_query(where, rm, "total", fp)
        out.append(SLOSpec(service=service, name=f"{name}-{i}", objective=_target(where, obj, i), period=period,
                           labels=labels, source_file=str(path), tool="sloth", **q))
    return out
