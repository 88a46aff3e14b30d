"""Which incident a row belongs to, for the UI's highlights and Marcus: member keys and an index.

Member keys name rows as incident members do ("pod:ns/name", "pod:ctx:ns/name" with several
contexts, "alert:FP", "slo:service/name", "node:name", "workload:kind/ns/name").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cockpit.analysis.changes import is_multi, node_ref, pod_ref
from cockpit.model import Alert, Incident, Node, Pod, SLOStatus, Snapshot


def member_key_of_pod(snapshot: Snapshot, pod: Pod) -> str:
    return "pod:" + pod_ref(pod, is_multi(snapshot))


def member_key_of_node(snapshot: Snapshot, node: Node) -> str:
    return "node:" + node_ref(node.name, node.context, is_multi(snapshot))


def member_key_of_alert(alert: Alert) -> str:
    return f"alert:{alert.fingerprint}"


def member_key_of_slo(slo: SLOStatus) -> str:
    return f"slo:{slo.service}/{slo.name}"


def incident_of(incidents: Iterable[Incident], key: str) -> Incident | None:
    """The incident a member ("pod:ns/name", "alert:FP", "slo:svc/name", ...) belongs to."""
    return next((i for i in incidents if key in i.members.keys()), None)


def same_incident(incidents: Iterable[Incident], key: str) -> frozenset[str]:
    """The other members of the selected row's incident: what the panes highlight."""
    inc = incident_of(incidents, key)
    return inc.members.keys() - {key} if inc is not None else frozenset()



@dataclass(frozen=True)
class IncidentIndex:
    """Incidents by member, with each incident's rows as the panes key them: built in the findings worker
    so a selection's highlight on the event loop is a few dict lookups, not a scan of 10k pods."""

    multi: bool = False
    by_member: dict[str, str] = field(default_factory=dict)  # member key -> incident id
    alerts: dict[str, frozenset[str]] = field(default_factory=dict)  # incident id -> fingerprints
    pods: dict[str, frozenset[tuple[str, str, str]]] = field(default_factory=dict)  # id -> Pod.key
    slos: dict[str, frozenset[tuple[str, str]]] = field(default_factory=dict)  # id -> SLOStatus.key
    incidents: dict[str, Incident] = field(default_factory=dict)

    def of(self, key: str) -> Incident | None:
        iid = self.by_member.get(key)
        return self.incidents.get(iid) if iid is not None else None

    def key_of_pod(self, pod: Pod) -> str:
        return "pod:" + pod_ref(pod, self.multi)


def index_incidents(snapshot: Snapshot, incidents: Sequence[Incident] | None = None) -> IncidentIndex:
    incs = tuple(snapshot.incidents if incidents is None else incidents)
    multi = is_multi(snapshot)
    wanted = {p for i in incs for p in i.members.pods}
    pod_keys = {}
    if wanted:
        for p in snapshot.pods:
            ref = pod_ref(p, multi)
            if ref in wanted:
                pod_keys[ref] = p.key
    by_member: dict[str, str] = {}
    out = IncidentIndex(multi, by_member)
    for i in incs:
        for key in i.members.keys():
            by_member[key] = i.id
        out.alerts[i.id] = frozenset(i.members.alerts)
        out.pods[i.id] = frozenset(pod_keys[p] for p in i.members.pods if p in pod_keys)
        out.slos[i.id] = frozenset(tuple(s.split("/", 1)) for s in i.members.slos)  # type: ignore[misc]
        out.incidents[i.id] = i
    return out
