"""Cluster states for incident tests, shaped like a real apiserver's JSON, with times relative to now.

Builders for Deployments with their ReplicaSets (revision annotation, pod-template-hash), StatefulSets
with ControllerRevisions, nodes with condition transition times and cordons, ConfigMaps with
managedFields, and pods with termination times. tests/integration/test_incidents_kube.py checks these
objects against the kubernetes client's own models.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakekube import fixtures as fx

J = dict[str, Any]


def iso(seconds_ago: float, now: datetime | None = None) -> str:
    at = (now or datetime.now(UTC)) - timedelta(seconds=seconds_ago)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _owner(kind: str, name: str) -> list[J]:
    api = "batch/v1" if kind == "Job" else "apps/v1"
    return [{"apiVersion": api, "kind": kind, "name": name, "uid": f"uid-{name}", "controller": True,
             "blockOwnerDeletion": True}]


def template(app: str, image: str, configmap: str = "", container: str = "app") -> J:
    spec: J = {"containers": [fx.container(container, image)]}
    if configmap:
        spec["volumes"] = [{"name": "config", "configMap": {"name": configmap}}]
        spec["containers"][0]["volumeMounts"] = [{"name": "config", "mountPath": "/etc/app"}]
    return {"metadata": {"labels": {"app": app}}, "spec": spec}


def deployment(ns: str, name: str, desired: int, ready: int, image: str, *, updated: int | None = None,
               conditions: list[J] | None = None, paused: bool = False, configmap: str = "") -> J:
    spec: J = {"replicas": desired, "selector": {"matchLabels": {"app": name}},
               "template": template(name, image, configmap), "strategy": {"type": "RollingUpdate"}}
    if paused:
        spec["paused"] = True
    status: J = {"observedGeneration": 2, "replicas": desired, "readyReplicas": ready,
                 "updatedReplicas": desired if updated is None else updated, "availableReplicas": ready}
    if conditions:
        status["conditions"] = conditions
    return {"metadata": {"name": name, "namespace": ns, "creationTimestamp": iso(30 * 86400), "generation": 2,
                         "labels": {"app": name}}, "spec": spec, "status": status}


def progressing(status: str, reason: str, message: str, ago: float) -> J:
    return {"type": "Progressing", "status": status, "reason": reason, "message": message,
            "lastUpdateTime": iso(ago), "lastTransitionTime": iso(ago)}


def replicaset(ns: str, deploy: str, hash_: str, image: str, revision: int, created_ago: float, desired: int,
               ready: int, configmap: str = "") -> J:
    tpl = template(deploy, image, configmap)
    tpl["metadata"]["labels"]["pod-template-hash"] = hash_
    return {"metadata": {"name": f"{deploy}-{hash_}", "namespace": ns, "creationTimestamp": iso(created_ago),
                         "labels": {"app": deploy, "pod-template-hash": hash_},
                         "annotations": {"deployment.kubernetes.io/revision": str(revision),
                                         "deployment.kubernetes.io/desired-replicas": str(desired)},
                         "ownerReferences": _owner("Deployment", deploy)},
            "spec": {"replicas": desired, "selector": {"matchLabels": {"app": deploy, "pod-template-hash": hash_}},
                     "template": tpl},
            "status": {"replicas": desired, "readyReplicas": ready, "availableReplicas": ready,
                       "fullyLabeledReplicas": desired, "observedGeneration": 1}}


def statefulset(ns: str, name: str, desired: int, ready: int, image: str, current: str, update: str) -> J:
    return {"metadata": {"name": name, "namespace": ns, "creationTimestamp": iso(30 * 86400), "generation": 3,
                         "labels": {"app": name}},
            "spec": {"replicas": desired, "serviceName": name, "selector": {"matchLabels": {"app": name}},
                     "template": template(name, image, container=name)},
            "status": {"replicas": desired, "readyReplicas": ready, "currentReplicas": desired - 1,
                       "updatedReplicas": 1, "availableReplicas": ready, "currentRevision": current,
                       "updateRevision": update, "observedGeneration": 3}}


def controller_revision(ns: str, owner: str, name: str, revision: int, image: str, created_ago: float) -> J:
    """The template as a StatefulSet's ControllerRevision stores it: a strategic-merge patch in data."""
    tpl = template(owner, image, container=owner)
    tpl["$patch"] = "replace"
    return {"metadata": {"name": name, "namespace": ns, "creationTimestamp": iso(created_ago),
                         "labels": {"app": owner, "controller.kubernetes.io/hash": name.rsplit("-", 1)[-1]},
                         "ownerReferences": _owner("StatefulSet", owner)},
            "data": {"spec": {"template": tpl}}, "revision": revision}


