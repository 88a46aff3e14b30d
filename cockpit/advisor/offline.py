"""Offline Marcus: speaks from the snapshot's incidents, no model, no network.

He names every incident once, most impactful first: its cause (observed or a hypothesis, said so),
the numbers that matter and the first step; minor ones share one "Also" line; a calm screen gets one
line. About a selected row: its incident, the evidence, what changed before it, what to run next and
what would change his mind. He says what he cannot see (sources failing or not configured). Every
number comes from the snapshot; every piece of cluster text goes through sanitize_line.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import datetime

from cockpit.advisor.base import AdvisorChunk, AdvisorRequest, ScreenState
from cockpit.advisor.evidence import Known, StreamCheck, as_chunks, count_text
from cockpit.advisor.persona import Persona, load_persona
from cockpit.analysis.analyzers import analyze, burn_text
from cockpit.analysis.changes import is_multi, workload_ref
from cockpit.analysis.correlate import workload_of
from cockpit.analysis.incidents import (
    incident_of,
    member_key_of_alert,
    member_key_of_node,
    member_key_of_pod,
    member_key_of_slo,
)
from cockpit.analysis.problems import CONFIG_REASONS, PULL_REASONS, lacked_resource
from cockpit.analysis.sanitize import sanitize_line
from cockpit.model import (
    Alert,
    Change,
    Finding,
    Incident,
    Node,
    Pod,
    SLOStatus,
    Snapshot,
    Workload,
    severity_rank,
)

CHUNK_WORDS = 4
MAJOR = 5  # incidents told in full; the rest share the "Also" line
_KUBECTL = re.compile(r"(?<!`)\bkubectl [^;`]+?(?=;|$|,|\)| then | shows | names | so | for | to see )")


def _s(text: object, limit: int = 200) -> str:
    """Cluster text for the user: one line, controls removed, cut with an ellipsis (no internal markers)."""
    s = sanitize_line(text, None, for_terminal=False)  # the panel normalises what it draws
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


def _code(text: str) -> str:
    """kubectl commands inside a sentence as `code`, so they read (and copy) as commands."""
    return _KUBECTL.sub(lambda m: f"`{m.group().strip()}`", text)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?…`" else text + "."


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def findings_of(snapshot: Snapshot) -> list[Finding]:
    """The snapshot's findings, computed here when the caller did not attach them."""
    return list(snapshot.findings) or analyze(snapshot)


def incidents_of(snapshot: Snapshot) -> tuple[Incident, ...]:
    """The snapshot's incidents, built here when the caller did not attach them."""
    if snapshot.incidents:
        return snapshot.incidents
    from dataclasses import replace

    from cockpit.analysis.changes import build_changes
    from cockpit.analysis.incidents import build_incidents

    changes = snapshot.changes or build_changes(snapshot)
    return build_incidents(replace(snapshot, changes=changes), changes)


def _hhmm(at: datetime | None) -> str:
    return f"{at:%H:%M}" if at else "?"


# -- what he cannot see ----------------------------------------------------------------------------
HIDES = {"alerts": "firing alerts or silences", "pods": "pods, nodes, workloads or rollouts",
         "slos": "SLO burn rates or error budgets"}
FEED = {"alerts": "alert", "pods": "Kubernetes", "slos": "SLO"}
_KIND_FEEDS = {"alertmanager": "alerts", "kubernetes": "pods", "slo": "slos"}


def blind_spots(screen: ScreenState) -> list[str]:
    """Sources that are failing or not configured, and what that hides; SLOs that return no data."""
    snap, cov = screen.snapshot, screen.coverage
    out = []
    for h in snap.sources.values():
        if h.ok:
            continue
        when = f", its last answer at {_hhmm(h.last_ok)}" if h.last_ok else ", no answer yet"
        feed = _KIND_FEEDS.get(h.kind, "")
        hides = f": what it feeds ({HIDES[feed]}) is stale" if feed and not cov else ""
        out.append(f"{_cap(_s(h.label, 80))} is failing ({_s(h.error, 160)}){when}{hides}.")
    stale = [HIDES[f] for f, (state, _) in cov.items() if state in ("stale", "unknown") and f in HIDES]
    if stale:
        out.append(f"So I may be looking at old or missing {' and '.join(stale)}.")
    missing = [f for f, (state, _) in cov.items() if state == "not configured" and f in HIDES]
    if missing:  # one sentence for all of them: the same point, not repeated per feed
        out.append(f"No {' or '.join(FEED[f] for f in missing)} source is configured: I see no "
                   f"{'; no '.join(HIDES[f] for f in missing)} at all, and an empty pane there means unknown, "
                   "not fine.")
    blind = [s for s in snap.slos if s.status == "no-data" and not s.error]
    if blind:
        names = ", ".join(f"{_s(s.service, 60)}/{_s(s.name, 60)}" for s in blind[:3])
        more = f" (+{len(blind) - 3})" if len(blind) > 3 else ""
        out.append(f"{names}{more}: no data, the SLI returns no samples. No data is not the same as no errors; "
                   "check the query and its scrape target.")
    return out


