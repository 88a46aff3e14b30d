"""The embedded demo: a looping incident on a simulated clock, served through the real source interfaces.

One cycle (10 minutes of simulated time): calm -> a bad deploy of shop/checkout-api (v2.14.0 with a
too-small heap for its 512Mi limit) -> OOMKilled / CrashLoopBackOff pods, the checkout availability
SLO burning ~14x and pages firing -> a rollback -> recovery -> calm. Everything is derived from the
simulated time and a fixed seed, so a given time always yields the same data.

One alert annotation and one log line carry hostile text (Rich markup, an OSC retitle, a CSI clear):
the data keeps the raw bytes on purpose, the UI must sanitize them.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from cockpit.analysis.matchers import matcher_matches as matcher_matches  # re-export for compatibility
from cockpit.analysis.matchers import matches, regex_problem
from cockpit.model import (
    Alert,
    ContainerState,
    Event,
    Node,
    Pod,
    PodDescription,
    Revision,
    Silence,
    SilenceRequest,
    SLOStatus,
    Workload,
    utcnow,
)
from cockpit.slo.burn import status_for
from cockpit.sources.base import SourceError
from cockpit.sources.hub import Hub
from cockpit.sources.kube_changes import ClusterChanges

CYCLE_S = 600.0
# (phase, start offset in the cycle); each phase lasts until the next one starts.
PHASES = (("calm", 0), ("deploy", 90), ("incident", 150), ("rollback", 330), ("recovery", 390), ("calm", 540))
MID_INCIDENT_S = 240.0
FROZEN_AT = datetime(2026, 11, 26, 3, 14, tzinfo=UTC)
SEED = 20261126
NODES = ("node-1", "node-2", "node-3", "node-4")
HOSTILE = "[bold red]x[/] [link=https://evil.example/]click me[/link] \x1b]0;pwned\x07\x1b[2J"
GOOD_RS, BAD_RS = "5c8b7a9d4", "7d9f6c5b8"
BAD_IMAGE = "registry.example.com/shop/checkout-api:v2.14.0"
GOOD_IMAGE = "registry.example.com/shop/checkout-api:v2.13.2"


class DemoWorld:
    """The simulated incident. `now()` is the simulated wall time; `t()` the offset in the cycle."""

    def __init__(self, start_s: float = MID_INCIDENT_S, clock: Callable[[], float] = time.monotonic,
                 frozen: bool = False) -> None:
        self.start_s = start_s
        self.clock = clock
        self.frozen = frozen
        self._t0 = clock()
        base = FROZEN_AT if frozen else utcnow()
        self.epoch = base - timedelta(seconds=start_s)  # simulated wall time at t=0 of the first cycle
        self.silences: dict[str, Silence] = {}
        self._ids = itertools.count(1)
        self.lock = threading.Lock()

    # -- time ------------------------------------------------------------------------------------
    def elapsed(self) -> float:
        """Simulated seconds since the first cycle began."""
        return self.start_s if self.frozen else self.start_s + (self.clock() - self._t0)

    def t(self) -> float:
        return self.elapsed() % CYCLE_S

    def now(self) -> datetime:
        return self.epoch + timedelta(seconds=self.elapsed())

    def at(self, t: float) -> datetime:
        """Wall time of offset t in the current cycle."""
        return self.now() - timedelta(seconds=self.t() - t)

    def phase(self) -> str:
        t = self.t()
        return [name for name, start in PHASES if t >= start][-1]

    # -- the world at the current time -------------------------------------------------------------
    def pods(self) -> list[Pod]:
        return _pods(self)

    def nodes(self) -> list[Node]:
        pressure = 120 <= self.t() < 390
        booted = self.now() - timedelta(days=30)
        out = []
        for n in NODES:
            hot = n == "node-3" and pressure
            since = self.at(120) if hot else self.at(390) if n == "node-3" and self.t() >= 390 else booted
            conds = (("Ready", "True", "KubeletReady", booted),
                     ("MemoryPressure", "True" if hot else "False",
                      "KubeletHasInsufficientMemory" if hot else "KubeletHasSufficientMemory", since),
                     ("DiskPressure", "False", "KubeletHasNoDiskPressure", booted))
            out.append(Node(n, ready=True, pressure=("MemoryPressure",) if hot else (), context=CONTEXT,
                            conditions=conds, allocatable={"memory": "15Gi", "cpu": "4"}))
        return out

    def revisions(self) -> list[Revision]:
        return _revisions(self)

    def workloads(self) -> list[Workload]:
        return _workloads(self)

    def events(self) -> list[Event]:
        return _events(self)

    def slos(self) -> list[SLOStatus]:
        return _slos(self)

    def alerts(self, pending: bool = False) -> list[Alert]:
        alerts = [a for a in _alerts(self) if (a.state == "pending") == pending]
        silences = [s for s in self.current_silences() if s.state == "active"]
        out = []
        for a in alerts:
            ids = tuple(s.id for s in silences if matches(s.matchers, a.labels))  # Alertmanager's semantics
            out.append(replace(a, state="silenced", silenced_by=ids) if ids and not pending else a)
        return out

    # -- silences (in memory) ----------------------------------------------------------------------
    def current_silences(self) -> list[Silence]:
        now = self.now()
        with self.lock:
            for sid, s in list(self.silences.items()):
                if s.state == "active" and s.ends_at <= now:
                    self.silences[sid] = replace(s, state="expired")
            return list(self.silences.values())

    def add_silence(self, req: SilenceRequest) -> Silence:
        if not req.matchers:
            raise SourceError("demo-alertmanager: a silence needs at least one matcher")
        for m in req.matchers:
            if m.is_regex and (problem := regex_problem(m.value)):
                raise SourceError(f"demo-alertmanager: bad regex in matcher {m}: {problem}")
        now = self.now()
        with self.lock:
            sid = f"demo-{next(self._ids):03d}"  # 8 characters: the UI shows ids cut to 8, like Alertmanager UUIDs
            s = Silence(sid, tuple(req.matchers), now, now + timedelta(seconds=req.duration_s), req.created_by,
                        req.comment, "active", "demo-alertmanager")
            self.silences[sid] = s
            return s

    def end_silence(self, silence_id: str) -> Silence:
        with self.lock:
            s = self.silences.get(silence_id)
            if s is None:
                raise SourceError(f"demo-alertmanager: silence {silence_id} not found")
            s = self.silences[silence_id] = replace(s, state="expired", ends_at=min(s.ends_at, self.now()))
            return s


# -- the cluster --------------------------------------------------------------------------------
CONTEXT = "demo-cluster"  # pods carry their cluster source's name, as Hub.cluster() expects


@dataclass(frozen=True)
class _Spec:
    """A workload of the demo cluster."""

    namespace: str
    name: str
    kind: str  # Deployment | StatefulSet | DaemonSet
    replicas: int
    image: str
    memory: str = "256Mi"
    lang: str = "go"


SPECS = (
    _Spec("shop", "frontend", "Deployment", 3, "registry.example.com/shop/frontend:v4.2.0", "128Mi", "node"),
    _Spec("shop", "cart", "Deployment", 2, "registry.example.com/shop/cart:v1.9.3"),
    _Spec("shop", "catalog", "Deployment", 2, "registry.example.com/shop/catalog:v3.0.1"),
    _Spec("shop", "search", "Deployment", 2, "registry.example.com/shop/search:v0.7.0", "1Gi", "java"),
    _Spec("payments", "payments-api", "Deployment", 3, "registry.example.com/payments/api:v5.1.0"),
    _Spec("payments", "ledger", "StatefulSet", 3, "registry.example.com/payments/ledger:v2.3.4", "1Gi"),
    _Spec("payments", "fraud-scorer", "Deployment", 2, "registry.example.com/payments/fraud:v1.4.0", "512Mi", "python"),
    _Spec("platform", "ingress-nginx-controller", "Deployment", 2, "registry.k8s.io/ingress-nginx/controller:v1.11.2"),
    _Spec("platform", "cert-manager", "Deployment", 1, "quay.io/jetstack/cert-manager-controller:v1.15.3"),
    _Spec("platform", "feature-flags", "Deployment", 2, "registry.example.com/platform/flags:v1.8.O"),
    _Spec("monitoring", "prometheus-k8s", "StatefulSet", 2, "quay.io/prometheus/prometheus:v2.54.1", "4Gi"),
    _Spec("monitoring", "alertmanager-main", "StatefulSet", 3, "quay.io/prometheus/alertmanager:v0.27.0"),
    _Spec("monitoring", "grafana", "Deployment", 1, "docker.io/grafana/grafana:11.2.0"),
    _Spec("monitoring", "kube-state-metrics", "Deployment", 1, "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.13.0"),
    _Spec("monitoring", "node-exporter", "DaemonSet", 4, "quay.io/prometheus/node-exporter:v1.8.2", "64Mi"),
    _Spec("kube-system", "coredns", "Deployment", 2, "registry.k8s.io/coredns/coredns:v1.11.3", "170Mi"),
    _Spec("kube-system", "kube-proxy", "DaemonSet", 4, "registry.k8s.io/kube-proxy:v1.31.1", "128Mi"),
    _Spec("kube-system", "metrics-server", "Deployment", 1, "registry.k8s.io/metrics-server/metrics-server:v0.7.2"),
)
_ALNUM = "bcdfghjklmnpqrstvwxz2456789"


def _suffix(*parts: object, n: int = 5) -> str:
    rnd = random.Random(f"{SEED}:" + ":".join(map(str, parts)))
    return "".join(rnd.choice(_ALNUM) for _ in range(n))


def _rs_hash(spec: _Spec) -> str:
    return hashlib.sha256(f"{SEED}{spec.name}".encode()).hexdigest()[:9]


def _node_for(spec: _Spec, i: int) -> str:
    if spec.kind == "DaemonSet":
        return NODES[i % len(NODES)]
    return NODES[int(hashlib.sha256(f"{spec.name}{i}".encode()).hexdigest(), 16) % len(NODES)]


def _pod(w: DemoWorld, spec: _Spec, i: int, *, name: str | None = None, rs: str | None = None,
         born_t: float | None = None, container: ContainerState | None = None, phase: str = "Running",
         reason: str = "Running", conditions: tuple = (), node: str | None = None,
         image: str | None = None) -> Pod:
    labels = {"app.kubernetes.io/name": spec.name, "app": spec.name}
    if spec.kind == "Deployment":
        rs = rs or _rs_hash(spec)
        labels["pod-template-hash"] = rs
        owner_kind, owner_name = "ReplicaSet", f"{spec.name}-{rs}"
        name = name or f"{spec.name}-{rs}-{_suffix(spec.name, i)}"
    elif spec.kind == "StatefulSet":
        owner_kind, owner_name = "StatefulSet", spec.name
        name = name or f"{spec.name}-{i}"
    else:
        owner_kind, owner_name = "DaemonSet", spec.name
        name = name or f"{spec.name}-{_suffix(spec.name, i)}"
    created = w.now() - timedelta(days=3 + int(_suffix(name, n=1), 36) % 5) if born_t is None else w.at(born_t)
    c = container or ContainerState(spec.name, image or spec.image, ready=True, restarts=0, state="running",
                                    reason="Running", memory_limit=spec.memory, memory_request=spec.memory,
                                    cpu_request="100m", cpu_limit="1")
    ready = int(c.ready)
    conds = conditions or (("PodScheduled", "True", "", ""), ("Ready", "True" if ready else "False", "", ""))
    return Pod(spec.namespace, name, phase, ready, 1, c.restarts, reason, _node_for(spec, i) if node is None else node,
               created, CONTEXT, labels, (c,), owner_kind, owner_name, conds,
               w.at(born_t + 30) if c.restarts and born_t is not None else None)


def _crashing(w: DemoWorld, t: float, born: float, i: int) -> ContainerState:
    restarts = 1 + int((t - born - 20) // 45) if t - born > 20 else 0
    return ContainerState(
        "checkout-api", BAD_IMAGE, ready=False, restarts=max(1, restarts + i), state="waiting",
        reason="CrashLoopBackOff", message=f"back-off {min(300, 10 * 2 ** min(5, restarts))}s restarting failed "
        f"container=checkout-api pod=checkout-api-{BAD_RS}-{_suffix('bad', i)}",
        last_reason="OOMKilled", last_exit_code=137, last_finished_at=w.at(t - 7 - 3 * i),
        memory_limit="512Mi", memory_request="384Mi", cpu_request="250m", cpu_limit="1")


def _bad_pods(w: DemoWorld, t: float) -> list[Pod]:
    """The three v2.14.0 pods as they are at cycle time t: OOMKilled at start-up, crash-looping."""
    return [_pod(w, CHECKOUT, i, name=f"checkout-api-{BAD_RS}-{_suffix('bad', i)}", rs=BAD_RS, born_t=100 + 25 * i,
                 container=_crashing(w, t, 100 + 25 * i, i), reason="CrashLoopBackOff", node="node-3")
            for i in range(3)]


def _checkout_pods(w: DemoWorld) -> list[Pod]:
    t = w.t()
    good = [_pod(w, CHECKOUT, i, rs=GOOD_RS, image=GOOD_IMAGE) for i in range(3)]
    fresh = [_pod(w, CHECKOUT, i + 10, rs=GOOD_RS, image=GOOD_IMAGE, born_t=340 + 10 * i) for i in range(3)]
    if t < 90:
        return good
    if t < 150:  # the rollout has started: one surge pod of the new version, not yet hurting
        starting = ContainerState("checkout-api", BAD_IMAGE, ready=t > 120, restarts=0, state="running",
                                  reason="Running", memory_limit="512Mi", memory_request="384Mi")
        name = f"checkout-api-{BAD_RS}-{_suffix('bad', 0)}"
        return good + [_pod(w, CHECKOUT, 0, name=name, rs=BAD_RS, born_t=95, container=starting,
                            reason="Running" if t > 120 else "ContainerCreating")]
    if t < 330:  # new pods OOM at start-up; the rollout stalls with one old pod left serving
        return good[:1] + _bad_pods(w, t)
    if t < 390:  # rollback: old ReplicaSet scaled back up, new pods terminating
        return good[:1] + fresh[:2] + [replace(p, reason="Terminating") for p in _bad_pods(w, 329)]
    return fresh


def _pods(w: DemoWorld) -> list[Pod]:
    pods: list[Pod] = []
    for spec in SPECS:
        if spec.name == "checkout-api":
            continue
        for i in range(spec.replicas):
            if spec.name == "feature-flags" and i == 1:
                pods.append(_image_pull_pod(w, spec, i))
            else:
                pods.append(_pod(w, spec, i))
    pods += _checkout_pods(w)
    pods.append(_pending_pod(w))
    return pods


CHECKOUT = _Spec("shop", "checkout-api", "Deployment", 3, GOOD_IMAGE, "512Mi", "java")


def _image_pull_pod(w: DemoWorld, spec: _Spec, i: int) -> Pod:
    c = ContainerState(spec.name, spec.image, ready=False, state="waiting", reason="ImagePullBackOff",
                       message=f'Back-off pulling image "{spec.image}"', memory_limit=spec.memory)
    return _pod(w, spec, i, container=c, phase="Pending", reason="ImagePullBackOff",
                born_t=-3600, rs="6b7c8d9f1")


def _pending_pod(w: DemoWorld) -> Pod:
    spec = _Spec("platform", "batch-reindex", "Deployment", 1, "registry.example.com/platform/reindex:v0.3.0", "6Gi")
    msg = ("0/4 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/memory-pressure: }, "
           "3 Insufficient memory. preemption: 0/4 nodes are available: 4 No preemption victims found.")
    c = ContainerState(spec.name, spec.image, ready=False, state="waiting", reason="", memory_limit="6Gi",
                       memory_request="6Gi")
    pod = _pod(w, spec, 0, container=c, phase="Pending", reason="Pending", node="",
               conditions=(("PodScheduled", "False", "Unschedulable", msg),), born_t=-1800)
    job = "batch-reindex-29412180"  # a CronJob's Job: no Deployment behind it
    labels = {"app": "batch-reindex", "job-name": job}
    return replace(pod, name=f"{job}-{_suffix('reindex')}", owner_kind="Job", owner_name=job, labels=labels)


def _workloads(w: DemoWorld) -> list[Workload]:
    out = []
    for spec in SPECS:
        ready = spec.replicas - (1 if spec.name == "feature-flags" else 0)
        out.append(Workload(spec.kind, spec.namespace, spec.name, spec.replicas, ready, spec.replicas, ready, CONTEXT))
    t = w.t()
    ready = 0 if 330 <= t < 345 else 1 if 150 <= t < 330 else 2 if 330 <= t < 390 else 3
    updated = 3 if 150 <= t < 330 else 1 if 90 <= t < 150 else 3
    out.append(Workload("Deployment", "shop", "checkout-api", 3, max(ready, 1), updated, max(ready, 1), CONTEXT))
    return out


def _revisions(w: DemoWorld) -> list[Revision]:
    """checkout-api's two ReplicaSets: v2.13.2 (days old) and v2.14.0, created when the deploy starts."""
    t = w.t()
    good_ready = 3 if t < 90 or t >= 390 else 1 if t < 330 else 2
    bad = 0 if t < 90 or t >= 330 else 1 if t < 150 else 3

    def rs(hash_: str, revision: int, created: datetime, image: str, desired: int, ready: int) -> Revision:
        images = (("checkout-api", image),)
        template = {"image of checkout-api": image, "resources of checkout-api": "512Mi", "env of checkout-api":
                    "heap-75" if image == BAD_IMAGE else "heap-50"}
        return Revision("ReplicaSet", "shop", f"checkout-api-{hash_}", "Deployment", "checkout-api", revision,
                        created, images, template, desired, ready, hash_, CONTEXT)

    # kubectl rollout undo makes the old ReplicaSet current again under the next revision number
    good = rs(GOOD_RS, 8 if t >= 330 else 6, w.now() - timedelta(days=4), GOOD_IMAGE, good_ready, good_ready)
    if t < 90:
        return [good]
    return [good, rs(BAD_RS, 7, w.at(90), BAD_IMAGE, bad, 1 if 120 < t < 150 else 0)]


