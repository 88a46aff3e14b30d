"""Offline Marcus: speaks from the analyzers' findings and the screen alone, no model, no network.

Every number it says comes from the snapshot (findings, pods, alerts, SLOs); every piece of cluster
text it quotes goes through sanitize_line. It is what the panel shows without an API key, and what
it falls back to when the API fails.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from cockpit.advisor.base import AdvisorChunk, AdvisorRequest, ScreenState
from cockpit.advisor.evidence import Known, StreamCheck, as_chunks, count_text
from cockpit.advisor.persona import Persona, load_persona
from cockpit.analysis.analyzers import analyze, burn_text
from cockpit.analysis.correlate import Related, related, workload_of
from cockpit.analysis.sanitize import sanitize_line
from cockpit.model import Alert, Finding, Pod, SLOStatus, Snapshot, severity_rank

CHUNK_WORDS = 4


def _s(text: object, limit: int = 160) -> str:
    return sanitize_line(text, limit, for_terminal=False)  # the panel normalises what it draws


def findings_of(snapshot: Snapshot) -> list[Finding]:
    """The snapshot's findings, computed here when the caller did not attach them."""
    return list(snapshot.findings) or analyze(snapshot)


def next_step(f: Finding) -> str:
    """What to do first about one finding, in Marcus's words."""
    subject = _s(f.subject, 120)
    kind, _, rest = subject.partition(" ")
    ns, _, name = rest.partition("/")
    steps = {
        "correlation": "Treat it as one incident: mitigate the workload first (roll back if it began with a "
                       "deploy), then silence the symptom alerts it explains, with an expiry.",
        "crashloop": f"Read why it died: `kubectl logs --previous -n {ns} {name}`" if kind == "pod" else
                     f"Read why they die: `kubectl logs --previous -n {ns} -l app={name}`; if a deploy started "
                     f"it, `kubectl rollout undo {kind}/{name} -n {ns}`.",
        "oom": "Compare memory use with the limit: roll back if the new version needs more, raise the limit "
               "only if the growth is expected.",
        "slo-burn": "Mitigate now, investigate after: the budget is going faster than it refills." if
                    f.severity == "critical" else "File the ticket and watch the 6h window; no page needed yet.",
        "replica-gap": f"`kubectl rollout status {kind}/{name} -n {ns}`; `kubectl rollout undo` if the new "
                       "ReplicaSet is the one failing.",
        "image-pull": "Check the image tag and the pull secret: `kubectl describe pod` shows the registry's answer.",
        "config": "A referenced ConfigMap or Secret is missing: `kubectl describe pod` names it.",
        "unschedulable": "Free capacity or fix the requests/taints the scheduler message names.",
        "pod-failed": "`kubectl describe pod` for the failure reason; evictions point at node pressure.",
        "not-ready": "Its readiness probe fails: `kubectl describe pod` shows the probe and its last answer.",
        "node-pressure": f"`kubectl describe node {rest}`; cordon and drain it if it does not recover.",
        "node-notready": f"`kubectl describe node {rest}` and check the kubelet; pods there need a new home.",
        "alert": "Open its runbook: nothing else on screen explains it yet.",
        "alert-storm": "Find the common label and fix the cause; do not silence them one by one.",
        "source-down": "That pane shows stale data: run `cockpit check` to see what the backend says.",
        "slo-nodata": "Check the SLI query and its scrape target: no data is not the same as no errors.",
        "silenced": "Make sure each silence has an owner before handover.",
    }
    return steps.get(f.kind, "Look at it after the critical ones.")


def comment(screen: ScreenState, persona: Persona | None = None) -> str:
    """An unprompted comment: what matters most on screen and what to do first."""
    snap = screen.snapshot
    findings = findings_of(snap)
    serious = [f for f in findings if severity_rank(f.severity) <= 2]
    firing = [a for a in snap.alerts if a.state == "firing" and not a.silenced]
    if not serious:
        head = f"Quiet screen: {len(firing)} alert(s) firing, none needing action; {len(snap.pods)} pods, no problems."
        return head + (f" {findings[0].summary}." if findings else "") + " Nothing to do but keep an eye on the burn rates."
    crit = sum(f.severity == "critical" for f in serious)
    lines = [f"{crit} critical and {len(serious) - crit} warning findings; {len(firing)} alerts firing."]
    lines += [f"- {f.summary}" for f in serious[:3]]
    lines.append(f"First: {next_step(serious[0])}")
    if crit and persona and persona.mottos:
        lines.append(persona.mottos[min(1, len(persona.mottos) - 1)])
    return "\n".join(lines)


