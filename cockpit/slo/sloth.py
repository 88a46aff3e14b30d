"""Sloth specs: `version: prometheus/v1` files and the `sloth.slok.dev/v1` PrometheusServiceLevel CRD.

The CRD carries the same spec under `spec` with camelCase fields (errorQuery, errorRatioQuery, ...);
both spellings are read in both forms, each form's own first, so errors name the field as written.
SLO plugins (`plugins`, `slo_plugins`) change the rules Sloth generates, not what the SLI measures,
so they are ignored; an SLI plugin holds its queries in Go code and is refused by name.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from cockpit.config import ConfigError
from cockpit.slo.spec import DEFAULT_PERIOD, SLOSpec, Where, labels_of, templated


def specs(path: Path | str, doc: dict[str, Any]) -> list[SLOSpec]:
    where = Where(path)
    body, crd = doc, doc.get("kind") == "PrometheusServiceLevel"
    if crd:
        body = where.get(doc, "spec", "spec", dict)
    service = where.get(body, "service", "service", str)
    labels = labels_of(where, body, "labels", "labels")
    slos = where.get(body, "slos", "slos", list)
    if not slos:
        raise where.fail(body, "slos", "slos", "no SLOs defined")
    return [_slo(path, service, labels, i, slo, crd) for i, slo in enumerate(slos)]


def _slo(path: Path | str, service: str, labels: dict[str, str], i: int, slo: Any, crd: bool) -> SLOSpec:
    where = Where(path)
    if not isinstance(slo, dict):
        raise ConfigError(f"{path}: field 'slos[{i}]': expected a mapping")
    name = where.get(slo, "name", f"slos[{i}].name", str)
    where.slo = name
    objective = where.get(slo, "objective", "objective", (int, float))
    if not 0 < objective < 100 or math.isnan(objective):
        raise where.fail(slo, "objective", "objective", f"must be a percentage between 0 and 100 (exclusive), got {objective}")
    if objective <= 1:  # Sloth objectives are percentages; 0.999 here almost surely meant 99.9
        raise where.fail(slo, "objective", "objective", f"is a percentage: did you mean {objective * 100:g}? got {objective}")
    alerting = where.get(slo, "alerting", "alerting", dict, required=False) or {}
    alert = where.get(alerting, "name", "alerting.name", str, required=False)
    return SLOSpec(
        service=service, name=name, objective=round(objective / 100, 12), period=DEFAULT_PERIOD,
        labels={**labels, **labels_of(where, slo, "labels", "labels")},
        alert_names=(alert,) if alert else (), source_file=str(path), tool="sloth", **_sli(where, slo, crd),
    )


def _sli(where: Where, slo: dict[str, Any], crd: bool) -> dict[str, str]:
    sli = where.get(slo, "sli", "sli", dict)
    if sli.get("events") is not None:
        ev = where.get(sli, "events", "sli.events", dict)
        err, total = (("errorQuery", "error_query"), ("totalQuery", "total_query"))
        if not crd:
            err, total = err[::-1], total[::-1]
        return {"error_query": _query(where, ev, err, "sli.events."), "total_query": _query(where, ev, total, "sli.events.")}
    if sli.get("raw") is not None:
        raw = where.get(sli, "raw", "sli.raw", dict)
        keys = ("errorRatioQuery", "error_ratio_query") if crd else ("error_ratio_query", "errorRatioQuery")
        return {"raw_query": _query(where, raw, keys, "sli.raw.")}
    if sli.get("plugin") is not None:
        plugin = where.get(sli, "plugin", "sli.plugin", dict)
        pid = plugin.get("id") if isinstance(plugin.get("id"), str) else "?"
        raise where.fail(sli, "plugin", "sli.plugin", f"SLI plugin '{pid}' is not supported (its queries are Go "
                         "code cockpit cannot run); write the SLI as sli.events or sli.raw")
    ev_keys = "errorQuery, totalQuery" if crd else "error_query, total_query"
    raw_key = "errorRatioQuery" if crd else "error_ratio_query"
    raise where.fail(slo, "sli", "sli", f"needs 'events' ({ev_keys}) or 'raw' ({raw_key})")


def _query(where: Where, mapping: dict[str, Any], keys: tuple[str, ...], prefix: str) -> str:
    key = next((k for k in keys if mapping.get(k) is not None), keys[0])
    return templated(where, mapping, key, f"{prefix}{key}")
