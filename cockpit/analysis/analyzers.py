"""Offline analyzers (k8sgpt-style): turn a Snapshot into a short, ordered list of Findings.

Pure and single-pass over pods: problem pods are bucketed by (workload, problem) so a crash-looping
Deployment of 12 replicas is one finding, not 12. Alerts, problem workloads, burning SLOs and sick
nodes of one incident (cockpit.analysis.incidents) become "these point to one cause" findings.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from cockpit.analysis.correlate import workload_of
from cockpit.analysis.duration import format_duration
from cockpit.analysis.sanitize import sanitize_line
from cockpit.model import Alert, ContainerState, Finding, Pod, SLOStatus, Snapshot, severity_rank

PULL_REASONS = {"ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull"}
CONFIG_REASONS = {"CreateContainerConfigError", "CreateContainerError", "RunContainerError"}
# Problem kinds in the order a principal SRE reads them when severities tie.
KIND_ORDER = {
    "correlation": 0, "crashloop": 1, "oom": 2, "slo-burn": 3, "node-notready": 4, "replica-gap": 5,
    "alert": 6, "image-pull": 7, "config": 8, "unschedulable": 9, "pod-failed": 10, "node-pressure": 11,
    "not-ready": 12, "alert-storm": 13, "source-down": 14, "slo-nodata": 15, "silenced": 16,
}
STORM_THRESHOLD = 20
MAX_EVIDENCE = 5
WORDS = {
    "crashloop": "crash-looping", "oom": "OOMKilled", "image-pull": "failing to pull their image",
    "config": "failing to create their container", "unschedulable": "Pending, unschedulable",
    "pod-failed": "Failed", "not-ready": "Running but not ready",
}
def pod_words(kind: str, n: int) -> str:
    """The problem's phrase for n pods: one pod is failing to pull *its* image, several *their*."""
    return WORDS[kind].replace("their", "its") if n == 1 else WORDS[kind]


NOT_READY_AFTER_S = 300  # a pod still starting up is not a problem yet


def _msg(text: str, limit: int = 200) -> str:
    return sanitize_line(text, limit, for_terminal=False)  # findings reach JSON too: original characters


# -- pods ------------------------------------------------------------------------------------------
def _pod_issues(pod: Pod, now: datetime | None = None) -> list[tuple[str, str, ContainerState | None]]:
    """(kind, detail, container) for each problem of one pod."""
    issues: list[tuple[str, str, ContainerState | None]] = []
    for c in pod.containers:
        if c.reason == "CrashLoopBackOff":
            last = f", last termination {c.last_reason or 'unknown'}"
            code = f" (exit {c.last_exit_code})" if c.last_exit_code is not None else ""
            issues.append(("crashloop", f"container {c.name}: {c.restarts} restarts{last}{code}", c))
        if "OOMKilled" in (c.last_reason, c.reason):
            limit = f"at its {c.memory_limit} memory limit" if c.memory_limit else "with no memory limit set"
            issues.append(("oom", f"container {c.name} OOMKilled (exit 137) {limit}", c))
        if c.reason in PULL_REASONS:
            issues.append(("image-pull", f"{c.reason} {c.image}: {_msg(c.message)}".rstrip(": "), c))
        if c.reason in CONFIG_REASONS:
            issues.append(("config", f"{c.reason} in container {c.name}: {_msg(c.message)}".rstrip(": "), c))
    if not pod.containers:  # compact inputs (eval set, tables) carry only the status column
        kind = {"CrashLoopBackOff": "crashloop", "OOMKilled": "oom"}.get(pod.reason)
        kind = kind or ("image-pull" if pod.reason in PULL_REASONS else None)
        kind = kind or ("config" if pod.reason in CONFIG_REASONS else None)
        if kind:
            issues.append((kind, f"{pod.reason}, {pod.restarts} restarts", None))
    if pod.phase == "Pending":
        for ctype, status, reason, message in pod.conditions:
            if ctype == "PodScheduled" and status == "False":
                issues.append(("unschedulable", _msg(message or reason or "not scheduled"), None))
    if pod.phase == "Failed":
        issues.append(("pod-failed", _msg(pod.reason or "Failed"), None))
    if (not issues and pod.phase == "Running" and pod.ready < pod.total and pod.reason != "Terminating"
            and now is not None and pod.age_s(now) > NOT_READY_AFTER_S):
        waiting = [c.name for c in pod.containers if not c.ready]
        issues.append(("not-ready", f"readiness failing in {', '.join(waiting) or 'a container'}", None))
    return issues


