"""Fixture objects shaped like a real apiserver's JSON, and a seeded generator of N pods.

Every object here is checked against the kubernetes client's own models (tests/integration).
"""

from __future__ import annotations

import random
from typing import Any

T0 = "2026-11-26T10:00:00Z"
T1 = "2026-11-26T11:58:00Z"
HOSTILE = "\x1b]0;pwned\x07[bold red]fake[/] \u202eevil\x1b[2J"


def _meta(ns: str, name: str, labels: dict[str, str] | None = None, owner: tuple[str, str] | None = None,
          **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": ns, "creationTimestamp": T0, "labels": labels or {}}
    if owner:
        api = "batch/v1" if owner[0] == "Job" else "apps/v1"
        meta["ownerReferences"] = [{"apiVersion": api, "kind": owner[0], "name": owner[1],
                                    "uid": f"uid-{owner[1]}", "controller": True, "blockOwnerDeletion": True}]
    meta.update(extra)
    return meta


def container(name: str, image: str, mem: str = "256Mi", cpu: str = "250m", probe: bool = True) -> dict[str, Any]:
    c: dict[str, Any] = {
        "name": name, "image": image, "imagePullPolicy": "IfNotPresent",
        "ports": [{"containerPort": 8080, "protocol": "TCP"}],
        "resources": {"limits": {"memory": mem, "cpu": "1"}, "requests": {"memory": mem, "cpu": cpu}},
        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
    }
    if probe:
        c["livenessProbe"] = {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
                              "initialDelaySeconds": 10, "timeoutSeconds": 1, "periodSeconds": 10,
                              "successThreshold": 1, "failureThreshold": 3}
        c["readinessProbe"] = {"tcpSocket": {"port": 8080}, "timeoutSeconds": 1, "periodSeconds": 5,
                               "successThreshold": 1, "failureThreshold": 3}
    return c


def running(name: str, image: str, ready: bool = True, restarts: int = 0) -> dict[str, Any]:
    return {"name": name, "image": image, "imageID": f"docker.io/{image}@sha256:{'a' * 64}",
            "containerID": f"containerd://{'b' * 64}", "ready": ready, "started": True,
            "restartCount": restarts, "state": {"running": {"startedAt": T0}}, "lastState": {}}


def waiting(name: str, image: str, reason: str, message: str = "", restarts: int = 0,
            last: tuple[str, int] | None = None) -> dict[str, Any]:
    status = {"name": name, "image": image, "imageID": "", "ready": False, "started": False,
              "restartCount": restarts, "state": {"waiting": {"reason": reason, "message": message}},
              "lastState": {}}
    if last:
        status["lastState"] = {"terminated": {"reason": last[0], "exitCode": last[1], "startedAt": T0,
                                              "finishedAt": T1, "containerID": f"containerd://{'c' * 64}"}}
    return status


def terminated(name: str, image: str, reason: str, code: int) -> dict[str, Any]:
    return {"name": name, "image": image, "imageID": "", "ready": False, "started": False, "restartCount": 0,
            "state": {"terminated": {"reason": reason, "exitCode": code, "startedAt": T0, "finishedAt": T1}},
            "lastState": {}}


def conditions(ready: bool, scheduled: bool = True, message: str = "") -> list[dict[str, Any]]:
    if not scheduled:
        return [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message,
                 "lastProbeTime": None, "lastTransitionTime": T0}]
    flag = "True" if ready else "False"
    return [{"type": t, "status": s, "lastProbeTime": None, "lastTransitionTime": T0}
            for t, s in (("Initialized", "True"), ("Ready", flag), ("ContainersReady", flag), ("PodScheduled", "True"))]


def pod(ns: str, name: str, phase: str, statuses: list[dict[str, Any]], *, node: str = "node-a",
        labels: dict[str, str] | None = None, owner: tuple[str, str] | None = None, mem: str = "256Mi",
        conds: list[dict[str, Any]] | None = None, init: list[dict[str, Any]] | None = None,
        reason: str = "", unstarted: tuple[str, str] | None = None, **meta_extra: Any) -> dict[str, Any]:
    """unstarted: (name, image) of a container that has no status yet (an unscheduled pod)."""
    specs = [(s["name"], s["image"]) for s in statuses] + ([unstarted] if unstarted else [])
    spec: dict[str, Any] = {
        "containers": [container(n, i, mem) for n, i in specs],
        "restartPolicy": "Always", "serviceAccountName": "default", "dnsPolicy": "ClusterFirst",
        "schedulerName": "default-scheduler", "terminationGracePeriodSeconds": 30,
    }
    if node:
        spec["nodeName"] = node
    status: dict[str, Any] = {"phase": phase, "conditions": conds if conds is not None else conditions(
        all(s["ready"] for s in statuses)), "containerStatuses": statuses, "qosClass": "Guaranteed",
        "hostIP": "10.0.0.1", "podIP": "10.1.0.7", "startTime": T0}
    if init is not None:
        spec["initContainers"] = [container(s["name"], s["image"], probe=False) for s in init]
        status["initContainerStatuses"] = init
    if reason:
        status["reason"] = reason
    if not node:
        for k in ("hostIP", "podIP", "startTime", "containerStatuses"):
            status.pop(k)
    return {"metadata": _meta(ns, name, labels, owner, **meta_extra), "spec": spec, "status": status}


