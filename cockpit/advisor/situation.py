"""The situation in lines for Marcus's Claude context: incidents, changes, workloads, nodes, sources.

Each function returns plain lines, most important first; context.py fences them (they carry cluster
text) and admits as many as the token budget allows. Pure and linear in the snapshot's size.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from cockpit.analysis.sanitize import sanitize_line
from cockpit.model import Incident, Node, Snapshot, Workload

MAX_EVIDENCE = 4
MAX_MEMBERS = 4
FEEDS = {"alerts": "alerts and silences", "pods": "pods, nodes, workloads, rollouts", "slos": "SLO burn rates"}
_FEED_OF_KIND = {"alertmanager": "alerts", "kubernetes": "pods", "slo": "slos", "prometheus": "slos"}
_QTY = re.compile(r"^([0-9.]+)([a-zA-Z]*)$")
_UNITS = {"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "Ki": 1024, "Mi": 1024**2, "Gi": 1024**3,
          "Ti": 1024**4}


def _one(text: object, limit: int = 200) -> str:
    return sanitize_line(text, limit, for_terminal=False)  # the model reads the original characters


def _hhmm(at: datetime | None) -> str:
    return f"{at:%H:%M}" if at is not None else "?"


# -- sources ------------------------------------------------------------------------------------------
def feed_lines(snap: Snapshot, coverage: Mapping[str, tuple[str, str]]) -> list[str]:
    """One line per kind of data: configured and ok | stale | unknown | not configured (ours, not fenced)."""
    out = []
    kinds = {_FEED_OF_KIND.get(h.kind, "") for h in snap.sources.values()}
    for feed, what in FEEDS.items():
        if feed in coverage:  # its reason is backend text: shown fenced, in the sources block
            state = coverage[feed][0]
        else:  # no Hub at hand: what the snapshot's sources say
            bad = [h for h in snap.sources.values() if _FEED_OF_KIND.get(h.kind) == feed and not h.ok]
            state = "stale" if bad else "ok" if feed in kinds else "not reported"
        meaning = {"not configured": f"no {what} can be seen at all: empty means unknown, not fine",
                   "stale": f"{what} shown are the last good data",
                   "unknown": "no source has answered yet: empty means unknown, not fine"}
        tail = f" ({meaning[state]})" if state in meaning else ""
        out.append(f"{feed}: {state}{tail}")
    return out


def source_lines(snap: Snapshot) -> list[str]:
    """Each backend's health (its error text is cluster text: fence it)."""
    out = []
    for h in snap.sources.values():
        if h.ok:
            out.append(f"{_one(h.name, 80)} ({h.kind}): ok")
        else:
            state = f"data stale since {_hhmm(h.last_ok)}" if h.last_ok else "no data yet"
            out.append(f"{_one(h.name, 80)} ({h.kind}): FAILING, {state}: {_one(h.error, 240)}")
    return out


# -- incidents ----------------------------------------------------------------------------------------
def _names(refs: tuple[str, ...], limit: int = MAX_MEMBERS) -> str:
    shown = ", ".join(_one(r, 120) for r in refs[:limit])
    return shown + (f" +{len(refs) - limit}" if len(refs) > limit else "")


def _alert_names(inc: Incident, names: Mapping[str, str]) -> str:
    counts: dict[str, int] = {}
    for fp in inc.members.alerts:
        n = names.get(fp, fp)
        counts[n] = counts.get(n, 0) + 1
    return ", ".join(f"{_one(n, 100)}" + (f" x{k}" if k > 1 else "") for n, k in list(counts.items())[:6])


def incident_lines(inc: Incident, alert_names: Mapping[str, str]) -> list[str]:
    """One incident in full: what the model needs to name it, back it with evidence ids and act on it."""
    m = inc.members
    lines = [f"incident {_one(inc.id, 40)} rank {inc.rank} severity {inc.severity} kind {inc.kind or '-'} "
             f"started {_hhmm(inc.started_at)}",
             f"  title: {_one(inc.title, 200)}",
             f"  cause ({inc.cause_kind}): {_one(inc.cause, 400)}",
             f"  impact: {_one(inc.impact.text, 240) or 'none measured'}",
             f"  first step: {_one(inc.next_step, 400)}"]
    parts = []
    if m.pods:
        parts.append(f"{len(m.pods)} pods ({_names(m.pods)})")
    if m.workloads:
        parts.append(f"workloads ({_names(m.workloads)})")
    if m.nodes:
        parts.append(f"nodes ({_names(m.nodes)})")
    if m.alerts:
        parts.append(f"{len(m.alerts)} alerts ({_alert_names(inc, alert_names)})")
    if m.slos:
        parts.append(f"SLOs ({_names(m.slos)})")
    lines.append("  members: " + "; ".join(parts))
    rollouts = [c for c in inc.changes if c.kind != "alert"][:2]
    lines += [f"  change {_hhmm(c.at)} {_one(c.kind, 30)} {_one(c.subject, 120)}: {_one(c.summary, 300)}"
              for c in rollouts]
    facts = [e for e in inc.evidence if e.kind != "change"]
    lines += [f"  evidence [{_one(e.id, 40)}] {_one(e.text, 240)}" for e in facts[:MAX_EVIDENCE]]
    if len(facts) > MAX_EVIDENCE:
        lines.append(f"  ({len(facts) - MAX_EVIDENCE} more evidence items of the same kinds)")
    return lines


