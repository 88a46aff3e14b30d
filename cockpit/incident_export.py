"""Incidents and changes as `snapshot --format json` objects and as the markdown note's first section."""

from __future__ import annotations

from typing import Any

from cockpit.analysis.duration import format_duration
from cockpit.analysis.sanitize import clip
from cockpit.model import Change, Impact, Incident, Snapshot


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _num(x: float | None, digits: int = 3) -> float | None:
    return None if x is None or x != x else round(x, digits)


def change_dict(c: Change) -> dict[str, Any]:
    return {"at": c.at.isoformat(), "kind": c.kind, "subject": c.subject, "summary": c.summary}


def impact_dict(impact: Impact) -> dict[str, Any]:
    return {
        "slos": [{"slo": s.slo, "status": s.status, "burn_rate": _num(s.burn_rate), "window": s.window,
                  "budget_minutes_per_hour": _num(s.budget_minutes_per_hour),
                  "exhaustion_s": _num(s.exhaustion_s, 0), "budget_remaining": _num(s.budget_remaining)}
                 for s in impact.slos],
        "services": list(impact.services),
        "text": impact.text,
    }


def incident_dict(i: Incident) -> dict[str, Any]:
    m = i.members
    return {
        "id": i.id, "rank": i.rank, "kind": i.kind, "title": i.title, "severity": i.severity, "cause": i.cause,
        "cause_kind": i.cause_kind, "started_at": _iso(i.started_at), "impact": impact_dict(i.impact),
        "members": {"alerts": list(m.alerts), "pods": list(m.pods), "workloads": list(m.workloads),
                    "nodes": list(m.nodes), "slos": list(m.slos)},
        "changes": [change_dict(c) for c in i.changes],
        "evidence": [{"id": e.id, "kind": e.kind, "text": e.text} for e in i.evidence],
        "next_step": i.next_step,
    }


def snapshot_parts(snap: Snapshot) -> dict[str, Any]:
    return {"incidents": [incident_dict(i) for i in snap.incidents], "changes": [change_dict(c) for c in snap.changes]}


def _md(text: object, limit: int = 300) -> str:
    return clip(text, limit).replace("|", "\\|").replace("`", "'")


def age_text(seconds: float) -> str:
    return format_duration(max(0.0, seconds))


def counts_text(i: Incident) -> str:
    parts = [(len(ms), kind) for kind, ms in i.members.groups() if ms]
    return ", ".join(f"{n} {kind}{'s' * (n != 1)}" for n, kind in parts)


def incidents_markdown(snap: Snapshot, max_changes: int = 5, unread: str = "") -> list[str]:
    """`## Incidents N` with each incident's cause, impact, first step, changes and evidence ids.
    `unread` (hub.unread_text): what could not be read; then none is "none found", never all clear."""
    out = [f"## Incidents {len(snap.incidents)}", ""]
    if not snap.incidents:
        if unread:
            return out + [f"- none found; {_md(unread, 500)}", ""]
        return out + ["- none: nothing on screen needs a response", ""]
    for i in snap.incidents:
        since = f", since {i.started_at:%H:%M} ({age_text((snap.taken_at - i.started_at).total_seconds())})" \
            if i.started_at else ""
        out.append(f"### {i.rank}. [{i.severity}] {_md(i.title)} ({i.id})")
        out.append("")
        out.append(f"- cause ({i.cause_kind}): {_md(i.cause, 500)}{since}")
        out.append(f"- impact: {_md(i.impact.text)}")
        out.append(f"- first step: {_md(i.next_step, 500)}")
        out.append(f"- members: {counts_text(i)}")
        for c in i.changes[:max_changes]:
            out.append(f"- changed {c.at:%H:%M:%S} {_md(c.subject)}: {_md(c.summary)}")
        out.append("- evidence: " + "; ".join(f"{e.id} {_md(e.text, 160)}" for e in i.evidence[:6]))
        out.append("")
    return out
