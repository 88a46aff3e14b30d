"""Kubernetes JSON -> cockpit.model dataclasses. Pure and fast.

The typed models of the `kubernetes` client are ~3x slower on a 10k-pod list, so the source asks for
raw JSON and this module reads only the fields cockpit shows: pods from kube_schema's Structs (the
hot path), nodes, workloads and events from plain dicts. Pod.reason follows kubectl's STATUS
column, refined to say *why*: "CrashLoopBackOff (OOMKilled, exit 137)", "Pending: 0/3 nodes ...".
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from cockpit.model import ContainerState, Event, Node, Pod, Workload
from cockpit.sources.kube_schema import (
    ContainerSpec,
    ContainerStatus,
    ObjectMeta,
    PodJSON,
    PodSpec,
    PodStatus,
    StateDetail,
    pod_json,
)

J = dict[str, Any]
_EMPTY: J = {}
PRESSURES = ("MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable")
MAX_REASON = 300  # a scheduler message can be long; the status column needs its head


@lru_cache(maxsize=4096)
def ts(value: str | None) -> datetime | None:
    """RFC 3339 (with or without fractional seconds) -> aware datetime; many pods share timestamps."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _state(status: ContainerStatus) -> tuple[str, StateDetail | None]:
    state = status.state
    if state is not None:
        if state.running is not None:
            return "running", None
        if state.waiting is not None:
            return "waiting", state.waiting
        if state.terminated is not None:
            return "terminated", state.terminated
    return "waiting", None


def _resources(spec: ContainerSpec | None) -> tuple[str, str, str, str]:
    res = spec.resources if spec is not None else None
    if res is None:
        return "", "", "", ""
    lim, req = res.limits or _EMPTY, res.requests or _EMPTY
    return _qty(lim, "memory"), _qty(req, "memory"), _qty(lim, "cpu"), _qty(req, "cpu")


def _qty(values: J, name: str) -> str:
    v = values.get(name)
    return "" if v is None else str(v)


def container_state(status: ContainerStatus, spec: ContainerSpec | None, init: bool = False) -> ContainerState:
    kind, detail = _state(status)
    last = status.lastState.terminated if status.lastState is not None else None
    mem_l, mem_r, cpu_l, cpu_r = _resources(spec)
    return ContainerState(
        name=status.name or "",
        image=status.image or (spec.image if spec is not None else None) or "",
        ready=bool(status.ready),
        restarts=status.restartCount or 0,
        state=kind,
        reason=(detail.reason if detail else None) or "",
        message=(detail.message if detail else None) or "",
        exit_code=detail.exitCode if detail else None,
        last_reason=(last.reason if last else None) or "",
        last_exit_code=last.exitCode if last else None,
        last_finished_at=ts(last.finishedAt) if last else None,
        memory_limit=mem_l, memory_request=mem_r, cpu_limit=cpu_l, cpu_request=cpu_r,
        init=init,
    )


def _containers(spec: PodSpec | None, status: PodStatus | None) -> tuple[ContainerState, ...]:
    out = []
    for init in (True, False):
        specs_list = (spec.initContainers if init else spec.containers) if spec is not None else None
        statuses = (status.initContainerStatuses if init else status.containerStatuses) if status is not None else None
        specs = {c.name: c for c in specs_list or ()}
        seen = set()
        for st in statuses or ():
            seen.add(st.name)
            out.append(container_state(st, specs.get(st.name), init))
        for name, c in specs.items():  # not started yet (e.g. Pending): no status
            if name not in seen:
                out.append(container_state(ContainerStatus(name=name, image=c.image), c, init))
    return tuple(out)


def _with_last(reason: str, c: ContainerState) -> str:
    if c.last_reason:
        code = f", exit {c.last_exit_code}" if c.last_exit_code is not None else ""
        return f"{reason} ({c.last_reason}{code})"
    return reason


def _terminated_text(c: ContainerState) -> str:
    return c.reason or (f"ExitCode:{c.exit_code}" if c.exit_code is not None else "Terminated")


def _init_reason(inits: list[ContainerState]) -> str:
    for i, c in enumerate(inits):
        if c.state == "terminated" and c.exit_code == 0:
            continue
        if c.state == "terminated":
            return "Init:" + _terminated_text(c)
        if c.state == "waiting" and c.reason and c.reason != "PodInitializing":
            return _with_last("Init:" + c.reason, c)
        return f"Init:{i}/{len(inits)}"
    return ""