@dataclass
class PodGroup:
    kind: str
    namespace: str
    workload_kind: str
    workload: str
    pods: list[Pod] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    containers: list[ContainerState] = field(default_factory=list)

    @property
    def subject(self) -> str:
        if len(self.pods) == 1:
            return f"pod {self.namespace}/{self.pods[0].name}"
        return f"{self.workload_kind} {self.namespace}/{self.workload}"

    @property
    def label(self) -> str:
        """Short phrase for correlation text: "3 crash-looping checkout-api pods"."""
        n = len(self.pods)
        word = {"crashloop": "crash-looping", "oom": "OOMKilled"}.get(self.kind, pod_words(self.kind, n))
        if self.kind in ("crashloop", "oom"):
            return f"{n} {word} {self.workload} pod{'s' * (n != 1)}"
        return f"{n} {self.workload} pod{'s' * (n != 1)} {word}"


def group_pods(pods: tuple[Pod, ...], now: datetime | None = None) -> list[PodGroup]:
    groups: dict[tuple[str, str, str, str, str], PodGroup] = {}
    for pod in pods:
        issues = _pod_issues(pod, now)
        if not issues:
            continue
        wkind, wname = workload_of(pod)
        seen: set[str] = set()
        for kind, detail, container in issues:
            if kind in seen:
                continue
            seen.add(kind)
            key = (pod.context, pod.namespace, wkind, wname, kind)
            g = groups.get(key)
            if g is None:
                g = groups[key] = PodGroup(kind, pod.namespace, wkind, wname)
            g.pods.append(pod)
            g.details.append(f"{pod.namespace}/{pod.name}: {detail}")
            if container is not None:
                g.containers.append(container)
    return list(groups.values())


def _common(values: list[str]) -> str:
    values = [v for v in values if v]
    return Counter(values).most_common(1)[0][0] if values else ""


def _group_summary(g: PodGroup) -> str:
    n = len(g.pods)
    who = f"pod {g.namespace}/{g.pods[0].name}" if n == 1 else f"{n} pods of {g.workload_kind} {g.namespace}/{g.workload}"
    cs = g.containers
    if g.kind == "crashloop":
        last = _common([c.last_reason for c in cs])
        codes = _common([str(c.last_exit_code) for c in cs if c.last_exit_code is not None])
        restarts = max((p.restarts for p in g.pods), default=0)
        tail = f"; last termination {last}" + (f" (exit {codes})" if codes else "") if last else ""
        return f"{who} crash-looping ({restarts} restart{'s' * (restarts != 1)}){tail}"
    if g.kind == "oom":
        limit = _common([c.memory_limit for c in cs])
        at = f"at the {limit} memory limit: raise the limit or find the leak" if limit else (
            "with no memory limit: the node ran out of memory")
        return f"{who} OOMKilled (exit 137) {at}"
    if g.kind in ("image-pull", "config", "unschedulable", "pod-failed", "not-ready"):
        detail = g.details[0].split(": ", 1)[-1]
        return f"{who} {pod_words(g.kind, n)}: {detail}"
    return f"{who} {g.kind}"


_POD_SEVERITY = {"crashloop": "critical", "oom": "critical", "image-pull": "warning", "config": "warning",
                 "unschedulable": "warning", "pod-failed": "warning", "not-ready": "warning"}


def _group_finding(g: PodGroup) -> Finding:
    sev = _POD_SEVERITY[g.kind]
    if g.kind == "oom" and not any(c.reason == "CrashLoopBackOff" for c in g.containers):
        sev = "warning" if g.containers else sev
    evidence = g.details[:MAX_EVIDENCE]
    if len(g.details) > MAX_EVIDENCE:
        evidence.append(f"… and {len(g.details) - MAX_EVIDENCE} more pods")
    return Finding(sev, g.kind, g.subject, _group_summary(g), tuple(evidence))


# -- nodes, workloads, SLOs, sources ------------------------------------------------------------------
def _node_findings(snapshot: Snapshot) -> list[Finding]:
    out = []
    for n in snapshot.nodes:
        if not n.ready:
            out.append(Finding("critical", "node-notready", f"node {n.name}",
                               f"node {n.name} is NotReady: its pods are being evicted or unreachable"))
        for p in n.pressure:
            out.append(Finding("warning", "node-pressure", f"node {n.name}",
                               f"node {n.name} reports {p}: the kubelet evicts pods and refuses new ones"))
    return out