# -- the whole screen ----------------------------------------------------------------------------------
def _impact(inc: Incident) -> str:
    if inc.impact.slos:
        return _s(inc.impact.text, 200)
    return ""


def _cause(inc: Incident) -> str:
    return f"{'Observed' if inc.cause_kind == 'observed' else 'Hypothesis'}: {_sentence(_s(inc.cause, 400))}"


def who(inc: Incident, snap: Snapshot) -> str:
    """The workloads an incident's pods belong to, when its cause does not name them: "4 reindex-worker"."""
    wanted = {ref.rsplit(":", 1)[-1] for ref in inc.members.pods}
    if not wanted:
        return ""
    counts: dict[str, int] = {}
    for p in snap.pods:
        if f"{p.namespace}/{p.name}" in wanted:
            name = workload_of(p)[1]
            counts[name] = counts.get(name, 0) + 1
    names = [n for n in counts if n.lower() not in inc.cause.lower()]
    if not names:
        return ""
    parts = [f"{counts[n]} of {_s(n, 80)}" for n in sorted(names, key=lambda n: -counts[n])[:4]]
    more = len(names) - len(parts)
    return "Pods: " + ", ".join(parts) + (f" and {more} more workloads" if more > 0 else "") + "."


def step(inc: Incident, snap: Snapshot, limit: int = 400, pod: Pod | None = None) -> str:
    """The incident's first step, with a real pod name where it says <pod>."""
    text = _s(inc.next_step, limit)
    if "<pod>" in text:
        ref = f"{pod.namespace}/{pod.name}" if pod is not None else (inc.members.pods or ("",))[0]
        name = ref.rsplit(":", 1)[-1].partition("/")[2]
        if name:
            text = text.replace("<pod>", _s(name, 120))
    return text


def incident_lines(inc: Incident, n: int, snap: Snapshot, brief: bool = False) -> list[str]:
    """One incident: title, cause (observed/hypothesis), the pods it holds, impact, first step."""
    head = f"{n}. [{inc.severity}] {_s(inc.title, 160)}"
    pods = who(inc, snap)
    if brief:  # one line: the cause when it is short (it carries the numbers), else the title
        what = _s(inc.cause, 160) if len(inc.cause) <= 150 else _s(inc.title, 160)
        first = step(inc, snap, 200).split("; ")[0]  # the mitigation; the investigation can wait
        return [f"{n}. [{inc.severity}] {what}" + (f". {pods[:-1]}" if pods else "")
                + f". First: {_sentence(_code(first))}"]
    lines = [head, "   " + _cause(inc) + (f" {pods}" if pods else "")]
    if impact := _impact(inc):
        lines.append(f"   Users feel it: {_sentence(impact)}")
    if inc.next_step:
        lines.append(f"   First: {_sentence(_code(step(inc, snap)))}")
    return lines


MAX_ALSO = 6


_WHERE = re.compile(r"\s*\(([^()]*)\)$")