def _unschedulable(conditions: tuple[tuple[str, str, str, str], ...]) -> str:
    for ctype, status, reason, message in conditions:
        if ctype == "PodScheduled" and status == "False":
            text = (message or reason or "unschedulable").split(" preemption:")[0].strip().rstrip(".")
            return f"Pending: {text[:MAX_REASON]}"
    return ""


def pod_reason(phase: str, status_reason: str, deleting: bool, containers: tuple[ContainerState, ...],
               conditions: tuple[tuple[str, str, str, str], ...]) -> str:
    """What a user reads in the status column, most telling cause first."""
    if deleting:
        return "Unknown" if status_reason == "NodeLost" else "Terminating"
    if status_reason and phase in ("Failed", "Unknown"):  # Evicted, NodeLost, DeadlineExceeded
        return status_reason
    inits = [c for c in containers if c.init]
    if inits and (reason := _init_reason(inits)):
        return reason
    mains = [c for c in containers if not c.init]
    for c in mains:  # a waiting reason (CrashLoopBackOff, ImagePullBackOff...) says the most
        if c.state == "waiting" and c.reason and c.reason not in ("ContainerCreating", "PodInitializing"):
            return _with_last(c.reason, c)
    for c in mains:
        if c.state == "terminated" and (c.exit_code or 0) != 0:
            return _terminated_text(c)
    if phase == "Succeeded":
        return "Completed"
    if phase == "Pending":
        return _unschedulable(conditions) or next(
            (c.reason for c in mains if c.state == "waiting" and c.reason), "Pending")
    if phase == "Running":
        return "Running" if mains and all(c.ready for c in mains) else "NotReady"
    return status_reason or phase or "Unknown"


def _controller(meta: ObjectMeta) -> tuple[str, str]:
    refs = meta.ownerReferences or ()
    for ref in refs:
        if ref.controller:
            return ref.kind or "", ref.name or ""
    return (refs[0].kind or "", refs[0].name or "") if refs else ("", "")


_NO_META = ObjectMeta()
_NO_STATUS = PodStatus()


def parse_pod(obj: PodJSON | J, context: str = "") -> Pod:
    """A pod as decoded by kube_schema (lists, watch events) or as plain dicts (single GETs)."""
    if isinstance(obj, dict):
        obj = pod_json(obj)
    meta = obj.metadata or _NO_META
    status = obj.status or _NO_STATUS
    containers = _containers(obj.spec, status)
    conditions = tuple((c.type or "", c.status or "", c.reason or "", c.message or "")
                       for c in status.conditions or ())
    mains = [c for c in containers if not c.init]
    phase = status.phase or "Unknown"
    owner_kind, owner_name = _controller(meta)
    finished = [c.last_finished_at for c in containers if c.last_finished_at]
    return Pod(
        namespace=meta.namespace or "",
        name=meta.name or "",
        phase=phase,
        ready=sum(c.ready for c in mains),
        total=len(mains),
        restarts=sum(c.restarts for c in containers),
        reason=pod_reason(phase, status.reason or "", bool(meta.deletionTimestamp), containers, conditions),
        node=(obj.spec.nodeName if obj.spec is not None else None) or "",
        created_at=ts(meta.creationTimestamp),
        context=context,
        labels=meta.labels or {},
        containers=containers,
        owner_kind=owner_kind,
        owner_name=owner_name,
        conditions=conditions,
        last_restart_at=max(finished) if finished else None,
        resource_version=meta.resourceVersion or "",
        message=status.message or "",
    )


def parse_node(obj: J, context: str = "") -> Node:
    status = obj.get("status") or _EMPTY
    raw = status.get("conditions") or ()
    conds = {c.get("type"): c.get("status") for c in raw}
    return Node(
        name=(obj.get("metadata") or _EMPTY).get("name", ""),
        ready=conds.get("Ready") == "True",
        pressure=tuple(p for p in PRESSURES if conds.get(p) == "True"),
        context=context,
        conditions=tuple((str(c.get("type", "")), str(c.get("status", "")), str(c.get("reason") or ""),
                          ts(c.get("lastTransitionTime"))) for c in raw),
        unschedulable=bool((obj.get("spec") or _EMPTY).get("unschedulable")),
        cordoned_at=next((ts(t.get("timeAdded")) for t in (obj.get("spec") or _EMPTY).get("taints") or ()
                          if t.get("key") == "node.kubernetes.io/unschedulable"), None),
        allocatable={str(k): str(v) for k, v in (status.get("allocatable") or _EMPTY).items()},
    )


