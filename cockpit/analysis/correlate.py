"""Which alerts, pods and SLOs belong together: what to highlight when one row is selected.

Links are made the way an SRE reads labels: an alert's `pod`/`node` labels name its targets; its
service-like labels (service, sloth_service, app, deployment, ...) match a pod's app label or the name
of the workload that owns it, and an SLO's service. Service names match when equal or when one is a
dash-prefix of the other ("checkout" ~ "checkout-api"), so a Sloth SLO named after the product still
finds the deployment that serves it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cockpit.model import Alert, Pod, SLOStatus, Snapshot

# Alert labels that name a service or workload (job is left out: it names the scraper, e.g.
# kube-state-metrics, not the thing in trouble).
SERVICE_LABELS = (
    "service", "sloth_service", "app", "app_kubernetes_io_name", "deployment", "statefulset",
    "daemonset", "container", "workload",
)
_OWNER_KIND = {"ReplicaSet": "deployment", "StatefulSet": "statefulset", "DaemonSet": "daemonset", "Job": "job"}


@dataclass(frozen=True)
class Related:
    alerts: frozenset[str] = frozenset()  # fingerprints
    pods: frozenset[tuple[str, str, str]] = frozenset()  # Pod.key
    slos: frozenset[tuple[str, str]] = frozenset()  # SLOStatus.key


def workload_of(pod: Pod) -> tuple[str, str]:
    """(kind, name) of the workload that owns a pod: the ReplicaSet's hash is cut to its Deployment."""
    kind = _OWNER_KIND.get(pod.owner_kind, pod.owner_kind.lower() or "pod")
    name = pod.owner_name or pod.name
    if pod.owner_kind == "ReplicaSet":
        pth = pod.labels.get("pod-template-hash", "")
        if pth and name.endswith("-" + pth):
            name = name[: -len(pth) - 1]
        elif "-" in name:
            name = name.rsplit("-", 1)[0]
    elif not pod.owner_kind:
        name = pod.name
    return kind, name


def pod_services(pod: Pod) -> set[str]:
    names = {pod.service, workload_of(pod)[1]}
    return {n.lower() for n in names if n}


def alert_services(alert: Alert) -> set[str]:
    return {alert.labels[k].lower() for k in SERVICE_LABELS if alert.labels.get(k)}


def names_match(a: str, b: str) -> bool:
    """Equal, or one is the other plus a dash suffix ("checkout" ~ "checkout-api")."""
    if not a or not b:
        return False
    return a == b or a.startswith(b + "-") or b.startswith(a + "-")


def any_match(left: Iterable[str], right: Iterable[str]) -> bool:
    right = list(right)
    return any(names_match(a, b) for a in left for b in right)


def ns_ok(a: str, b: str) -> bool:
    """Namespaces agree, or one side does not say."""
    return not a or not b or a == b


def alert_hits_pod(alert: Alert, pod: Pod) -> bool:
    lb = alert.labels
    if not ns_ok(alert.namespace, pod.namespace):
        return False
    if lb.get("pod"):
        return lb["pod"] == pod.name
    if lb.get("node") and not alert.namespace:
        return lb["node"] == pod.node
    return bool(alert.namespace) and any_match(alert_services(alert), pod_services(pod))


def alert_hits_slo(alert: Alert, slo: SLOStatus) -> bool:
    lb = alert.labels
    if lb.get("sloth_service"):
        return lb["sloth_service"] == slo.service and lb.get("sloth_slo", slo.name) == slo.name
    if not ns_ok(alert.namespace, slo.namespace):
        return False
    return any_match(alert_services(alert), [slo.service.lower()])


def pod_hits_slo(pod: Pod, slo: SLOStatus, namespaces: set[str] | None = None) -> bool:
    if slo.namespace and slo.namespace != pod.namespace:
        return False
    if not slo.namespace and namespaces and pod.namespace not in namespaces:
        return False
    return any_match(pod_services(pod), [slo.service.lower()])


def related(
    snapshot: Snapshot, *, alert: Alert | None = None, pod: Pod | None = None, slo: SLOStatus | None = None
) -> Related:
    """Rows of the other panes linked to the selected alert, pod or SLO (the selection itself excluded)."""
    if alert is not None:
        slos = [s for s in snapshot.slos if alert_hits_slo(alert, s)]
        pods = {p.key for p in snapshot.pods if alert_hits_pod(alert, p)}
        if alert.labels.get("pod"):  # a per-pod alert also lights the pod's siblings' SLOs
            target = next((p for p in snapshot.pods if p.key in pods), None)
            if target is not None:
                slos += [s for s in snapshot.slos if pod_hits_slo(target, s)]
        peers = {a.fingerprint for a in snapshot.alerts if a.fingerprint != alert.fingerprint
                 and any(alert_hits_slo(a, s) for s in slos)}
        return Related(frozenset(peers), frozenset(pods), frozenset(s.key for s in slos))
    if pod is not None:
        slos = {s.key for s in snapshot.slos if pod_hits_slo(pod, s)}
        # an alert about one pod (pod label) stays with that pod even when it shares the SLO
        alerts = {a.fingerprint for a in snapshot.alerts if alert_hits_pod(a, pod) or (
            not a.labels.get("pod") and any(alert_hits_slo(a, s) for s in snapshot.slos if s.key in slos))}
        return Related(frozenset(alerts), frozenset(), frozenset(slos))
    if slo is not None:
        alerts = [a for a in snapshot.alerts if alert_hits_slo(a, slo)]
        namespaces = {a.namespace for a in alerts if a.namespace}
        pods = {p.key for p in snapshot.pods if pod_hits_slo(p, slo, namespaces)}
        return Related(frozenset(a.fingerprint for a in alerts), frozenset(pods), frozenset())
    return Related()