def _also(rest: Sequence[Incident]) -> str:
    """The minor incidents in one line, alike titles as one ("X firing in 6 places: ns-8, ns-17, …");
    past MAX_ALSO groups they are counted (the Incidents view has them all)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for i in rest:
        title = _s(i.title, 100)
        where = _WHERE.search(title)
        key = (_WHERE.sub("", title) if where else title, i.severity)
        groups.setdefault(key, []).append(where.group(1) if where else "")
    parts = []
    for (title, sev), places in groups.items():
        if len(places) > 1 and all(places):
            shown = ", ".join(places[:4]) + (", …" if len(places) > 4 else "")
            parts.append(f"{title} in {len(places)} places: {shown} ({sev})")
        else:
            parts += [f"{title} ({p}) ({sev})" if p else f"{title} ({sev})" for p in places]
    more = f"; and {len(parts) - MAX_ALSO} more" if len(parts) > MAX_ALSO else ""
    return f"Also: {'; '.join(parts[:MAX_ALSO])}{more}."


def alerts_state(screen: ScreenState) -> str:
    """ok | stale | unknown | not configured: whether "0 alerts" means none or cannot tell."""
    if "alerts" in screen.coverage:
        return screen.coverage["alerts"][0]
    bad = [h for h in screen.snapshot.sources.values() if h.kind == "alertmanager" and not h.ok]
    return "stale" if bad else "ok"


def _counts(screen: ScreenState, incidents: Sequence[Incident]) -> str:
    snap = screen.snapshot
    firing = sum(1 for a in snap.alerts if a.state == "firing" and not a.silenced)
    crit = sum(1 for i in incidents if i.severity == "critical")
    n = len(incidents)
    head = f"{n} incident{'s' * (n != 1)}" + (f", {crit} critical" if crit else "")
    state = alerts_state(screen)
    if state in ("unknown", "not configured"):
        head += f"; alerts {state}"
    else:
        head += f"; {firing} alert{'s' * (firing != 1)} firing" if firing else "; no alert firing"
        head += " as last seen" if state == "stale" else ""
        members = {fp for i in incidents for fp in i.members.alerts}
        if firing > 1 and all(a.fingerprint in members for a in snap.alerts if a.state == "firing" and not a.silenced):
            head += f", all {'of them ' if n > 1 else ''}part of {'these' if n > 1 else 'it'}"
    silenced = sum(1 for a in snap.alerts if a.silenced)
    if silenced:
        head += f", {silenced} silenced"
    return head


def _calm(snap: Snapshot, blind: bool = False) -> str:
    nodes = f", {len(snap.nodes)} nodes" if snap.nodes else ""
    slos = f", {len(snap.slos)} SLO{'s' * (len(snap.slos) != 1)}" if snap.slos else ""
    firing = any(a.state == "firing" for a in snap.alerts)
    if blind:  # "calm" would be a claim about what he cannot see
        return f"No incident in what I can see ({len(snap.pods)} pods{nodes}{slos}), but I cannot see everything:"
    return (f"Calm: no incident across {len(snap.pods)} pods{nodes}{slos}. Nothing needs you right now"
            + ("; what fires is informational or silenced." if firing else "; nothing is firing."))


def overview(screen: ScreenState, persona: Persona | None = None, brief: bool = False) -> str:
    """The whole screen: every incident once, most impactful first (brief: one line each)."""
    snap = screen.snapshot
    incidents = sorted(incidents_of(snap), key=lambda i: i.rank or 99)
    lines: list[str] = []
    blind = blind_spots(screen)
    if not incidents:
        lines.append(_calm(snap, bool(blind)))
    else:
        lines.append(_counts(screen, incidents) + ". Most impactful first:" if len(incidents) > 1
                     else _counts(screen, incidents) + ":")
        major = incidents[:3] if brief else incidents[:MAJOR]
        causes: dict[str, int] = {}
        for n, inc in enumerate(major, 1):
            told = incident_lines(inc, n, snap, brief)
            if not brief and inc.cause in causes:  # alike incidents: say so instead of repeating the line
                told[1] = f"   {'Observed' if inc.cause_kind == 'observed' else 'Hypothesis'}: the same as incident {causes[inc.cause]}."
            causes.setdefault(inc.cause, n)
            lines += told
        if len(incidents) > len(major):
            lines.append(_also(incidents[len(major):]))
    lines += blind
    if incidents and "roll back" in incidents[0].next_step and persona and persona.on_call and not brief:
        lines.append(persona.on_call[0])
    return "\n".join(_unique(lines))


def _unique(lines: Iterable[str]) -> list[str]:
    """No sentence twice: a line repeating an earlier one is dropped."""
    seen: set[str] = set()
    out = []
    for line in lines:
        key = line.strip().lower()
        if key and key in seen:
            continue
        seen.add(key)
        out.append(line)
    return out


def comment(screen: ScreenState, persona: Persona | None = None) -> str:
    """An unprompted comment: each incident in one line with its first step."""
    return overview(screen, persona, brief=True)


# -- a selected row ---------------------------------------------------------------------------------------
MIND = {
    "rollout": "What would change my mind: pods of the old ReplicaSet failing the same way. Then it is not the "
               "new version but something both depend on.",
    "node-down": "What would change my mind: the pods still answering on their IPs. Then the node lost its "
                 "kubelet heartbeat, not its workloads, and draining it does more harm than good.",
    "capacity": "What would change my mind: requests summing well below allocatable. Then it is taints, "
                "affinity or a quota, not capacity.",
    "node-pressure": "What would change my mind: usage on that node dropping while the condition stays. Then "
                     "the kubelet is wrong about its own thresholds.",
    "workload": "What would change my mind: the previous container's logs naming a dependency (timeouts, "
                "connection refused). Then the cause is downstream and a restart fixes nothing.",
    "slo": "What would change my mind: a failing pod or a recent rollout on the request path. Then that is the "
           "cause, not a dependency.",
    "alerts": "What would change my mind: a row the alert names starting to fail. Until then it is a "
              "symptom without a visible cause.",
}


MIND_POD = {  # a workload's incident read by what its pods fail with
    "image-pull": "What would change my mind: the same image pulling fine on another node. Then it is that "
                  "node's registry access or the pull secret, not the tag.",
    "config": "What would change my mind: the ConfigMap or Secret key being there in that namespace. Then it "
              "is a typo in the pod spec's reference, or the kubelet reading an older version.",
}


def _waiting(pod: Pod) -> str:
    """image-pull | config | "" from the pod's waiting reasons."""
    reasons = {c.reason for c in pod.containers} | {pod.reason}
    if reasons & PULL_REASONS:
        return "image-pull"
    return "config" if reasons & CONFIG_REASONS else ""


