"""kube-state-metrics series for a generated fleet, in the exposition format, with problems planted in
known clusters. Metric names and labels are the ones kube-state-metrics v2 exports (copies of its
docs in tests/data/ksm/); waiting and terminated `reason` values are the ones kubelets report.

Used by the fleet tests (scraped by a real Prometheus, imported into a real VictoriaMetrics) and by
bench/fleet.py (100,000 pods).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx

PHASES = ("Pending", "Running", "Succeeded", "Failed", "Unknown")
NODE_CONDITIONS = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable")


@dataclass
class KPod:
    cluster: str
    namespace: str
    name: str
    node: str
    owner: tuple[str, str] = ("ReplicaSet", "")
    phase: str = "Running"
    ready: bool = True
    waiting: str = ""  # CrashLoopBackOff, ImagePullBackOff, CreateContainerConfigError, ContainerCreating
    last_reason: str = ""  # OOMKilled, Error
    last_exit: int | None = None
    restarts: int = 0
    memory_limit: int = 512 << 20
    status_reason: str = ""  # Evicted, NodeLost
    unschedulable: bool = False
    age_s: float = 3 * 86400
    image: str = "registry.example/app:1.0"


@dataclass
class KNode:
    cluster: str
    name: str
    ready: str = "true"  # true | false | unknown
    pressure: tuple[str, ...] = ()
    unschedulable: bool = False


@dataclass
class KDeployment:
    cluster: str
    namespace: str
    name: str
    desired: int
    ready: int


@dataclass
class Fleet:
    pods: list[KPod] = field(default_factory=list)
    nodes: list[KNode] = field(default_factory=list)
    deployments: list[KDeployment] = field(default_factory=list)

    def clusters(self) -> list[str]:
        return sorted({n.cluster for n in self.nodes})

    def without(self, cluster: str) -> Fleet:
        return Fleet([p for p in self.pods if p.cluster != cluster], [n for n in self.nodes if n.cluster != cluster],
                     [d for d in self.deployments if d.cluster != cluster])

    def only(self, cluster: str) -> Fleet:
        return Fleet([p for p in self.pods if p.cluster == cluster], [n for n in self.nodes if n.cluster == cluster],
                     [d for d in self.deployments if d.cluster == cluster])


def generate(clusters: int, pods_per_cluster: int, nodes_per_cluster: int = 4, prefix: str = "prod") -> Fleet:
    """Healthy clusters: deployments of 10 pods spread over namespaces and nodes, plus finished Job pods
    (noise: Succeeded, not ready) and a DaemonSet pod per node."""
    fleet = Fleet()
    for ci in range(clusters):
        cluster = f"{prefix}-{ci:02d}"
        nodes = [f"{cluster}-node-{i}" for i in range(nodes_per_cluster)]
        fleet.nodes += [KNode(cluster, n) for n in nodes]
        made = 0
        d = 0
        while made < pods_per_cluster:
            ns = ("shop", "search", "payments", "platform")[d % 4]
            dep = f"svc-{d:03d}"
            rs = f"{dep}-7d9f6c5b8"
            count = min(10, pods_per_cluster - made)
            fleet.deployments.append(KDeployment(cluster, ns, dep, count, count))
            for i in range(count):
                pod = KPod(cluster, ns, f"{rs}-{i:05d}", nodes[(made + i) % len(nodes)], ("ReplicaSet", rs))
                if d % 7 == 1 and i == 0:  # a finished Job pod: noise, never a problem
                    pod = KPod(cluster, ns, f"report-{d:03d}-29412180-x{i}", pod.node, ("Job", f"report-{d:03d}"),
                               phase="Succeeded", ready=False, last_reason="")
                fleet.pods.append(pod)
            made += count
            d += 1
    return fleet


def plant(fleet: Fleet) -> dict[str, str]:
    """Known problems in known clusters (needs >= 6 clusters of >= 40 pods); returns what was planted,
    as kind -> "cluster/namespace/name" (or "cluster/node")."""
    cl = fleet.clusters()
    by_cluster = {c: [p for p in fleet.pods if p.cluster == c and p.phase == "Running"] for c in cl}

    def pod(cluster: str, i: int) -> KPod:
        return by_cluster[cluster][i]

    crash = pod(cl[1], 3)
    crash.ready, crash.waiting, crash.last_reason, crash.last_exit, crash.restarts = False, "CrashLoopBackOff", "OOMKilled", 137, 7
    pull = pod(cl[2], 5)
    pull.ready, pull.waiting, pull.image = False, "ImagePullBackOff", "registry.example/app:does-not-exist"
    pending = pod(cl[3], 8)
    pending.phase, pending.ready, pending.unschedulable, pending.node = "Pending", False, True, ""
    evicted = pod(cl[4], 2)
    evicted.phase, evicted.ready, evicted.status_reason = "Failed", False, "Evicted"
    # a node NotReady in cl[5]: its pods are not ready
    down = next(n for n in fleet.nodes if n.cluster == cl[5])
    down.ready = "unknown"
    for p in fleet.pods:
        if p.node == down.name and p.phase == "Running":
            p.ready = False
    failed = next(p for p in fleet.pods if p.cluster == cl[0] and p.phase == "Succeeded")
    failed.phase = "Failed"  # a Job pod that ended badly: not ready like the finished ones, but a problem
    gap = next(d for d in fleet.deployments if d.cluster == cl[1] and crash.owner[1].startswith(d.name))
    gap.ready = gap.desired - 1
    pressure = next(n for n in fleet.nodes if n.cluster == cl[3])
    pressure.pressure = ("MemoryPressure",)
    return {
        "crashloop": f"{crash.cluster}/{crash.namespace}/{crash.name}",
        "imagepull": f"{pull.cluster}/{pull.namespace}/{pull.name}",
        "pending": f"{pending.cluster}/{pending.namespace}/{pending.name}",
        "evicted": f"{evicted.cluster}/{evicted.namespace}/{evicted.name}",
        "node-down": f"{down.cluster}/{down.name}",
        "memory-pressure": f"{pressure.cluster}/{pressure.name}",
        "gap": f"{gap.cluster}/{gap.namespace}/{gap.name}",
        "job-failed": f"{failed.cluster}/{failed.namespace}/{failed.name}",
    }


def _labels(**kv: object) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in kv.items()) + "}"


def pod_lines(p: KPod, label: str, now: float) -> Iterator[str]:
    base = {label: p.cluster, "namespace": p.namespace, "pod": p.name, "uid": f"uid-{p.cluster}-{p.name}"}
    b = _labels(**base)
    yield (f"kube_pod_info{_labels(**base, node=p.node, created_by_kind=p.owner[0], created_by_name=p.owner[1], host_ip='10.0.0.1', pod_ip='10.1.0.1', priority_class='', host_network='false')} 1")
    yield f"kube_pod_owner{_labels(**base, owner_kind=p.owner[0], owner_name=p.owner[1], owner_is_controller='true')} 1"
    yield f"kube_pod_created{b} {now - p.age_s:.0f}"
    for ph in PHASES:
        yield f"kube_pod_status_phase{_labels(**base, phase=ph)} {int(ph == p.phase)}"
    for cond in ("true", "false", "unknown"):
        yield f"kube_pod_status_ready{_labels(**base, condition=cond)} {int((cond == 'true') == p.ready)}"
    if p.status_reason:
        yield f"kube_pod_status_reason{_labels(**base, reason=p.status_reason)} 1"
    if p.unschedulable:
        yield f"kube_pod_status_unschedulable{b} 1"
    if p.phase in ("Succeeded", "Failed") and not p.status_reason:  # every container ended
        yield f"kube_pod_completion_time{b} {now - 600:.0f}"
    c = {**base, "container": "app"}
    yield (f"kube_pod_container_info{_labels(**c, image=p.image, image_spec=p.image, image_id='', container_id='')} 1")
    yield f"kube_pod_container_status_ready{_labels(**c)} {int(p.ready)}"
    yield f"kube_pod_container_status_restarts_total{_labels(**c)} {p.restarts}"
    if p.waiting:
        yield f"kube_pod_container_status_waiting_reason{_labels(**c, reason=p.waiting)} 1"
    if p.phase in ("Succeeded", "Failed") and not p.status_reason:
        reason = "Completed" if p.phase == "Succeeded" else "Error"
        yield f"kube_pod_container_status_terminated_reason{_labels(**c, reason=reason)} 1"
    if p.last_reason:
        yield f"kube_pod_container_status_last_terminated_reason{_labels(**c, reason=p.last_reason)} 1"
        yield f"kube_pod_container_status_last_terminated_exitcode{_labels(**c)} {p.last_exit or 0}"
        yield f"kube_pod_container_status_last_terminated_timestamp{_labels(**c)} {now - 60:.0f}"
    yield (f"kube_pod_container_resource_limits{_labels(**c, node=p.node, resource='memory', unit='byte')} "
           f"{p.memory_limit}")


def node_lines(n: KNode, label: str) -> Iterator[str]:
    base = {label: n.cluster, "node": n.name}
    yield f"kube_node_info{_labels(**base, kernel_version='6.1', kubelet_version='v1.30.2')} 1"
    for cond in NODE_CONDITIONS:
        actual = n.ready if cond == "Ready" else ("true" if cond in n.pressure else "false")
        for status in ("true", "false", "unknown"):
            yield f"kube_node_status_condition{_labels(**base, condition=cond, status=status)} {int(status == actual)}"
    yield f"kube_node_spec_unschedulable{_labels(**base)} {int(n.unschedulable)}"


def deployment_lines(d: KDeployment, label: str) -> Iterator[str]:
    b = _labels(**{label: d.cluster, "namespace": d.namespace, "deployment": d.name})
    yield f"kube_deployment_spec_replicas{b} {d.desired}"
    yield f"kube_deployment_status_replicas_ready{b} {d.ready}"
    yield f"kube_deployment_status_replicas_available{b} {d.ready}"
    yield f"kube_deployment_status_replicas_updated{b} {d.desired}"


def exposition(fleet: Fleet, label: str = "cluster", now: float | None = None) -> Iterator[str]:
    now = time.time() if now is None else now
    for p in fleet.pods:
        yield from pod_lines(p, label, now)
    for n in fleet.nodes:
        yield from node_lines(n, label)
    for d in fleet.deployments:
        yield from deployment_lines(d, label)


def import_into_victoria(url: str, fleet: Fleet, label: str = "cluster", at: float | None = None,
                         chunk: int = 50_000) -> int:
    """POST the series to VictoriaMetrics' /api/v1/import/prometheus with a timestamp (seconds) `at`;
    returns the number of lines sent."""
    at = time.time() if at is None else at
    ts_ms = int(at * 1000)
    sent = 0
    batch: list[str] = []
    with httpx.Client(base_url=url, timeout=60) as client:
        for line in exposition(fleet, label, now=at):
            batch.append(f"{line} {ts_ms}")
            if len(batch) >= chunk:
                client.post("/api/v1/import/prometheus", content="\n".join(batch) + "\n").raise_for_status()
                sent += len(batch)
                batch = []
        if batch:
            client.post("/api/v1/import/prometheus", content="\n".join(batch) + "\n").raise_for_status()
            sent += len(batch)
    return sent


def wait_until_queryable(url: str, fleet: Fleet, timeout: float = 30.0) -> None:
    """VictoriaMetrics makes imported samples searchable after its next in-memory flush (~1 s)."""
    deadline = time.monotonic() + timeout
    want = len(fleet.pods)
    got = -1
    while time.monotonic() < deadline:
        r = httpx.get(f"{url}/api/v1/query", params={"query": "count(kube_pod_info)"}, timeout=10).json()
        result = r.get("data", {}).get("result") or []
        got = int(float(result[0]["value"][1])) if result else 0
        if got >= want:
            return
        time.sleep(0.2)
    raise AssertionError(f"VictoriaMetrics shows {got} of {want} imported pods after {timeout:.0f}s")
