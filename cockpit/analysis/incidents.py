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
Ids are kept across refreshes while membership overlaps the previous incidents.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from cockpit.analysis.changes import (
    DEFAULT_WINDOW_S,
    build_changes,
    hhmm,
    is_multi,
    node_ref,
    pod_ref,
    workload_ref,
)
from cockpit.analysis.correlate import alert_services, ns_ok, workload_of
from cockpit.analysis.problems import KINDS, PRESSURE_RESOURCE, Problem, pod_problem
from cockpit.analysis.sanitize import clip
from cockpit.model import (
    Alert,
    Change,
    Evidence,
    Impact,
    Incident,
    Members,
    Node,
    Pod,
    Revision,
    SLOImpact,
    SLOStatus,
    Snapshot,
    Workload,
    severity_rank,
)

MAX_POD_EVIDENCE = 6
MAX_CHANGES = 8
MAX_EVENTS = 4
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


def _hash(text: str, n: int = 6) -> str:
    return hashlib.blake2s(text.encode(), digest_size=8).hexdigest()[:n]


def evidence_id(kind: str, key: str) -> str:
    """Names the fact ("pod", "shop/web-1"), never its text: restart counts change, the id does not."""
    return f"{kind}-{_hash(kind + '|' + key)}"


@dataclass
class _Draft:
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
    facts: list[Evidence] = field(default_factory=list)
    keys: set[str] | None = None


@dataclass
class _Ctx:
    snapshot: Snapshot
    changes: Sequence[Change]
    multi: bool
    now: datetime
    claimed: dict[tuple[str, str, str], _Draft] = field(default_factory=dict)  # pod key -> draft
    drafts: list[_Draft] = field(default_factory=list)
    _by_ref: dict[str, list[int]] | None = None
    _edits: dict[tuple[str, str, str], list[Change]] | None = None
    _templates: dict[tuple[str, str, str, str], Revision] = field(default_factory=dict)

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

    def pref(self, pod: Pod) -> str:
        return pod_ref(pod, self.multi)

    def nref(self, node: Node) -> str:
        return node_ref(node.name, node.context, self.multi)

    def wref(self, w: Workload) -> str:
        return workload_ref(w.kind, w.namespace, w.name, w.context, self.multi)

    def claim(self, draft: _Draft, pod: Pod, problem: Problem | None) -> None:
        self.claimed[pod.key] = draft
        draft.pods.append((pod, problem))