MIND_PATH = {  # a burn with healthy pods whose cause cites the rollout / rollback on its path
    "rollout": "What would change my mind: the error ratio already up before the rollout. Then the new version "
               "is a coincidence and the cause is something it depends on.",
    "rollback": "What would change my mind: the 5m burn still above 1x five minutes after the rollback. Then the "
                "version was not the cause: look at what the service depends on.",
}


def _mind(inc: Incident | None, pod: Pod | None) -> str:
    if inc is None:
        return ""
    if inc.kind == "slo" and (path := next((c for c in inc.changes if c.kind == "rollout"), None)) is not None:
        return MIND_PATH["rollback" if path.details.get("rollback") == "true" else "rollout"]
    if pod is not None and inc.kind in ("workload", "rollout") and (kind := _waiting(pod)):
        return MIND_POD[kind]
    return MIND.get(inc.kind, "")


def _promql_pod(pod: Pod, inc: Incident | None) -> str:
    """The query that tests the incident's story for this pod ("" when there is nothing to test)."""
    ns, name = _s(pod.namespace, 64), _s(pod.name, 120)
    kind = inc.kind if inc is not None else ""
    why = " ".join(c[3] for c in pod.conditions) + " " + pod.message
    if kind == "capacity" and (res := lacked_resource(why)) in ("cpu", "memory"):
        return (f'`sum by (node) (kube_pod_container_resource_requests{{resource="{res}"}}) / sum by (node) '
                f'(kube_node_status_allocatable{{resource="{res}"}})` for how full each node is')
    if kind in ("node-down", "node-pressure", "capacity") and pod.node:
        return f'`kube_node_status_condition{{node="{_s(pod.node, 120)}", status="true"}}` for its node\'s conditions'
    if waiting := _waiting(pod):
        reasons = "ErrImagePull|ImagePullBackOff" if waiting == "image-pull" else "CreateContainerConfigError"
        return (f'`kube_pod_container_status_waiting_reason{{namespace="{ns}", reason=~"{reasons}"}}` '
                "for every pod stuck the same way")
    if any(c.last_reason == "OOMKilled" for c in pod.containers):
        return (f'`max by (container) (container_memory_working_set_bytes{{namespace="{ns}", pod="{name}"}})` '
                "against its memory limit")
    if pod.restarts or kind:
        return f'`increase(kube_pod_container_status_restarts_total{{namespace="{ns}", pod="{name}"}}[1h])`'
    return ""


