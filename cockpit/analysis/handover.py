"""The hand-over: a shift's records joined into what the next person needs, as JSON and as markdown.

Pure assembly: sources read Prometheus's alert history, Alertmanager's silences, the audit log and
the journal; this module decides what fired and resolved, which acks are still open, which silences
lapse soon, and what the next person inherits first. The markdown pastes into a ticket or chat: no
tables, one fact per line, every line ending with the id it came from (fingerprint, silence id,
incident id, audit id) so the reader can check it. All cluster text is sanitized and its markdown
escaped; the JSON keeps values as sent (the writer escapes every control character).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cockpit.analysis.acks import ack_owner, is_ack
from cockpit.analysis.duration import format_duration
from cockpit.analysis.matchers import matches
from cockpit.analysis.sanitize import sanitize_line
from cockpit.analysis.silence_problems import check_silence
from cockpit.model import (
    AckRecord,
    Alert,
    AlertHistory,
    IncidentRecord,
    JournalNote,
    Silence,
    SLOStatus,
    severity_rank,
)

EXPIRING_WINDOW_S = 8 * 3600
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


@dataclass(frozen=True)
class ShiftRecords:
    """Everything the sources read for one window (plain data)."""

    start: datetime
    end: datetime
    history: Sequence[AlertHistory] = ()
    alerts: Sequence[Alert] = ()  # current alerts (Alertmanager / Prometheus), for acks and silences
    silences: Sequence[Silence] = ()  # every state, expired included
    actions: Sequence[Mapping[str, Any]] = ()  # audit log entries
    incidents: Sequence[IncidentRecord] = ()  # from the journal
    current_incidents: Sequence[Any] = ()  # cockpit.model.Incident of the latest snapshot, if any
    acks: Sequence[AckRecord] = ()  # from the journal
    notes: Sequence[JournalNote] = ()  # Marcus's hypotheses and answers
    slos: Sequence[SLOStatus] = ()
    budgets: Mapping[tuple[str, str], tuple[float | None, float | None]] = field(default_factory=dict)
    problems: Sequence[str] = ()  # one line per source that could not be read (history, journal, ...)
    history_from: str = ""  # which Prometheus the alert history came from
    history_ok: bool = True  # False: it could not be read, so "nothing fired" would be a guess
    expires_soon_s: float = 2 * 3600
    unread: str = ""  # what the live snapshot could not read (pods, alerts, ...): no incident is "none found"


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


def _in(dt: datetime | None, start: datetime, end: datetime) -> bool:
    return dt is not None and start <= dt <= end


# -- JSON ---------------------------------------------------------------------------------------------


def alert_entries(r: ShiftRecords) -> list[dict[str, Any]]:
    out = [{"name": h.name, "severity": h.severity, "labels": dict(h.labels), "first_fired": _iso(h.first_fired),
            "last_fired": _iso(h.last_fired), "firing_s": round(h.firing_s, 1), "times_fired": h.times_fired,
            "state": h.state, "fingerprint": h.fingerprint} for h in r.history]
    known = [h.labels for h in r.history]
    for a in r.alerts:  # firing now but not in the history read (another Prometheus, or none configured)
        if a.state == "pending" or any(all(a.labels.get(k) == v for k, v in lb.items()) for lb in known):
            continue
        first = a.starts_at or r.end
        out.append({"name": a.name, "severity": a.severity, "labels": dict(a.labels), "first_fired": _iso(first),
                    "last_fired": _iso(r.end), "firing_s": round(max(0.0, (r.end - max(first, r.start)).total_seconds()), 1),
                    "times_fired": 1, "state": "firing", "fingerprint": a.fingerprint})
    silenced = {a.fingerprint for a in r.alerts if a.silenced}
    for e in out:
        e["silenced"] = e["fingerprint"] in silenced
    out.sort(key=lambda e: (e["state"] != "firing", severity_rank(str(e["severity"])), e["first_fired"] or "", e["name"]))
    return out


def silence_entry(s: Silence, r: ShiftRecords, problems: bool = False) -> dict[str, Any]:
    e: dict[str, Any] = {"id": s.id, "matchers": [str(m) for m in s.matchers], "created_by": s.created_by,
                         "comment": s.comment, "starts_at": _iso(s.starts_at), "ends_at": _iso(s.ends_at),
                         "state": s.state}
    if problems:
        e["problems"] = list(check_silence(s, r.alerts, r.slos, r.end, r.expires_soon_s).problems)
    return e


def silence_entries(r: ShiftRecords) -> dict[str, list[dict[str, Any]]]:
    horizon = r.end + timedelta(seconds=EXPIRING_WINDOW_S)
    created = [s for s in r.silences if _in(s.starts_at, r.start, r.end)]
    expired = [s for s in r.silences if s.state == "expired" and _in(s.ends_at, r.start, r.end)]
    soon = [s for s in r.silences if s.state in ("active", "pending") and r.end <= s.ends_at <= horizon]
    order = lambda s: (s.ends_at, s.id)  # noqa: E731
    return {"created": [silence_entry(s, r) for s in sorted(created, key=lambda s: (s.starts_at, s.id))],
            "expired": [silence_entry(s, r) for s in sorted(expired, key=order)],
            "expiring_soon": [silence_entry(s, r, problems=True) for s in sorted(soon, key=order)]}


def ack_entries(r: ShiftRecords) -> list[dict[str, Any]]:
    """Acks of the window: open while the silence lasts and its alert fires; closed otherwise, saying why."""
    by_id = {s.id: s for s in r.silences}
    journal = {a.silence_id: a for a in r.acks}
    ids = list(dict.fromkeys([*journal, *(s.id for s in r.silences if is_ack(s))]))
    firing = [a for a in r.alerts if a.state != "pending"]
    out = []
    for sid in ids:
        s, rec = by_id.get(sid), journal.get(sid)
        acked_at = rec.acked_at if rec else s.starts_at  # type: ignore[union-attr]
        ends_at = s.ends_at if s else rec.ends_at  # type: ignore[union-attr]
        if ends_at < r.start:
            continue
        alive = [a for a in firing if rec is not None and a.fingerprint == rec.fingerprint]
        if not alive and s is not None:
            alive = [a for a in firing if s.id in a.silenced_by or matches(s.matchers, a.labels)]
        if rec is not None:
            name, fp = rec.alertname, rec.fingerprint
        else:
            name, fp = (alive[0].name, alive[0].fingerprint) if alive else (_alertname(s), "")
        ended = (s is not None and s.state == "expired") or ends_at <= r.end
        reason = "ack ended" if ended else ("alert resolved" if not alive else "")
        out.append({"silence_id": sid, "alertname": name, "fingerprint": fp,
                    "owner": rec.owner if rec else ack_owner(s),  # type: ignore[arg-type]
                    "acked_at": _iso(acked_at), "ends_at": _iso(ends_at),
                    "age_s": round(max(0.0, (r.end - acked_at).total_seconds())),
                    "state": "closed" if reason else "open", "closed_reason": reason,
                    "alerts": sorted({a.fingerprint for a in alive})})
    out.sort(key=lambda e: (e["state"] != "open", e["acked_at"] or ""))
    return out


def _alertname(s: Silence | None) -> str:
    return next((m.value for m in (s.matchers if s else ()) if m.name == "alertname" and m.is_equal), "")


def action_entries(r: ShiftRecords) -> list[dict[str, Any]]:
    """Audit entries of the window; an action's "started" line folds into its result line."""
    final: dict[str, dict[str, Any]] = {}
    for e in r.actions:
        at = _parse(e.get("at"))
        if at is None or not (r.start <= at <= r.end):
            continue
        key = str(e.get("id") or id(e))
        started = str(e.get("result", "")).startswith("started")
        if started and key in final:
            continue
        final[key] = {"id": key, "at": at.isoformat(), "who": str(e.get("who", "")), "action": str(e.get("action", "")),
                      "detail": e.get("detail") if isinstance(e.get("detail"), dict) else {},
                      "result": "outcome unknown: no read-back recorded" if started else str(e.get("result", ""))}
    return sorted(final.values(), key=lambda e: e["at"])


