"""`snapshot --format markdown`: the screen as a hand-over note. Cluster text sanitized, pipes escaped."""

from __future__ import annotations

from cockpit.analysis.sanitize import sanitize_line
from cockpit.model import Snapshot
from cockpit.ui.rows import (
    age,
    alerts_title,
    eta,
    is_problem,
    order_alerts_for_report,
    order_pods,
    order_slos,
)

MAX_PODS = 50  # problem pods listed in full; healthy ones are only counted


def md(text: object, limit: int = 200) -> str:
    return sanitize_line(text, limit).replace("|", "\\|").replace("`", "'")


def _fmt(x: float | None, spec: str) -> str:
    return "-" if x is None or x != x else format(x, spec)


def snapshot_markdown(snap: Snapshot) -> str:
    now = snap.taken_at
    out = [f"# cockpit snapshot {now:%Y-%m-%d %H:%M:%S} UTC" + (" (DEMO)" if snap.demo else ""), ""]
    out += ["## Sources", ""]
    out += [f"- {md(name)}: {md(h.text, 300)}" for name, h in snap.sources.items()] or ["- none configured"]
    out += ["", f"## {alerts_title(snap.alerts)}", ""]
    if snap.alerts:
        out += ["| Severity | Alert | Namespace | State | For | Summary |", "|---|---|---|---|---|---|"]
        for a in order_alerts_for_report(snap.alerts):
            since = age((now - a.starts_at).total_seconds()) if a.starts_at else "-"
            out.append(f"| {md(a.severity)} | {md(a.name)} | {md(a.namespace)} | {md(a.state)} | {since} | {md(a.summary)} |")
    problems = [(r, p) for r, p in order_pods(snap.pods, now) if is_problem(p, now)]
    out += ["", f"## Pods {len(snap.pods)} · {len(problems)} problems", ""]
    if problems:
        out += ["| Namespace | Pod | Ready | Status | Restarts | Node |", "|---|---|---|---|---|---|"]
        for _, p in problems[:MAX_PODS]:
            out.append(f"| {md(p.namespace)} | {md(p.name)} | {p.ready_text} | {md(p.reason or p.phase)} | "
                       f"{p.restarts} | {md(p.node)} |")
        if len(problems) > MAX_PODS:
            out.append(f"\n… {len(problems) - MAX_PODS} more problem pods")
    out += ["", f"## SLOs {len(snap.slos)}", ""]
    if snap.slos:
        out += ["| SLO | Objective | Burn 5m | 1h | 6h | 3d | Budget left | Status | Exhausted in |",
                "|---|---|---|---|---|---|---|---|---|"]
        for s in order_slos(snap.slos):
            b = s.burn_rates
            left = _fmt(None if s.budget_remaining is None else s.budget_remaining * 100, ".1f")
            out.append(f"| {md(s.service)}/{md(s.name)} | {s.objective * 100:g}% | {_fmt(b.get('5m'), '.2f')} | "
                       f"{_fmt(b.get('1h'), '.2f')} | {_fmt(b.get('6h'), '.2f')} | {_fmt(b.get('3d'), '.2f')} | "
                       f"{left}% | {s.status} | {eta(s.exhaustion_s)} |")
    out += ["", "## Findings", ""]
    out += [f"- **{f.severity}** {md(f.subject)}: {md(f.summary, 400)}" for f in snap.findings] or ["- nothing found"]
    return "\n".join(out) + "\n"