def incident_brief(inc: Incident) -> str:
    return (f"incident {_one(inc.id, 40)} rank {inc.rank} severity {inc.severity}: {_one(inc.title, 160)} "
            f"({inc.cause_kind}); first step: {_one(inc.next_step, 160)}")


# -- changes ---------------------------------------------------------------------------------------------
def change_lines(snap: Snapshot, limit: int = 15) -> list[str]:
    """What changed recently, newest first; alerts starting are counted, not listed (the alerts pane has them)."""
    real = [c for c in snap.changes if c.kind != "alert"]
    out = [f"{_hhmm(c.at)} {_one(c.kind, 30)} {_one(c.subject, 120)}: {_one(c.summary, 300)}" for c in real[:limit]]
    if len(real) > limit:
        out.append(f"({len(real) - limit} older changes not shown)")
    started = sum(1 for c in snap.changes if c.kind == "alert")
    if started:
        out.append(f"({started} alerts started firing in the window)")
    return out


# -- workloads and nodes ----------------------------------------------------------------------------------
def _trouble(w: Workload) -> bool:
    stalled = any(t == "Progressing" and s == "False" for t, s, *_ in w.conditions)
    return w.gap > 0 or w.updated < w.desired or w.paused or stalled


def workload_lines(snap: Snapshot) -> tuple[list[str], int]:
    """Workloads in trouble (replica gap, rollout not done, stalled, paused) first; (lines, healthy count)."""
    trouble = [w for w in snap.workloads if _trouble(w)]
    lines = []
    for w in trouble:
        conds = [f"{t}={s} {r}".strip() for t, s, r, *_ in w.conditions if s != "True"]
        extra = (" paused" if w.paused else "") + (f" conditions: {', '.join(_one(c, 80) for c in conds)}" if conds else "")
        lines.append(f"{w.kind.lower()} {_one(w.namespace, 80)}/{_one(w.name, 120)} desired {w.desired} ready {w.ready} "
                     f"updated {w.updated} available {w.available}{extra}")
    return lines, len(snap.workloads) - len(trouble)


def quantity(text: str) -> float | None:
    """A Kubernetes quantity as a number (cores or bytes): '500m' -> 0.5, '2Gi' -> 2147483648."""
    m = _QTY.match(text.strip()) if text else None
    if not m or m.group(2) not in _UNITS:
        return None
    try:
        return float(m.group(1)) * _UNITS[m.group(2)]
    except ValueError:
        return None


def requested(snap: Snapshot) -> dict[tuple[str, str], tuple[float, float]]:
    """(context, node) -> (cpu cores, memory bytes) requested by the pods scheduled there and still running."""
    out: dict[tuple[str, str], tuple[float, float]] = {}
    for p in snap.pods:
        if not p.node or p.phase in ("Succeeded", "Failed"):
            continue
        cpu = mem = 0.0
        for c in p.containers:
            if not c.init:
                cpu += quantity(c.cpu_request) or 0.0
                mem += quantity(c.memory_request) or 0.0
        if cpu or mem:
            key = (p.context, p.node)
            a, b = out.get(key, (0.0, 0.0))
            out[key] = (a + cpu, b + mem)
    return out


def _gib(x: float) -> str:
    return f"{x / 1024**3:.1f}Gi"


def node_line(n: Node, pods: int, req: tuple[float, float] | None) -> str:
    status = n.status
    since = n.since("Ready") if status != "Ready" else None
    parts = [f"node {_one(n.name, 120)} {status}" + (f" since {_hhmm(since)}" if since else ""), f"pods {pods}"]
    if n.pressure:
        parts.append("pressure " + ", ".join(f"{_one(p, 40)} since {_hhmm(n.since(p))}" for p in n.pressure))
    if n.unschedulable:
        parts.append("cordoned")
    cpu_a, mem_a = quantity(n.allocatable.get("cpu", "")), quantity(n.allocatable.get("memory", ""))
    if req is not None or cpu_a or mem_a:
        cpu_r, mem_r = req or (0.0, 0.0)
        cpu = f"cpu requested {cpu_r:g}" + (f"/{cpu_a:g} ({cpu_r / cpu_a:.0%})" if cpu_a else "/? allocatable")
        mem = f"memory requested {_gib(mem_r)}" + (f"/{_gib(mem_a)} ({mem_r / mem_a:.0%})" if mem_a else "/?")
        parts.append(f"{cpu}, {mem} of allocatable")
    return ", ".join(parts)


def node_lines(snap: Snapshot) -> tuple[list[str], int]:
    """Nodes in trouble (not Ready, pressure, cordoned, requests over 90%) first; (lines, other count)."""
    if not snap.nodes:
        return [], 0
    counts: dict[tuple[str, str], int] = {}
    for p in snap.pods:
        if p.node:
            counts[(p.context, p.node)] = counts.get((p.context, p.node), 0) + 1
    req = requested(snap)
    rows = []
    for n in snap.nodes:
        key = (n.context, n.name)
        line = node_line(n, counts.get(key, 0), req.get(key))
        hot = re.search(r"\((9\d|\d{3,})%\)", line) is not None
        rows.append((0 if n.status != "Ready" else 1 if n.pressure or n.unschedulable or hot else 2, line))
    rows.sort(key=lambda r: r[0])
    return [line for _, line in rows], 0
