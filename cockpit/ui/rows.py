"""Turn model objects into table rows: ordering, filtering and cell text. Rich Text only, no widgets.

All cluster text goes through the sanitizer here and is wrapped in rich.text.Text, which Textual
renders literally (never as markup).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from rich.text import Text

from cockpit.analysis.duration import age as age  # re-export for compatibility (tables import it here)
from cockpit.analysis.listing import (  # re-export for compatibility: the pure half moved there
    alert_groups as alert_groups,
)
from cockpit.analysis.listing import alerts_title as alerts_title
from cockpit.analysis.listing import covered_title as covered_title
from cockpit.analysis.listing import eta as eta
from cockpit.analysis.listing import order_alerts_for_report as order_alerts_for_report
from cockpit.analysis.listing import order_slos as order_slos
from cockpit.analysis.listing import pods_title as pods_title
from cockpit.analysis.listing import slos_title as slos_title
from cockpit.analysis.sanitize import sanitize_line
from cockpit.analysis.triage import is_problem as is_problem  # re-export for compatibility
from cockpit.analysis.triage import order_pods as order_pods  # re-export for compatibility
from cockpit.glyphs import G
from cockpit.model import Alert, Pod, SLOStatus
from cockpit.slo.burn import WINDOW_LIMITS

SEV_STYLE = {"critical": "bold red", "page": "bold red", "error": "red", "warning": "yellow", "info": "cyan"}
STATE_STYLE = {"firing": "red", "pending": "yellow", "silenced": "dim", "inhibited": "dim"}
SLO_STYLE = {"page": "bold red", "ticket": "yellow", "ok": "green", "no-data": "dim", "unknown": "magenta"}
BURN_LIMITS = WINDOW_LIMITS  # re-export for compatibility: the thresholds live in cockpit.slo.burn


def cell(text: object, style: str = "", limit: int = 160) -> Text:
    return Text(sanitize_line(text, limit), style=style, no_wrap=True, overflow="ellipsis")


def since(moment: datetime | None, now: datetime) -> float | None:
    return None if moment is None else (now - moment).total_seconds()


# -- filters --------------------------------------------------------------------------------------


def text_match(needle: str, haystack: Iterable[str]) -> bool:
    n = needle.lower()
    return any(n in h.lower() for h in haystack)


def filter_alerts(alerts: Sequence[Alert], query: str) -> list[Alert]:
    """Label matchers (`severity=critical, namespace=~"shop.*"`) or plain text."""
    query = query.strip()
    if not query:
        return list(alerts)
    try:
        from cockpit.analysis.matchers import looks_like_matchers, matches, parse_matchers

        if looks_like_matchers(query):
            ms = parse_matchers(query)
            return [a for a in alerts if matches(ms, {**a.labels, "alertname": a.name})]
    except (ImportError, ValueError):
        pass
    return [a for a in alerts if text_match(query, (a.name, a.summary, a.state, *a.labels.values()))]


def filter_pods(pods: Sequence[Pod], query: str) -> list[Pod]:
    """Plain text, or `ns=NAME`, `label=key=value`, `node=NAME`, `ctx=NAME`, `cluster=NAME` terms (all
    must hold)."""
    terms = query.split()
    if not terms:
        return list(pods)

    def ok(p: Pod, term: str) -> bool:
        key, _, value = term.partition("=")
        if value and key in ("ns", "namespace"):
            return p.namespace == value
        if value and key in ("ctx", "context"):
            return p.context == value
        if value and key == "cluster":
            return (p.cluster or p.context) == value
        if value and key == "node":
            return p.node == value
        if value and key == "label":
            lk, _, lv = value.partition("=")
            return p.labels.get(lk) == lv if lv else lk in p.labels
        return text_match(term, (p.namespace, p.name, p.reason, p.node, p.phase))

    return [p for p in pods if all(ok(p, t) for t in terms)]


def filter_slos(slos: Sequence[SLOStatus], query: str) -> list[SLOStatus]:
    q = query.strip()
    return [s for s in slos if not q or text_match(q, (s.service, s.name, s.status))]


# -- alerts ---------------------------------------------------------------------------------------


def alert_row(a: Alert, now: datetime, indent: bool = True) -> tuple[Text, ...]:
    where = "/".join(x for x in (a.namespace, a.service) if x)
    dim = "dim" if a.state in ("silenced", "inhibited") else ""
    return (
        cell(a.severity, dim or SEV_STYLE.get(a.severity, "")),
        cell(("  " if indent else "") + a.name, dim),
        cell(where, dim, 40),
        cell(age(since(a.starts_at, now)), dim),
        cell(a.summary, dim, 200),
        cell(a.state, STATE_STYLE.get(a.state, "")),
    )


def group_row(name: str, members: Sequence[Alert], expanded: bool, now: datetime) -> tuple[Text, ...]:
    top = members[0]
    states: defaultdict[str, int] = defaultdict(int)
    for a in members:
        states[a.state] += 1
    state = " ".join(f"{n} {s}" for s, n in states.items())
    oldest = min((a.starts_at for a in members if a.starts_at), default=None)
    mark = G.expanded if expanded else G.collapsed
    return (
        cell(top.severity, SEV_STYLE.get(top.severity, "")),
        cell(f"{mark} {name} ({len(members)})", "bold"),
        cell(""),
        cell(age(since(oldest, now))),
        cell(top.summary if len(members) == 1 else "", "", 200),
        cell(state),
    )


# -- pods -----------------------------------------------------------------------------------------

def pod_row(p: Pod, rank: int, now: datetime, with_context: bool) -> tuple[Text, ...]:
    style = "bold red" if rank <= 2 else "yellow" if rank < 9 else ""
    restarts = str(p.restarts)
    if p.last_restart_at is not None and p.restarts:
        restarts += f" ({age(since(p.last_restart_at, now))})"
    cells = (
        cell(p.namespace, "", 30),
        cell(p.name, "", 63),
        cell(p.ready_text, "" if p.ready == p.total else "yellow"),
        cell(p.reason or p.phase, style, 80),
        cell(restarts, "yellow" if rank == 5 or (rank < 9 and p.restarts) else ""),
        cell(age(p.age_s(now))),
        cell(p.node, "", 40),
    )
    return ((cell(p.context, "", 24),) + cells) if with_context else cells


def pod_key(p: Pod) -> str:
    return f"{p.context}\0{p.namespace}\0{p.name}"


def focus_of(query: str) -> tuple[str, str]:
    """The (cluster, namespace) a pods filter names, for the fleet to fetch that cluster's healthy rows."""
    terms = dict(t.partition("=")[::2] for t in query.split() if "=" in t)
    return terms.get("cluster", ""), terms.get("ns", terms.get("namespace", ""))