def _incident_block(snap: Snapshot, inc: Incident | None, total: int, evidence_for: str = "",
                    impact_line: bool = True) -> list[str]:
    if inc is None:
        return []
    pods = who(inc, snap)
    lines = [f"It belongs to incident {inc.rank} of {total} ({inc.severity}): {_sentence(_s(inc.title, 160))}",
             _cause(inc) + (f" {pods}" if pods else "")]
    if impact_line and (impact := _impact(inc)):
        lines.append(f"Users feel it: {_sentence(impact)}")
    facts = [e for e in inc.evidence if e.kind != "change"]  # changes get their own line below
    mine = [e for e in facts if evidence_for and evidence_for in e.text]
    shown = (mine + [e for e in facts if e not in mine])[:4]
    if shown:
        lines.append("Evidence:")
        lines += [f"- [{_s(e.id, 40)}] {_s(e.text, 220)}" for e in shown]
        if len(facts) > len(shown):
            lines.append(f"- and {len(facts) - len(shown)} more in the incident.")
    before, since = changes_around(inc)
    if before:
        lines.append("Changed before it: " + _changes_text(before) + ".")
    else:
        lines.append("Nothing changed before it that I can see (no rollout, config or node change in the window).")
    if since:
        lines.append("Since then: " + _changes_text(since) + ".")
    return lines


def changes_around(inc: Incident) -> tuple[list[Change], list[Change]]:
    """(before, since): the incident's changes at or before its start (the suspects), and those after
    it (a reaction or a consequence, never the cause). With no known start, all count as before."""
    changed = [c for c in inc.changes if c.kind != "alert"]
    start = inc.started_at
    if start is None:
        return changed, []
    return [c for c in changed if c.at <= start], [c for c in changed if c.at > start]


def _changes_text(changes: Sequence[Change], most: int = 2) -> str:
    return "; ".join(f"{_hhmm(c.at)} {_s(c.subject, 100)}: {_s(c.summary, 240)}" for c in changes[:most])


def _pod_answer(snap: Snapshot, pod: Pod, incidents: Sequence[Incident]) -> list[str]:
    ns, name = _s(pod.namespace, 64), _s(pod.name, 120)
    lines = [f"pod {ns}/{name}: {_s(pod.reason or pod.phase, 60)}, {pod.ready_text} ready, {pod.restarts} restarts"
             + (f", on node {_s(pod.node, 64)}" if pod.node else "") + "."]
    for c in pod.containers:
        if c.last_reason:
            code = f" (exit {c.last_exit_code})" if c.last_exit_code is not None else ""
            limit = f", memory limit {_s(c.memory_limit, 20)}" if c.memory_limit else ", no memory limit"
            lines.append(f"Container {_s(c.name, 64)} ({_s(c.image, 120)}) last terminated {_s(c.last_reason, 40)}"
                         f"{code}{limit}.")
        elif c.reason and c.reason not in ("Running", "Completed"):
            msg = f": {_s(c.message, 200)}" if c.message else ""
            lines.append(f"Container {_s(c.name, 64)} ({_s(c.image, 120)}): {_s(c.reason, 60)}{msg}.")
    if pod.message:
        lines.append(f"The kubelet says: {_sentence(_s(pod.message, 240))}")
    inc = incident_of(incidents, member_key_of_pod(snap, pod))
    lines += _incident_block(snap, inc, len(incidents), f"{pod.namespace}/{pod.name}")
    if inc is None:
        lines.append("It is in no incident: nothing on screen ties it to a problem right now.")
    lines.append("Next:")
    if inc is not None and inc.next_step:
        lines.append(f"- {_cap(_sentence(_code(step(inc, snap, 400, pod))))}")
    logs = f"kubectl logs --previous -n {ns} {name}"
    if (pod.restarts or any(c.last_reason for c in pod.containers)) and logs not in lines[-1]:
        lines.append(f"- `{logs}` for the crash itself.")
    lines.append(f"- `kubectl describe pod -n {ns} {name}` (or `d`) for events and probes.")
    if pod.node and inc is not None and inc.kind in ("node-down", "node-pressure", "capacity"):
        lines.append(f"- `kubectl describe node {_s(pod.node, 120)}` for its conditions and allocated resources.")
    if query := _promql_pod(pod, inc):
        lines.append(f"- PromQL: {query}.")
    if mind := _mind(inc, pod):
        lines.append(mind)
    return lines