def scenario_pods() -> list[dict[str, Any]]:
    app = {"app": "checkout-api", "pod-template-hash": "7d9f8b6c5d"}
    rs = ("ReplicaSet", "checkout-api-7d9f8b6c5d")
    img = "registry.example.com/shop/checkout-api:1.42.0"
    unsched = ("0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: "
               "3 No preemption victims found for incoming pod.")
    return [
        pod("shop", "checkout-api-7d9f8b6c5d-x2x9k", "Running", [waiting(
            "app", img, "CrashLoopBackOff", "back-off 5m0s restarting failed container=app", 14, ("OOMKilled", 137))],
            labels=app, owner=rs, conds=conditions(False)),
        pod("shop", "checkout-api-7d9f8b6c5d-abcde", "Running", [running("app", img)], labels=app, owner=rs,
            node="node-b"),
        pod("shop", "checkout-api-7d9f8b6c5d-pend1", "Pending", [], labels=app, owner=rs, node="", unstarted=("app", img),
            conds=conditions(False, scheduled=False, message=unsched)),
        pod("shop", "payments-worker-5c4d-qq7x1", "Running", [waiting(
            "worker", "shop/payments:3.1", "CrashLoopBackOff", "back-off 2m40s", 6, ("Error", 1))],
            labels={"app": "payments-worker"}, owner=("ReplicaSet", "payments-worker-5c4d")),
        pod("shop", "frontend-6b8c-zz2p4", "Pending", [waiting(
            "web", "shop/frontend:9.9.9-typo", "ImagePullBackOff",
            'Back-off pulling image "shop/frontend:9.9.9-typo"')],
            labels={"app": "frontend"}, owner=("ReplicaSet", "frontend-6b8c")),
        pod("shop", "cart-7f6d-readyno", "Running", [running("cart", "shop/cart:2.0", ready=False)],
            labels={"app": "cart"}, owner=("ReplicaSet", "cart-7f6d")),
        pod("shop", "cart-7f6d-old11", "Running", [running("cart", "shop/cart:2.0")],
            labels={"app": "cart"}, owner=("ReplicaSet", "cart-7f6d"), deletionTimestamp=T1,
            deletionGracePeriodSeconds=30),
        pod("shop", "db-migrate-29131-kx8q2", "Succeeded", [terminated("migrate", "shop/migrate:1", "Completed", 0)],
            labels={"job-name": "db-migrate-29131"}, owner=("Job", "db-migrate-29131"), conds=conditions(False)),
        pod("shop", "search-5d5d-evict", "Failed", [], reason="Evicted", node="node-b", unstarted=("search", "shop/search:4"),
            labels={"app": "search"}, owner=("ReplicaSet", "search-5d5d"), conds=[]),
        pod("shop", "mailer-6c6c-init1", "Pending", [waiting("mailer", "shop/mailer:1", "PodInitializing")],
            init=[waiting("wait-db", "busybox:1.36", "CrashLoopBackOff", "", 3, ("Error", 2))],
            labels={"app": "mailer"}, owner=("ReplicaSet", "mailer-6c6c"), conds=conditions(False)),
        pod("kube-system", "coredns-5d78c9869d-aaaaa", "Running", [running("coredns", "coredns/coredns:1.11.1")],
            labels={"k8s-app": "kube-dns"}, owner=("ReplicaSet", "coredns-5d78c9869d")),
        pod("kube-system", "kube-proxy-n1x2y", "Running", [running("kube-proxy", "kube-proxy:v1.31.4")],
            labels={"k8s-app": "kube-proxy"}, owner=("DaemonSet", "kube-proxy"), node="node-c"),
        pod("monitoring", "prometheus-0", "Running", [running("prometheus", "prom/prometheus:v2.53.0", restarts=1)],
            labels={"app.kubernetes.io/name": "prometheus"}, owner=("StatefulSet", "prometheus")),
    ]


