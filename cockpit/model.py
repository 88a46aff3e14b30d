"""Plain data shared by every layer: sources produce it, analysis reads it, the UI shows it.

Everything here is immutable and free of client-library types, so a Snapshot can be diffed,
cached, serialised and handed across threads without copying.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

SEVERITY_ORDER = {"critical": 0, "page": 0, "error": 1, "warning": 2, "info": 3, "none": 4}
SLO_STATUS_ORDER = {"page": 0, "ticket": 1, "unknown": 2, "no-data": 2, "ok": 3}  # unknown: not readable
BURN_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")


def severity_rank(severity: str) -> int:
    return SEVERITY_ORDER.get(severity.lower(), 5)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Alert:
    fingerprint: str
    name: str
    severity: str  # critical | warning | info | none
    state: str  # firing | pending | silenced | inhibited
    labels: Mapping[str, str]
    annotations: Mapping[str, str] = field(default_factory=dict)
    starts_at: datetime | None = None
    generator_url: str = ""
    silenced_by: tuple[str, ...] = ()
    inhibited_by: tuple[str, ...] = ()
    source: str = ""  # the backend that reported it, e.g. "alertmanager" or a URL

    @property
    def silenced(self) -> bool:
        return self.state == "silenced" or bool(self.silenced_by)

    @property
    def summary(self) -> str:
        a = self.annotations
        return a.get("summary") or a.get("message") or a.get("description", "")

    @property
    def namespace(self) -> str:
        return self.labels.get("namespace", "")

    @property
    def service(self) -> str:
        lb = self.labels
        return lb.get("service") or lb.get("sloth_service") or lb.get("app") or lb.get("job", "")

    @property
    def runbook_url(self) -> str:
        return self.annotations.get("runbook_url", "")


@dataclass(frozen=True, slots=True)
class Matcher:
    """An Alertmanager matcher: name (=|!=|=~|!~) value."""

    name: str
    value: str
    is_regex: bool = False
    is_equal: bool = True

    @property
    def op(self) -> str:
        return ("=~" if self.is_equal else "!~") if self.is_regex else ("=" if self.is_equal else "!=")

    def __str__(self) -> str:
        return f'{self.name}{self.op}"{self.value}"'


@dataclass(frozen=True, slots=True)
class Silence:
    id: str
    matchers: tuple[Matcher, ...]
    starts_at: datetime
    ends_at: datetime
    created_by: str
    comment: str
    state: str = "active"  # active | pending | expired
    source: str = ""


@dataclass(frozen=True, slots=True)
class SilenceRequest:
    """What the user asked for; a backend turns it into a Silence."""

    matchers: tuple[Matcher, ...]
    duration_s: int
    created_by: str
    comment: str


@dataclass(frozen=True, slots=True)
class ContainerState:
    name: str
    image: str = ""
    ready: bool = False
    restarts: int = 0
    state: str = "waiting"  # running | waiting | terminated
    reason: str = ""  # e.g. CrashLoopBackOff, ImagePullBackOff, Completed
    message: str = ""
    exit_code: int | None = None
    last_reason: str = ""  # last termination reason, e.g. OOMKilled, Error
    last_exit_code: int | None = None
    last_finished_at: datetime | None = None
    memory_limit: str = ""
    memory_request: str = ""
    cpu_limit: str = ""
    cpu_request: str = ""
    init: bool = False


@dataclass(frozen=True, slots=True)
class Pod:
    namespace: str
    name: str
    phase: str  # Pending | Running | Succeeded | Failed | Unknown
    ready: int = 0
    total: int = 0
    restarts: int = 0
    reason: str = ""  # what a user reads in the status column
    node: str = ""
    created_at: datetime | None = None
    context: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    containers: tuple[ContainerState, ...] = ()
    owner_kind: str = ""
    owner_name: str = ""
    conditions: tuple[tuple[str, str, str, str], ...] = ()  # (type, status, reason, message)
    last_restart_at: datetime | None = None
    resource_version: str = ""
    message: str = ""  # status.message, e.g. why it was evicted
    cluster: str = ""  # fleet pods (--pods-from prometheus): the cluster label; "" for kube contexts

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.context, self.namespace, self.name)

    @property
    def ready_text(self) -> str:
        return f"{self.ready}/{self.total}"

    def age_s(self, now: datetime | None = None) -> float:
        if self.created_at is None:
            return 0.0
        return max(0.0, ((now or utcnow()) - self.created_at).total_seconds())

    @property
    def service(self) -> str:
        lb = self.labels
        return lb.get("app.kubernetes.io/name") or lb.get("app") or lb.get("service", "")


@dataclass(frozen=True, slots=True)
class Event:
    namespace: str
    involved_kind: str
    involved_name: str
    type: str  # Normal | Warning
    reason: str
    message: str
    count: int = 1
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    source: str = ""
    context: str = ""


@dataclass(frozen=True, slots=True)
class Node:
    name: str
    ready: bool = True
    pressure: tuple[str, ...] = ()  # e.g. ("MemoryPressure",)
    context: str = ""
    # (type, status, reason, lastTransitionTime): when Ready or a pressure condition last flipped
    conditions: tuple[tuple[str, str, str, datetime | None], ...] = ()
    unschedulable: bool = False  # cordoned
    cordoned_at: datetime | None = None  # timeAdded of the node.kubernetes.io/unschedulable taint
    allocatable: Mapping[str, str] = field(default_factory=dict)  # e.g. {"memory": "16Gi", "cpu": "4"}
    cluster: str = ""  # fleet nodes: the cluster label

    @property
    def status(self) -> str:
        """Ready | NotReady | Unknown (the kubelet stopped reporting)."""
        for ctype, status, _, _ in self.conditions:
            if ctype == "Ready":
                return "Ready" if status == "True" else ("Unknown" if status == "Unknown" else "NotReady")
        return "Ready" if self.ready else "NotReady"

    def since(self, ctype: str) -> datetime | None:
        return next((at for t, _, _, at in self.conditions if t == ctype), None)


@dataclass(frozen=True, slots=True)
class Workload:
    """A Deployment / StatefulSet / DaemonSet with its replica counts."""

    kind: str
    namespace: str
    name: str
    desired: int
    ready: int
    updated: int = 0
    available: int = 0
    context: str = ""
    paused: bool = False
    # (type, status, reason, message, lastTransitionTime), e.g. Progressing False ProgressDeadlineExceeded
    conditions: tuple[tuple[str, str, str, str, datetime | None], ...] = ()
    generation: int = 0
    observed_generation: int = 0
    created_at: datetime | None = None
    cluster: str = ""  # fleet workloads: the cluster label

    @property
    def gap(self) -> int:
        return max(0, self.desired - self.ready)

    @property
    def key(self) -> str:
        """"deployment/shop/checkout-api": how incidents and changes name it."""
        return f"{self.kind.lower()}/{self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True)
class Revision:
    """One pod template of a workload: a ReplicaSet (Deployment) or ControllerRevision (StatefulSet,
    DaemonSet). Listed, never fetched per pod; what a rollout changed is the diff of two of these."""

    kind: str  # ReplicaSet | ControllerRevision
    namespace: str
    name: str
    owner_kind: str  # Deployment | StatefulSet | DaemonSet
    owner_name: str
    revision: int = 0
    created_at: datetime | None = None
    images: tuple[tuple[str, str], ...] = ()  # (container, image)
    template: Mapping[str, str] = field(default_factory=dict)  # pod-template part -> digest, for the diff
    desired: int = 0  # ReplicaSets only; a ControllerRevision carries no counts
    ready: int = 0
    hash: str = ""  # pod-template-hash / controller-revision-hash the pods of this revision carry
    context: str = ""

    @property
    def workload_key(self) -> str:
        return f"{self.owner_kind.lower()}/{self.namespace}/{self.owner_name}"


@dataclass(frozen=True, slots=True)
class Change:
    """Something that changed recently, with its time: a rollout, a node condition, a restart, an event,
    an alert starting, a silence, an SLO status. `refs` name the rows it concerns, as incident members
    name them ("pod:ns/name", "workload:deployment/ns/name", "node:name", "alert:FP", "slo:svc/name")."""

    at: datetime
    kind: str  # rollout | scale | rollout-stalled | rollout-paused | node | cordon | restart | event | alert | silence | slo | configmap
    subject: str  # e.g. "deployment shop/checkout-api"
    summary: str
    refs: tuple[str, ...] = ()
    details: Mapping[str, str] = field(default_factory=dict)  # e.g. {"from": "app:2.3.1", "to": "app:2.4.0"}
    context: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.subject, self.at.isoformat())


@dataclass(frozen=True, slots=True)
class Evidence:
    """One fact an incident rests on; `id` is stable across refreshes (it names the fact, not its text)."""

    id: str
    kind: str  # pod | node | workload | alert | slo | change | event
    text: str


@dataclass(frozen=True, slots=True)
class Members:
    """The rows of one incident, named as `snapshot --format json` names them."""

    alerts: tuple[str, ...] = ()  # fingerprints
    pods: tuple[str, ...] = ()  # "ns/name", or "ctx:ns/name" with several contexts
    workloads: tuple[str, ...] = ()  # "kind/ns/name" (kind lower case), "ctx:" prefix likewise
    nodes: tuple[str, ...] = ()
    slos: tuple[str, ...] = ()  # "service/name"

    def keys(self) -> frozenset[str]:
        """Every member as "pod:ns/name", "alert:FP", ...: one namespace for overlap and lookups."""
        return frozenset(f"{kind}:{m}" for kind, ms in self.groups() for m in ms)

    def groups(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return (("alert", self.alerts), ("pod", self.pods), ("workload", self.workloads),
                ("node", self.nodes), ("slo", self.slos))

    @property
    def size(self) -> int:
        return sum(len(ms) for _, ms in self.groups())


@dataclass(frozen=True, slots=True)
class SLOImpact:
    slo: str  # "service/name"
    status: str  # page | ticket
    burn_rate: float | None = None
    window: str = ""  # the window burn_rate was read over
    budget_minutes_per_hour: float | None = None  # minutes of error budget consumed per hour at that burn
    exhaustion_s: float | None = None
    budget_remaining: float | None = None


@dataclass(frozen=True, slots=True)
class Impact:
    slos: tuple[SLOImpact, ...] = ()
    services: tuple[str, ...] = ()  # user-facing services involved
    text: str = ""  # one line: "checkout/availability burning 18.0x (1h), budget gone in 2h6m"


@dataclass(frozen=True, slots=True)
class Incident:
    """Rows that share one cause, with the evidence for it, its user impact and a first step."""

    id: str  # stable across refreshes while membership overlaps
    title: str
    severity: str  # critical | warning | info
    cause: str
    cause_kind: str  # observed | hypothesis
    started_at: datetime | None
    impact: Impact
    members: Members
    changes: tuple[Change, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    next_step: str = ""
    kind: str = ""  # node-down | capacity | node-pressure | rollout | workload | slo | alerts
    rank: int = 0  # 1 = the most impactful


@dataclass(frozen=True, slots=True)
class SLOStatus:
    service: str
    name: str
    objective: float  # e.g. 0.999
    period: str = "30d"
    error_ratios: Mapping[str, float | None] = field(default_factory=dict)  # window -> ratio
    burn_rates: Mapping[str, float | None] = field(default_factory=dict)  # window -> burn
    budget_remaining: float | None = None  # 1.0 = untouched, <0 = overspent
    status: str = "no-data"  # ok | ticket | page | no-data | unknown (Prometheus could not be read)
    exhaustion_s: float | None = None  # time to budget exhaustion at the 1h burn
    queries: Mapping[str, str] = field(default_factory=dict)  # window -> PromQL actually used
    labels: Mapping[str, str] = field(default_factory=dict)
    namespace: str = ""
    error: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.service, self.name)


@dataclass(frozen=True, slots=True)
class Finding:
    severity: str  # critical | warning | info
    kind: str  # analyzer that produced it, e.g. "crashloop", "oom", "slo-burn"
    subject: str  # e.g. "pod shop/checkout-api-7d9f-x2x" or "slo checkout/availability"
    summary: str
    evidence: tuple[str, ...] = ()
    related: tuple[str, ...] = ()  # subjects of linked alerts / pods / SLOs

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.subject)


def source_label(name: str, kind: str = "") -> str:
    """How a source is named to the user: 'prometheus http://…', 'kubernetes prod' (the kind once)."""
    if not kind or kind in ("demo", "slo") or name.startswith(kind):
        return name
    return f"{kind} {name}"


@dataclass(frozen=True, slots=True)
class SourceHealth:
    name: str
    kind: str  # prometheus | alertmanager | kubernetes | slo | llm | demo
    ok: bool = True
    error: str = ""
    last_ok: datetime | None = None
    checked_at: datetime | None = None

    @property
    def text(self) -> str:
        return "ok" if self.ok else (self.error or "error")

    @property
    def label(self) -> str:
        return source_label(self.name, self.kind)


@dataclass(frozen=True, slots=True)
class ClusterSummary:
    """One cluster of a fleet read from kube-state-metrics: counts for what is fine, problems in full."""

    cluster: str
    pods: int = 0
    problems: int = 0
    nodes: int = 0
    nodes_not_ready: int = 0
    namespaces: Mapping[str, int] = field(default_factory=dict)  # namespace -> pods
    problems_by_namespace: Mapping[str, int] = field(default_factory=dict)
    stale: bool = False  # kube-state-metrics stopped reporting: counts are the last known ones
    context: str = ""  # the kube context logs and describe use ("" = metrics only)


@dataclass(frozen=True, slots=True)
class Snapshot:
    taken_at: datetime
    alerts: tuple[Alert, ...] = ()
    silences: tuple[Silence, ...] = ()
    pods: tuple[Pod, ...] = ()
    events: tuple[Event, ...] = ()
    nodes: tuple[Node, ...] = ()
    workloads: tuple[Workload, ...] = ()
    slos: tuple[SLOStatus, ...] = ()
    findings: tuple[Finding, ...] = ()
    sources: Mapping[str, SourceHealth] = field(default_factory=dict)
    contexts: tuple[str, ...] = ()
    demo: bool = False
    revisions: tuple[Revision, ...] = ()  # ReplicaSets / ControllerRevisions, for rollout diffs
    changes: tuple[Change, ...] = ()  # newest first, within changes_window (cockpit.analysis.changes)
    incidents: tuple[Incident, ...] = ()  # ranked (cockpit.analysis.incidents)
    clusters: tuple[ClusterSummary, ...] = ()  # the fleet (--pods-from prometheus), worst first


@dataclass(frozen=True, slots=True)
class PodDescription:
    """What `d` shows: the pod, the chain of owners up to its workload, its node and its events."""

    pod: Pod
    owner_chain: tuple[str, ...] = ()  # e.g. ("ReplicaSet/checkout-api-7d9f", "Deployment/checkout-api")
    workload: Workload | None = None
    node: Node | None = None
    events: tuple[Event, ...] = ()
    probes: Mapping[str, str] = field(default_factory=dict)  # "container/liveness" -> text


# -- the shift: alert history, acks and what the journal remembers ----------------------------------


@dataclass(frozen=True, slots=True)
class AlertHistory:
    """One alert's firing in a window, as Prometheus's ALERTS series remember it."""

    fingerprint: str
    name: str
    severity: str
    labels: Mapping[str, str]
    first_fired: datetime
    last_fired: datetime
    firing_s: float  # total time firing inside the window
    times_fired: int  # separate firings (pending -> firing) seen in the window
    state: str  # firing | resolved (at the window's end)


@dataclass(frozen=True, slots=True)
class IncidentRecord:
    """An incident as the journal remembers it: opened (and maybe closed) while cockpit ran."""

    id: str
    title: str
    opened_at: datetime
    severity: str = ""
    cause: str = ""
    closed_at: datetime | None = None
    outcome: str = ""


@dataclass(frozen=True, slots=True)
class AckRecord:
    """An ack made from cockpit: the silence behind it and the alert it was for."""

    silence_id: str
    fingerprint: str
    alertname: str
    owner: str
    acked_at: datetime
    ends_at: datetime
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class JournalNote:
    """Something Marcus said that the next person should see: a hypothesis or an answer's summary."""

    id: int
    at: datetime
    kind: str  # hypothesis | answer
    subject: str
    text: str