def _workload_findings(snapshot: Snapshot) -> list[Finding]:
    out = []
    for w in snapshot.workloads:
        if w.gap <= 0:
            continue
        sev = "critical" if w.ready == 0 else "warning"
        out.append(Finding(sev, "replica-gap", f"{w.kind.lower()} {w.namespace}/{w.name}",
                           f"{w.kind.lower()} {w.namespace}/{w.name} has {w.ready}/{w.desired} replicas ready"
                           + (f" ({w.updated} updated)" if w.updated and w.updated != w.desired else "")))
    return out


def burn_text(slo: SLOStatus) -> str:
    """"burning 14.2x (1h)": the worst of the windows the paging rule reads."""
    for window in ("1h", "5m", "6h", "30m", "1d", "2h", "3d"):
        b = slo.burn_rates.get(window)
        if b is not None:
            return f"burning {b:.1f}x ({window})"
    return "with no burn data"


def _slo_findings(snapshot: Snapshot) -> list[Finding]:
    out = []
    for s in snapshot.slos:
        subject = f"slo {s.service}/{s.name}"
        obj = f"{s.objective * 100:g}%"
        if s.status in ("page", "ticket"):
            budget = f", {s.budget_remaining * 100:.0f}% of the error budget left" if s.budget_remaining is not None else ""
            eta = ""
            if s.exhaustion_s is not None and s.exhaustion_s < 7 * 86400:
                eta = f", exhausted in {format_duration(s.exhaustion_s)} at this rate"
            sev = "critical" if s.status == "page" else "warning"
            out.append(Finding(sev, "slo-burn", subject,
                               f"{s.service} {s.name} SLO ({obj}) {burn_text(s)}: {s.status}{budget}{eta}"))
        elif s.status == "no-data":
            why = f": {_msg(s.error)}" if s.error else ": the SLI query returns no samples"
            out.append(Finding("info", "slo-nodata", subject, f"{s.service} {s.name} SLO has no data{why}"))
    return out


def _source_findings(snapshot: Snapshot) -> list[Finding]:
    out = []
    for name, h in snapshot.sources.items():
        if h.ok:
            continue
        since = f", data stale since {h.last_ok:%H:%M:%S}" if h.last_ok else ", no data received yet"
        out.append(Finding("warning", "source-down", f"source {name}",
                           f"{h.label} failing: {_msg(h.error)}{since}"))
    return out


# -- alerts and correlation ------------------------------------------------------------------------
def _firing(snapshot: Snapshot) -> list[Alert]:
    return [a for a in snapshot.alerts if a.state == "firing" and not a.silenced]


@dataclass
class _Cluster:
    alerts: list[Alert] = field(default_factory=list)
    groups: list[PodGroup] = field(default_factory=list)
    slos: list[SLOStatus] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)


def _clusters(snapshot: Snapshot, firing: list[Alert], groups: list[PodGroup], slos: list[SLOStatus],
              sick_nodes: set[str]) -> list[_Cluster]:
    """The alerts, problem pod groups, burning SLOs and sick nodes of each incident: which rows belong
    together is decided in one place, cockpit.analysis.incidents (built here when not attached)."""
    from cockpit.analysis.changes import is_multi, pod_ref
    from cockpit.analysis.incidents import build_incidents

    incidents = snapshot.incidents or build_incidents(snapshot)
    multi = is_multi(snapshot)
    alerts = {a.fingerprint: a for a in firing}
    burning = {f"{s.service}/{s.name}": s for s in slos}
    group_of: dict[str, list[PodGroup]] = defaultdict(list)
    for g in groups:
        for p in g.pods:
            group_of[pod_ref(p, multi)].append(g)
    out = []
    for inc in incidents:
        c = _Cluster(alerts=[alerts[f] for f in inc.members.alerts if f in alerts],
                     slos=[burning[k] for k in inc.members.slos if k in burning],
                     nodes=[n.split(":")[-1] for n in inc.members.nodes if n.split(":")[-1] in sick_nodes])
        for ref in inc.members.pods:
            c.groups += [g for g in group_of.get(ref, ()) if not any(g is x for x in c.groups)]
        out.append(c)
    return out


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _correlation(c: _Cluster) -> Finding:
    names = sorted({a.name for a in c.alerts}, key=lambda n: min(
        (severity_rank(a.severity), a.name) for a in c.alerts if a.name == n))
    more = len(names) - 3
    parts = [", ".join(names[:3]) + (f" (+{more} more alert{'s' * (more != 1)})" if more > 0 else "")] if names else []
    worst: dict[str, PodGroup] = {}
    for g in c.groups:  # one phrase per workload: its worst problem
        if g.workload not in worst or KIND_ORDER[g.kind] < KIND_ORDER[worst[g.workload].kind]:
            worst[g.workload] = g
    parts += [g.label for g in worst.values()]
    parts += [f"the {s.service} {s.name} SLO {burn_text(s)}" for s in c.slos]
    parts += [f"node {n}" for n in c.nodes]
    sev = "critical" if any(severity_rank(a.severity) == 0 for a in c.alerts) or any(
        s.status == "page" for s in c.slos) else "warning"
    related = tuple([f"alert {n}" for n in names] + [f"slo {s.service}/{s.name}" for s in c.slos]
                    + [g.subject for g in c.groups] + [f"node {n}" for n in c.nodes])
    subject = f"alert {names[0]}" if names else related[0]
    return Finding(sev, "correlation", subject, f"{_join(parts)} point to one cause", related=related)


