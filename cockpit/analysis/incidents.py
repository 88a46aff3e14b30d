"""Incidents: which rows share one cause, what that cause is, what it costs users and what to do first.

The one home for "what belongs together". Rules, in the order they claim rows (a row joins one
incident only, so membership is a partition):
1. a NotReady/Unknown node claims every pod on it: they are unreachable, not failing their own probes;
2. pods Pending or evicted for a resource, with the nodes under pressure for it, are one capacity
   incident per (context, resource);
3. the other problem pods group by workload; after a revision change the cause names the rollout
   and both images (a hypothesis: a change before a failure is not proof);
4. a burning SLO joins the incident of the workload/pods serving its service, else stands alone
   (burning with healthy pods: a dependency);
5. an alert joins the incident of the pod, node, SLO, workload or service its labels name; the rest
   group by namespace and service (or alertname).
Noise is never a member (see problems.py); silenced and inhibited alerts are not either.
Ids are kept across refreshes while membership overlaps the previous incidents. The parts:
incident_lookup.py (which draft a label names), incident_finish.py (evidence, impact, rank, ids),
incident_members.py (which incident a row belongs to, for the UI and Marcus).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from cockpit.analysis.changes import (
    DEFAULT_WINDOW_S,
    build_changes,
    hhmm,
    is_multi,
    is_rollback,
    node_ref,
    pod_ref,
    workload_ref,
)
from cockpit.analysis.correlate import alert_services, names_match, ns_ok, workload_of
from cockpit.analysis.incident_finish import assign_ids, burn_text, finish, min_time, rank_key
from cockpit.analysis.incident_finish import evidence_id as evidence_id  # public here too
from cockpit.analysis.incident_lookup import Lookup
from cockpit.analysis.incident_members import (  # noqa: F401 - the public names callers import from here
    IncidentIndex,
    incident_of,
    index_incidents,
    member_key_of_alert,
    member_key_of_node,
    member_key_of_pod,
    member_key_of_slo,
    same_incident,
)
from cockpit.analysis.problems import KINDS, PRESSURE_RESOURCE, Problem, pod_problem
from cockpit.analysis.sanitize import clip
from cockpit.model import (
    Alert,
    Change,
    Incident,
    Node,
    Pod,
    Revision,
    SLOStatus,
    Snapshot,
    Workload,
    severity_rank,
)

_KIND_WORKLOAD = {"deployment": "Deployment", "statefulset": "StatefulSet", "daemonset": "DaemonSet",
                  "job": "Job", "pod": "Pod"}
_WORDS = {"crashloop": "crash-looping", "oom": "OOMKilled", "image-pull": "cannot pull their image",
          "config": "cannot create their container", "evicted": "evicted", "unschedulable": "Pending",
          "failed": "Failed", "stuck": "stuck Pending", "not-ready": "running but not ready",
          "restarting": "restarting", "unknown": "in phase Unknown"}
_NODE_LABELS = ("node", "instance", "kubernetes_node", "hostname")
_WORKLOAD_LABELS = {"deployment": "deployment", "statefulset": "statefulset", "daemonset": "daemonset"}


def _t(text: object, limit: int = 300) -> str:
    return clip(text, limit)


@dataclass
class Draft:
    """An incident being assembled: rules add rows to it, incident_finish makes it an Incident."""

    kind: str
    anchor: str  # what the incident is about; seeds its id when nothing overlaps the previous ones
    context: str = ""
    pods: list[tuple[Pod, Problem | None]] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    slos: list[SLOStatus] = field(default_factory=list)
    title: str = ""
    cause: str = ""
    cause_kind: str = "observed"
    next_step: str = ""
    severity: str = "warning"
    started_at: datetime | None = None
    cause_changes: list[Change] = field(default_factory=list)
    keys: set[str] | None = None  # member keys, once membership is final


@dataclass
class Context:
    """One build: the snapshot, its changes, which pods are claimed, the drafts, and lazy indexes."""

    snapshot: Snapshot
    changes: Sequence[Change]
    multi: bool
    now: datetime
    claimed: dict[tuple[str, str, str], Draft] = field(default_factory=dict)  # pod key -> draft
    drafts: list[Draft] = field(default_factory=list)
    _by_ref: dict[str, list[int]] | None = None
    _edits: dict[tuple[str, str, str], list[Change]] | None = None
    _templates: dict[tuple[str, str, str, str], Revision] = field(default_factory=dict)
    _serving: dict[str, set[tuple[str, str]]] | None = None

    def config_edits(self, ctx: str, ns: str, kind: str, name: str) -> list[Change]:
        """ConfigMap edits of the window that the workload's newest pod template reads, newest first."""
        if self._edits is None:
            self._edits = {}
            for c in self.changes:
                if c.kind == "configmap":
                    self._edits.setdefault((c.context, c.details.get("namespace", ""), c.details.get("name", "")),
                                           []).append(c)
            self._templates = {}
            for r in self.snapshot.revisions:  # the newest revision of each workload
                key = (r.context, r.namespace, r.owner_kind, r.owner_name)
                if key not in self._templates or r.revision >= self._templates[key].revision:
                    self._templates[key] = r
        if not self._edits:
            return []
        rev = self._templates.get((ctx, ns, kind, name))
        reads = rev.template.get("configmaps", "").split(",") if rev is not None else []
        return sorted((c for cm in reads if cm for c in self._edits.get((ctx, ns, cm), ())),
                      key=lambda c: c.at, reverse=True)

    def changes_of(self, keys: Iterable[str]) -> list[Change]:
        """The changes naming any of `keys`, newest first (an index: 300 incidents x 1k changes)."""
        if self._by_ref is None:
            self._by_ref = defaultdict(list)
            for i, c in enumerate(self.changes):
                for r in c.refs:
                    self._by_ref[r].append(i)
        found = sorted({i for k in keys for i in self._by_ref.get(k, ())})
        return [self.changes[i] for i in found]

    def serving(self, service: str) -> set[tuple[str, str]]:
        """(namespace, workload) whose pods carry `service` as their service label (app, app.kubernetes.io/
        name...): the workload behind an SLO even when its name is not the service's. Built once."""
        if self._serving is None:
            self._serving = defaultdict(set)
            for p in self.snapshot.pods:
                if p.service:
                    self._serving[p.service.lower()].add((p.namespace, workload_of(p)[1]))
        return self._serving.get(service, set())

    def pref(self, pod: Pod) -> str:
        return pod_ref(pod, self.multi)

    def nref(self, node: Node) -> str:
        return node_ref(node.name, node.context, self.multi)

    def wref(self, w: Workload) -> str:
        return workload_ref(w.kind, w.namespace, w.name, w.context, self.multi)

    def claim(self, draft: Draft, pod: Pod, problem: Problem | None) -> None:
        self.claimed[pod.key] = draft
        draft.pods.append((pod, problem))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


