"""`links:` URL templates (Grafana dashboards, log searches) filled from one alert, pod or SLO.

Every value is URL-encoded (a label value cannot add a path, a query or a fragment of its own), a
template whose placeholders are not all known gives no link rather than a wrong one, and only http and
https URLs with a host come out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from string import Formatter
from urllib.parse import quote, urlsplit

from cockpit.model import Alert, Pod, SLOStatus


def fill(template: str, values: Mapping[str, str]) -> str | None:
    """The template with {name} placeholders replaced by URL-encoded values, or None."""
    try:
        names = [name for _, name, _, _ in Formatter().parse(template) if name is not None]
    except ValueError:  # an unbalanced brace
        return None
    if any(name not in values for name in names):
        return None
    try:
        url = template.format_map({k: quote(str(v), safe="") for k, v in values.items()})
    except (ValueError, KeyError, IndexError, AttributeError):
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url


def links(templates: Iterable[str], values: Mapping[str, str]) -> list[str]:
    return [url for t in templates if (url := fill(t, values)) is not None]


def alert_values(a: Alert) -> dict[str, str]:
    return {**a.labels, "alertname": a.name, "severity": a.severity, "state": a.state,
            "fingerprint": a.fingerprint}


def pod_values(p: Pod) -> dict[str, str]:
    values = {**p.labels, "namespace": p.namespace, "pod": p.name, "node": p.node, "context": p.context,
              "cluster": p.cluster or p.context}
    if p.owner_name:
        values.setdefault("workload", p.owner_name)
    return values


def slo_values(s: SLOStatus) -> dict[str, str]:
    return {**s.labels, "service": s.service, "slo": s.name, "name": s.name, "namespace": s.namespace}
