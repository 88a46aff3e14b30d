"""`snapshot --format markdown`: the screen as a hand-over note. Cluster text sanitized, pipes escaped."""

from __future__ import annotations

from collections.abc import Mapping

from cockpit.analysis.duration import age
from cockpit.analysis.listing import (
    alerts_title,
    covered_title,
    eta,
    order_alerts_for_report,
    order_slos,
    pods_title,
    slos_title,
)
from cockpit.analysis.sanitize import sanitize_line
from cockpit.analysis.triage import is_problem, order_pods
from cockpit.incident_export import incidents_markdown
from cockpit.model import Finding, Snapshot
from cockpit.sources.hub import Coverage, unread_text

MAX_PODS = 50  # problem pods listed in full; healthy ones are only counted


def md(text: object, limit: int = 200) -> str:
    return sanitize_line(text, limit, for_terminal=False).replace("|", "\\|").replace("`", "'")


def _fmt(x: float | None, spec: str) -> str:
    return "-" if x is None or x != x else format(x, spec)


def _section(label: str, title: str, cov: Coverage | None, has_data: bool) -> list[str]:
    """'## Alerts 3 · 1 critical', or 'unknown' / 'not configured' / '· STALE (why)' where the count
    cannot be trusted: a reader skimming a hand-over must not take "could not read" for "none"."""
    base, stale = covered_title(label, title, cov or Coverage("ok"), has_data)
    out = ["", f"## {md(base + stale, 400)}", ""]
    if cov is not None and cov.state == "unknown" and not has_data:
        out += ["_Not read: no source answered, so the count is unknown, not zero._", ""]
    return out


def _finding(f: Finding) -> str:
    """'- **warning** subject: summary', the subject left out when the summary names it already."""
    named = f.summary.startswith(f.subject.split(" ", 1)[-1])
    return f"- **{f.severity}** " + ("" if named else f"{md(f.subject)}: ") + md(f.summary, 400)


def snapshot_markdown(snap: Snapshot, coverage: Mapping[str, Coverage] | None = None) -> str:
    """`coverage` (Hub.coverage) says which counts are unknown, stale or not configured."""
    cov = coverage or {}
    now = snap.taken_at
    out = [f"# cockpit snapshot {now:%Y-%m-%d %H:%M:%S} UTC" + (" (DEMO)" if snap.demo else ""), ""]
    out += incidents_markdown(snap, unread=unread_text(cov))  # the note leads with what needs a response
    out += ["## Sources", ""]
    out += [f"- {md(h.label)}: {md(h.text, 300)}" for name, h in snap.sources.items()] \
        or ["- none configured"]
    out += _section("Alerts", alerts_title(snap.alerts), cov.get("alerts"), bool(snap.alerts))
    if snap.alerts:
        out += ["| Severity | Alert | Namespace | State | For | Summary |", "|---|---|---|---|---|---|"]
        for a in order_alerts_for_report(snap.alerts):
            since = age((now - a.starts_at).total_seconds()) if a.starts_at else "-"
            out.append(f"| {md(a.severity)} | {md(a.name)} | {md(a.namespace)} | {md(a.state)} | {since} | {md(a.summary)} |")
    problems = [(r, p) for r, p in order_pods(snap.pods, now) if is_problem(p, now)]
    out += _section("Pods", pods_title(len(snap.pods), len(problems)), cov.get("pods"), bool(snap.pods))
    if problems:
        out += ["| Namespace | Pod | Ready | Status | Restarts | Node |", "|---|---|---|---|---|---|"]
        for _, p in problems[:MAX_PODS]:
            out.append(f"| {md(p.namespace)} | {md(p.name)} | {p.ready_text} | {md(p.reason or p.phase)} | "
                       f"{p.restarts} | {md(p.node)} |")
        if len(problems) > MAX_PODS:
            out.append(f"\n… {len(problems) - MAX_PODS} more problem pods")
    out += _section("SLOs", slos_title(snap.slos), cov.get("slos"), bool(snap.slos))
    if snap.slos:
        out += ["| SLO | Objective | Burn 5m | 1h | 6h | 3d | Budget left | Status | Exhausted in |",
                "|---|---|---|---|---|---|---|---|---|"]
        for s in order_slos(snap.slos):
            b = s.burn_rates
            left = _fmt(None if s.budget_remaining is None else s.budget_remaining * 100, ".1f")
            out.append(f"| {md(s.service)}/{md(s.name)} | {s.objective * 100:g}% | {_fmt(b.get('5m'), '.2f')} | "
                       f"{_fmt(b.get('1h'), '.2f')} | {_fmt(b.get('6h'), '.2f')} | {_fmt(b.get('3d'), '.2f')} | "
                       f"{left}{'%' if left != '-' else ''} | {s.status} | {eta(s.exhaustion_s)} |")
    out += ["", "## Findings", ""]
    out += [_finding(f) for f in snap.findings] or ["- nothing found"]
    return "\n".join(out) + "\n"