def _parse(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None


def incident_entries(r: ShiftRecords) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for i in r.incidents:
        out[i.id] = {"id": i.id, "title": i.title, "severity": i.severity, "cause": i.cause,
                     "opened_at": _iso(i.opened_at), "closed_at": _iso(i.closed_at), "outcome": i.outcome,
                     "state": "closed" if i.closed_at else "open"}
    for i in r.current_incidents:  # seen now but not (yet) journaled
        if i.id not in out:
            out[i.id] = {"id": i.id, "title": i.title, "severity": i.severity, "cause": i.cause,
                         "opened_at": _iso(getattr(i, "started_at", None)), "closed_at": None, "outcome": "",
                         "state": "open"}
    return sorted(out.values(), key=lambda e: (e["state"] != "open", severity_rank(e["severity"] or "none"),
                                               e["opened_at"] or ""))


def incidents_note(r: ShiftRecords) -> str:
    """Why the incident list may be short: what could not be read ("" when everything answered)."""
    unread = r.unread or "; ".join(r.problems)  # the live snapshot's coverage when known, else every problem
    if not unread:
        return ""
    return f"none found; {unread}" if not (r.incidents or r.current_incidents) else f"more may exist; {unread}"


def slo_entries(r: ShiftRecords) -> list[dict[str, Any]]:
    out = []
    for s in r.slos:
        start, end = r.budgets.get(s.key, (None, s.budget_remaining))
        out.append({"service": s.service, "name": s.name, "budget_start": _round(start), "budget_end": _round(end),
                    "status": s.status})
    return out


def _round(x: float | None) -> float | None:
    return None if x is None or x != x else round(x, 4)


def open_items(data: dict[str, Any]) -> list[dict[str, Any]]:
    """What the next person inherits, most urgent first: open incidents, firing alerts by severity
    (critical before SLO burn), SLOs burning, open acks, silences that lapse soon."""
    items: list[tuple[tuple, dict[str, Any]]] = []
    for i in data["incidents"]:
        if i["state"] == "open":
            items.append(((0, severity_rank(i["severity"] or "none")), {"kind": "incident", "id": i["id"],
                          "severity": i["severity"], "text": i["title"]}))
    for a in data["alerts"]:
        if a["state"] == "firing" and not a["silenced"]:
            rank = severity_rank(a["severity"])
            items.append(((1 if rank == 0 else 3, rank, a["first_fired"] or ""), {
                "kind": "alert", "id": a["fingerprint"], "severity": a["severity"], "text": a["name"]}))
    for s in data["slos"]:
        if s["status"] in ("page", "ticket"):
            items.append(((2, 0 if s["status"] == "page" else 1), {
                "kind": "slo", "id": f"{s['service']}/{s['name']}", "severity": s["status"],
                "text": f"{s['service']}/{s['name']} burning ({s['status']})"}))
    for k in data["acks"]:
        if k["state"] == "open":
            items.append(((4, k["ends_at"] or ""), {"kind": "ack", "id": k["silence_id"], "severity": "",
                                                    "text": f"{k['alertname']} acked by {k['owner']}"}))
    closed_acks = {k["silence_id"] for k in data["acks"] if k["state"] == "closed"}
    for s in data["silences"]["expiring_soon"]:
        # one whose lapse changes nothing (matches no alert, or an ack whose alert resolved) is not inherited
        if s["id"] in closed_acks or "matches-nothing" in s.get("problems", ()):
            continue
        items.append(((5, s["ends_at"] or ""), {"kind": "silence", "id": s["id"], "severity": "",
                                                "text": ", ".join(s["matchers"])}))
    items.sort(key=lambda x: x[0])
    return [i for _, i in items]


def handover_data(r: ShiftRecords) -> dict[str, Any]:
    data: dict[str, Any] = {
        "window": {"from": r.start.isoformat(), "to": r.end.isoformat()},
        "alerts": alert_entries(r),
        "silences": silence_entries(r),
        "acks": ack_entries(r),
        "actions": action_entries(r),
        "incidents": incident_entries(r),
        "slos": slo_entries(r),
        "marcus": [{"id": n.id, "at": n.at.isoformat(), "kind": n.kind, "subject": n.subject, "text": n.text}
                   for n in r.notes if r.start <= n.at <= r.end],
        "incidents_note": incidents_note(r),
        "problems": list(r.problems),
        "history_from": r.history_from,
        "history_ok": r.history_ok,
    }
    data["open"] = open_items(data)
    return data


# -- markdown -----------------------------------------------------------------------------------------


def md(text: object, limit: int = 200) -> str:
    """Cluster text made inert in markdown: no terminal control, no links, emphasis or headings."""
    return _MD_SPECIAL.sub(r"\\\1", sanitize_line(text, limit, for_terminal=False))  # a file keeps emoji


def code(text: object) -> str:
    """An id in a code span: backticks cannot appear in it."""
    return "`" + sanitize_line(text, 80, for_terminal=False).replace("`", "'") + "`"


def _t(iso: str | None, end: datetime) -> str:
    if not iso:
        return "-"
    dt = datetime.fromisoformat(iso)
    return f"{dt:%H:%M}" if dt.date() == end.date() else f"{dt:%m-%d %H:%M}"


def _labels(labels: Mapping[str, str]) -> str:
    shown = {k: v for k, v in labels.items() if k not in ("alertname", "severity")}
    return "{" + ", ".join(f'{md(k, 60)}="{md(v, 80)}"' for k, v in sorted(shown.items())) + "}" if shown else ""


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.1f}%"