# -- rule 1: nodes that stopped reporting ---------------------------------------------------------
def _node_down(cx: Context) -> None:
    down = {(n.context, n.name) for n in cx.snapshot.nodes if n.status != "Ready"}
    pods_by_node: dict[tuple[str, str], list[Pod]] = {}
    if down:
        for p in cx.snapshot.pods:
            if p.node and (p.context, p.node) in down and p.phase not in ("Succeeded", "Failed"):
                pods_by_node.setdefault((p.context, p.node), []).append(p)
    for n in cx.snapshot.nodes:
        status = n.status
        if status == "Ready":
            continue
        since = n.since("Ready")
        pods = pods_by_node.get((n.context, n.name), [])
        d = Draft("node-down", f"node-down:{n.context}/{n.name}", n.context, nodes=[n], severity="critical")
        for p in pods:
            cx.claim(d, p, None)
        d.title = _t(f"node {n.name} {status}")
        when = f" since {hhmm(since)}" if since else ""
        d.cause = _t(f"{n.name} {status}{when}, {_plural(len(pods), 'pod')} on it unreachable", 400)
        d.started_at = since
        d.next_step = _t(f"cordon {n.name} so nothing new lands there and drain it so its pods reschedule: "
                         f"kubectl cordon {n.name} && kubectl drain {n.name} --ignore-daemonsets "
                         f"--delete-emptydir-data; then kubectl describe node {n.name}", 500)
        d.cause_changes = [c for c in cx.changes if c.kind == "node" and "node:" + cx.nref(n) in c.refs][:2]
        cx.drafts.append(d)