def _alert_answer(snap: Snapshot, alert: Alert, incidents: Sequence[Incident]) -> list[str]:
    now = snap.taken_at
    age = ""
    if alert.starts_at and now and now >= alert.starts_at:
        age = f", for {int((now - alert.starts_at).total_seconds() // 60)}m"
    lines = [f"alert {_s(alert.name, 80)}: {_s(alert.severity, 20)}, {_s(alert.state, 20)}{age}."]
    if alert.summary:
        lines.append(f"It says: \"{_s(alert.summary, 200)}\"")
    inc = incident_of(incidents, member_key_of_alert(alert))
    lines += _incident_block(snap, inc, len(incidents))
    if inc is None:
        lines.append("It is in no incident: silenced, inhibited or informational." if alert.silenced or
                     alert.state != "firing" or severity_rank(alert.severity) >= 3 else
                     "It is in no incident yet: nothing else on screen explains it.")
    lines.append("Next:")
    if inc is not None and inc.next_step:
        lines.append(f"- {_cap(_sentence(_code(step(inc, snap, 400))))}")
    if alert.runbook_url:
        lines.append(f"- Runbook: {_s(alert.runbook_url, 200)}")
    lines.append(f'- PromQL: `ALERTS{{alertname="{_s(alert.name, 80)}", alertstate="firing"}}` for what fires with it.')
    if alert.silenced:
        lines.append("- Already silenced: make sure someone owns the cause before the silence ends.")
    else:
        lines.append("- Silence it only once the cause is understood and mitigation is under way, with an expiry.")
    if mind := _mind(inc, _first_pod(inc, snap)):
        lines.append(mind)
    return lines


def _slo_answer(snap: Snapshot, slo: SLOStatus, incidents: Sequence[Incident]) -> list[str]:
    windows = ", ".join(f"{w} {b:.1f}x" for w, b in slo.burn_rates.items() if b is not None)
    budget = f"{slo.budget_remaining * 100:.0f}% budget left" if slo.budget_remaining is not None else "budget unknown"
    svc, nm = _s(slo.service, 64), _s(slo.name, 64)
    lines = [f"slo {svc}/{nm} ({slo.objective * 100:g}%): {slo.status}, {budget}, {burn_text(slo)}."]
    lines.append(f"Burn rates: {windows}." if windows else "No burn data: the SLI returns no samples.")
    inc = incident_of(incidents, member_key_of_slo(slo))
    lines += _incident_block(snap, inc, len(incidents), impact_line=False)
    lines.append("Next:")
    if inc is not None and inc.next_step and slo.status in ("page", "ticket"):
        lines.append(f"- {_cap(_sentence(_code(step(inc, snap, 400))))}")
    elif slo.status == "page":
        lines.append("- Page-level burn: mitigate now (roll back the last change on its path), then find the cause.")
    elif slo.status == "ticket":
        lines.append("- Ticket-level burn: no emergency, but it will not fix itself; find the slow leak this week.")
    elif slo.status == "no-data":
        lines.append("- Check the SLI query and its scrape target: no data is not the same as no errors.")
    else:
        lines.append("- Nothing to do for this SLO right now.")
    query = slo.queries.get("1h") or slo.queries.get("5m")
    lines.append(f"- PromQL: `{_s(query, 300)}`." if query else
                 f'- PromQL: `slo:sli_error:ratio_rate1h{{sloth_service="{svc}", sloth_slo="{nm}"}}`.')
    if mind := _mind(inc, _first_pod(inc, snap)):
        lines.append(mind)
    return lines


_WORDS = re.compile(r"[a-z0-9][a-z0-9.\-/]*[a-z0-9]")


def _member_names(inc: Incident, alert_names: dict[str, str], owners: dict[str, str]) -> set[str]:
    """The names a question may use for an incident: its pods and their workloads, workloads, nodes,
    alerts, SLOs and their services."""
    m = inc.members
    names = {r.rsplit(":", 1)[-1].partition("/")[2] for r in m.pods}
    names |= {owners.get(r.rsplit(":", 1)[-1], "") for r in m.pods}
    names |= {r.rsplit(":", 1)[-1].rsplit("/", 1)[-1] for r in m.workloads}
    names |= {r.rsplit(":", 1)[-1] for r in m.nodes}
    names |= {alert_names.get(fp, "") for fp in m.alerts}
    names |= set(m.slos) | {s.partition("/")[0] for s in m.slos}
    return {n.lower() for n in names if len(n) >= 3}


def asked_about(question: str, snap: Snapshot, incidents: Sequence[Incident]) -> list[Incident]:
    """The incidents a question names by one of their members ("what is wrong with worker-7?")."""
    words = set(_WORDS.findall(question.lower()))
    if not words:
        return []
    alert_names = {a.fingerprint: a.name for a in snap.alerts}
    members = {r.rsplit(":", 1)[-1] for i in incidents for r in i.members.pods}
    owners = {f"{p.namespace}/{p.name}": workload_of(p)[1] for p in snap.pods if f"{p.namespace}/{p.name}" in members}
    return [i for i in incidents if words & _member_names(i, alert_names, owners)][:3]


