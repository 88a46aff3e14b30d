"""Offline Marcus on a question that names something: which rows it names, what it names that exists
nowhere, and his advice on silencing an alert (what it is, its incident, the page-level burn it hides,
the silence cockpit would make)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from cockpit.advisor.evidence import Known, _core, names_to_check
from cockpit.advisor.offline import _code, _s, _sentence, incident_of, member_key_of_alert
from cockpit.analysis.correlate import workload_of
from cockpit.analysis.matchers import format_matchers, preview, silence_matchers
from cockpit.analysis.silence_problems import page_slos
from cockpit.model import Alert, Incident, Node, Pod, SLOStatus, Snapshot, Workload, severity_rank

_WORD = re.compile(r"\S+")
SILENCE_WORDS = re.compile(r"\b(silenc\w*|mute\w*|snooz\w*|ack\w*|suppress\w*|quiet)\b", re.I)
# A dead man's switch fires all the time on purpose (kube-prometheus' Watchdog, DeadMansSwitch):
# known by its name or by what its description says of itself.
_HEARTBEAT_NAMES = frozenset({"watchdog", "deadmansswitch", "deadmanswitch", "deadmanssnitch", "heartbeat"})
_HEARTBEAT_TEXT = re.compile(r"always (be )?firing|alerting pipeline is functional|dead ?man", re.I)
_INHIBITOR_TEXT = re.compile(r"inhibit(s|ing)? info", re.I)


@dataclass
class Named:
    """What a question names: rows that exist, and name-shaped words that exist nowhere."""

    alerts: list[Alert] = field(default_factory=list)
    pods: list[Pod] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    slos: list[SLOStatus] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    @property
    def any_row(self) -> bool:
        return bool(self.alerts or self.pods or self.nodes or self.workloads or self.slos)


def _words(question: str) -> list[str]:
    return [w for w in (_core(m.group()) for m in _WORD.finditer(question)) if w]


def resolve(question: str, snap: Snapshot, known: Known | None = None) -> Named:
    """The rows a question names exactly (case-insensitive; `ns/name` too), and the name-shaped words
    (as the evidence check reads names) that nothing on screen carries."""
    out = Named()
    known = known or Known.of(snap)
    words = _words(question)
    low = {w.lower() for w in words} | {w.lower().rsplit("/", 1)[-1] for w in words if "/" in w}
    out.alerts = [a for a in snap.alerts if a.name.lower() in low]
    out.pods = [p for p in snap.pods if p.name.lower() in low or f"{p.namespace}/{p.name}".lower() in low][:3]
    out.nodes = [n for n in snap.nodes if n.name.lower() in low][:3]
    out.workloads = [w for w in snap.workloads if w.name.lower() in low][:3]
    slos = [s for s in snap.slos if f"{s.service}/{s.name}".lower() in low
            or (s.service.lower() in low and not out.workloads)]
    # "why is checkout slow?" with two checkout SLOs: the one the question names, else the worst burning
    order = {"page": 0, "ticket": 1, "unknown": 2, "no-data": 2, "ok": 3}
    out.slos = sorted(slos, key=lambda s: (s.name.lower() not in low and not _alike(s.name, low),
                                           order.get(s.status, 2), -max((b or 0 for b in s.burn_rates.values()),
                                                                        default=0)))[:3]
    prev = ""
    recent: list[str] = []
    for w in words:
        for name in names_to_check(w, prev, set(recent[-4:]), known):
            if not known.knows(name) and name not in out.unknown:
                out.unknown.append(name)
        prev = w.lower()
        recent.append(prev)
    return out


def _alike(slo_name: str, words: set[str]) -> bool:
    """An SLO named in other words: latency ~ slow/latency, availability ~ errors/down/failing."""
    hints = {"latency": {"slow", "slowness", "latency", "p99", "p95", "lag"},
             "availability": {"errors", "error", "down", "failing", "5xx", "availability", "outage"}}
    return any(key in slo_name.lower() and words & alike for key, alike in hints.items())


def closest(name: str, snap: Snapshot) -> list[str]:
    """Names on screen a typo or a half-remembered name may mean (pods, their workloads, nodes, alerts)."""
    pool = {p.name for p in snap.pods} | {workload_of(p)[1] for p in snap.pods} | {n.name for n in snap.nodes}
    pool |= {a.name for a in snap.alerts} | {w.name for w in snap.workloads}
    by_lower = {p.lower(): p for p in pool if p}
    hits = difflib.get_close_matches(name.lower(), list(by_lower), n=3, cutoff=0.6)
    return [by_lower[h] for h in hits]


def not_seen_lines(unknown: Sequence[str], snap: Snapshot) -> list[str]:
    """One line per name that exists nowhere: said plainly, with what he does see and what could hide it."""
    lines = []
    for name in unknown[:3]:
        near = closest(name, snap)
        also = f" Closest I see: {', '.join(_s(n, 80) for n in near)}." if near else ""
        lines.append(f"I don't see {_s(name, 80)} on screen (no pod, node, workload, alert or SLO by that name "
                     f"among the {len(snap.pods)} pods, {len(snap.nodes)} nodes and {len(snap.alerts)} alerts I am "
                     f"shown).{also}")
    if lines:
        lines.append("If it lives in a namespace or cluster cockpit is not watching, I cannot see it: "
                     "`kubectl get pods -A` finds it wherever it runs.")
    return lines


def is_heartbeat(a: Alert) -> bool:
    text = " ".join(a.annotations.values())
    return a.name.lower() in _HEARTBEAT_NAMES or bool(_HEARTBEAT_TEXT.search(text))


def silence_lines(snap: Snapshot, alerts: Sequence[Alert], incidents: Sequence[Incident]) -> list[str]:
    """Should this alert be silenced: the verdict first, then why, then the silence cockpit would make."""
    a = next((x for x in alerts if x.state == "firing" and not x.silenced), alerts[0])
    name = _s(a.name, 80)
    firing = [x for x in alerts if x.state == "firing" and not x.silenced]
    silenced = [x for x in alerts if x.silenced]
    inc = next((i for x in alerts if (i := incident_of(incidents, member_key_of_alert(x))) is not None), None)
    burns = page_slos(firing, snap.slos)
    if inc is not None:
        burns += [(a, s) for s in snap.slos if s.status == "page" and f"{s.service}/{s.name}" in inc.members.slos
                  and all(s is not b for _, b in burns)]
    text = " ".join(a.annotations.values())
    lines: list[str] = []
    if is_heartbeat(a):
        lines.append(f"Don't silence {name}. It is the dead man's switch: it fires all the time on purpose, so "
                     "whatever receives it pages when it stops, because then alerting itself is down. A silence "
                     "turns that heartbeat off. If it is noise in a receiver, route it to its heartbeat receiver "
                     "(or a null receiver) in the Alertmanager config instead.")
    elif _INHIBITOR_TEXT.search(text):
        lines.append(f"Don't silence {name}: it exists to inhibit info-level alerts. Silence it and they start "
                     "notifying.")
    elif burns:
        slo = burns[0][1]
        lines.append(f"Not yet. {name} is the signal for {_s(slo.service, 60)}/{_s(slo.name, 60)} burning at page "
                     "level: a silence hides a page-level SLO burn. Silence it only once someone owns the "
                     "mitigation, for the mitigation window (30m to 1h), with that owner in the comment.")
    elif inc is not None:
        lines.append(f"Only once the cause is being handled: {name} is a symptom of incident {inc.rank} "
                     f"({inc.severity}), and a silence hides the symptom, not the incident.")
    elif severity_rank(a.severity) >= severity_rank("info"):
        lines.append(f"Fine to silence, but there is little to gain: {name} is {_s(a.severity, 20)}-level and pages "
                     "no one. Fix its routing if it is noise every day.")
    else:
        lines.append(f"If you know why it fires and someone owns it, yes, with an expiry: {name} belongs to no "
                     "incident on screen.")
    what = f"{name}: {_s(a.severity, 20)}, {len(firing)} firing" + (f", {len(silenced)} already silenced"
                                                                     if silenced else "")
    about = a.summary or a.annotations.get("description", "")
    said = _s(about, 200).rstrip(".")
    lines.append(f"What it is: {what}" + (f"; it says \"{said}\"" if said else "") + ".")
    if inc is not None:
        lines.append(f"It belongs to incident {inc.rank} of {len(incidents)} ({inc.severity}): "
                     f"{_sentence(_s(inc.title, 160))} First: {_sentence(_code(_s(inc.next_step, 300)))}")
    else:
        lines.append("It belongs to no incident on screen.")
    if not firing:
        lines.append("Nothing of it is firing unsilenced now: there is nothing to silence.")
        return lines
    matchers = silence_matchers(a, "name_ns")
    hit, names, warning = preview(matchers, snap.alerts)
    lines.append(f"The silence cockpit would make (`s` on the alert): `{_s(format_matchers(matchers), 200)}` for 1h, "
                 f"comment \"Silenced from cockpit while investigating {name}\"; it matches {hit} alert"
                 f"{'s' * (hit != 1)} now" + (f" ({_s(warning, 160)})" if warning else "") + ".")
    return lines
