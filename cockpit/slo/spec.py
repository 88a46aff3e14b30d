"""SLO specs: Sloth `prometheus/v1` files and OpenSLO v1 ratio SLOs, read into one SLOSpec shape.

Errors are ConfigError naming the file, the line, the SLO and the field, so a user fixes a spec
without reading our code. Queries are kept as templates; `{{.window}}` is substituted per window.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cockpit.config import ConfigError, _LineLoader, key_line

WINDOW_RE = re.compile(r"\{\{\s*\.window\s*\}\}")
_SELECTOR_RE = re.compile(r"^\s*[a-zA-Z_:][a-zA-Z0-9_:]*\s*(\{[^{}]*\})?\s*$")
_DURATION_RE = re.compile(r"^(\d+)([smhdwMQYy])$")
_DAYS = {"w": 7, "M": 30, "Q": 90, "Y": 365, "y": 365}  # Prometheus has no month/quarter unit
DEFAULT_PERIOD = "30d"


@dataclass(frozen=True)
class SLOSpec:
    service: str
    name: str
    objective: float  # fraction, e.g. 0.999
    period: str = DEFAULT_PERIOD  # a Prometheus duration, e.g. "30d"
    error_query: str = ""  # templates with {{.window}}; either error+total ...
    total_query: str = ""
    good_query: str = ""  # ... or good+total (OpenSLO) ...
    raw_query: str = ""  # ... or an error ratio already computed
    labels: Mapping[str, str] = field(default_factory=dict, hash=False)
    alert_names: tuple[str, ...] = ()
    source_file: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.service, self.name)

    def error_ratio_query(self, window: str) -> str:
        """The PromQL for the error ratio (0..1) over `window`; 0/0 stays NaN (no traffic)."""
        def sub(q: str) -> str:
            return WINDOW_RE.sub(window, q.strip())

        if self.raw_query:
            return sub(self.raw_query)
        if self.good_query:
            return f"1 - (({sub(self.good_query)})\n/\n({sub(self.total_query)}))"
        return f"({sub(self.error_query)})\n/\n({sub(self.total_query)})"


def period_days(period: str) -> float:
    return duration_s(period) / 86400


def duration_s(text: str) -> float:
    """Seconds of a Prometheus/OpenSLO duration like 5m, 28d, 4w, 1M."""
    m = _DURATION_RE.match(text.strip())
    if not m:
        raise ValueError(f"not a duration: {text!r}")
    n, unit = int(m.group(1)), m.group(2)
    mult = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(unit) or _DAYS[unit] * 86400
    return float(n * mult)


def _prom_duration(text: str) -> str:
    """OpenSLO units w/M/Q/Y become days so the window can go into PromQL."""
    m = _DURATION_RE.match(text.strip())
    if not m:
        raise ValueError(text)
    n, unit = int(m.group(1)), m.group(2)
    return f"{n * _DAYS[unit]}d" if unit in _DAYS else f"{n}{unit}"


class _Where:
    """Builds error messages: file, line of the offending key, SLO name, field path."""

    def __init__(self, path: Path, slo: str = "") -> None:
        self.path, self.slo = path, slo

    def fail(self, mapping: Any, key: str, field_path: str, problem: str) -> ConfigError:
        slo = f" slo '{self.slo}':" if self.slo else ""
        return ConfigError(f"{self.path}{key_line(mapping, key)}:{slo} field '{field_path}': {problem}")

    def get(self, mapping: Any, key: str, field_path: str, kind: type | tuple[type, ...],
            required: bool = True) -> Any:
        if not isinstance(mapping, dict):
            raise self.fail(mapping, key, field_path.rsplit(".", 1)[0] or field_path, "expected a mapping")
        value = mapping.get(key)
        if value is None:
            if required:
                raise self.fail(mapping, key, field_path, "missing")
            return None
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise self.fail(mapping, key, field_path, f"expected {_A.get(names, names)}, got {value!r}"[:300])
        if isinstance(value, str) and required and not value.strip():
            raise self.fail(mapping, key, field_path, "must not be empty")
        return value


_A = {"str": "a string", "dict": "a mapping", "list": "a list", "int/float": "a number"}


def _labels(where: _Where, mapping: Any, key: str, field_path: str) -> dict[str, str]:
    raw = where.get(mapping, key, field_path, dict, required=False) or {}
    out: dict[str, str] = {}
    for k, v in raw.items():
        if isinstance(v, list):  # OpenSLO allows a list of values per label
            v = ",".join(str(x) for x in v)
        if isinstance(v, dict):
            raise where.fail(raw, str(k), f"{field_path}.{k}", "expected a string value")
        out[str(k)] = str(v)
    return out


def _templated(where: _Where, mapping: Any, key: str, field_path: str) -> str:
    q = where.get(mapping, key, field_path, str)
    if not WINDOW_RE.search(q):
        raise where.fail(mapping, key, field_path, "query must contain {{.window}}")
    return q


# ---------------------------------------------------------------- Sloth


def _sloth_specs(path: Path, doc: dict[str, Any]) -> list[SLOSpec]:
    where = _Where(path)
    body = doc
    if doc.get("kind") == "PrometheusServiceLevel":  # Sloth's Kubernetes CRD wraps the same spec
        body = where.get(doc, "spec", "spec", dict)
    service = where.get(body, "service", "service", str)
    labels = _labels(where, body, "labels", "labels")
    slos = where.get(body, "slos", "slos", list)
    if not slos:
        raise where.fail(body, "slos", "slos", "no SLOs defined")
    return [_sloth_slo(path, service, labels, i, slo) for i, slo in enumerate(slos)]


def _sloth_slo(path: Path, service: str, labels: dict[str, str], i: int, slo: Any) -> SLOSpec:
    where = _Where(path)
    if not isinstance(slo, dict):
        raise ConfigError(f"{path}: field 'slos[{i}]': expected a mapping")
    name = where.get(slo, "name", f"slos[{i}].name", str)
    where.slo = name
    objective = where.get(slo, "objective", "objective", (int, float))
    if not 0 < objective < 100 or math.isnan(objective):
        raise where.fail(slo, "objective", "objective", f"must be a percentage between 0 and 100 (exclusive), got {objective}")
    if objective <= 1:  # Sloth objectives are percentages; 0.999 here almost surely meant 99.9
        raise where.fail(slo, "objective", "objective", f"is a percentage: did you mean {objective * 100:g}? got {objective}")
    sli = where.get(slo, "sli", "sli", dict)
    q: dict[str, str] = {}
    if sli.get("events") is not None:
        ev = where.get(sli, "events", "sli.events", dict)
        q["error_query"] = _templated(where, ev, "error_query", "sli.events.error_query")
        q["total_query"] = _templated(where, ev, "total_query", "sli.events.total_query")
    elif sli.get("raw") is not None:
        raw = where.get(sli, "raw", "sli.raw", dict)
        key = "error_ratio_query" if "error_ratio_query" in raw else "errorRatioQuery"  # older Sloth spelling
        q["raw_query"] = _templated(where, raw, key, f"sli.raw.{key}")
    elif sli.get("plugin") is not None:
        raise where.fail(sli, "plugin", "sli.plugin", "SLI plugins are not supported; use sli.events or sli.raw")
    else:
        raise where.fail(slo, "sli", "sli", "needs 'events' (error_query, total_query) or 'raw' (error_ratio_query)")
    alerting = where.get(slo, "alerting", "alerting", dict, required=False) or {}
    alert = where.get(alerting, "name", "alerting.name", str, required=False)
    return SLOSpec(
        service=service, name=name, objective=round(objective / 100, 12), period=DEFAULT_PERIOD,
        labels={**labels, **_labels(where, slo, "labels", "labels")},
        alert_names=(alert,) if alert else (), source_file=str(path), **q,
    )


# ---------------------------------------------------------------- OpenSLO


def _openslo_indicator(where: _Where, ind: Any, field_path: str) -> dict[str, str]:
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
        src_spec = where.get(src, "spec", f"{fp}.metricSource.spec", dict)
        q = where.get(src_spec, "query", f"{fp}.metricSource.spec.query", str)
        if WINDOW_RE.search(q):
            return q
        if counter and _SELECTOR_RE.match(q):  # a bare counter selector: we add the rate
            return f"sum(rate({q.strip()}[{{{{.window}}}}]))"
        raise where.fail(src_spec, "query", f"{fp}.metricSource.spec.query",
                         "query must contain {{.window}} (or be a bare counter selector with counter: true)")

    if rm.get("total") is None:
        raise where.fail(rm, "total", f"{field_path}.spec.ratioMetric.total", "missing")
    if rm.get("bad") is not None:
        return {"error_query": query("bad"), "total_query": query("total")}
    if rm.get("good") is not None:
        return {"good_query": query("good"), "total_query": query("total")}
    raise where.fail(rm, "good", f"{field_path}.spec.ratioMetric.good", "needs 'good' or 'bad' next to 'total'")


def _openslo_period(where: _Where, spec: dict[str, Any]) -> str:
    windows = where.get(spec, "timeWindow", "spec.timeWindow", list, required=False)
    if not windows:
        return DEFAULT_PERIOD
    tw = windows[0]
    dur = where.get(tw, "duration", "spec.timeWindow[0].duration", str)
    try:
        return _prom_duration(dur)
    except ValueError:
        raise where.fail(tw, "duration", "spec.timeWindow[0].duration",
                         f"expected a duration like 28d or 4w, got {dur!r}") from None


def _openslo_target(where: _Where, obj: Any, i: int) -> float:
    fp = f"spec.objectives[{i}]"
    if isinstance(obj, dict) and obj.get("targetPercent") is not None:
        pct = where.get(obj, "targetPercent", f"{fp}.targetPercent", (int, float))
        target, key = pct / 100, "targetPercent"
    else:
        target, key = where.get(obj, "target", f"{fp}.target", (int, float)), "target"
    if not 0 < target < 1:
        raise where.fail(obj, key, f"{fp}.{key}", f"must be between 0 and 1 (or 0-100 for targetPercent), got {obj[key]}")
    return float(target)


def _openslo_specs(path: Path, doc: dict[str, Any], slis: Mapping[str, tuple[Path, dict]]) -> list[SLOSpec]:
    where = _Where(path)
    meta = where.get(doc, "metadata", "metadata", dict)
    name = where.get(meta, "name", "metadata.name", str)
    where.slo = name
    spec = where.get(doc, "spec", "spec", dict)
    service = where.get(spec, "service", "spec.service", str)
    if spec.get("indicator") is not None:
        queries = _openslo_indicator(where, where.get(spec, "indicator", "spec.indicator", dict), "spec.indicator")
    else:
        ref = where.get(spec, "indicatorRef", "spec.indicatorRef", str)
        if ref not in slis:
            raise where.fail(spec, "indicatorRef", "spec.indicatorRef", f"no SLI named {ref!r} in the given files")
        sli_path, sli_doc = slis[ref]
        queries = _openslo_indicator(_Where(sli_path, name), sli_doc, f"SLI {ref}")
    objectives = where.get(spec, "objectives", "spec.objectives", list)
    if not objectives:
        raise where.fail(spec, "objectives", "spec.objectives", "no objectives defined")
    period = _openslo_period(where, spec)
    labels = _labels(where, meta, "labels", "metadata.labels")
    alerts = tuple(_alert_names(spec.get("alertPolicies")))
    out = []
    for i, obj in enumerate(objectives):
        oname = name
        if len(objectives) > 1:
            suffix = obj.get("name") or obj.get("displayName") if isinstance(obj, dict) else None
            oname = f"{name}-{suffix or i}"
        out.append(SLOSpec(service=service, name=oname, objective=_openslo_target(where, obj, i), period=period,
                           labels=labels, alert_names=alerts, source_file=str(path), **queries))
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


# ---------------------------------------------------------------- loading


def _documents(path: Path) -> list[tuple[int, Any]]:
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        docs = list(yaml.load_all(text, Loader=_LineLoader))  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    return [(i, d) for i, d in enumerate(docs) if d is not None]


def _kind(path: Path, i: int, doc: Any) -> str:
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: document {i + 1}: expected a mapping (a Sloth or OpenSLO spec)")
    if doc.get("version") == "prometheus/v1" or str(doc.get("apiVersion", "")).startswith("sloth.slok.dev/"):
        return "sloth"
    api = str(doc.get("apiVersion", ""))
    if api == "openslo/v1":
        return f"openslo:{doc.get('kind', '')}"
    found = doc.get("version") or api or "no version/apiVersion"
    raise ConfigError(f"{path}{key_line(doc, 'version') or key_line(doc, 'apiVersion')}: document {i + 1}: "
                      f"unsupported spec ({found!r}); expected Sloth version \"prometheus/v1\" or apiVersion openslo/v1")


def spec_files(paths: Iterable[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.suffix in (".yaml", ".yml") and f.is_file()))
        elif p.exists():
            files.append(p)
        else:
            raise ConfigError(f"{p}: SLO spec file not found")
    return files


def load_specs(paths: Iterable[str]) -> list[SLOSpec]:
    """Read Sloth and OpenSLO specs from files and directories (*.yaml, *.yml, recursively)."""
    parsed = [(f, i, d, _kind(f, i, d)) for f in spec_files(paths) for i, d in _documents(f)]
    slis: dict[str, tuple[Path, dict]] = {}
    for f, _, d, kind in parsed:
        if kind == "openslo:SLI":
            meta = _Where(f).get(d, "metadata", "metadata", dict)
            slis[_Where(f).get(meta, "name", "metadata.name", str)] = (f, d)
    specs: list[SLOSpec] = []
    for f, _, d, kind in parsed:
        if kind == "sloth":
            specs.extend(_sloth_specs(f, d))
        elif kind == "openslo:SLO":
            specs.extend(_openslo_specs(f, d, slis))
    seen: dict[tuple[str, str], str] = {}
    for s in specs:
        if s.key in seen:
            raise ConfigError(f"{s.source_file}: slo '{s.name}' of service '{s.service}' is also defined in {seen[s.key]}")
        seen[s.key] = s.source_file
    return specs