def _focus_answer(snap: Snapshot, named: Sequence[Incident], incidents: Sequence[Incident]) -> list[str]:
    """The incidents a question asked about, each with its evidence, change, next steps and what would
    change his mind; the rest of the screen in one line."""
    lines: list[str] = []
    for inc in named:
        block = _incident_block(snap, inc, len(incidents))
        block[0] = f"Incident {inc.rank} of {len(incidents)} ({inc.severity}): {_sentence(_s(inc.title, 160))}"
        lines += block
        lines.append("Next:")
        if inc.next_step:
            lines.append(f"- {_cap(_sentence(_code(step(inc, snap, 400))))}")
        if query := _promql_incident(inc, snap):
            lines.append(f"- PromQL: {query}.")
        if mind := _mind(inc, _first_pod(inc, snap)):
            lines.append(mind)
    others = [i for i in incidents if i not in named]
    if others:
        lines.append(f"Also on screen: {len(others)} other incident{'s' * (len(others) != 1)}, the worst "
                     f"{_s(others[0].title, 120)} ({others[0].severity}).")
    return lines


def _first_pod(inc: Incident | None, snap: Snapshot) -> Pod | None:
    refs = [r.rsplit(":", 1)[-1] for r in inc.members.pods] if inc is not None else []
    return next((p for p in snap.pods if refs and f"{p.namespace}/{p.name}" == refs[0]), None)


def _promql_incident(inc: Incident, snap: Snapshot) -> str:
    """The query that tests an incident's story, from its first member pod (or its SLO)."""
    pod = _first_pod(inc, snap)
    if pod is not None:
        return _promql_pod(pod, inc)
    if inc.members.slos:
        svc, _, name = inc.members.slos[0].partition("/")
        return f'`slo:sli_error:ratio_rate1h{{sloth_service="{_s(svc, 64)}", sloth_slo="{_s(name, 64)}"}}`'
    if inc.members.nodes:
        return f'`kube_node_status_condition{{node="{_s(inc.members.nodes[0], 120)}", status="true"}}`'
    return ""


def answer(request: AdvisorRequest, persona: Persona | None = None) -> str:
    screen = request.screen
    if request.question is None:
        return comment(screen, persona)
    snap = screen.snapshot
    pick = [("pods", screen.selected_pod), ("alerts", screen.selected_alert), ("slos", screen.selected_slo)]
    pick.sort(key=lambda item: item[0] != screen.focused)  # the focused pane's selection first
    focused = next(((pane, item) for pane, item in pick if item is not None and pane == screen.focused), None)
    incidents = sorted(incidents_of(snap), key=lambda i: i.rank or 99)
    if focused is None:
        if (lines := _named_answer(screen, request.question, incidents)) is not None:
            return "\n".join(_unique(lines + blind_spots(screen)))
        named = asked_about(request.question, snap, incidents)
        if not named:
            return overview(screen, persona)
        return "\n".join(_unique(_focus_answer(snap, named, incidents) + blind_spots(screen)))
    pane, item = focused
    if isinstance(item, Pod):
        lines = _pod_answer(snap, item, incidents)
    elif isinstance(item, Alert):
        lines = _alert_answer(snap, item, incidents)
    else:
        lines = _slo_answer(snap, item, incidents)
    lines += blind_spots(screen)
    return "\n".join(_unique(lines))


def _named_answer(screen: ScreenState, question: str, incidents: Sequence[Incident]) -> list[str] | None:
    """A question naming a row (`cockpit ask` has no selection) is answered about that row; a name that
    exists nowhere is said so, plainly, then what is on screen in brief. None when the question names
    nothing: the overview answers."""
    from cockpit.advisor.offline_named import SILENCE_WORDS, not_seen_lines, resolve, silence_lines

    snap = screen.snapshot
    named = resolve(question, snap)
    lines = not_seen_lines(named.unknown, snap)
    if named.alerts:
        same = [a for a in named.alerts if a.name == named.alerts[0].name]
        if SILENCE_WORDS.search(question):
            return lines + silence_lines(snap, same, incidents)
        first = next((a for a in same if a.state == "firing" and not a.silenced), same[0])
        return lines + _alert_answer(snap, first, incidents)
    if named.pods:
        return lines + _pod_answer(snap, named.pods[0], incidents)
    if named.nodes:
        node = named.nodes[0]
        inc = incident_of(incidents, member_key_of_node(snap, node))
        return lines + (_focus_answer(snap, [inc], incidents) if inc is not None else _node_lines(snap, node))
    if named.workloads:
        w = named.workloads[0]
        inc = _workload_incident(snap, w, incidents)
        return lines + (_focus_answer(snap, [inc], incidents) if inc is not None else _workload_lines(snap, w))
    if named.slos:
        return lines + _slo_answer(snap, named.slos[0], incidents)
    if not lines:
        return None
    seen = overview(screen, brief=True).split("\n")
    return lines + [f"What I do see: {seen[0]}", *seen[1:]]


