"""How labels name rows: the matching rules incidents (cockpit.analysis.incidents) join rows with.

An alert's `pod`/`node` labels name its targets; its service-like labels (service, sloth_service, app,
deployment, ...) match a pod's app label or the name of the workload that owns it, and an SLO's
service. Service names match when equal or when one is a dash-prefix of the other ("checkout" ~
"checkout-api"), so a Sloth SLO named after the product still finds the deployment that serves it.
Which rows belong together is decided in one place only, cockpit.analysis.incidents.
"""

from __future__ import annotations

from collections.abc import Iterable

from cockpit.model import Alert, Pod, SLOStatus

# Alert labels that name a service or workload (job is left out: it names the scraper, e.g.
# kube-state-metrics, not the thing in trouble).
SERVICE_LABELS = (
    "service", "sloth_service", "app", "app_kubernetes_io_name", "deployment", "statefulset",
    "daemonset", "container", "workload",
)
_OWNER_KIND = {"ReplicaSet": "deployment", "StatefulSet": "statefulset", "DaemonSet": "daemonset", "Job": "job"}


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
    if lb.get("slo"):  # Pyrra's burn alerts name their objective in `slo` (its namespace may be the metric's)
        return lb["slo"] == slo.name
    if not ns_ok(alert.namespace, slo.namespace):
        return False
    return any_match(alert_services(alert), [slo.service.lower()])


def pod_hits_slo(pod: Pod, slo: SLOStatus, namespaces: set[str] | None = None) -> bool:
    if slo.namespace and slo.namespace != pod.namespace:
        return False
    if not slo.namespace and namespaces and pod.namespace not in namespaces:
        return False
    return any_match(pod_services(pod), [slo.service.lower()])