def parse_workload(obj: J, kind: str, context: str = "") -> Workload:
    meta, spec, st = obj.get("metadata") or _EMPTY, obj.get("spec") or _EMPTY, obj.get("status") or _EMPTY
    if kind == "DaemonSet":
        desired, ready = st.get("desiredNumberScheduled", 0), st.get("numberReady", 0)
        updated, available = st.get("updatedNumberScheduled", 0), st.get("numberAvailable", 0)
    else:
        replicas = spec.get("replicas")
        desired = st.get("replicas", 0) if replicas is None else replicas
        ready, updated = st.get("readyReplicas", 0), st.get("updatedReplicas", 0)
        available = st.get("availableReplicas", 0)
    conditions = tuple((str(c.get("type", "")), str(c.get("status", "")), str(c.get("reason") or ""),
                        str(c.get("message") or ""), ts(c.get("lastTransitionTime")))
                       for c in st.get("conditions") or ())
    return Workload(kind, meta.get("namespace", ""), meta.get("name", ""), int(desired or 0),
                    int(ready or 0), int(updated or 0), int(available or 0), context,
                    paused=bool(spec.get("paused")), conditions=conditions,
                    generation=int(meta.get("generation") or 0),
                    observed_generation=int(st.get("observedGeneration") or 0),
                    created_at=ts(meta.get("creationTimestamp")))


def parse_event(obj: J, context: str = "") -> Event:
    """core/v1 Event; events written through events.k8s.io have null timestamps and a series."""
    meta = obj.get("metadata") or _EMPTY
    inv = obj.get("involvedObject") or _EMPTY
    series = obj.get("series") or _EMPTY
    source = obj.get("source") or _EMPTY
    created = ts(meta.get("creationTimestamp"))
    first = ts(obj.get("firstTimestamp")) or ts(obj.get("eventTime")) or created
    last = (ts(obj.get("lastTimestamp")) or ts(series.get("lastObservedTime"))
            or ts(obj.get("eventTime")) or created)
    return Event(
        namespace=meta.get("namespace") or inv.get("namespace", ""),
        involved_kind=inv.get("kind", ""),
        involved_name=inv.get("name", ""),
        type=obj.get("type") or "Normal",
        reason=obj.get("reason") or "",
        message=obj.get("message") or "",
        count=int(obj.get("count") or series.get("count") or 1),
        first_seen=first,
        last_seen=last,
        source=source.get("component") or obj.get("reportingComponent") or "",
        context=context,
    )


def _port(handler: J) -> str:
    return str(handler.get("port", ""))


def probe_text(probe: J) -> str:
    """kubectl describe's one-line probe: "http-get http://:8080/healthz delay=10s timeout=1s ..."."""
    if http := probe.get("httpGet"):
        scheme = str(http.get("scheme") or "HTTP").lower()
        what = f"http-get {scheme}://{http.get('host', '')}:{_port(http)}{http.get('path', '')}"
    elif tcp := probe.get("tcpSocket"):
        what = f"tcp-socket {tcp.get('host', '')}:{_port(tcp)}"
    elif ex := probe.get("exec"):
        what = "exec " + " ".join(str(a) for a in ex.get("command") or ())
    elif grpc := probe.get("grpc"):
        what = f"grpc <pod>:{grpc.get('port', '')} {grpc.get('service') or ''}".rstrip()
    else:
        what = "unknown"
    return (f"{what} delay={probe.get('initialDelaySeconds', 0)}s timeout={probe.get('timeoutSeconds', 1)}s "
            f"period={probe.get('periodSeconds', 10)}s #success={probe.get('successThreshold', 1)} "
            f"#failure={probe.get('failureThreshold', 3)}")


def probes(pod: J) -> dict[str, str]:
    out = {}
    for c in (pod.get("spec") or _EMPTY).get("containers") or ():
        for kind in ("liveness", "readiness", "startup"):
            if p := c.get(f"{kind}Probe"):
                out[f"{c.get('name', '')}/{kind}"] = probe_text(p)
    return out
