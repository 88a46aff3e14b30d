"""SLO specs as teams keep them, read into one SLOSpec shape: Sloth (`prometheus/v1` files and the
`sloth.slok.dev/v1` PrometheusServiceLevel CRD), OpenSLO (`v1`, and `v1alpha` as Sloth reads it) and
Pyrra (`pyrra.dev/v1alpha1` ServiceLevelObjective), from files or from cluster objects.

Errors are ConfigError naming the file (or cluster object), the line, the SLO and the field, so a user
fixes a spec without reading our code. Queries are kept as templates; `{{.window}}` is substituted per
window. The readers of each tool live in sloth.py, openslo.py and pyrra.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cockpit.analysis.duration import SPEC_DAYS, SPEC_DURATION_RE
from cockpit.analysis.duration import duration_s as duration_s  # re-export for compatibility
from cockpit.config import ConfigError, _LineLoader, key_line

WINDOW_RE = re.compile(r"\{\{\s*\.window\s*\}\}")
_SELECTOR_RE = re.compile(r"^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^{}\[\]()]*\})?\s*$")
_QUOTED_RE = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
DEFAULT_PERIOD = "30d"


@dataclass(frozen=True)
class SLOSpec:
    service: str
    name: str
    objective: float  # fraction, e.g. 0.999
    period: str = DEFAULT_PERIOD  # a Prometheus duration, e.g. "30d"
    error_query: str = ""  # templates with {{.window}}; either error+total ...
    total_query: str = ""
    good_query: str = ""  # ... or good+total (OpenSLO, Pyrra latency) ...
    raw_query: str = ""  # ... or an error ratio already computed
    labels: Mapping[str, str] = field(default_factory=dict, hash=False)
    alert_names: tuple[str, ...] = ()
    source_file: str = ""  # a file path, or "cluster CONTEXT: Kind ns/name"
    tool: str = ""  # sloth | openslo | pyrra: whose recording rules may exist for it
    pyrra_metric: str = ""  # Pyrra's recording rules are `<pyrra_metric>:burnrate<window>{slo=name}`
    pyrra_period_metric: str = ""  # ... and for the whole window this one (`<metric>:increase4w`) ...
    pyrra_period_query: str = ""  # ... read by this error-ratio query

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


def prom_duration(text: str) -> str:
    """OpenSLO/Pyrra units w/M/Q/Y become days so the window can go into PromQL."""
    m = SPEC_DURATION_RE.match(text.strip())
    if not m or int(m.group(1)) == 0:
        raise ValueError(text)
    n, unit = int(m.group(1)), m.group(2)
    return f"{n * SPEC_DAYS[unit]}d" if unit in SPEC_DAYS else f"{n}{unit}"


class Where:
    """Builds error messages: file (or cluster object), line of the offending key, SLO name, field path."""

    def __init__(self, path: Path | str, slo: str = "") -> None:
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


def labels_of(where: Where, mapping: Any, key: str, field_path: str) -> dict[str, str]:
    raw = where.get(mapping, key, field_path, dict, required=False) or {}
    out: dict[str, str] = {}
    for k, v in raw.items():
        if isinstance(v, list):  # OpenSLO allows a list of values per label
            v = ",".join(str(x) for x in v)
        if isinstance(v, dict):
            raise where.fail(raw, str(k), f"{field_path}.{k}", "expected a string value")
        out[str(k)] = str(v)
    return out


def templated(where: Where, mapping: Any, key: str, field_path: str) -> str:
    q = where.get(mapping, key, field_path, str)
    if not WINDOW_RE.search(q):
        raise where.fail(mapping, key, field_path, "query must contain {{.window}}")
    return q


def selector_name(query: str) -> str | None:
    """The metric name of a plain vector selector (`name{label=~"5[0-9]{2}"}`), else None. Label values
    may hold any character, so they are blanked before the shape is checked."""
    m = _SELECTOR_RE.match(_QUOTED_RE.sub('""', query))
    return m.group(1) if m else None


def is_selector(query: str) -> bool:
    return selector_name(query) is not None


def check_objective(value: float) -> bool:
    return 0 < value < 1 and not math.isnan(value)


# ---------------------------------------------------------------- kinds


class NotAnSLO(Exception):
    """A document of a known tool that holds no SLO (Sloth AlertWindows, OpenSLO Service, ...)."""


_TOOLS = ("sloth", "openslo", "pyrra")


def kind_of(where: Where, i: int, doc: Any) -> str:
    """'sloth' | 'openslo:SLO' | 'openslo:SLI' | 'openslo-alpha' | 'pyrra'; NotAnSLO for a document of a
    known tool (or any Kubernetes object) that holds no SLO; ConfigError for anything else."""
    if not isinstance(doc, dict):
        raise ConfigError(f"{where.path}: document {i + 1}: expected a mapping (a Sloth, OpenSLO or Pyrra spec)")
    api, kind = str(doc.get("apiVersion") or ""), str(doc.get("kind") or "")
    if doc.get("version") == "prometheus/v1":
        return "sloth"
    if api.startswith("sloth.slok.dev/"):
        if kind == "PrometheusServiceLevel":
            return "sloth"
        raise NotAnSLO(kind or api)
    if api == "openslo/v1":
        if kind in ("SLO", "SLI"):
            return f"openslo:{kind}"
        raise NotAnSLO(kind or api)
    if api == "openslo/v1alpha":
        if kind == "SLO":
            return "openslo-alpha"
        raise NotAnSLO(kind or api)
    if api.startswith("pyrra.dev/"):
        if kind == "ServiceLevelObjective":
            return "pyrra"
        raise NotAnSLO(kind or api)
    found = doc.get("version") or api or "no version/apiVersion"
    line = key_line(doc, "version") or key_line(doc, "apiVersion")
    if api and kind and not doc.get("version"):  # some other Kubernetes object (a manifests directory)
        raise NotAnSLO(f"{kind} ({api})", f"{where.path}{line}: document {i + 1}: unsupported spec ({found!r})")
    raise ConfigError(f"{where.path}{line}: document {i + 1}: unsupported spec ({found!r}); expected Sloth "
                      "version \"prometheus/v1\", apiVersion sloth.slok.dev/v1, openslo/v1, openslo/v1alpha "
                      "or pyrra.dev/v1alpha1")


# ---------------------------------------------------------------- loading


def _documents(path: Path) -> list[tuple[int, Any]]:
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        docs = list(yaml.load_all(text, Loader=_LineLoader))  # SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    return [(i, d) for i, d in enumerate(docs) if d is not None]


def spec_files(paths: Iterable[str]) -> list[tuple[Path, bool]]:
    """(file, named explicitly); directories give their *.yaml / *.yml files, recursively."""
    files: list[tuple[Path, bool]] = []
    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            files.extend((f, False) for f in sorted(p.rglob("*")) if f.suffix in (".yaml", ".yml") and f.is_file())
        elif p.exists():
            files.append((p, True))
        else:
            raise ConfigError(f"{p}: SLO spec file not found")
    return files


def _classify(path: Path | str, docs: list[tuple[int, Any]], explicit: bool) -> list[tuple[Any, str]]:
    """The SLO documents of one file with their kind. A file with none is refused when it was named
    (naming what it holds instead); inside a directory it is skipped, as manifests sit next to SLOs."""
    where = Where(path)
    found: list[tuple[Any, str]] = []
    others: list[NotAnSLO] = []
    for i, d in docs:
        try:
            found.append((d, kind_of(where, i, d)))
        except NotAnSLO as exc:
            others.append(exc)
    if found or not explicit:
        return found
    if not others:
        raise ConfigError(f"{path}: no SLO spec in the file (it is empty)")
    if len(others[0].args) > 1:  # a Kubernetes object of no SLO tool: the generic message
        raise ConfigError(f"{others[0].args[1]}; expected a Sloth, OpenSLO or Pyrra SLO")
    kinds = ", ".join(dict.fromkeys(str(o.args[0]) for o in others))
    raise ConfigError(f"{path}: not an SLO spec: {kinds}")


def specs_from_documents(items: Iterable[tuple[Path | str, Any, str]],
                         slis: Mapping[str, tuple[Path | str, dict]] | None = None) -> list[SLOSpec]:
    """(source, document, kind) -> specs; OpenSLO indicatorRefs resolve against `slis`."""
    from cockpit.slo import openslo, pyrra, sloth

    specs: list[SLOSpec] = []
    for src, d, kind in items:
        if kind == "sloth":
            specs.extend(sloth.specs(src, d))
        elif kind == "openslo:SLO":
            specs.extend(openslo.specs_v1(src, d, slis or {}))
        elif kind == "openslo-alpha":
            specs.extend(openslo.specs_v1alpha(src, d))
        elif kind == "pyrra":
            specs.append(pyrra.spec(src, d))
    return specs


def load_specs(paths: Iterable[str]) -> list[SLOSpec]:
    """Read Sloth, OpenSLO and Pyrra specs from files and directories (*.yaml, *.yml, recursively)."""
    parsed = [(f, d, kind) for f, explicit in spec_files(paths) for d, kind in _classify(f, _documents(f), explicit)]
    slis: dict[str, tuple[Path | str, dict]] = {}
    for f, d, kind in parsed:
        if kind == "openslo:SLI":
            meta = Where(f).get(d, "metadata", "metadata", dict)
            slis[Where(f).get(meta, "name", "metadata.name", str)] = (f, d)
    specs = specs_from_documents(parsed, slis)
    seen: dict[tuple[str, str], str] = {}
    for s in specs:
        if s.key in seen:
            raise ConfigError(f"{s.source_file}: slo '{s.name}' of service '{s.service}' is also defined in {seen[s.key]}")
        seen[s.key] = s.source_file
    return specs


def merge_specs(*groups: Iterable[SLOSpec]) -> tuple[list[SLOSpec], list[str]]:
    """Files first, then cluster objects: an SLO (same service and name) seen again is kept once and
    reported once, with both places, so a team that keeps files and CRDs sees it a single time."""
    seen: dict[tuple[str, str], SLOSpec] = {}
    notes: list[str] = []
    for group in groups:
        for s in group:
            first = seen.get(s.key)
            if first is None:
                seen[s.key] = s
            elif first.source_file != s.source_file:
                notes.append(f"slo {s.service}/{s.name}: defined in {first.source_file} and {s.source_file}; "
                             f"using {first.source_file}")
    return list(seen.values()), notes