def node(name: str, ready: str = "True", *, pressure: tuple[str, ...] = (), since_ago: float = 30 * 86400,
         unschedulable: bool = False) -> J:
    """ready: "True" | "False" | "Unknown"; pressure conditions and a non-True Ready flipped since_ago."""
    obj = fx.node(name, ready=True, pressure=pressure)
    for c in obj["status"]["conditions"]:
        flipped = (c["type"] == "Ready" and ready != "True") or c["type"] in pressure
        c["lastTransitionTime"] = iso(since_ago if flipped else 30 * 86400)
        c["lastHeartbeatTime"] = iso(since_ago if ready == "Unknown" else 5)
        if c["type"] == "Ready":
            c["status"] = ready
            c["reason"] = {"True": "KubeletReady", "False": "KubeletNotReady", "Unknown": "NodeStatusUnknown"}[ready]
    if unschedulable:
        obj["spec"]["unschedulable"] = True
        obj["spec"]["taints"] = [{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule",
                                  "timeAdded": iso(since_ago)}]
    return obj


def pod(ns: str, name: str, phase: str, statuses: list[J], *, owner: tuple[str, str] | None = None,
        labels: dict[str, str] | None = None, node_name: str = "node-a", created_ago: float = 3600,
        finished_ago: float | None = None, **kw: Any) -> J:
    """fx.pod with a creation time and (for restarted containers) a termination time relative to now."""
    obj = fx.pod(ns, name, phase, statuses, node=node_name, labels=labels, owner=owner, **kw)
    obj["metadata"]["creationTimestamp"] = iso(created_ago)
    for st in obj["status"].get("containerStatuses") or ():
        term = (st.get("lastState") or {}).get("terminated")
        if term:
            term["startedAt"] = iso((finished_ago or 60) + 5)
            term["finishedAt"] = iso(finished_ago if finished_ago is not None else 60)
    return obj


def crashing(image: str, restarts: int = 5, reason: str = "Error", code: int = 1, container: str = "app") -> J:
    return fx.waiting(container, image, "CrashLoopBackOff", f"back-off 2m40s restarting failed container={container}",
                      restarts, (reason, code))


def deploy_pod(ns: str, deploy: str, hash_: str, suffix: str, status: J, phase: str = "Running", **kw: Any) -> J:
    return pod(ns, f"{deploy}-{hash_}-{suffix}", phase, [status], owner=("ReplicaSet", f"{deploy}-{hash_}"),
               labels={"app": deploy, "pod-template-hash": hash_}, **kw)


def pending_for(ns: str, name: str, deploy: str, hash_: str, resource: str = "memory", created_ago: float = 600) -> J:
    msg = (f"0/3 nodes are available: 3 Insufficient {resource}. preemption: 0/3 nodes are available: "
           "3 No preemption victims found for incoming pod.")
    obj = fx.pod(ns, name, "Pending", [], node="", labels={"app": deploy, "pod-template-hash": hash_},
                 owner=("ReplicaSet", f"{deploy}-{hash_}"), unstarted=("app", f"shop/{deploy}:1"),
                 conds=fx.conditions(False, scheduled=False, message=msg))
    obj["metadata"]["creationTimestamp"] = iso(created_ago)
    return obj


def configmap(ns: str, name: str, data: dict[str, str], edited_ago: float, manager: str = "kubectl-edit") -> J:
    return {"metadata": {"name": name, "namespace": ns, "creationTimestamp": iso(40 * 86400),
                         "managedFields": [
                             {"manager": "kubectl-create", "operation": "Update", "apiVersion": "v1",
                              "time": iso(40 * 86400), "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {}}},
                             {"manager": manager, "operation": "Update", "apiVersion": "v1", "time": iso(edited_ago),
                              "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {f"f:{k}": {} for k in data}}}]},
            "data": data}


def warning(ns: str, name: str, involved: tuple[str, str], reason: str, message: str, ago: float = 30,
            count: int = 1) -> J:
    ev = fx.event(ns, name, involved, "Warning", reason, message, count)
    ev["firstTimestamp"], ev["lastTimestamp"] = iso(ago + 60), iso(ago)
    ev["metadata"]["creationTimestamp"] = iso(ago + 60)
    return ev


def healthy(ns: str, deploy: str, n: int, node_name: str = "node-a", hash_: str = "5f5f5f5f5") -> list[J]:
    img = f"registry.example.com/{deploy}:1.0"
    return [deploy_pod(ns, deploy, hash_, f"h{i:03d}", fx.running("app", img), node_name=node_name,
                       created_ago=86400) for i in range(n)]