# -- SLOs -----------------------------------------------------------------------------------------


def burn_cell(value: float | None, window: str) -> Text:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return cell("-", "dim")
    limit = WINDOW_LIMITS.get(window, 1.0)
    style = "bold red" if value > limit else "yellow" if value > 1.0 else "green"
    return cell(f"{value:.1f}{G.times}" if value < 100 else f"{value:.0f}{G.times}", style)


def budget_bar(remaining: float | None, width: int = 10) -> Text:
    if remaining is None or math.isnan(remaining):
        return cell("no data", "dim")
    frac = max(0.0, min(1.0, remaining))
    full = round(frac * width)
    style = "red" if remaining < 0.25 else "yellow" if remaining < 0.5 else "green"
    text = Text(G.bar_full * full + G.bar_empty * (width - full), style=style)
    text.append(f" {remaining * 100:5.1f}%", style="bold red" if remaining < 0 else "")
    return text


def slo_row(s: SLOStatus) -> tuple[Text, ...]:
    br = s.burn_rates
    return (
        cell(f"{s.service}/{s.name}", "", 50),
        cell(f"{s.objective * 100:g}%"),
        burn_cell(br.get("5m"), "5m"),
        burn_cell(br.get("1h"), "1h"),
        burn_cell(br.get("6h"), "6h"),
        burn_cell(br.get("3d"), "3d"),
        budget_bar(s.budget_remaining),
        cell(s.status, SLO_STYLE.get(s.status, "")),
        cell(eta(s.exhaustion_s)),
    )


def slo_key(s: SLOStatus) -> str:
    return f"{s.service}\0{s.name}"