def _by(e: dict[str, Any], end: datetime) -> str:
    return f"{md(e['created_by'], 60)}: \"{md(e['comment'], 160)}\"" if e["comment"] else f"{md(e['created_by'], 60)}, no comment"


def _in_words(iso: str | None, end: datetime) -> str:
    if not iso:
        return "-"
    s = (datetime.fromisoformat(iso) - end).total_seconds()
    return f"in {format_duration(s)}" if s >= 60 else ("now" if s >= 0 else f"{format_duration(-s)} ago")


def handover_markdown(data: dict[str, Any]) -> str:
    start, end = datetime.fromisoformat(data["window"]["from"]), datetime.fromisoformat(data["window"]["to"])
    span = format_duration((end - start).total_seconds())
    alerts = {a["fingerprint"]: a for a in data["alerts"]}
    out = [f"# Hand-over {start:%Y-%m-%d %H:%M} → {end:%Y-%m-%d %H:%M} UTC ({span})", ""]
    out += ["## You inherit", ""]
    nothing = ("- nothing open: no firing alert, incident, ack or lapsing silence" if not data["problems"] else
               f"- nothing open that cockpit could read: {len(data['problems'])} source problems, see Sources")
    out += [_open_line(i, data, alerts, end) for i in data["open"]] or [nothing]
    fired = data["alerts"]
    still = sum(1 for a in fired if a["state"] == "firing")
    out += ["", f"## Alerts in the window: {len(fired)} fired, {len(fired) - still} resolved, {still} still firing", ""]
    for a in fired:
        out.append(f"- {a['state']} {md(a['severity'], 20)} **{md(a['name'], 100)}** {_labels(a['labels'])} "
                   f"first {_t(a['first_fired'], end)}, last {_t(a['last_fired'], end)}, {a['times_fired']}×, "
                   f"{format_duration(a['firing_s']) if a['firing_s'] >= 1 else '0s'} firing"
                   f"{' (silenced)' if a['silenced'] else ''} · fp {code(a['fingerprint'])}")
    if not fired:
        out.append("- nothing fired" if data.get("history_ok", True) else
                   "- unknown: the alert history could not be read (see Sources)")
    out += ["", f"## Incidents: {len(data['incidents'])}", ""]
    note = data.get("incidents_note", "")
    if not data["incidents"]:
        out.append(f"- {md(note, 400)}" if note else "- none in the journal or open now")
    for i in data["incidents"]:
        closed = f"closed {_t(i['closed_at'], end)}" + (f": {md(i['outcome'], 200)}" if i["outcome"] else "")
        out.append(f"- {i['state']} {md(i['severity'], 20)} {md(i['title'], 160)}: cause {md(i['cause'] or 'unknown', 200)}; "
                   f"opened {_t(i['opened_at'], end)}{', ' + closed if i['closed_at'] else ''} · incident {code(i['id'])}")
    sil = data["silences"]
    out += ["", "## Silences", ""]
    for title, key in (("Created", "created"), ("Expired", "expired"), ("Expiring in the next 8h", "expiring_soon")):
        out.append(f"### {title}: {len(sil[key])}")
        out.append("")
        out += [] if sil[key] else ["- none"]
        for s in sil[key]:
            probs = f" · problems: {', '.join(s['problems'])}" if s.get("problems") else ""
            out.append(f"- {md(', '.join(s['matchers']), 200)} by {_by(s, end)}; {_t(s['starts_at'], end)} → "
                       f"{_t(s['ends_at'], end)} ({_in_words(s['ends_at'], end)}){probs} · silence {code(s['id'])}")
        out.append("")
    out += [f"## Acks: {sum(1 for k in data['acks'] if k['state'] == 'open')} open, "
            f"{sum(1 for k in data['acks'] if k['state'] == 'closed')} closed", ""]
    out += [] if data["acks"] else ["- none"]
    for k in data["acks"]:
        why = f" ({k['closed_reason']})" if k["closed_reason"] else f", ends {_t(k['ends_at'], end)}"
        out.append(f"- {k['state']}{why}: {md(k['alertname'], 100)} acked by {md(k['owner'], 60)} at "
                   f"{_t(k['acked_at'], end)} · silence {code(k['silence_id'])}")
    out += ["", f"## Actions: {len(data['actions'])}", ""]
    out += [] if data["actions"] else ["- none in the audit log"]
    for e in data["actions"]:
        detail = e["detail"].get("matchers") or e["detail"].get("silence_id") or ""
        detail = ", ".join(detail) if isinstance(detail, list) else detail
        out.append(f"- {_t(e['at'], end)} {md(e['who'], 60)} {md(e['action'], 30)} {md(detail, 160)}: "
                   f"{md(e['result'], 160)} · audit {code(e['id'])}")
    out += ["", "## SLO budget", ""]
    for s in data["slos"]:
        out.append(f"- {md(s['service'], 60)}/{md(s['name'], 60)}: {_pct(s['budget_start'])} → {_pct(s['budget_end'])} "
                   f"({s['status']}) · slo {code(s['service'] + '/' + s['name'])}")
    if not data["slos"]:
        out.append("- no SLOs configured (--slo FILE)")
    if data["marcus"]:
        out += ["", "## Marcus", ""]
        out += [f"- {_t(n['at'], end)} {md(n['kind'], 20)} on {md(n['subject'], 100)}: {md(n['text'], 300)} · note {code(n['id'])}"
                for n in data["marcus"]]
    out += ["", "## Sources", ""]
    out.append(f"- alert history: {md(data['history_from'] or 'no Prometheus configured (--prometheus)', 200)}")
    out += [f"- ✖ {md(p, 300)}" for p in data["problems"]]
    return "\n".join(out).rstrip() + "\n"