def _alert_findings(snapshot: Snapshot, groups: list[PodGroup], now: datetime | None) -> list[Finding]:
    firing = _firing(snapshot)
    burning = [s for s in snapshot.slos if s.status in ("page", "ticket")]
    sick = {n.name for n in snapshot.nodes if not n.ready or n.pressure}
    out: list[Finding] = []
    covered: set[str] = set()
    for c in _clusters(snapshot, firing, groups, burning, sick):
        signals = bool(c.groups) + bool(c.slos) + bool(c.nodes)
        if (c.alerts and signals) or (c.groups and c.slos):  # an SLO burning with its pods failing, unalerted
            out.append(_correlation(c))
            covered |= {a.fingerprint for a in c.alerts}
    by_name: dict[str, list[Alert]] = defaultdict(list)
    for a in firing:
        if a.fingerprint not in covered and severity_rank(a.severity) == 0:
            by_name[a.name].append(a)
    for name, alerts in by_name.items():
        ns = sorted({a.namespace for a in alerts if a.namespace})
        where = f" in {', '.join(ns[:3])}" if ns else ""
        summary = _msg(alerts[0].summary, 160)
        out.append(Finding("critical", "alert", f"alert {name}",
                           f"{name} firing{where} ({len(alerts)} alert{'s' * (len(alerts) != 1)})"
                           + (f": {summary}" if summary else "") + "; nothing else on screen explains it yet"))
    if len(firing) >= STORM_THRESHOLD:
        top = Counter(a.name for a in firing).most_common(3)
        nss = Counter(a.namespace for a in firing if a.namespace).most_common(1)
        hot = f"; {nss[0][1]} of them in namespace {nss[0][0]}" if nss else ""
        out.append(Finding("warning", "alert-storm", "alerts",
                           f"alert storm: {len(firing)} alerts firing, mostly "
                           + ", ".join(f"{n} ×{k}" for n, k in top) + hot + ": look for the common cause"))
    silenced = [a for a in snapshot.alerts if a.silenced]
    if silenced:
        ids = {i for a in silenced for i in a.silenced_by}
        soon = [s for s in snapshot.silences if s.id in ids and now and 0 < (s.ends_at - now).total_seconds() < 1800]
        tail = f"; {len(soon)} silence(s) end within 30 minutes" if soon else ""
        out.append(Finding("info", "silenced", "silences",
                           f"{len(silenced)} alert(s) silenced by {max(1, len(ids))} silence(s){tail}"))
    return out


def _order(f: Finding) -> tuple[int, int, str]:
    return (severity_rank(f.severity), KIND_ORDER.get(f.kind, 99), f.subject)


def analyze(snapshot: Snapshot) -> list[Finding]:
    """All findings of a snapshot, critical first; deterministic for a given snapshot."""
    groups = group_pods(snapshot.pods, snapshot.taken_at)
    findings = [_group_finding(g) for g in groups]
    findings += _node_findings(snapshot)
    findings += _workload_findings(snapshot)
    findings += _slo_findings(snapshot)
    findings += _source_findings(snapshot)
    findings += _alert_findings(snapshot, groups, snapshot.taken_at)
    return sorted(findings, key=_order)