# -- rule 2: capacity ------------------------------------------------------------------------------
def _capacity(cx: Context, problems: dict[tuple[str, str, str], tuple[Pod, Problem]]) -> None:
    groups: dict[tuple[str, str], Draft] = {}
    pressured = {(n.context, n.name): n for n in cx.snapshot.nodes if n.pressure and n.status == "Ready"}

    def draft(ctx: str, resource: str) -> Draft:
        if (ctx, resource) not in groups:
            groups[(ctx, resource)] = Draft("capacity", f"capacity:{ctx}/{resource}", ctx)
        return groups[(ctx, resource)]

    for n in pressured.values():
        for cond in n.pressure:
            if res := PRESSURE_RESOURCE.get(cond):
                d = draft(n.context, res)
                if n not in d.nodes:
                    d.nodes.append(n)
                break
    for key, (pod, prob) in problems.items():
        if key in cx.claimed or prob.kind not in ("unschedulable", "evicted"):
            continue
        res = prob.resource
        if prob.kind == "evicted" and not res and (node := pressured.get((pod.context, pod.node))):
            res = next((PRESSURE_RESOURCE[c] for c in node.pressure if c in PRESSURE_RESOURCE), "")
        if res:
            cx.claim(draft(pod.context, res), pod, prob)
    for (_ctx, res), d in sorted(groups.items()):
        _describe_capacity(cx, d, res)
        cx.drafts.append(d)


def _describe_capacity(cx: Context, d: Draft, res: str) -> None:
    pending = [p for p, pr in d.pods if pr is not None and pr.kind == "unschedulable"]
    evicted = [p for p, pr in d.pods if pr is not None and pr.kind == "evicted"]
    cond = next((c for c, r in PRESSURE_RESOURCE.items() if r == res), f"{res} pressure")
    names = ", ".join(n.name for n in d.nodes[:3]) + (f" +{len(d.nodes) - 3}" if len(d.nodes) > 3 else "")
    parts = []
    if pending:
        parts.append(f"{_plural(len(pending), 'pod')} Pending for {res}")
    if evicted:
        parts.append(f"{_plural(len(evicted), 'pod')} evicted for {res}")
    if d.nodes:
        since = min_time(*(n.since(cond) for n in d.nodes))
        parts.append(f"{names} under {cond}" + (f" since {hhmm(since)}" if since else ""))
    if pending:
        d.kind = "capacity"
        d.title = _t(f"not enough {res}: {_plural(len(pending), 'pod')} cannot be scheduled")
        d.next_step = _t(f"free {res}: scale down a low-priority workload or add nodes; compare requests with "
                         f"allocatable: kubectl describe nodes | grep -A5 'Allocated resources'", 400)
    else:
        d.kind = "node-pressure"
        d.title = _t(f"{names} under {cond}")
        first = d.nodes[0].name if d.nodes else ""
        d.next_step = _t(f"cordon {first} so nothing new lands there (kubectl cordon {first}), then find what "
                         f"uses the {res}: kubectl describe node {first}" if first else
                         f"find what uses the {res} on the evicting nodes", 400)
    d.cause = _t("; ".join(parts) + _pods_of(pending + evicted), 400)
    d.severity = "critical" if len(pending) + len(evicted) >= 5 else "warning"
    d.started_at = min_time(*(p.created_at for p in pending), *(n.since(cond) for n in d.nodes))
    d.cause_changes = [c for c in cx.changes if c.kind == "node" and any("node:" + cx.nref(n) in c.refs
                                                                        for n in d.nodes)][:3]


def _pods_of(pods: Sequence[Pod], most: int = 4) -> str:
    """". Pods: 2 of cart, 1 of search": whose pods a cause counts, biggest first."""
    counts = Counter(workload_of(p)[1] for p in pods)
    if not counts:
        return ""
    top = sorted(counts, key=lambda n: (-counts[n], n))
    more = f" and {_plural(len(top) - most, 'more workload')}" if len(top) > most else ""
    return ". Pods: " + ", ".join(f"{counts[n]} of {n}" for n in top[:most]) + more


# -- rule 3: workloads -----------------------------------------------------------------------------
def _workload_index(snapshot: Snapshot) -> dict[tuple[str, str, str, str], Workload]:
    return {(w.context, w.namespace, w.kind.lower(), w.name): w for w in snapshot.workloads}


def _pod_hash(pod: Pod) -> str:
    return pod.labels.get("pod-template-hash") or pod.labels.get("controller-revision-hash", "")


def _of_revision(pod: Pod, change: Change) -> bool | None:
    """True when the pod runs the rollout's new template, False the old, None when it cannot be told."""
    h = _pod_hash(pod)
    if not h:
        return None
    new, new_hash = change.details.get("new", ""), change.details.get("new_hash", "")
    return h in (new, new_hash) or new.endswith("-" + h)