# -- answers about the selection ------------------------------------------------------------------
def _mentions(f: Finding, names: set[str]) -> bool:
    texts = (f.subject, *f.related)
    return any(t.endswith(n) or t == n for t in texts for n in names)


def _pod_answer(snap: Snapshot, pod: Pod, findings: list[Finding], rel: Related) -> list[str]:
    wkind, wname = workload_of(pod)
    name = f"{_s(pod.namespace, 64)}/{_s(pod.name, 120)}"
    lines = [f"pod {name}: {_s(pod.reason or pod.phase, 60)}, {pod.ready_text} ready, {pod.restarts} restarts"
             + (f", on node {_s(pod.node, 64)}" if pod.node else "") + "."]
    for c in pod.containers:
        if c.last_reason:
            code = f" (exit {c.last_exit_code})" if c.last_exit_code is not None else ""
            limit = f", memory limit {_s(c.memory_limit, 20)}" if c.memory_limit else ", no memory limit"
            lines.append(f"Container {_s(c.name, 64)} last terminated {_s(c.last_reason, 40)}{code}{limit}.")
        elif c.reason and c.reason not in ("Running", "Completed"):
            lines.append(f"Container {_s(c.name, 64)}: {_s(c.reason, 60)} {_s(c.message, 160)}".rstrip() + ".")
    mine = {f"pod {name}", f"{wkind} {_s(pod.namespace, 64)}/{_s(wname, 120)}"}
    lines += [f"- {f.summary}" for f in findings if _mentions(f, mine)][:4]
    lines += _related_lines(snap, rel)
    lines.append("Next:")
    restarted = pod.restarts or any(c.last_reason for c in pod.containers)
    if restarted:
        lines.append(f"- `kubectl logs --previous -n {_s(pod.namespace, 64)} {_s(pod.name, 120)}` for the crash itself.")
    lines.append(f"- `kubectl describe pod -n {_s(pod.namespace, 64)} {_s(pod.name, 120)}` (or `d`) for events and probes.")
    if any(c.last_reason == "OOMKilled" for c in pod.containers):
        lines.append("- OOMKilled at the limit: if a deploy changed memory use, roll back first "
                     f"(`kubectl rollout undo {wkind}/{_s(wname, 120)} -n {_s(pod.namespace, 64)}`), tune after.")
    if rel.alerts:
        lines.append("- Silence the related alerts only after mitigation is under way, with a 1h expiry.")
    return lines


def _related_lines(snap: Snapshot, rel: Related) -> list[str]:
    out = []
    alerts = [a for a in snap.alerts if a.fingerprint in rel.alerts]
    if alerts:
        names = sorted({f"{_s(a.name, 80)} ({a.severity}{', silenced' if a.silenced else ''})" for a in alerts})
        out.append(f"Related alerts: {', '.join(names[:5])}.")
    slos = [s for s in snap.slos if s.key in rel.slos]
    if slos:
        out.append("Related SLOs: " + "; ".join(f"{_s(s.service, 64)} {_s(s.name, 64)} {burn_text(s)}, {s.status}"
                                                for s in slos) + ".")
    pods = [p for p in snap.pods if p.key in rel.pods]
    if pods:
        bad = [p for p in pods if p.reason not in ("Running", "Completed", "Succeeded") or p.ready < p.total]
        reasons = sorted({_s(p.reason, 40) for p in bad})
        out.append(f"Related pods: {len(pods)}, {len(bad)} unhealthy" + (f" ({', '.join(reasons)})" if reasons else "") + ".")
    return out


