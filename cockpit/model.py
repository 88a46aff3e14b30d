"""Plain data shared by every layer: sources produce it, analysis reads it, the UI shows it.

Everything here is immutable and free of client-library types, so a Snapshot can be diffed,
cached, serialised and handed across threads without copying.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

SEVERITY_ORDER = {"critical": 0, "page": 0, "error": 1, "warning": 2, "info": 3, "none": 4}
SLO_STATUS_ORDER = {"page": 0, "ticket": 1, "no-data": 2, "ok": 3}
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

    @property
    def gap(self) -> int:
        return max(0, self.desired - self.ready)


@dataclass(frozen=True, slots=True)
class SLOStatus:
    service: str
    name: str
    objective: float  # e.g. 0.999
    period: str = "30d"
    error_ratios: Mapping[str, float | None] = field(default_factory=dict)  # window -> ratio
    burn_rates: Mapping[str, float | None] = field(default_factory=dict)  # window -> burn
    budget_remaining: float | None = None  # 1.0 = untouched, <0 = overspent
    status: str = "no-data"  # ok | ticket | page | no-data
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
    def stale(self) -> bool:
        return not self.ok


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


@dataclass(frozen=True, slots=True)
class PodDescription:
    """What `d` shows: the pod, the chain of owners up to its workload, its node and its events."""

    pod: Pod
    owner_chain: tuple[str, ...] = ()  # e.g. ("ReplicaSet/checkout-api-7d9f", "Deployment/checkout-api")
    workload: Workload | None = None
    node: Node | None = None
    events: tuple[Event, ...] = ()
    probes: Mapping[str, str] = field(default_factory=dict)  # "container/liveness" -> text