def _failure_phrase(probs: list[Problem]) -> str:
    kinds = Counter(p.kind for p in probs)
    kind = min(kinds, key=KINDS.index)
    c = next((p.container for p in probs if p.kind == kind and p.container is not None), None)
    if kind in ("crashloop", "oom") and c is not None:
        code = f" {c.last_exit_code}" if c.last_exit_code is not None else ""
        why = "OOMKilled" if kind == "oom" else f"exit{code}" if code else (c.last_reason or "crash")
        return f"crash-looping ({why})"
    if kind == "image-pull" and c is not None:
        return f"cannot pull {c.image}"
    return _WORDS[kind]


_CONTROLLED = ("Deployment", "StatefulSet", "DaemonSet")


def _first_step(kind: str, w_kind: str, ns: str, name: str, probs: list[Problem], rollout: Change | None,
                pod: str = "", edit: Change | None = None) -> str:
    """Mitigation first. `pod` is a failing member (the command names it, never a placeholder); `edit`
    a ConfigMap change its pods read: undoing the rollout would not bring the old data back."""
    target = f"{w_kind.lower()}/{name} -n {ns}"
    pod = pod or "<pod>"
    if rollout is not None and rollout.details.get("old") and w_kind in _CONTROLLED:
        back = rollout.details.get("from", "")
        return _t(f"roll back to {back or 'the previous revision'}: kubectl rollout undo {target}; then read why "
                  f"the new pods fail: kubectl logs --previous -n {ns} {pod}", 400)
    if edit is not None:
        cm = edit.subject.partition(" ")[2] or edit.details.get("name", "the ConfigMap")
        restart = (f"kubectl rollout restart {target}" if w_kind in _CONTROLLED
                   else f"kubectl delete pod -n {ns} {pod}")
        return _t(f"restore ConfigMap {cm} to its last known good data (from git: kubectl apply -f it), then "
                  f"restart the pods so they read it: {restart}", 400)
    c = next((p.container for p in probs if p.container is not None), None)
    if kind == "oom":
        limit = f" (now {c.memory_limit})" if c is not None and c.memory_limit else ""
        return _t(f"raise the memory limit{limit} or roll back what grew it: kubectl set resources {target} "
                  f"--limits=memory=<more>; then look for the leak", 400)
    if kind == "image-pull":
        return _t(f"point {target} at an image that exists (or fix the pull secret); kubectl describe pod shows the "
                  f"registry's answer", 400)
    if kind == "config":
        return _t(f"fix the Secret/ConfigMap reference the container needs (kubectl describe pod -n {ns} names it), "
                  f"or roll back: kubectl rollout undo {target}", 400)
    if kind in ("unschedulable", "stuck"):
        return _t(f"read the scheduler's reason: kubectl describe pod -n {ns} {pod} (affinity, taints, volumes)", 400)
    return _t(f"read the previous container's logs: kubectl logs --previous -n {ns} {pod}; restart or roll back "
              f"{target} if the last change is the suspect", 400)


def _workloads(cx: Context, problems: dict[tuple[str, str, str], tuple[Pod, Problem]]) -> None:
    index = _workload_index(cx.snapshot)
    groups: dict[tuple[str, str, str, str], Draft] = {}
    for key, (pod, prob) in problems.items():
        if key in cx.claimed:
            continue
        wkind, wname = workload_of(pod)
        gkey = (pod.context, pod.namespace, wkind, wname)
        d = groups.get(gkey)
        if d is None:
            d = groups[gkey] = Draft("workload", f"workload:{pod.context}/{pod.namespace}/{wkind}/{wname}",
                                      pod.context)
            if (w := index.get(gkey)) is not None:
                d.workloads.append(w)
        cx.claim(d, pod, prob)
    for w in cx.snapshot.workloads:  # a stalled rollout with no failing pod on screen (quota, admission)
        gkey = (w.context, w.namespace, w.kind.lower(), w.name)
        stalled = any((t == "Progressing" and s == "False") or (t == "ReplicaFailure" and s == "True")
                      for t, s, _, _, _ in w.conditions)
        if stalled and gkey not in groups and w.gap:
            groups[gkey] = Draft("workload", f"workload:{w.context}/{w.namespace}/{w.kind.lower()}/{w.name}",
                                  w.context, workloads=[w])
    for gkey, d in groups.items():
        _describe_workload(cx, d, gkey)
        cx.drafts.append(d)


