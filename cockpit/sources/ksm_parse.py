"""kube-state-metrics samples -> cockpit.model Pods, Nodes, Workloads and ClusterSummaries. Pure.

The series and labels are the ones kube-state-metrics v2 exports (docs/metrics/workload/pod-metrics.md,
node-metrics.md, deployment-metrics.md; copies in tests/data/ksm/). A pod's status column is worked out
by the same rule as for pods read from the API (kube_parse.pod_reason), from what the metrics carry:
phase, waiting and last-terminated reasons, exit codes, readiness, the pod status reason, deletion and
schedulability. What only the API holds (scheduler and kubelet messages, events, logs, probes) is not
in the metrics; METRICS_CANNOT_TELL says so wherever it matters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cockpit.model import ClusterSummary, ContainerState, Node, Pod, Workload
from cockpit.sources.kube_parse import PRESSURES, pod_reason

Sample = tuple[dict[str, str], float]
PodKey = tuple[str, str, str]  # (cluster, namespace, pod)

METRICS_CANNOT_TELL = ("from metrics: no events, logs, scheduler or kubelet messages, "
                       "termination messages or probes (map the cluster to a kube context for those)")

# The per-pod series one detail query fetches for the pods worth showing in full.
POD_DETAIL_METRICS = (
    "kube_pod_info",
    "kube_pod_owner",
    "kube_pod_created",
    "kube_pod_labels",
    "kube_pod_status_phase",
    "kube_pod_status_reason",
    "kube_pod_status_unschedulable",
    "kube_pod_deletion_timestamp",
    "kube_pod_completion_time",
    "kube_pod_container_info",
    "kube_pod_container_status_ready",
    "kube_pod_container_status_restarts_total",
    "kube_pod_container_status_waiting_reason",
    "kube_pod_container_status_terminated_reason",
    "kube_pod_container_status_last_terminated_reason",
    "kube_pod_container_status_last_terminated_exitcode",
    "kube_pod_container_status_last_terminated_timestamp",
    "kube_pod_container_resource_limits",
    "kube_pod_container_resource_requests",
)


@dataclass
class _Container:
    ready: bool = False
    restarts: int = 0
    waiting: str = ""
    terminated: str = ""
    last_reason: str = ""
    last_exit: int | None = None
    last_at: datetime | None = None
    image: str = ""
    limits: dict[str, float] = field(default_factory=dict)
    requests: dict[str, float] = field(default_factory=dict)


@dataclass
class _PodRows:
    phase: str = ""
    node: str = ""
    owner_kind: str = ""
    owner_name: str = ""
    created: datetime | None = None
    status_reason: str = ""
    unschedulable: bool = False
    deleting: bool = False
    labels: dict[str, str] = field(default_factory=dict)
    containers: dict[str, _Container] = field(default_factory=lambda: defaultdict(_Container))


def _ts(value: float) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value > 0 else None


def memory_text(value: float) -> str:
    """Bytes as Kubernetes writes quantities (512Mi), so the OOM analyzer reads both sources alike."""
    v = int(value)
    for unit, size in (("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)):
        if v >= size and v % size == 0:
            return f"{v // size}{unit}"
    return str(v)


def cpu_text(value: float) -> str:
    return f"{round(value * 1000)}m" if value < 1 else f"{value:g}"


def _apply(rows: _PodRows, name: str, lb: Mapping[str, str], value: float) -> None:
    """One series into the pod it describes (only series that are "set" carry meaning: value > 0)."""
    c = rows.containers[lb["container"]] if "container" in lb else None
    if name == "kube_pod_status_phase":
        if value > 0:
            rows.phase = lb.get("phase", "")
    elif name == "kube_pod_info":
        rows.node = lb.get("node", "")
        rows.owner_kind = rows.owner_kind or lb.get("created_by_kind", "")
        rows.owner_name = rows.owner_name or lb.get("created_by_name", "")
    elif name == "kube_pod_owner":
        if lb.get("owner_is_controller") == "true" or not rows.owner_kind:
            rows.owner_kind, rows.owner_name = lb.get("owner_kind", ""), lb.get("owner_name", "")
    elif name == "kube_pod_created":
        rows.created = _ts(value)
    elif name == "kube_pod_labels":
        rows.labels = {k[6:]: v for k, v in lb.items() if k.startswith("label_")}
    elif name == "kube_pod_status_reason":
        if value > 0:
            rows.status_reason = lb.get("reason", "")
    elif name == "kube_pod_status_unschedulable":
        rows.unschedulable = value > 0
    elif name == "kube_pod_deletion_timestamp":
        rows.deleting = True
    elif c is not None:
        _apply_container(c, name, lb, value)


def _apply_container(c: _Container, name: str, lb: Mapping[str, str], value: float) -> None:
    if name == "kube_pod_container_info":
        c.image = lb.get("image_spec") or lb.get("image", "")
    elif name == "kube_pod_container_status_ready":
        c.ready = value > 0
    elif name == "kube_pod_container_status_restarts_total":
        c.restarts = int(value)
    elif name == "kube_pod_container_status_waiting_reason" and value > 0:
        c.waiting = lb.get("reason", "")
    elif name == "kube_pod_container_status_terminated_reason" and value > 0:
        c.terminated = lb.get("reason", "")
    elif name == "kube_pod_container_status_last_terminated_reason" and value > 0:
        c.last_reason = lb.get("reason", "")
    elif name == "kube_pod_container_status_last_terminated_exitcode":
        c.last_exit = int(value)
    elif name == "kube_pod_container_status_last_terminated_timestamp":
        c.last_at = _ts(value)
    elif name == "kube_pod_container_resource_limits":
        c.limits[lb.get("resource", "")] = value
    elif name == "kube_pod_container_resource_requests":
        c.requests[lb.get("resource", "")] = value


def _container_state(name: str, c: _Container, phase: str) -> ContainerState:
    if c.waiting:
        state = "waiting"
    elif c.terminated:
        state = "terminated"
    else:
        state = "running" if phase == "Running" else "waiting"
    mem_l, mem_r = c.limits.get("memory"), c.requests.get("memory")
    cpu_l, cpu_r = c.limits.get("cpu"), c.requests.get("cpu")
    return ContainerState(
        name=name, image=c.image, ready=c.ready, restarts=c.restarts, state=state,
        reason=c.waiting or c.terminated,
        exit_code=None if state != "terminated" else (0 if c.terminated == "Completed" else 1),
        last_reason=c.last_reason, last_exit_code=c.last_exit if c.last_reason else None,
        last_finished_at=c.last_at,
        memory_limit=memory_text(mem_l) if mem_l else "", memory_request=memory_text(mem_r) if mem_r else "",
        cpu_limit=cpu_text(cpu_l) if cpu_l else "", cpu_request=cpu_text(cpu_r) if cpu_r else "",
    )


def _pod(key: PodKey, rows: _PodRows) -> Pod:
    cluster, namespace, name = key
    phase = rows.phase or "Unknown"
    containers = tuple(_container_state(n, c, phase) for n, c in sorted(rows.containers.items()))
    conditions = (("PodScheduled", "False", "Unschedulable", ""),) if rows.unschedulable else ()
    reason = pod_reason(phase, rows.status_reason, rows.deleting, containers, conditions)
    if reason == "Pending: Unschedulable":
        reason = "Pending: unschedulable"
    finished = [c.last_finished_at for c in containers if c.last_finished_at]
    return Pod(
        namespace=namespace, name=name, phase=phase,
        ready=sum(c.ready for c in containers), total=len(containers),
        restarts=sum(c.restarts for c in containers), reason=reason, node=rows.node,
        created_at=rows.created, context=cluster, cluster=cluster, labels=rows.labels,
        containers=containers, owner_kind=rows.owner_kind, owner_name=rows.owner_name,
        conditions=conditions, last_restart_at=max(finished) if finished else None,
    )


def parse_pods(samples: Iterable[tuple[str, Sample]], cluster_label: str,
               wanted: set[PodKey] | None = None) -> list[Pod]:
    """(metric name, sample) pairs of POD_DETAIL_METRICS -> one Pod per (cluster, namespace, pod).

    `wanted` keeps only those pods (a detail query by pod name also matches same-named pods
    elsewhere: a StatefulSet's prometheus-0 lives in every cluster)."""
    pods: dict[PodKey, _PodRows] = defaultdict(_PodRows)
    for name, (lb, value) in samples:
        key = (lb.get(cluster_label, ""), lb.get("namespace", ""), lb.get("pod", ""))
        if wanted is not None and key not in wanted:
            continue
        _apply(pods[key], name, lb, value)
    return [_pod(k, r) for k, r in pods.items()]


def parse_nodes(conditions: Iterable[Sample], cordoned: Iterable[Sample], cluster_label: str) -> list[Node]:
    """kube_node_status_condition == 1 rows (one per node, condition and true status) -> Nodes."""
    status: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for lb, value in conditions:
        if value > 0:
            status[(lb.get(cluster_label, ""), lb.get("node", ""))][lb.get("condition", "")] = lb.get("status", "")
    for lb, value in cordoned:
        if value > 0:
            status[(lb.get(cluster_label, ""), lb.get("node", ""))]["Unschedulable"] = "true"
    return [
        Node(name=node, ready=conds.get("Ready") == "true",
             pressure=tuple(p for p in PRESSURES if conds.get(p) == "true"),
             context=cluster, cluster=cluster, unschedulable=conds.get("Unschedulable") == "true",
             conditions=tuple((t, st.capitalize(), "", None) for t, st in sorted(conds.items())
                              if t in ("Ready", *PRESSURES)))
        for (cluster, node), conds in sorted(status.items())
    ]


# kind -> (the label naming it, desired, ready, updated, available)
WORKLOAD_SERIES = {
    "Deployment": ("deployment", "kube_deployment_spec_replicas", "kube_deployment_status_replicas_ready",
                   "kube_deployment_status_replicas_updated", "kube_deployment_status_replicas_available"),
    "StatefulSet": ("statefulset", "kube_statefulset_replicas", "kube_statefulset_status_replicas_ready",
                    "kube_statefulset_status_replicas_updated", "kube_statefulset_status_replicas_available"),
    "DaemonSet": ("daemonset", "kube_daemonset_status_desired_number_scheduled",
                  "kube_daemonset_status_number_ready", "kube_daemonset_status_updated_number_scheduled",
                  "kube_daemonset_status_number_available"),
}


def parse_workloads(samples: Iterable[tuple[str, Sample]], cluster_label: str) -> list[Workload]:
    values: dict[tuple[str, str, str, str], dict[str, float]] = defaultdict(dict)
    for name, (lb, value) in samples:
        for kind, (label, *series) in WORKLOAD_SERIES.items():
            if name in series:
                values[(kind, lb.get(cluster_label, ""), lb.get("namespace", ""), lb.get(label, ""))][name] = value
    out = []
    for (kind, cluster, ns, name), v in sorted(values.items()):
        _, desired, ready, updated, available = WORKLOAD_SERIES[kind]
        out.append(Workload(kind, ns, name, int(v.get(desired, 0)), int(v.get(ready, 0)), int(v.get(updated, 0)),
                            int(v.get(available, 0)), context=cluster, cluster=cluster))
    return out


def summarize(
    clusters: Iterable[str],
    pod_counts: Iterable[Sample],
    problems: Iterable[Pod],
    nodes: Iterable[Node],
    node_counts: Iterable[Sample],
    fresh: Mapping[str, bool],
    contexts: Mapping[str, str],
    cluster_label: str,
) -> list[ClusterSummary]:
    """One line per cluster: its pods and problems per namespace, nodes, and whether it still reports.

    A cluster seen in the long window but with no sample in the freshness window is stale: its counts
    are its last known ones and it is never shown as healthy."""
    pods: dict[str, dict[str, int]] = defaultdict(dict)
    for lb, value in pod_counts:
        pods[lb.get(cluster_label, "")][lb.get("namespace", "")] = int(value)
    bad: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for p in problems:
        bad[p.cluster][p.namespace] += 1
    node_total = {lb.get(cluster_label, ""): int(v) for lb, v in node_counts}
    not_ready: dict[str, int] = defaultdict(int)
    for n in nodes:
        if not n.ready:
            not_ready[n.cluster] += 1
    return [
        ClusterSummary(
            cluster=c, pods=sum(pods[c].values()), problems=sum(bad[c].values()),
            nodes=node_total.get(c, 0), nodes_not_ready=not_ready[c],
            namespaces=dict(pods[c]), problems_by_namespace=dict(bad[c]),
            stale=not fresh.get(c, False), context=contexts.get(c, ""),
        )
        for c in sorted(set(clusters))
    ]
