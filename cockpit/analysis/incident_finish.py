"""An incident draft made final: its members, changes, evidence (stable ids), impact, rank and id."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from cockpit.analysis.changes import hhmm
from cockpit.analysis.duration import format_duration
from cockpit.analysis.sanitize import clip
from cockpit.model import Change, Evidence, Impact, Incident, Members, SLOImpact, SLOStatus, severity_rank

if TYPE_CHECKING:
    from cockpit.analysis.incidents import Context, Draft

MAX_POD_EVIDENCE = 6
MAX_CHANGES = 8
MAX_EVENTS = 4


def _t(text: object, limit: int = 300) -> str:
    return clip(text, limit)


def short_hash(text: str, n: int = 6) -> str:
    return hashlib.blake2s(text.encode(), digest_size=8).hexdigest()[:n]


def evidence_id(kind: str, key: str) -> str:
    """Names the fact ("pod", "shop/web-1"), never its text: restart counts change, the id does not."""
    return f"{kind}-{short_hash(kind + '|' + key)}"


def min_time(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def burn(s: SLOStatus) -> tuple[float | None, str]:
    for window in ("1h", "5m", "6h", "30m", "1d", "2h", "3d"):
        if (b := s.burn_rates.get(window)) is not None:
            return b, window
    return None, ""


def burn_text(s: SLOStatus) -> str:
    b, window = burn(s)
    return f"burning {b:.1f}x ({window})" if b is not None else f"at {s.status}"


def evidence(cx: Context, d: Draft) -> tuple[Evidence, ...]:
    out: list[Evidence] = []
    for c in d.cause_changes:
        out.append(Evidence(evidence_id("change", change_fact(c)), "change",
                            _t(f"{c.at:%H:%M:%S} {c.subject}: {c.summary}", 400)))
    for n in d.nodes:
        conds = ", ".join(f"{t}={s}" + (f" since {hhmm(at)}" if at else "") for t, s, _, at in n.conditions
                          if (t == "Ready") != (s == "True")) or ("Ready" if n.ready else "NotReady")
        out.append(Evidence(evidence_id("node", cx.nref(n)), "node", _t(f"node {n.name}: {conds}"
                                                                        + ("; cordoned" if n.unschedulable else ""))))
    for w in d.workloads:
        out.append(Evidence(evidence_id("workload", cx.wref(w)), "workload",
                            _t(f"{w.kind.lower()} {w.namespace}/{w.name}: {w.ready}/{w.desired} ready, "
                               f"{w.updated} updated")))
    for p, pr in d.pods[:MAX_POD_EVIDENCE]:
        detail = pr.detail if pr is not None else f"{p.reason or p.phase}, {p.ready_text} ready on {p.node or '?'}"
        out.append(Evidence(evidence_id("pod", cx.pref(p)), "pod", _t(f"pod {p.namespace}/{p.name}: {detail}", 400)))
    if len(d.pods) > MAX_POD_EVIDENCE:
        out.append(Evidence(evidence_id("pods", d.anchor), "pod", f"and {len(d.pods) - MAX_POD_EVIDENCE} more pods"))
    for s in d.slos:
        left = f", {s.budget_remaining * 100:.0f}% budget left" if s.budget_remaining is not None else ""
        out.append(Evidence(evidence_id("slo", f"{s.service}/{s.name}"), "slo",
                            _t(f"slo {s.service}/{s.name} ({s.objective * 100:g}%) {burn_text(s)}: {s.status}{left}")))
    for a in d.alerts[:MAX_POD_EVIDENCE]:
        since = f" since {hhmm(a.starts_at)}" if a.starts_at else ""
        out.append(Evidence(evidence_id("alert", a.fingerprint), "alert",
                            _t(f"alert {a.name} ({a.severity}) firing{since}" + (f": {a.summary}" if a.summary else ""),
                               400)))
    seen = {e.id for e in out}
    for c in member_changes(cx, d, ("event",))[:MAX_EVENTS]:
        eid = evidence_id("event", f"{c.subject}|{c.details.get('reason', '')}")
        if eid not in seen:
            seen.add(eid)
            out.append(Evidence(eid, "event", _t(f"{c.at:%H:%M:%S} {c.subject}: {c.summary}", 400)))
    return tuple(_unique_ids(out))


# What names a change apart from its kind, subject and time: two conditions of one node flipping at
# the same second are two facts; counts in the summary are not part of the fact (they move).
_FACT_DETAILS = ("condition", "status", "revision", "state", "reason", "name", "from", "to")


def change_fact(c: Change) -> str:
    parts = [c.kind, c.subject, c.at.isoformat(), *(c.details.get(k, "") for k in _FACT_DETAILS)]
    return "|".join(parts)


def _unique_ids(out: list[Evidence]) -> list[Evidence]:
    """One id per fact: a collision left (two facts alike in every stable part) gets a numbered suffix."""
    seen: set[str] = set()
    result = []
    for e in out:
        eid, n = e.id, 1
        while eid in seen:
            n += 1
            eid = f"{e.id}-{n}"
        seen.add(eid)
        result.append(e if eid == e.id else replace(e, id=eid))
    return result


def member_keys(cx: Context, d: Draft) -> set[str]:
    if d.keys is not None:
        return d.keys
    keys = {"pod:" + cx.pref(p) for p, _ in d.pods} | {"node:" + cx.nref(n) for n in d.nodes}
    keys |= {"workload:" + cx.wref(w) for w in d.workloads} | {f"alert:{a.fingerprint}" for a in d.alerts}
    keys |= {f"slo:{s.service}/{s.name}" for s in d.slos}
    d.keys = keys  # asked for once membership is final (_finish)
    return keys


def member_changes(cx: Context, d: Draft, kinds: Iterable[str] | None = None) -> list[Change]:
    wanted = set(kinds) if kinds is not None else None
    return [c for c in cx.changes_of(member_keys(cx, d)) if wanted is None or c.kind in wanted]


def changes(cx: Context, d: Draft) -> tuple[Change, ...]:
    """The cause's changes first, then the members' (rollouts and node flips before restarts)."""
    out = list(d.cause_changes)
    order = {"rollout": 0, "node": 1, "rollout-stalled": 2, "configmap": 3, "cordon": 4, "scale": 5, "slo": 6,
             "alert": 7, "event": 8, "restart": 9}
    rest = sorted((c for c in member_changes(cx, d) if c not in out), key=lambda c: order.get(c.kind, 10))
    return tuple(out + rest)[:MAX_CHANGES]


def impact(d: Draft) -> Impact:
    slos = []
    for s in d.slos:
        rate, window = burn(s)
        per_hour = rate * (1 - s.objective) * 60 if rate is not None else None
        slos.append(SLOImpact(f"{s.service}/{s.name}", s.status, rate, window, per_hour, s.exhaustion_s,
                              s.budget_remaining))
    slos.sort(key=lambda i: (i.status != "page", -(i.burn_rate or 0)))
    services = list(dict.fromkeys([s.service for s in d.slos] + [w.name for w in d.workloads]
                                  + [a.service for a in d.alerts if a.service]))[:5]
    if slos:
        top = slos[0]
        eta = ""
        if top.exhaustion_s is not None and top.exhaustion_s < 30 * 86400:
            eta = f", budget gone in {format_duration(top.exhaustion_s)}"
        burning = f"burning {top.burn_rate:.1f}x ({top.window})" if top.burn_rate is not None else top.status
        more = f" +{len(slos) - 1} more SLO{'s' * (len(slos) > 2)}" if len(slos) > 1 else ""
        text = f"{top.slo} {burning}{eta}{more}"
    else:
        text = f"no SLO burning; {', '.join(services[:3])} affected" if services else "no SLO burning"
    return Impact(tuple(slos), tuple(_t(s, 120) for s in services), _t(text))


def rank_key(i: Incident) -> tuple:
    page = any(s.status == "page" for s in i.impact.slos)
    ticket = any(s.status == "ticket" for s in i.impact.slos)
    burn = max((s.burn_rate or 0.0 for s in i.impact.slos), default=0.0)
    return (0 if page else 1 if ticket else 2, -burn, severity_rank(i.severity), -i.members.size, i.id)


def members(cx: Context, d: Draft) -> Members:
    return Members(
        alerts=tuple(sorted(a.fingerprint for a in d.alerts)),
        pods=tuple(sorted(cx.pref(p) for p, _ in d.pods)),
        workloads=tuple(sorted(cx.wref(w) for w in d.workloads)),
        nodes=tuple(sorted(cx.nref(n) for n in d.nodes)),
        slos=tuple(sorted(f"{s.service}/{s.name}" for s in d.slos)),
    )


def finish(cx: Context, d: Draft) -> Incident:
    if d.alerts and severity_rank(d.severity) > 0 and any(severity_rank(a.severity) == 0 for a in d.alerts):
        d.severity = "critical"
    if any(s.status == "page" for s in d.slos):
        d.severity = "critical"
    d.started_at = min_time(d.started_at, *(a.starts_at for a in d.alerts))
    return Incident(id="", title=d.title, severity=d.severity, cause=d.cause, cause_kind=d.cause_kind,
                    started_at=d.started_at, impact=impact(d), members=members(cx, d), changes=changes(cx, d),
                    evidence=evidence(cx, d), next_step=d.next_step, kind=d.kind)


def assign_ids(new: list[tuple[Incident, str]], previous: Sequence[Incident]) -> list[Incident]:
    """Keep a previous id for the incident that overlaps it most; new ones get an id from their anchor."""
    prev_of = {k: pi for pi, p in enumerate(previous) for k in p.members.keys()}  # a partition: one each
    pairs = []
    for ni, (inc, _) in enumerate(new):
        overlaps = Counter(prev_of[k] for k in inc.members.keys() if k in prev_of)
        pairs += [(n, ni, pi) for pi, n in overlaps.items()]
    pairs.sort(reverse=True)
    ids: dict[int, str] = {}
    used: set[str] = set()
    for overlap, ni, pi in pairs:
        if overlap and ni not in ids and previous[pi].id not in used:
            ids[ni] = previous[pi].id
            used.add(previous[pi].id)
    taken = used | {p.id for p in previous}
    out = []
    for ni, (inc, anchor) in enumerate(new):
        iid = ids.get(ni)
        if iid is None:
            iid, salt = f"inc-{short_hash(anchor)}", 0
            while iid in taken:
                salt += 1
                iid = f"inc-{short_hash(f'{anchor}#{salt}')}"
        taken.add(iid)
        out.append(replace(inc, id=iid))
    return out