def _describe_workload(cx: Context, d: Draft, gkey: tuple[str, str, str, str]) -> None:
    ctx, ns, wkind, wname = gkey
    kind_name = _KIND_WORKLOAD.get(wkind, wkind.title())
    probs = [pr for _, pr in d.pods if pr is not None]
    pods = [p for p, _ in d.pods]
    w = d.workloads[0] if d.workloads else None
    ref = "workload:" + workload_ref(kind_name, ns, wname, ctx, cx.multi)
    rollout = next((c for c in cx.changes_of([ref]) if c.kind == "rollout"), None)  # the newest
    if rollout is not None and pods and all(_of_revision(p, rollout) is False for p in pods):
        rollout = None  # only old-template pods fail: the rollout is not what broke them
    who = (f"pod {ns}/{pods[0].name}" if len(pods) == 1 and wkind == "pod"
           else f"{_plural(len(pods), 'pod')} of {wkind} {ns}/{wname}")
    first_fail = min_time(*(p.last_restart_at or p.created_at for p in pods))
    if probs:
        phrase = _failure_phrase(probs)
        kind = min((p.kind for p in probs), key=KINDS.index)
    else:
        stall = next((c for c in w.conditions if c[1] == "False" or c[0] == "ReplicaFailure"), None) if w else None
        phrase = f"rollout stalled: {stall[2] or stall[0]}: {stall[3]}".rstrip(": ") if stall else "not progressing"
        kind = "stuck"
    gap = f", {w.ready}/{w.desired} ready" if w is not None and w.desired else ""
    edit: Change | None = None
    if rollout is not None:
        d.kind = "rollout"
        d.cause_kind = "hypothesis"
        before, after = rollout.details.get("from", "?"), rollout.details.get("to", "?")
        what = f"{before} → {after}" if before != after else (rollout.details.get("template") or "pod template")
        serves = ""
        if rollout.details.get("old_ready", "0") not in ("", "0"):
            serves = (f"; old {rollout.details.get('old')} still serves {rollout.details['old_ready']}/"
                      f"{rollout.details.get('old_desired', '?')}")
        d.cause = _t(f"rollout of {wkind} {ns}/{wname} {what} at {hhmm(rollout.at)}, new pods {phrase}{serves}", 500)
        d.title = _t(f"{wname} {phrase} after its rollout")
        d.cause_changes = [rollout]
        d.started_at = min_time(rollout.at, first_fail)
    else:
        d.cause = _t(f"{who} {phrase}{gap}", 400)
        d.title = _t(f"{wname} {phrase}")
        d.started_at = first_fail
        edits = cx.config_edits(ctx, ns, kind_name, wname)
        d.cause_changes = (edits + [c for c in cx.changes_of([ref]) if c.kind in ("rollout-stalled", "scale")])[:3]
        if edits and kind in ("crashloop", "config", "not-ready", "restarting", "oom"):
            d.cause_kind = "hypothesis"  # an edit before a failure is a suspect, not a proof
            d.cause += _t(f"; {edits[0].subject}, which its pods read, changed at {hhmm(edits[0].at)}", 200)
            edit = edits[0]
            d.title = _t(f"{wname} {phrase} after {edit.subject} changed")  # the suspect, as a rollout's title
    down = w is not None and w.desired > 0 and w.ready == 0
    d.severity = "critical" if kind in ("crashloop", "oom") or down else "warning"
    if kind in ("restarting", "not-ready") and not down:
        d.severity = "warning"
    d.next_step = _first_step(kind, kind_name, ns, wname, probs, rollout, _example_pod(d, rollout), edit)


def _example_pod(d: Draft, rollout: Change | None) -> str:
    """The member pod a command should name: one of the new revision when a rollout is the suspect."""
    pods = [p for p, pr in d.pods if pr is not None] or [p for p, _ in d.pods]
    if rollout is not None:
        pods = [p for p in pods if _of_revision(p, rollout)] or pods
    return min(p.name for p in pods) if pods else ""  # the first member, as the UI and Marcus list them


# -- which draft a label names ------------------------------------------------------------------
def _pick_index(cx: Context, votes: Counter[int]) -> int | None:
    """The draft holding most of what was named; ties go to the more severe, then the first."""
    if not votes:
        return None
    return max(votes.items(), key=lambda kv: (kv[1], -severity_rank(cx.drafts[kv[0]].severity), -kv[0]))[0]


def _pick(cx: Context, votes: Counter[int]) -> Draft | None:
    di = _pick_index(cx, votes)
    return cx.drafts[di] if di is not None else None


def _lookup(cx: Context) -> Lookup:
    lk = Lookup()
    for di, d in enumerate(cx.drafts):
        lk.add_draft(di, d)
    return lk