def node(name: str, ready: bool = True, pressure: tuple[str, ...] = ()) -> dict[str, Any]:
    conds = [{"type": t, "status": "True" if t in pressure else "False", "reason": f"Kubelet{t}",
              "message": "", "lastHeartbeatTime": T1, "lastTransitionTime": T0}
             for t in ("MemoryPressure", "DiskPressure", "PIDPressure")]
    conds.append({"type": "Ready", "status": "True" if ready else "Unknown",
                  "reason": "KubeletReady" if ready else "NodeStatusUnknown", "message": "",
                  "lastHeartbeatTime": T1, "lastTransitionTime": T0})
    return {"metadata": {"name": name, "creationTimestamp": T0, "labels": {"kubernetes.io/hostname": name}},
            "spec": {"podCIDR": "10.1.0.0/24"},
            "status": {"conditions": conds, "capacity": {"cpu": "4", "memory": "16Gi", "pods": "110"},
                       "allocatable": {"cpu": "4", "memory": "15Gi", "pods": "110"},
                       "nodeInfo": {"kubeletVersion": "v1.31.4", "osImage": "Debian", "kernelVersion": "6.1",
                                    "containerRuntimeVersion": "containerd://1.7", "architecture": "amd64",
                                    "bootID": "b", "machineID": "m", "systemUUID": "s", "operatingSystem": "linux",
                                    "kubeProxyVersion": "v1.31.4"}}}


def _workload_status(desired: int, ready: int) -> dict[str, Any]:
    return {"replicas": desired, "readyReplicas": ready, "updatedReplicas": desired,
            "availableReplicas": ready, "observedGeneration": 3}


def deployment(ns: str, name: str, desired: int, ready: int) -> dict[str, Any]:
    return {"metadata": _meta(ns, name, {"app": name}, generation=3),
            "spec": {"replicas": desired, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [container("app", f"shop/{name}:1")]}}},
            "status": _workload_status(desired, ready)}


def replicaset(ns: str, name: str, deploy: str, desired: int, ready: int) -> dict[str, Any]:
    return {"metadata": _meta(ns, name, {"app": deploy}, ("Deployment", deploy)),
            "spec": {"replicas": desired, "selector": {"matchLabels": {"app": deploy}},
                     "template": {"metadata": {"labels": {"app": deploy}},
                                  "spec": {"containers": [container("app", f"shop/{deploy}:1")]}}},
            "status": {"replicas": desired, "readyReplicas": ready, "availableReplicas": ready,
                       "fullyLabeledReplicas": desired, "observedGeneration": 1}}


def statefulset(ns: str, name: str, desired: int, ready: int) -> dict[str, Any]:
    return {"metadata": _meta(ns, name, {"app": name}),
            "spec": {"replicas": desired, "serviceName": name, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [container(name, f"{name}:1")]}}},
            "status": {"replicas": desired, "readyReplicas": ready, "currentReplicas": desired,
                       "updatedReplicas": desired, "availableReplicas": ready}}


def daemonset(ns: str, name: str, desired: int, ready: int) -> dict[str, Any]:
    return {"metadata": _meta(ns, name, {"k8s-app": name}),
            "spec": {"selector": {"matchLabels": {"k8s-app": name}},
                     "template": {"metadata": {"labels": {"k8s-app": name}},
                                  "spec": {"containers": [container(name, f"{name}:1")]}}},
            "status": {"desiredNumberScheduled": desired, "numberReady": ready, "currentNumberScheduled": desired,
                       "numberMisscheduled": 0, "updatedNumberScheduled": desired, "numberAvailable": ready}}


def event(ns: str, name: str, involved: tuple[str, str], type_: str, reason: str, message: str,
          count: int | None = 1, legacy: bool = True) -> dict[str, Any]:
    """legacy=False: written through events.k8s.io (eventTime and series set, timestamps null)."""
    ev: dict[str, Any] = {
        "metadata": {"name": name, "namespace": ns, "creationTimestamp": T0},
        "involvedObject": {"kind": involved[0], "name": involved[1], "namespace": ns, "apiVersion": "v1"},
        "type": type_, "reason": reason, "message": message,
    }
    if legacy:
        ev.update(count=count, firstTimestamp=T0, lastTimestamp=T1, eventTime=None,
                  source={"component": "kubelet", "host": "node-a"})
    else:
        ev.update(eventTime="2026-11-26T11:59:00.123456Z", firstTimestamp=None, lastTimestamp=None,
                  series={"count": 42, "lastObservedTime": "2026-11-26T11:59:30.000000Z"},
                  reportingComponent="default-scheduler", reportingInstance="default-scheduler-cp-1",
                  action="Scheduling", source={})
    return ev