def _workload_incident(snap: Snapshot, w: Workload, incidents: Sequence[Incident]) -> Incident | None:
    """The incident naming a workload, else the one holding its pods."""
    multi = is_multi(snap)
    inc = incident_of(incidents, "workload:" + workload_ref(w.kind, w.namespace, w.name, w.context, multi))
    if inc is not None:
        return inc
    mine = (p for p in snap.pods if p.namespace == w.namespace and p.context == w.context
            and workload_of(p) == (w.kind.lower(), w.name))
    return next((i for p in mine if (i := incident_of(incidents, member_key_of_pod(snap, p))) is not None), None)


def _workload_lines(snap: Snapshot, w: Workload) -> list[str]:
    kind, ns, name = w.kind.lower(), _s(w.namespace, 64), _s(w.name, 120)
    lines = [f"{kind} {ns}/{name}: {w.ready}/{w.desired} ready, {w.updated} updated"
             + (", rollout paused" if w.paused else "") + "."]
    ref = "workload:" + workload_ref(w.kind, w.namespace, w.name, w.context, is_multi(snap))
    last = next((c for c in snap.changes if c.kind == "rollout" and ref in c.refs), None)
    if last is not None:
        lines.append(f"Last rollout: {_hhmm(last.at)} {_s(last.summary, 240)}.")
    lines.append("It is in no incident: nothing on screen says it is failing." if w.ready >= w.desired else
                 f"It is {w.desired - w.ready} short of its replicas, but in no incident: its pods may be starting.")
    lines.append(f"Next: `kubectl rollout status {kind}/{name} -n {ns}` and `kubectl describe {kind} {name} -n {ns}`.")
    return lines


def _node_lines(snap: Snapshot, node: Node) -> list[str]:
    name = _s(node.name, 120)
    bad = [f"{t}={st}" + (f" since {_hhmm(at)}" if at else "") for t, st, _, at in node.conditions
           if (t == "Ready") != (st == "True")]
    on = [p for p in snap.pods if p.node == node.name and p.context == node.context]
    lines = [f"node {name}: {node.status}" + (f", {', '.join(bad)}" if bad else ", no pressure condition")
             + (", cordoned" if node.unschedulable else "") + f"; {len(on)} pods on it."]
    lines.append("It is in no incident: nothing on screen says it is failing.")
    lines.append(f"Next: `kubectl describe node {name}` for its conditions and allocated resources; PromQL: "
                 f'`kube_node_status_condition{{node="{name}", status="true"}}`.')
    return lines


class OfflineMarcus:
    """The Advisor used without an API key: answers from incidents, streamed a few words at a time."""

    name = "offline"

    def __init__(self, persona: Persona | None = None, delay_s: float = 0.0) -> None:
        self.persona = persona or load_persona("marcus")
        self.delay_s = delay_s  # a small pause between chunks makes the stream visible in the panel

    def answer_text(self, request: AdvisorRequest) -> str:
        return answer(request, self.persona)

    async def stream(self, request: AdvisorRequest) -> AsyncIterator[AdvisorChunk]:
        # Incidents and the name index scan every pod (tens of ms at 10k): off the event loop.
        text, known = await asyncio.to_thread(
            lambda: (self.answer_text(request), Known.of(request.screen.snapshot)))
        check = StreamCheck(known)
        for line_no, line in enumerate(text.split("\n")):
            words = line.split(" ")
            prefix = "\n" if line_no else ""
            for i in range(0, len(words), CHUNK_WORDS):
                piece = " ".join(words[i:i + CHUNK_WORDS])
                for chunk in as_chunks(check.feed(prefix + piece + (" " if i + CHUNK_WORDS < len(words) else ""))):
                    yield chunk
                prefix = ""
                await asyncio.sleep(self.delay_s)
        for chunk in as_chunks(check.finish()):
            yield chunk
        if check.flagged:
            yield AdvisorChunk("usage", "offline · " + count_text(check.flagged))
        yield AdvisorChunk("done")