def _open_line(i: dict[str, Any], data: dict[str, Any], alerts: dict[str, dict[str, Any]], end: datetime) -> str:
    kind = i["kind"]
    if kind == "incident":
        inc = next(x for x in data["incidents"] if x["id"] == i["id"])
        return (f"- incident {md(inc['severity'], 20)}: {md(inc['title'], 160)}; cause {md(inc['cause'] or 'unknown', 200)}; "
                f"open since {_t(inc['opened_at'], end)} · incident {code(i['id'])}")
    if kind == "alert":
        a = alerts[i["id"]]
        since = format_duration((end - datetime.fromisoformat(a["first_fired"])).total_seconds()) if a["first_fired"] else "?"
        return (f"- FIRING {md(a['severity'], 20)} **{md(a['name'], 100)}** {_labels(a['labels'])} since "
                f"{_t(a['first_fired'], end)} ({since}) · fp {code(a['fingerprint'])}")
    if kind == "slo":
        s = next(x for x in data["slos"] if f"{x['service']}/{x['name']}" == i["id"])
        return (f"- SLO {md(i['id'], 120)} burning at {s['status']} level, budget {_pct(s['budget_start'])} → "
                f"{_pct(s['budget_end'])} · slo {code(i['id'])}")
    if kind == "ack":
        k = next(x for x in data["acks"] if x["silence_id"] == i["id"])
        return (f"- ack open: {md(k['alertname'], 100)} acked by {md(k['owner'], 60)} {format_duration(k['age_s'])} ago, "
                f"ends {_t(k['ends_at'], end)} "
                f"({_in_words(k['ends_at'], end)}) · silence {code(i['id'])}")
    s = next(x for x in data["silences"]["expiring_soon"] if x["id"] == i["id"])
    probs = f"; problems: {', '.join(s['problems'])}" if s.get("problems") else ""
    return (f"- silence ends {_t(s['ends_at'], end)} ({_in_words(s['ends_at'], end)}): {md(', '.join(s['matchers']), 200)} "
            f"by {_by(s, end)}{probs} · silence {code(i['id'])}")