def scenario() -> dict[str, list[dict[str, Any]]]:
    """A cluster mid-incident: checkout-api OOM-crashlooping with a replica gap, and friends."""
    return {
        "namespaces": [{"metadata": {"name": n, "creationTimestamp": T0}, "spec": {"finalizers": ["kubernetes"]},
                        "status": {"phase": "Active"}} for n in ("shop", "kube-system", "monitoring")],
        "pods": scenario_pods(),
        "nodes": [node("node-a"), node("node-b", pressure=("MemoryPressure",)), node("node-c", ready=False)],
        "deployments": [deployment("shop", "checkout-api", 3, 1), deployment("shop", "frontend", 2, 1),
                        deployment("kube-system", "coredns", 1, 1)],
        "replicasets": [replicaset("shop", "checkout-api-7d9f8b6c5d", "checkout-api", 3, 1),
                        replicaset("shop", "frontend-6b8c", "frontend", 2, 1)],
        "statefulsets": [statefulset("monitoring", "prometheus", 1, 1)],
        "daemonsets": [daemonset("kube-system", "kube-proxy", 3, 2)],
        "events": [
            event("shop", "x2x9k.1", ("Pod", "checkout-api-7d9f8b6c5d-x2x9k"), "Warning", "BackOff",
                  "Back-off restarting failed container app in pod checkout-api-7d9f8b6c5d-x2x9k", 57),
            event("shop", "x2x9k.2", ("Pod", "checkout-api-7d9f8b6c5d-x2x9k"), "Normal", "Pulled",
                  f'Container image "registry.example.com/shop/checkout-api:1.42.0" already present {HOSTILE}', 15),
            event("shop", "pend1.1", ("Pod", "checkout-api-7d9f8b6c5d-pend1"), "Warning", "FailedScheduling",
                  "0/3 nodes are available: 3 Insufficient memory.", None, legacy=False),
            event("shop", "zz2p4.1", ("Pod", "frontend-6b8c-zz2p4"), "Warning", "Failed",
                  'Failed to pull image "shop/frontend:9.9.9-typo": not found', 9),
            event("kube-system", "node-b.1", ("Node", "node-b"), "Warning", "EvictionThresholdMet",
                  "Attempting to reclaim memory", 3),
        ],
    }


CRASH_LOG = b"starting checkout-api 1.42.0\nloading catalog cache (2.1 GiB)\n"
PREVIOUS_LOG = (b"starting checkout-api 1.42.0\nloading catalog cache (2.1 GiB)\n"
                b"\x1b]0;pwned\x07[bold]not markup[/bold] \xff\xfe raw bytes\nfatal: out of memory\n")


def seeded_pods(n: int, seed: int = 7, namespaces: int = 50) -> list[dict[str, Any]]:
    """N realistic pods (about 3 KB of JSON each); ~3% of them have a problem."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        ns = f"team-{i % namespaces:02d}"
        app = f"svc-{(i // 7) % 400:03d}"
        img = f"registry.example.com/{ns}/{app}:{rng.randint(1, 40)}.{rng.randint(0, 9)}"
        roll = rng.random()
        owner = ("ReplicaSet", f"{app}-{rng.getrandbits(32):08x}")
        labels = {"app": app, "app.kubernetes.io/name": app, "pod-template-hash": owner[1][-8:],
                  "team": ns}
        name = f"{app}-{i:05d}-{rng.getrandbits(20):05x}"
        node_name = f"node-{rng.randint(0, 99):02d}"
        if roll < 0.01:
            p = pod(ns, name, "Running", [waiting("app", img, "CrashLoopBackOff", "back-off", rng.randint(1, 50),
                                                  ("OOMKilled", 137))], labels=labels, owner=owner,
                    node=node_name, conds=conditions(False))
        elif roll < 0.02:
            p = pod(ns, name, "Pending", [waiting("app", img, "ImagePullBackOff", "Back-off pulling image")],
                    labels=labels, owner=owner, node=node_name, conds=conditions(False))
        elif roll < 0.03:
            p = pod(ns, name, "Pending", [], labels=labels, owner=owner, node="", unstarted=("app", img),
                    conds=conditions(False, False, "0/100 nodes are available: 100 Insufficient cpu."))
        else:
            sidecar = [running("istio-proxy", "istio/proxyv2:1.22.0")] if roll > 0.6 else []
            p = pod(ns, name, "Running", [running("app", img, restarts=rng.randint(0, 2))] + sidecar,
                    labels=labels, owner=owner, node=node_name)
        p["metadata"]["annotations"] = {"kubectl.kubernetes.io/default-container": "app",
                                        "prometheus.io/scrape": "true", "prometheus.io/port": "8080"}
        p["metadata"]["managedFields"] = [{"manager": "kube-controller-manager", "operation": "Update",
                                           "apiVersion": "v1", "time": T0, "fieldsType": "FieldsV1",
                                           "fieldsV1": {"f:metadata": {"f:labels": {"f:app": {}}}}}]
        out.append(p)
    return out