def _min_time(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


# -- rule 1: nodes that stopped reporting ---------------------------------------------------------
def _node_down(cx: _Ctx) -> None:
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
        d = _Draft("node-down", f"node-down:{n.context}/{n.name}", n.context, nodes=[n], severity="critical")
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
def _capacity(cx: _Ctx, problems: dict[tuple[str, str, str], tuple[Pod, Problem]]) -> None:
    groups: dict[tuple[str, str], _Draft] = {}
    pressured = {(n.context, n.name): n for n in cx.snapshot.nodes if n.pressure and n.status == "Ready"}

    def draft(ctx: str, resource: str) -> _Draft:
        if (ctx, resource) not in groups:
            groups[(ctx, resource)] = _Draft("capacity", f"capacity:{ctx}/{resource}", ctx)
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


def _describe_capacity(cx: _Ctx, d: _Draft, res: str) -> None:
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
        since = _min_time(*(n.since(cond) for n in d.nodes))
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
    d.cause = _t("; ".join(parts), 400)
    d.severity = "critical" if len(pending) + len(evicted) >= 5 else "warning"
    d.started_at = _min_time(*(p.created_at for p in pending), *(n.since(cond) for n in d.nodes))
    d.cause_changes = [c for c in cx.changes if c.kind == "node" and any("node:" + cx.nref(n) in c.refs
                                                                        for n in d.nodes)][:3]


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


def _first_step(kind: str, w_kind: str, ns: str, name: str, probs: list[Problem], rollout: Change | None) -> str:
    target = f"{w_kind.lower()}/{name} -n {ns}"
    if rollout is not None and rollout.details.get("old") and w_kind in ("Deployment", "StatefulSet", "DaemonSet"):
        back = rollout.details.get("from", "")
        return _t(f"roll back to {back or 'the previous revision'}: kubectl rollout undo {target}; then read why "
                  f"the new pods fail: kubectl logs --previous -n {ns} <pod>", 400)
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
        return _t(f"read the scheduler's reason: kubectl describe pod -n {ns} <pod> (affinity, taints, volumes)", 400)
    return _t(f"read the previous container's logs: kubectl logs --previous -n {ns} <pod>; restart or roll back "
              f"{target} if the last change is the suspect", 400)


def _workloads(cx: _Ctx, problems: dict[tuple[str, str, str], tuple[Pod, Problem]]) -> None:
    index = _workload_index(cx.snapshot)
    groups: dict[tuple[str, str, str, str], _Draft] = {}
    for key, (pod, prob) in problems.items():
        if key in cx.claimed:
            continue
        wkind, wname = workload_of(pod)
        gkey = (pod.context, pod.namespace, wkind, wname)
        d = groups.get(gkey)
        if d is None:
            d = groups[gkey] = _Draft("workload", f"workload:{pod.context}/{pod.namespace}/{wkind}/{wname}",
                                      pod.context)
            if (w := index.get(gkey)) is not None:
                d.workloads.append(w)
        cx.claim(d, pod, prob)
    for w in cx.snapshot.workloads:  # a stalled rollout with no failing pod on screen (quota, admission)
        gkey = (w.context, w.namespace, w.kind.lower(), w.name)
        stalled = any((t == "Progressing" and s == "False") or (t == "ReplicaFailure" and s == "True")
                      for t, s, _, _, _ in w.conditions)
        if stalled and gkey not in groups and w.gap:
            groups[gkey] = _Draft("workload", f"workload:{w.context}/{w.namespace}/{w.kind.lower()}/{w.name}",
                                  w.context, workloads=[w])
    for gkey, d in groups.items():
        _describe_workload(cx, d, gkey)
        cx.drafts.append(d)


def _describe_workload(cx: _Ctx, d: _Draft, gkey: tuple[str, str, str, str]) -> None:
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
    first_fail = _min_time(*(p.last_restart_at or p.created_at for p in pods))
    if probs:
        phrase = _failure_phrase(probs)
        kind = min((p.kind for p in probs), key=KINDS.index)
    else:
        stall = next((c for c in w.conditions if c[1] == "False" or c[0] == "ReplicaFailure"), None) if w else None
        phrase = f"rollout stalled: {stall[2] or stall[0]}: {stall[3]}".rstrip(": ") if stall else "not progressing"
        kind = "stuck"
    gap = f", {w.ready}/{w.desired} ready" if w is not None and w.desired else ""
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
        d.started_at = _min_time(rollout.at, first_fail)
    else:
        d.cause = _t(f"{who} {phrase}{gap}", 400)
        d.title = _t(f"{wname} {phrase}")
        d.started_at = first_fail
        edits = cx.config_edits(ctx, ns, kind_name, wname)
        d.cause_changes = (edits + [c for c in cx.changes_of([ref]) if c.kind in ("rollout-stalled", "scale")])[:3]
        if edits and kind in ("crashloop", "config", "not-ready", "restarting", "oom"):
            d.cause_kind = "hypothesis"  # an edit before a failure is a suspect, not a proof
            d.cause += _t(f"; {edits[0].subject}, which its pods read, changed at {hhmm(edits[0].at)}", 200)
    down = w is not None and w.desired > 0 and w.ready == 0
    d.severity = "critical" if kind in ("crashloop", "oom") or down else "warning"
    if kind in ("restarting", "not-ready") and not down:
        d.severity = "warning"
    d.next_step = _first_step(kind, kind_name, ns, wname, probs, rollout)


# -- lookups: which draft a label names (built once: 1k alerts x 300 drafts must not be scanned) -----
def _dash_prefixes(name: str) -> list[str]:
    """"checkout-api-v2" -> ["checkout", "checkout-api"]: the names correlate.names_match pairs it with."""
    parts = name.split("-")
    return ["-".join(parts[:n]) for n in range(1, len(parts))]


class _NameIndex:
    """Service-like names -> drafts, matched as correlate.names_match does (equal or a dash-prefix),
    weighted by how many of a draft's rows carry the name."""

    def __init__(self) -> None:
        self.exact: dict[str, Counter[tuple[int, str]]] = defaultdict(Counter)  # name -> (draft, ns) -> rows
        self.longer: dict[str, Counter[tuple[int, str]]] = defaultdict(Counter)  # dash-prefix of a name -> same

    def add(self, name: str, draft: int, namespace: str, weight: int = 1) -> None:
        if not name:
            return
        self.exact[name][(draft, namespace)] += weight
        for prefix in _dash_prefixes(name):
            self.longer[prefix][(draft, namespace)] += weight

    def query(self, names: Iterable[str], namespace: str, strict_ns: bool) -> Counter[int]:
        """Drafts whose names match one of `names`; strict_ns: the draft's namespace must be `namespace`."""
        out: Counter[int] = Counter()
        for name in names:
            sources = [self.exact.get(name), self.longer.get(name), *(self.exact.get(p) for p in _dash_prefixes(name))]
            for src in sources:
                for (di, ns), n in (src or {}).items():
                    if (ns == namespace) if strict_ns else ns_ok(namespace, ns):
                        out[di] += n
        return out


@dataclass
class _Lookup:
    services: _NameIndex = field(default_factory=_NameIndex)  # pods' app / workload names
    slo_services: _NameIndex = field(default_factory=_NameIndex)
    nodes: dict[str, int] = field(default_factory=dict)
    workloads: dict[tuple[str, str, str], Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    any_ns: dict[tuple[str, str], Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    slos: dict[tuple[str, str], int] = field(default_factory=dict)

    def add_draft(self, di: int, d: _Draft) -> None:
        for n in d.nodes:
            self.nodes.setdefault(n.name, di)
        for w in d.workloads:
            self.workloads[(w.namespace, w.kind.lower(), w.name)][di] += 1000  # named outright: wins
            self.any_ns[(w.kind.lower(), w.name)][di] += 1000
            self.services.add(w.name.lower(), di, w.namespace, 1000)
        for p, _ in d.pods:
            wkind, wname = workload_of(p)
            self.workloads[(p.namespace, wkind, wname)][di] += 1
            self.any_ns[(wkind, wname)][di] += 1
            for name in {p.service.lower(), wname.lower()}:
                self.services.add(name, di, p.namespace)

    def add_slo(self, di: int, s: SLOStatus) -> None:
        self.slos[(s.service, s.name)] = di
        self.slo_services.add(s.service.lower(), di, s.namespace)


def _pick_index(cx: _Ctx, votes: Counter[int]) -> int | None:
    """The draft holding most of what was named; ties go to the more severe, then the first."""
    if not votes:
        return None
    return max(votes.items(), key=lambda kv: (kv[1], -severity_rank(cx.drafts[kv[0]].severity), -kv[0]))[0]


def _pick(cx: _Ctx, votes: Counter[int]) -> _Draft | None:
    di = _pick_index(cx, votes)
    return cx.drafts[di] if di is not None else None


def _lookup(cx: _Ctx) -> _Lookup:
    lk = _Lookup()
    for di, d in enumerate(cx.drafts):
        lk.add_draft(di, d)
    return lk


# -- rule 4: SLOs ----------------------------------------------------------------------------------
def _slos(cx: _Ctx, lk: _Lookup) -> None:
    for s in cx.snapshot.slos:
        if s.status not in ("page", "ticket"):
            continue
        di = _pick_index(cx, lk.services.query([s.service.lower()], s.namespace, strict_ns=bool(s.namespace)))
        if di is None:
            target = _Draft("slo", f"slo:{s.service}/{s.name}", cause_kind="hypothesis")
            target.title = _t(f"{s.service} {s.name} SLO burning with no failing pod on screen")
            target.cause = _t(f"{s.service}/{s.name} {_burn_text(s)} while the pods serving it look healthy: "
                              f"a dependency, bad requests or a change outside the cluster", 400)
            query = s.queries.get("5m") or s.queries.get("1h") or ""
            target.next_step = _t("roll back the last change to its path if there is one; then see which requests "
                                  "fail" + (f": {query}" if query else " (error ratio by route and status code)"), 500)
            target.severity = "critical" if s.status == "page" else "warning"
            cx.drafts.append(target)
            di = len(cx.drafts) - 1
        cx.drafts[di].slos.append(s)
        lk.add_slo(di, s)


def _burn(s: SLOStatus) -> tuple[float | None, str]:
    for window in ("1h", "5m", "6h", "30m", "1d", "2h", "3d"):
        if (b := s.burn_rates.get(window)) is not None:
            return b, window
    return None, ""


def _burn_text(s: SLOStatus) -> str:
    b, window = _burn(s)
    return f"burning {b:.1f}x ({window})" if b is not None else f"at {s.status}"


# -- rule 5: alerts --------------------------------------------------------------------------------
def _alert_target(cx: _Ctx, lk: _Lookup, a: Alert, pods_by_name: dict[str, list[Pod]]) -> _Draft | None:
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


def _alerts(cx: _Ctx, lk: _Lookup) -> None:
    pods_by_name: dict[str, list[Pod]] = {}
    if any(a.labels.get("pod") for a in cx.snapshot.alerts):
        for p in cx.snapshot.pods:
            pods_by_name.setdefault(p.name, []).append(p)
    loose: dict[tuple[str, str], _Draft] = {}
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
                d = loose[key] = _Draft("alerts", f"alerts:{a.namespace}/{svc or a.name}")
                cx.drafts.append(d)
                _claim_named(cx, d, a, pods_by_name)
        d.alerts.append(a)
    for d in loose.values():
        _describe_alerts(d)


def _claim_named(cx: _Ctx, d: _Draft, a: Alert, pods_by_name: dict[str, list[Pod]]) -> None:
    """An alert about a pod or node nothing else explains: that row joins the alert's incident."""
    if (name := a.labels.get("pod")) and a.namespace:
        for p in pods_by_name.get(name, ()):
            if p.namespace == a.namespace and p.key not in cx.claimed:
                cx.claim(d, p, None)
    host = a.labels.get("node") or ""
    node = next((n for n in cx.snapshot.nodes if n.name == host), None)
    if node is not None and not any(node in x.nodes for x in cx.drafts):
        d.nodes.append(node)


def _describe_alerts(d: _Draft) -> None:
    names = Counter(a.name for a in d.alerts)
    d.started_at = _min_time(*(a.starts_at for a in d.alerts))
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


# -- evidence, impact, ranking, ids ----------------------------------------------------------------
def _evidence(cx: _Ctx, d: _Draft) -> tuple[Evidence, ...]:
    out: list[Evidence] = []
    for c in d.cause_changes:
        out.append(Evidence(evidence_id("change", f"{c.kind}|{c.subject}|{c.at.isoformat()}"), "change",
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
                            _t(f"slo {s.service}/{s.name} ({s.objective * 100:g}%) {_burn_text(s)}: {s.status}{left}")))
    for a in d.alerts[:MAX_POD_EVIDENCE]:
        since = f" since {hhmm(a.starts_at)}" if a.starts_at else ""
        out.append(Evidence(evidence_id("alert", a.fingerprint), "alert",
                            _t(f"alert {a.name} ({a.severity}) firing{since}" + (f": {a.summary}" if a.summary else ""),
                               400)))
    seen = {e.id for e in out}
    for c in _member_changes(cx, d, ("event",))[:MAX_EVENTS]:
        eid = evidence_id("event", f"{c.subject}|{c.details.get('reason', '')}")
        if eid not in seen:
            seen.add(eid)
            out.append(Evidence(eid, "event", _t(f"{c.at:%H:%M:%S} {c.subject}: {c.summary}", 400)))
    return tuple(out)


def _member_keys(cx: _Ctx, d: _Draft) -> set[str]:
    if d.keys is not None:
        return d.keys
    keys = {"pod:" + cx.pref(p) for p, _ in d.pods} | {"node:" + cx.nref(n) for n in d.nodes}
    keys |= {"workload:" + cx.wref(w) for w in d.workloads} | {f"alert:{a.fingerprint}" for a in d.alerts}
    keys |= {f"slo:{s.service}/{s.name}" for s in d.slos}
    d.keys = keys  # asked for once membership is final (_finish)
    return keys


def _member_changes(cx: _Ctx, d: _Draft, kinds: Iterable[str] | None = None) -> list[Change]:
    wanted = set(kinds) if kinds is not None else None
    return [c for c in cx.changes_of(_member_keys(cx, d)) if wanted is None or c.kind in wanted]


def _changes(cx: _Ctx, d: _Draft) -> tuple[Change, ...]:
    """The cause's changes first, then the members' (rollouts and node flips before restarts)."""
    out = list(d.cause_changes)
    order = {"rollout": 0, "node": 1, "rollout-stalled": 2, "configmap": 3, "cordon": 4, "scale": 5, "slo": 6,
             "alert": 7, "event": 8, "restart": 9}
    rest = sorted((c for c in _member_changes(cx, d) if c not in out), key=lambda c: order.get(c.kind, 10))
    return tuple(out + rest)[:MAX_CHANGES]


def _impact(d: _Draft) -> Impact:
    slos = []
    for s in d.slos:
        burn, window = _burn(s)
        per_hour = burn * (1 - s.objective) * 60 if burn is not None else None
        slos.append(SLOImpact(f"{s.service}/{s.name}", s.status, burn, window, per_hour, s.exhaustion_s,
                              s.budget_remaining))
    slos.sort(key=lambda i: (i.status != "page", -(i.burn_rate or 0)))
    services = list(dict.fromkeys([s.service for s in d.slos] + [w.name for w in d.workloads]
                                  + [a.service for a in d.alerts if a.service]))[:5]
    if slos:
        top = slos[0]
        eta = ""
        if top.exhaustion_s is not None and top.exhaustion_s < 30 * 86400:
            eta = f", budget gone in {top.exhaustion_s / 3600:.1f}h"
        burning = f"burning {top.burn_rate:.1f}x ({top.window})" if top.burn_rate is not None else top.status
        more = f" +{len(slos) - 1} SLOs" if len(slos) > 1 else ""
        text = f"{top.slo} {burning}{eta}{more}"
    else:
        text = f"no SLO burning; {', '.join(services[:3])} affected" if services else "no SLO burning"
    return Impact(tuple(slos), tuple(_t(s, 120) for s in services), _t(text))


def _rank_key(i: Incident) -> tuple:
    page = any(s.status == "page" for s in i.impact.slos)
    ticket = any(s.status == "ticket" for s in i.impact.slos)
    burn = max((s.burn_rate or 0.0 for s in i.impact.slos), default=0.0)
    return (0 if page else 1 if ticket else 2, -burn, severity_rank(i.severity), -i.members.size, i.id)


def _members(cx: _Ctx, d: _Draft) -> Members:
    return Members(
        alerts=tuple(sorted(a.fingerprint for a in d.alerts)),
        pods=tuple(sorted(cx.pref(p) for p, _ in d.pods)),
        workloads=tuple(sorted(cx.wref(w) for w in d.workloads)),
        nodes=tuple(sorted(cx.nref(n) for n in d.nodes)),
        slos=tuple(sorted(f"{s.service}/{s.name}" for s in d.slos)),
    )


def _finish(cx: _Ctx, d: _Draft) -> Incident:
    if d.alerts and severity_rank(d.severity) > 0 and any(severity_rank(a.severity) == 0 for a in d.alerts):
        d.severity = "critical"
    if any(s.status == "page" for s in d.slos):
        d.severity = "critical"
    d.started_at = _min_time(d.started_at, *(a.starts_at for a in d.alerts))
    return Incident(id="", title=d.title, severity=d.severity, cause=d.cause, cause_kind=d.cause_kind,
                    started_at=d.started_at, impact=_impact(d), members=_members(cx, d), changes=_changes(cx, d),
                    evidence=_evidence(cx, d), next_step=d.next_step, kind=d.kind)


def _assign_ids(new: list[tuple[Incident, str]], previous: Sequence[Incident]) -> list[Incident]:
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
            iid, salt = f"inc-{_hash(anchor)}", 0
            while iid in taken:
                salt += 1
                iid = f"inc-{_hash(f'{anchor}#{salt}')}"
        taken.add(iid)
        out.append(replace(inc, id=iid))
    return out


def build_incidents(snapshot: Snapshot, changes: Sequence[Change] | None = None,
                    previous: Sequence[Incident] = ()) -> tuple[Incident, ...]:
    """The snapshot's incidents, ranked (impact, then severity, then breadth); rank 1 hurts users most.
    `changes` defaults to snapshot.changes; `previous` (the last result) keeps ids stable."""
    cx = _Ctx(snapshot, snapshot.changes if changes is None else changes, is_multi(snapshot), snapshot.taken_at)
    problems: dict[tuple[str, str, str], tuple[Pod, Problem]] = {}
    for p in snapshot.pods:
        if (pr := pod_problem(p, cx.now)) is not None:
            problems[p.key] = (p, pr)
    _node_down(cx)
    _capacity(cx, problems)
    _workloads(cx, problems)
    _attach_workloads(cx)
    lk = _lookup(cx)
    _slos(cx, lk)
    _alerts(cx, lk)
    drafts = [d for d in cx.drafts if d.pods or d.nodes or d.workloads or d.alerts or d.slos]
    finished = [(_finish(cx, d), d.anchor) for d in drafts]
    incidents = sorted(_assign_ids(finished, previous), key=_rank_key)
    return tuple(replace(i, rank=n) for n, i in enumerate(incidents, 1))


def with_incidents(snapshot: Snapshot, previous: Snapshot | None = None,
                   window_s: float = DEFAULT_WINDOW_S) -> Snapshot:
    """The snapshot with its changes (the window's) and incidents (ids kept from `previous`)."""
    changes = build_changes(snapshot, previous, window_s)
    snap = replace(snapshot, changes=changes)
    return replace(snap, incidents=build_incidents(snap, changes, previous.incidents if previous else ()))


def _attach_workloads(cx: _Ctx) -> None:
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


# -- lookups for the UI and Marcus ------------------------------------------------------------------
def member_key_of_pod(snapshot: Snapshot, pod: Pod) -> str:
    return "pod:" + pod_ref(pod, is_multi(snapshot))


def member_key_of_node(snapshot: Snapshot, node: Node) -> str:
    return "node:" + node_ref(node.name, node.context, is_multi(snapshot))


def member_key_of_alert(alert: Alert) -> str:
    return f"alert:{alert.fingerprint}"


def member_key_of_slo(slo: SLOStatus) -> str:
    return f"slo:{slo.service}/{slo.name}"


def incident_of(incidents: Iterable[Incident], key: str) -> Incident | None:
    """The incident a member ("pod:ns/name", "alert:FP", "slo:svc/name", ...) belongs to."""
    return next((i for i in incidents if key in i.members.keys()), None)


def same_incident(incidents: Iterable[Incident], key: str) -> frozenset[str]:
    """The other members of the selected row's incident: what the panes highlight."""
    inc = incident_of(incidents, key)
    return inc.members.keys() - {key} if inc is not None else frozenset()



@dataclass(frozen=True)
class IncidentIndex:
    """Incidents by member, with each incident's rows as the panes key them: built in the findings worker
    so a selection's highlight on the event loop is a few dict lookups, not a scan of 10k pods."""

    multi: bool = False
    by_member: dict[str, str] = field(default_factory=dict)  # member key -> incident id
    alerts: dict[str, frozenset[str]] = field(default_factory=dict)  # incident id -> fingerprints
    pods: dict[str, frozenset[tuple[str, str, str]]] = field(default_factory=dict)  # id -> Pod.key
    slos: dict[str, frozenset[tuple[str, str]]] = field(default_factory=dict)  # id -> SLOStatus.key
    incidents: dict[str, Incident] = field(default_factory=dict)

    def of(self, key: str) -> Incident | None:
        iid = self.by_member.get(key)
        return self.incidents.get(iid) if iid is not None else None

    def key_of_pod(self, pod: Pod) -> str:
        return "pod:" + pod_ref(pod, self.multi)


def index_incidents(snapshot: Snapshot, incidents: Sequence[Incident] | None = None) -> IncidentIndex:
    incs = tuple(snapshot.incidents if incidents is None else incidents)
    multi = is_multi(snapshot)
    wanted = {p for i in incs for p in i.members.pods}
    pod_keys = {}
    if wanted:
        for p in snapshot.pods:
            ref = pod_ref(p, multi)
            if ref in wanted:
                pod_keys[ref] = p.key
    by_member: dict[str, str] = {}
    out = IncidentIndex(multi, by_member)
    for i in incs:
        for key in i.members.keys():
            by_member[key] = i.id
        out.alerts[i.id] = frozenset(i.members.alerts)
        out.pods[i.id] = frozenset(pod_keys[p] for p in i.members.pods if p in pod_keys)
        out.slos[i.id] = frozenset(tuple(s.split("/", 1)) for s in i.members.slos)  # type: ignore[misc]
        out.incidents[i.id] = i
    return out