# -- rule 4: SLOs ----------------------------------------------------------------------------------
def _slos(cx: Context, lk: Lookup) -> None:
    for s in cx.snapshot.slos:
        if s.status not in ("page", "ticket"):
            continue
        di = _pick_index(cx, lk.services.query([s.service.lower()], s.namespace, strict_ns=bool(s.namespace)))
        if di is None:
            cx.drafts.append(_burn_alone(cx, s))
            di = len(cx.drafts) - 1
            lk.add_draft(di, cx.drafts[di])  # the workload it cites: its service's other SLOs join it
        cx.drafts[di].slos.append(s)
        lk.add_slo(di, s)


def _burn_alone(cx: Context, s: SLOStatus) -> Draft:
    """A burning SLO no failing row explains. A rollout or rollback of a workload serving it in the
    window is the suspect (healthy pods do not clear a version that returns errors); else a dependency."""
    d = Draft("slo", f"slo:{s.service}/{s.name}", cause_kind="hypothesis")
    d.severity = "critical" if s.status == "page" else "warning"
    query = s.queries.get("5m") or s.queries.get("1h") or ""
    which = f": {query}" if query else " (error ratio by route and status code)"
    path = _path_rollouts(cx, s)
    if not path:
        d.title = _t(f"{s.service} {s.name} SLO burning with no failing pod on screen")
        d.cause = _t(f"{s.service}/{s.name} {burn_text(s)} while the pods serving it look healthy: "
                     f"a dependency, bad requests or a change outside the cluster", 400)
        d.next_step = _t("roll back the last change to its path if there is one; then see which requests fail"
                         + which, 500)
        return d
    last = path[0]
    det = last.details
    wkind, ns, wname = det.get("workload_kind", "Deployment"), det.get("namespace", ""), det.get("name", "")
    d.workloads += [w for w in cx.snapshot.workloads if (w.kind, w.namespace, w.name) == (wkind, ns, wname)
                    and not any(w in x.workloads for x in cx.drafts)][:1]
    d.cause_changes = path[:2]
    what = f"{det.get('from', '?')} → {det.get('to', '?')}"
    b5, b1 = s.burn_rates.get("5m"), s.burn_rates.get("1h")
    easing = b5 is not None and b1 is not None and b5 < b1 / 2
    target = f"{wkind.lower()}/{wname} -n {ns}"
    if is_rollback(last):
        undone = next((c for c in path[1:] if not is_rollback(c)), None)
        after = f" after its rollout at {hhmm(undone.at)}" if undone is not None else ""
        d.title = _t(f"{s.service} {s.name} SLO still burning after the rollback of {wname} {_tags(det)}".rstrip())
        d.cause = _t(f"{s.service}/{s.name} {burn_text(s)} while the pods serving it look healthy; {last.subject} was "
                     f"rolled back at {hhmm(last.at)} ({what}){after}"
                     + _since_rollback(cx.now - last.at, b5 if easing else None), 500)
        d.next_step = _t(f"confirm the rollback holds: the 5m error ratio should fall under the objective{which}; "
                         f"if it stays up, the version was not the cause: check what {wname} depends on", 500)
    else:
        d.title = _t(f"{s.service} {s.name} SLO burning after the rollout of {wname} {_tags(det)}".rstrip())
        d.cause = _t(f"{s.service}/{s.name} {burn_text(s)} while the pods serving it look healthy; {last.subject} "
                     f"rolled out {what} at {hhmm(last.at)}, the last change on its path: a new version can "
                     f"return errors from ready pods", 500)
        d.next_step = _t(f"roll back: kubectl rollout undo {target}; then see which requests fail{which}", 500)
    d.started_at = min_time(last.at if not is_rollback(last) else None, *(c.at for c in path[1:]))
    return d


def _tag(image: str) -> str:
    """"registry/x/api:v2.14.0" -> "v2.14.0": the part of an image a title needs."""
    tail = image.rsplit("/", 1)[-1]
    return tail.split("@", 1)[0].rsplit(":", 1)[-1] if ":" in tail else tail


def _tags(details: Mapping[str, str]) -> str:
    before, after = details.get("from", ""), details.get("to", "")
    if "," in before or "," in after:  # several containers: the cause has them all
        return ""
    return f"{_tag(before)} → {_tag(after)}" if before and after else ""


def _since_rollback(age: timedelta, eased_to: float | None) -> str:
    """What the burn says about a rollback: eased (the long windows hold the old errors), too soon to
    tell (younger than the 5m window), or not eased (look beyond the version)."""
    if eased_to is not None:
        return f"; the 5m burn is down to {eased_to:.1f}x: the longer windows still hold the errors from before it"
    if age < timedelta(minutes=5):
        old = f"{int(age.total_seconds() // 60)} min" if age >= timedelta(minutes=1) else "under a minute"
        return f"; it is {old} old, too soon for even the 5m window to show it"
    return "; the burn has not eased since: look beyond the version (a dependency, bad requests)"