def _alert_answer(snap: Snapshot, alert: Alert, findings: list[Finding], rel: Related, now) -> list[str]:  # noqa: ANN001
    age = ""
    if alert.starts_at and now and now >= alert.starts_at:
        age = f", for {int((now - alert.starts_at).total_seconds() // 60)}m"
    lines = [f"alert {_s(alert.name, 80)}: {alert.severity}, {alert.state}{age}."]
    if alert.summary:
        lines.append(f"It says: \"{_s(alert.summary, 200)}\"")
    lines += [f"- {f.summary}" for f in findings if _mentions(f, {f"alert {_s(alert.name, 80)}"})][:3]
    lines += _related_lines(snap, rel)
    lines.append("Next:")
    if rel.pods:
        lines.append("- Press `l` on the worst related pod for its logs (previous container too).")
    if alert.runbook_url:
        lines.append(f"- Runbook: {_s(alert.runbook_url, 200)}")
    if alert.silenced:
        lines.append("- Already silenced: make sure someone owns the cause before the silence ends.")
    else:
        lines.append("- Silence it only after the cause is understood and mitigation is under way, with an expiry.")
    return lines


def _slo_answer(snap: Snapshot, slo: SLOStatus, findings: list[Finding], rel: Related) -> list[str]:
    windows = ", ".join(f"{w} {b:.1f}x" for w, b in slo.burn_rates.items() if b is not None)
    budget = f"{slo.budget_remaining * 100:.0f}% budget left" if slo.budget_remaining is not None else "budget unknown"
    lines = [f"slo {_s(slo.service, 64)}/{_s(slo.name, 64)} ({slo.objective * 100:g}%): {slo.status}, {budget}."]
    lines.append(f"Burn rates: {windows}." if windows else "No burn data: the SLI returns no samples.")
    lines += [f"- {f.summary}" for f in findings if _mentions(f, {f"slo {_s(slo.service, 64)}/{_s(slo.name, 64)}"})][:3]
    lines += _related_lines(snap, rel)
    lines.append("Next:")
    if slo.status == "page":
        lines.append("- Page-level burn: mitigate now (roll back the last change), then find the cause.")
    elif slo.status == "ticket":
        lines.append("- Ticket-level burn: no emergency, but it will not fix itself; find the slow leak this week.")
    elif slo.status == "no-data":
        lines.append("- Check the SLI query and its scrape target.")
    else:
        lines.append("- Nothing to do for this SLO right now.")
    if rel.pods:
        lines.append("- The related pods are highlighted: start with the unhealthy ones.")
    return lines


def answer(request: AdvisorRequest, persona: Persona | None = None) -> str:
    screen = request.screen
    if request.question is None:
        return comment(screen, persona)
    snap = screen.snapshot
    findings = findings_of(snap)
    focus = screen.focused
    pick = [
        ("pods", screen.selected_pod), ("alerts", screen.selected_alert), ("slos", screen.selected_slo),
    ]
    pick.sort(key=lambda item: item[0] != focus)  # the focused pane's selection first
    for pane, item in pick:
        if item is None:
            continue
        if pane == "pods":
            lines = _pod_answer(snap, item, findings, related(snap, pod=item))
        elif pane == "alerts":
            lines = _alert_answer(snap, item, findings, related(snap, alert=item), snap.taken_at)
        else:
            lines = _slo_answer(snap, item, findings, related(snap, slo=item))
        return "\n".join(lines)
    return "Nothing selected, so here is the whole screen.\n" + comment(screen, persona)


class OfflineMarcus:
    """The Advisor used without an API key: answers from findings, streamed a few words at a time."""

    name = "offline"

    def __init__(self, persona: Persona | None = None, delay_s: float = 0.0) -> None:
        self.persona = persona or load_persona("marcus")
        self.delay_s = delay_s  # a small pause between chunks makes the stream visible in the panel

    def answer_text(self, request: AdvisorRequest) -> str:
        return answer(request, self.persona)

    async def stream(self, request: AdvisorRequest) -> AsyncIterator[AdvisorChunk]:
        text = self.answer_text(request)
        check = StreamCheck(Known.of(request.screen.snapshot))
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
