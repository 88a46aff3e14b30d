"""What a list of alerts, pods or SLOs shows first and how its title counts it: shared by the panes
and the markdown report (pure text, no Rich)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from cockpit.analysis.duration import format_duration
from cockpit.analysis.sanitize import sanitize_line
from cockpit.model import SLO_STATUS_ORDER, Alert, SLOStatus, severity_rank, utcnow

if TYPE_CHECKING:
    from cockpit.sources.hub import Coverage


def alert_groups(alerts: Sequence[Alert]) -> list[tuple[str, list[Alert]]]:
    """Grouped by alertname; groups and members ordered by severity, then the oldest first."""
    far = utcnow()
    groups: dict[str, list[Alert]] = defaultdict(list)
    for a in alerts:
        groups[a.name].append(a)

    def rank(a: Alert) -> tuple:
        return (a.state in ("silenced", "inhibited"), severity_rank(a.severity), a.starts_at or far)

    for members in groups.values():
        members.sort(key=rank)
    return sorted(groups.items(), key=lambda kv: (rank(kv[1][0]), kv[0]))


def alerts_title(alerts: Sequence[Alert], shown: int | None = None) -> str:
    active = [a for a in alerts if a.state not in ("silenced", "inhibited")]
    critical = sum(1 for a in active if severity_rank(a.severity) == 0)
    silenced = len(alerts) - len(active)
    parts = [f"Alerts {len(active)}"]
    if critical:
        parts.append(f"{critical} critical")
    if silenced:
        parts.append(f"{silenced} silenced")
    if shown is not None and shown != len(alerts):
        parts.append(f"{shown} shown")
    return " · ".join(parts)


def pods_title(total: int, problems: int, shown: int | None = None, clusters: int | None = None) -> str:
    """`Pods 10000 · 213 problems`; a fleet adds `· 50 clusters` (its rows are the problems and the
    filtered cluster's pods, so `shown` is not compared with the total there)."""
    title = f"Pods {total} · {problems} problems"
    if clusters is not None:
        return title + f" · {clusters} clusters"
    return title + (f" · {shown} shown" if shown is not None and shown != total else "")


def order_slos(slos: Iterable[SLOStatus]) -> list[SLOStatus]:
    def rank(s: SLOStatus) -> tuple:
        b = s.budget_remaining
        return (SLO_STATUS_ORDER.get(s.status, 9), b if b is not None else math.inf, s.service, s.name)

    return sorted(slos, key=rank)


def eta(seconds: float | None) -> str:
    if seconds is None or math.isinf(seconds) or math.isnan(seconds):
        return "-"
    return "now" if seconds <= 0 else format_duration(seconds)


def slos_title(slos: Sequence[SLOStatus]) -> str:
    pages = sum(1 for s in slos if s.status == "page")
    tickets = sum(1 for s in slos if s.status == "ticket")
    parts = [f"SLOs {len(slos)}"]
    if pages:
        parts.append(f"{pages} page")
    if tickets:
        parts.append(f"{tickets} ticket")
    return " · ".join(parts)


def covered_title(label: str, title: str, cov: Coverage, has_data: bool = False) -> tuple[str, str]:
    """(title, stale suffix) that never present "could not read" as "nothing there": a count no
    source ever answered for reads 'unknown', a source not set up 'not configured', and old or
    missing data carries ' · STALE (reason)'. `has_data`: rows exist all the same (SLOs listed from
    their specs while Prometheus cannot be read): their count is shown, marked STALE."""
    stale = f" · STALE ({sanitize_line(cov.reason, 160)})" if cov.stale and cov.reason else " · STALE" if cov.stale else ""
    if cov.state == "not configured":
        return f"{label} · not configured", ""
    if cov.state == "unknown" and not has_data:
        return f"{label} unknown", stale
    return title, stale


def order_alerts_for_report(alerts: Sequence[Alert]) -> list[Alert]:
    return [a for _, members in alert_groups(alerts) for a in members]