def _path_rollouts(cx: Context, s: SLOStatus) -> list[Change]:
    """Rollouts and rollbacks of the window of the workload serving an SLO's service, newest first:
    its name is the service's (or the service plus a dash suffix), in the SLO's namespace."""
    svc = s.service.lower()
    rollouts = [c for c in cx.changes if c.kind == "rollout" and ns_ok(s.namespace, c.details.get("namespace", ""))]
    if not rollouts:
        return []
    serving = cx.serving(svc)
    found = [c for c in rollouts if names_match(svc, c.details.get("name", "").lower())
             or (c.details.get("namespace", ""), c.details.get("name", "")) in serving]
    if not found:
        return []
    first = found[0].refs
    return [c for c in found if c.refs == first]  # one workload: the one changed last


# -- rule 5: alerts --------------------------------------------------------------------------------
def _alert_target(cx: Context, lk: Lookup, a: Alert, pods_by_name: dict[str, list[Pod]]) -> Draft | None:
    lb = a.labels
    if pod_name := lb.get("pod"):
        for p in pods_by_name.get(pod_name, ()):
            if ns_ok(a.namespace, p.namespace) and (d := cx.claimed.get(p.key)) is not None:
                return d
    for label in _NODE_LABELS:
        if value := lb.get(label):
            host = value.rsplit(":", 1)[0] if label == "instance" else value
            if (di := lk.nodes.get(host)) is not None:
                return cx.drafts[di]
    if svc := lb.get("sloth_service"):
        slo = lb.get("sloth_slo", "")
        for (service, name), di in lk.slos.items():
            if service == svc and (not slo or name == slo):
                return cx.drafts[di]
    elif pyrra_slo := lb.get("slo"):  # Pyrra's burn alerts name their objective in `slo`
        for (_service, name), di in lk.slos.items():
            if name == pyrra_slo:
                return cx.drafts[di]
    for label, kind in _WORKLOAD_LABELS.items():
        if workload := lb.get(label):
            votes = lk.workloads.get((a.namespace, kind, workload)) if a.namespace else lk.any_ns.get((kind, workload))
            if votes and (d := _pick(cx, votes)) is not None:
                return d
    services = alert_services(a)
    if not services:
        return None
    votes = lk.services.query(services, a.namespace, strict_ns=True) if a.namespace else Counter()
    return _pick(cx, votes) or _pick(cx, lk.slo_services.query(services, a.namespace, strict_ns=False))


def _alerts(cx: Context, lk: Lookup) -> None:
    pods_by_name: dict[str, list[Pod]] = {}
    if any(a.labels.get("pod") for a in cx.snapshot.alerts):
        for p in cx.snapshot.pods:
            pods_by_name.setdefault(p.name, []).append(p)
    loose: dict[tuple[str, str], Draft] = {}
    for a in cx.snapshot.alerts:
        if a.state != "firing" or a.silenced or a.inhibited_by:
            continue
        d = _alert_target(cx, lk, a, pods_by_name)
        if d is None and severity_rank(a.severity) >= severity_rank("info"):
            continue  # info/none alerts (Watchdog, InfoInhibitor) join an incident but never open one
        if d is None:
            svc = next(iter(sorted(alert_services(a))), "")
            key = (a.namespace, svc or a.name)
            d = loose.get(key)
            if d is None:
                d = loose[key] = Draft("alerts", f"alerts:{a.namespace}/{svc or a.name}")
                cx.drafts.append(d)
                _claim_named(cx, d, a, pods_by_name)
        d.alerts.append(a)
    for d in loose.values():
        _describe_alerts(d)


def _claim_named(cx: Context, d: Draft, a: Alert, pods_by_name: dict[str, list[Pod]]) -> None:
    """An alert about a pod or node nothing else explains: that row joins the alert's incident."""
    if (name := a.labels.get("pod")) and a.namespace:
        for p in pods_by_name.get(name, ()):
            if p.namespace == a.namespace and p.key not in cx.claimed:
                cx.claim(d, p, None)
    host = a.labels.get("node") or ""
    node = next((n for n in cx.snapshot.nodes if n.name == host), None)
    if node is not None and not any(node in x.nodes for x in cx.drafts):
        d.nodes.append(node)