def _events(w: DemoWorld) -> list[Event]:
    t = w.t()
    ev: list[Event] = []

    def add(kind: str, name: str, typ: str, reason: str, msg: str, count: int = 1, first: float = 0,
            ns: str = "shop", source: str = "kubelet") -> None:
        last = w.at(first) if count == 1 else w.now() - timedelta(seconds=5)  # a one-off is not seen again
        ev.append(Event(ns, kind, name, typ, reason, msg, count, w.at(first), last, source, CONTEXT))

    if 90 <= t:
        add("Deployment", "checkout-api", "Normal", "ScalingReplicaSet",
            f"Scaled up replica set checkout-api-{BAD_RS} to 1", first=90, source="deployment-controller")
    if 150 <= t < 330:
        for p in _checkout_pods(w)[1:]:
            restarts = p.restarts
            add("Pod", p.name, "Warning", "BackOff", "Back-off restarting failed container checkout-api in pod "
                f"{p.name}_shop({_suffix(p.name, n=8)})", count=restarts * 3, first=160)
        add("Node", "node-3", "Warning", "OOMKilling", "Memory cgroup out of memory: Killed process 48213 (java) "
            "total-vm:4812332kB, anon-rss:524104kB, file-rss:20112kB, shmem-rss:0kB, UID:1000 pgtables:1460kB "
            "oom_score_adj:936", count=int((t - 140) // 20) + 1, first=150, ns="", source="kernel-monitor")
    if 120 <= t < 390:
        add("Node", "node-3", "Warning", "EvictionThresholdMet", "Attempting to reclaim memory", first=120, ns="")
    if 330 <= t:  # the rollback; its events outlive the recovery (the window is hours)
        add("Deployment", "checkout-api", "Normal", "ScalingReplicaSet",
            f"Scaled up replica set checkout-api-{GOOD_RS} to 2 from 1", first=330, source="deployment-controller")
        add("Deployment", "checkout-api", "Normal", "ScalingReplicaSet",
            f"Scaled down replica set checkout-api-{BAD_RS} to 0 from 3", first=330, source="deployment-controller")
    pending = _pending_pod(w)
    add("Pod", pending.name, "Warning", "FailedScheduling", pending.conditions[0][3], count=37, first=-1800,
        ns="platform", source="default-scheduler")
    flags = _image_pull_pod(w, next(s for s in SPECS if s.name == "feature-flags"), 1)
    add("Pod", flags.name, "Warning", "Failed", f'Failed to pull image "{flags.containers[0].image}": rpc error: '
        "code = NotFound desc = failed to pull and unpack image: not found", count=12, first=-3600, ns="platform")
    add("Pod", flags.name, "Normal", "BackOff", f'Back-off pulling image "{flags.containers[0].image}"', count=240,
        first=-3600, ns="platform")
    return ev


# -- SLOs --------------------------------------------------------------------------------------------
# Burn-rate keyframes over the cycle: (t, burn) pairs per window; linear in between.
_CHECKOUT_AVAIL = {
    "5m": ((0, 0.2), (150, 0.3), (180, 17.0), (330, 18.0), (360, 3.0), (420, 0.4), (600, 0.2)),
    "30m": ((0, 0.3), (150, 0.3), (200, 12.0), (300, 15.5), (345, 15.0), (420, 5.0), (540, 0.6), (600, 0.3)),
    "1h": ((0, 0.3), (150, 0.3), (210, 9.0), (240, 14.6), (330, 15.2), (390, 12.0), (470, 4.0), (560, 0.5), (600, 0.3)),
    "2h": ((0, 0.4), (150, 0.4), (240, 8.9), (330, 11.0), (500, 5.0), (600, 0.4)),
    "6h": ((0, 0.5), (150, 0.5), (240, 6.3), (330, 7.5), (540, 2.0), (600, 0.5)),
    "1d": ((0, 0.6), (150, 0.6), (240, 1.4), (390, 1.8), (600, 0.6)),
    "3d": ((0, 0.55), (150, 0.55), (240, 1.1), (390, 1.3), (600, 0.55)),
    "30d": ((0, 0.36), (240, 0.38), (390, 0.40), (600, 0.36)),
}
_CHECKOUT_LATENCY = {
    "5m": ((0, 0.8), (150, 0.9), (200, 6.0), (330, 5.0), (390, 1.0), (600, 0.8)),
    "30m": ((0, 0.9), (200, 4.2), (390, 2.8), (600, 0.9)),
    "1h": ((0, 1.0), (240, 3.8), (420, 2.5), (600, 1.0)),
    "2h": ((0, 1.2), (150, 1.2), (240, 3.6), (420, 3.2), (600, 1.2)),
    "6h": ((0, 0.8), (150, 0.8), (240, 1.8), (450, 1.2), (600, 0.8)),
    "1d": ((0, 2.6), (150, 2.6), (240, 3.4), (450, 3.1), (600, 2.6)),
    "3d": ((0, 0.9), (150, 0.9), (240, 1.05), (500, 1.02), (600, 0.9)),
    "30d": ((0, 0.71), (600, 0.72)),
}
_PAYMENTS = {w: ((0, b), (600, b)) for w, b in
             (("5m", 0.1), ("30m", 0.2), ("1h", 0.2), ("2h", 0.3), ("6h", 0.3), ("1d", 0.4), ("3d", 0.4), ("30d", 0.3))}


def _interp(points: tuple[tuple[float, float], ...], t: float) -> float:
    for (t0, v0), (t1, v1) in itertools.pairwise(points):
        if t0 <= t <= t1:
            return v0 + (v1 - v0) * (t - t0) / (t1 - t0) if t1 > t0 else v1
    return points[-1][1]


slo_status = status_for  # re-export for compatibility: the SRE Workbook table lives in cockpit.slo.burn


def _slo(service: str, name: str, objective: float, frames: dict | None, t: float, ns: str) -> SLOStatus:
    budget = 1 - objective
    if frames is None:
        windows = ("5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d")
        return SLOStatus(service, name, objective, "30d", dict.fromkeys(windows), dict.fromkeys(windows), None,
                         "no-data", None, labels={"sloth_service": service, "sloth_slo": name}, namespace=ns,
                         error="no samples for search_requests_total in the last 3d")
    burn = {win: round(_interp(pts, t), 2) for win, pts in frames.items() if win != "30d"}
    period = _interp(frames["30d"], t)
    remaining = 1 - period
    exhaustion = remaining * 30 * 86400 / burn["1h"] if burn["1h"] > 0 and remaining > 0 else None
    queries = {win: f'slo:sli_error:ratio_rate{win}{{sloth_service="{service}", sloth_slo="{name}"}}' for win in burn}
    burn["30d"] = round(period, 4)  # the period's burn: the share of the budget spent
    queries["30d"] = f'slo:sli_error:ratio_rate30d{{sloth_service="{service}", sloth_slo="{name}"}}'
    return SLOStatus(service, name, objective, "30d", {k: v * budget for k, v in burn.items()}, burn,
                     round(remaining, 4), slo_status(burn), exhaustion, queries,
                     {"sloth_service": service, "sloth_slo": name}, ns)


def _slos(w: DemoWorld) -> list[SLOStatus]:
    t = w.t()
    return [
        _slo("checkout", "availability", 0.999, _CHECKOUT_AVAIL, t, "shop"),
        _slo("checkout", "latency", 0.99, _CHECKOUT_LATENCY, t, "shop"),
        _slo("payments", "availability", 0.9995, _PAYMENTS, t, "payments"),
        _slo("search", "availability", 0.995, None, t, "shop"),
    ]


# -- alerts --------------------------------------------------------------------------------------------
def _fingerprint(labels: dict[str, str]) -> str:
    return hashlib.sha256(repr(sorted(labels.items())).encode()).hexdigest()[:16]


def _alert(w: DemoWorld, name: str, severity: str, since_t: float, labels: dict[str, str],
           summary: str, description: str = "", state: str = "firing", runbook: str = "") -> Alert:
    lb = {"alertname": name, "severity": severity, "cluster": "demo", **labels}
    ann = {"summary": summary}
    if description:
        ann["description"] = description
    if runbook:
        ann["runbook_url"] = runbook
    return Alert(_fingerprint(lb), name, severity, state, lb, ann, w.at(since_t),
                 f"http://prometheus.demo:9090/graph?g0.expr=ALERTS%7Balertname%3D%22{name}%22%7D", source="demo")


def _alerts(w: DemoWorld) -> list[Alert]:
    t = w.t()
    out = [_alert(w, "Watchdog", "info", -86400, {"namespace": "monitoring"},
                  "An alert that should always be firing to certify that Alertmanager is working properly.")]
    flags = _image_pull_pod(w, next(s for s in SPECS if s.name == "feature-flags"), 1)
    out.append(_alert(w, "KubeContainerWaiting", "warning", -3300,
                      {"namespace": "platform", "pod": flags.name, "container": "feature-flags"},
                      f"Pod container waiting longer than 1 hour: platform/{flags.name} is in ImagePullBackOff.",
                      runbook="https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubecontainerwaiting"))
    pending = _pending_pod(w)
    out.append(_alert(w, "KubePodNotReady", "warning", -900, {"namespace": "platform", "pod": pending.name},
                      f"Pod platform/{pending.name} has been in a non-ready state for longer than 15 minutes."))
    if 150 <= t < 330:
        for p in _checkout_pods(w)[1:]:
            since = 200 + 10 * int(p.name[-1] in "bcdfg")
            out.append(_alert(w, "KubePodCrashLooping", "critical", since,
                              {"namespace": "shop", "pod": p.name, "container": "checkout-api", "service": "checkout-api"},
                              f"Pod shop/{p.name} (checkout-api) is restarting {p.restarts} times / 10 minutes.",
                              state="firing" if t >= since else "pending"))
    if 180 <= t < 450:
        out.append(_alert(w, "CheckoutErrorBudgetBurn", "critical", 185,
                          {"namespace": "shop", "sloth_service": "checkout", "sloth_slo": "availability",
                           "sloth_severity": "page", "service": "checkout"},
                          "checkout availability error budget burning fast (>14.4x over 1h and 5m).",
                          "High error rate on checkout requests: the 30d budget is being consumed too fast.",
                          runbook="https://runbooks.example.com/checkout/error-budget-burn"))
    if 200 <= t < 420:
        out.append(_alert(w, "CheckoutLatencyBudgetBurn", "warning", 200,
                          {"namespace": "shop", "sloth_service": "checkout", "sloth_slo": "latency",
                           "sloth_severity": "ticket", "service": "checkout"},
                          "checkout p99 latency error budget burning (ticket).",
                          f"Slow checkouts reported by {HOSTILE} — customer text pasted from a ticket."))
    if 165 <= t < 345:
        out.append(_alert(w, "KubeDeploymentReplicasMismatch", "warning", 165,
                          {"namespace": "shop", "deployment": "checkout-api"},
                          "Deployment shop/checkout-api has not matched the expected number of replicas for 15 minutes.",
                          state="firing" if t >= 225 else "pending"))
    if 130 <= t < 390:
        out.append(_alert(w, "NodeMemoryHighUtilization", "warning", 130, {"node": "node-3", "instance": "node-3"},
                          "node-3 has less than 5% memory available (MemoryPressure)."))
    if 390 <= t < 420:
        out.append(_alert(w, "CheckoutErrorRateRecovering", "info", 390, {"namespace": "shop", "service": "checkout"},
                          "checkout error rate back under 0.1% since the rollback.", state="pending"))
    return out


# -- logs ------------------------------------------------------------------------------------------------
def _java_crash(w: DemoWorld, pod: str) -> list[str]:
    t0 = w.now() - timedelta(seconds=40)
    lines = [
        "Picked up JAVA_TOOL_OPTIONS: -XX:MaxRAMPercentage=95.0 -XX:+ExitOnOutOfMemoryError",
        f"Starting CheckoutApplication v2.14.0 on {pod} with PID 1",
        "HikariPool-1 - Start completed.",
        "Warming product cache: loading 1,240,512 SKUs into memory (new in v2.14.0)",
        f"WARN  PaymentClient - upstream said: {HOSTILE}",
        "WARN  GC overhead: 97% of time spent in GC over the last 10s",
        "java.lang.OutOfMemoryError: Java heap space",
        "\tat com.example.checkout.cache.SkuCache.warm(SkuCache.java:88)",
        "\tat com.example.checkout.CheckoutApplication.main(CheckoutApplication.java:41)",
        "Terminating due to java.lang.OutOfMemoryError: Java heap space",
    ]
    return [f"{(t0 + timedelta(seconds=3 * i)):%Y-%m-%dT%H:%M:%S.000Z} {line}" for i, line in enumerate(lines)]


def _steady(w: DemoWorld, pod: str, lang: str) -> list[str]:
    rnd = random.Random(f"{SEED}:{pod}:{int(w.elapsed() // 30)}")
    paths = ["/healthz", "/api/v1/items", "/api/v1/cart", "/metrics", "/api/v1/orders"]
    out = []
    for i in range(40):
        ts = w.now() - timedelta(seconds=(40 - i) * 3)
        ms = rnd.randint(2, 180)
        msg = f'level=info msg="request served" method=GET path={rnd.choice(paths)} status=200 duration_ms={ms}'
        if lang == "java":
            msg = f"INFO  [http-nio-8080-exec-{rnd.randint(1, 9)}] c.e.RequestLog - GET {rnd.choice(paths)} 200 {ms}ms"
        out.append(f"{ts:%Y-%m-%dT%H:%M:%S.000Z} {msg}")
    return out


class DemoAlertmanager:
    """Alert source and silence backend of the demo (silences live in memory)."""

    kind = "demo"

    def __init__(self, world: DemoWorld, name: str = "demo-alertmanager") -> None:
        self.world, self.name = world, name

    def fetch_alerts(self) -> list[Alert]:
        return self.world.alerts()

    def fetch_silences(self) -> list[Silence]:
        return self.world.current_silences()

    def create_silence(self, request: SilenceRequest) -> Silence:
        sid = self.world.add_silence(request).id
        return next(s for s in self.fetch_silences() if s.id == sid)  # read back

    def expire_silence(self, silence_id: str) -> Silence:
        self.world.end_silence(silence_id)
        return next(s for s in self.fetch_silences() if s.id == silence_id)


class DemoRules:
    """The demo Prometheus's rule evaluator: alerts still pending (not yet sent to Alertmanager)."""

    kind = "prometheus"

    def __init__(self, world: DemoWorld, name: str = "demo-rules") -> None:
        self.world, self.name = world, name

    def fetch_alerts(self) -> list[Alert]:
        return self.world.alerts(pending=True)

    def check(self) -> str:
        """`cockpit check`: what this source is, so "0" is not read as "nothing fires"."""
        n = len(self.fetch_alerts())
        return f"rules only, {n} pending alert{'s' * (n != 1)}; firing alerts come from the demo Alertmanager"


class DemoPrometheus:
    """SLO source of the demo (Sloth-style recording rules on a simulated Prometheus)."""

    kind = "slo"

    def __init__(self, world: DemoWorld, name: str = "demo-prometheus") -> None:
        self.world, self.name = world, name

    def fetch_slos(self) -> list[SLOStatus]:
        return self.world.slos()


class DemoCluster:
    """The demo Kubernetes context."""

    kind = "kubernetes"

    def __init__(self, world: DemoWorld, name: str = "demo-cluster") -> None:
        self.world, self.name = world, name

    def list_pods(self) -> list[Pod]:
        return self.world.pods()

    def list_nodes(self) -> list[Node]:
        return self.world.nodes()

    def list_workloads(self) -> list[Workload]:
        return self.world.workloads()

    def list_events(self, namespace: str | None = None, name: str | None = None) -> list[Event]:
        return [e for e in self.world.events() if (namespace is None or e.namespace == namespace)
                and (name is None or e.involved_name == name)]

    def list_changes(self) -> ClusterChanges:
        return ClusterChanges(revisions=tuple(self.world.revisions()))

    def _pod(self, namespace: str, name: str) -> Pod:
        for p in self.world.pods():
            if p.namespace == namespace and p.name == name:
                return p
        raise SourceError(f'demo-cluster: pods "{name}" not found in namespace {namespace}')

    def pod_logs(self, namespace: str, name: str, container: str | None = None, previous: bool = False,
                 tail: int = 500) -> str:
        pod = self._pod(namespace, name)
        c = pod.containers[0]
        if c.reason in ("ImagePullBackOff", "ErrImagePull") or pod.phase == "Pending" and not pod.node:
            raise SourceError(f'demo-cluster: container "{c.name}" in pod "{name}" is waiting to start: '
                              f"{c.reason or 'PodScheduled=False'}")
        if previous and not c.restarts:
            raise SourceError(f'demo-cluster: previous terminated container "{c.name}" in pod "{name}" not found')
        if c.image == BAD_IMAGE:
            lines = _java_crash(self.world, name) if previous or c.state != "running" else _java_crash(
                self.world, name)[:5]
        else:
            spec = next((s for s in (*SPECS, CHECKOUT) if s.name == c.name), CHECKOUT)
            lines = _steady(self.world, name, spec.lang)
        return "\n".join(lines[-tail:]) + "\n"

    def describe_pod(self, namespace: str, name: str) -> PodDescription:
        pod = self._pod(namespace, name)
        chain = [f"{pod.owner_kind}/{pod.owner_name}"]
        wname = pod.owner_name
        if pod.owner_kind == "ReplicaSet":
            wname = pod.owner_name.rsplit("-", 1)[0]
            chain.append(f"Deployment/{wname}")
        workload = next((w for w in self.world.workloads() if w.namespace == namespace and w.name == wname), None)
        node = next((n for n in self.world.nodes() if n.name == pod.node), None)
        events = [e for e in self.world.events() if (e.namespace == namespace and e.involved_name == name)
                  or (e.involved_kind == "Node" and e.involved_name == pod.node)]
        c = pod.containers[0]
        probes = {f"{c.name}/liveness": "http-get http://:8080/healthz delay=20s timeout=1s period=10s #failure=3",
                  f"{c.name}/readiness": "http-get http://:8080/ready delay=5s timeout=1s period=5s #failure=3"}
        return PodDescription(pod, tuple(chain), workload, node, tuple(events), probes)


def demo_hub(world: DemoWorld | None = None, readonly: bool = False, audit=None) -> Hub:
    """A Hub over the demo world: four sources with distinct names, badged as demo."""
    world = world or DemoWorld()
    am = DemoAlertmanager(world)
    return Hub(alert_sources=[am, DemoRules(world)], silence_backends=[am], clusters=[DemoCluster(world)],
               slo_sources=[DemoPrometheus(world)], readonly=readonly, demo=True, audit=audit,
               clock=world.now)