def _describe_alerts(d: Draft) -> None:
    names = Counter(a.name for a in d.alerts)
    d.started_at = min_time(*(a.starts_at for a in d.alerts))
    top = sorted(names, key=lambda n: (min(severity_rank(a.severity) for a in d.alerts if a.name == n), n))
    first = min(d.alerts, key=lambda a: (severity_rank(a.severity), a.starts_at is None, a.starts_at or d.started_at))
    where = "/".join(x for x in (first.namespace, first.service) if x)
    label = ", ".join(top[:3]) + (f" +{len(top) - 3}" if len(top) > 3 else "")
    d.title = _t(f"{label} firing" + (f" ({where})" if where else ""))
    d.cause = _t(f"{label} firing since {hhmm(d.started_at)} ({_plural(len(d.alerts), 'alert')})"
                 + (f": {first.summary}" if first.summary else "") + "; no failing row on screen explains it", 400)
    d.severity = "critical" if any(severity_rank(a.severity) == 0 for a in d.alerts) else "warning"
    runbook = first.runbook_url
    d.next_step = _t(f"follow the runbook: {runbook}" if runbook else
                     f"open what the alert measures: {first.generator_url}" if first.generator_url else
                     f"look at what {first.name} measures and who owns {where or 'it'}", 400)


def build_incidents(snapshot: Snapshot, changes: Sequence[Change] | None = None,
                    previous: Sequence[Incident] = ()) -> tuple[Incident, ...]:
    """The snapshot's incidents, ranked (impact, then severity, then breadth); rank 1 hurts users most.
    `changes` defaults to snapshot.changes; `previous` (the last result) keeps ids stable."""
    cx = Context(snapshot, snapshot.changes if changes is None else changes, is_multi(snapshot), snapshot.taken_at)
    problems: dict[tuple[str, str, str], tuple[Pod, Problem]] = {}
    for p in snapshot.pods:
        if (pr := pod_problem(p, cx.now)) is not None:
            problems[p.key] = (p, pr)
    _drop_replaced(snapshot, problems)
    _node_down(cx)
    _capacity(cx, problems)
    _workloads(cx, problems)
    _attach_workloads(cx)
    lk = _lookup(cx)
    _slos(cx, lk)
    _alerts(cx, lk)
    drafts = [d for d in cx.drafts if d.pods or d.nodes or d.workloads or d.alerts or d.slos]
    finished = [(finish(cx, d), d.anchor) for d in drafts]
    incidents = sorted(assign_ids(finished, previous), key=rank_key)
    return tuple(replace(i, rank=n) for n, i in enumerate(incidents, 1))


def _drop_replaced(snapshot: Snapshot, problems: dict[tuple[str, str, str], tuple[Pod, Problem]]) -> None:
    """A failed or evicted pod whose workload is whole again, on a node no longer under pressure, is
    history: its controller replaced it (evicted pods linger until garbage-collected)."""
    whole = {(w.context, w.namespace, w.kind.lower(), w.name) for w in snapshot.workloads
             if w.desired and w.ready >= w.desired}
    if not whole:
        return
    pressured = {(n.context, n.name) for n in snapshot.nodes if n.pressure}
    for key, (p, pr) in list(problems.items()):
        if pr.kind in ("evicted", "failed") and (p.context, p.node) not in pressured \
                and (p.context, p.namespace, *workload_of(p)) in whole:
            del problems[key]


def with_incidents(snapshot: Snapshot, previous: Snapshot | None = None,
                   window_s: float = DEFAULT_WINDOW_S) -> Snapshot:
    """The snapshot with its changes (the window's) and incidents (ids kept from `previous`)."""
    changes = build_changes(snapshot, previous, window_s)
    snap = replace(snapshot, changes=changes)
    return replace(snap, incidents=build_incidents(snap, changes, previous.incidents if previous else ()))


def _attach_workloads(cx: Context) -> None:
    """A workload with missing replicas joins the incident holding most of its claimed pods (e.g. the
    node that took them down), when no incident names it yet."""
    named = {(w.context, w.key) for d in cx.drafts for w in d.workloads}
    owners: dict[tuple[str, str, str, str], Counter[int]] = {}
    for d_i, d in enumerate(cx.drafts):
        for p, _ in d.pods:
            wkind, wname = workload_of(p)
            owners.setdefault((p.context, p.namespace, wkind, wname), Counter())[d_i] += 1
    for w in cx.snapshot.workloads:
        if w.gap <= 0 or (w.context, w.key) in named:
            continue
        votes = owners.get((w.context, w.namespace, w.kind.lower(), w.name))
        if votes:
            cx.drafts[votes.most_common(1)[0][0]].workloads.append(w)
