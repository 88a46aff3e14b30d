"""What changed in a cluster, from lists cockpit makes anyway: revisions, ConfigMap edits, warnings.

- ReplicaSets (Deployments) and ControllerRevisions (StatefulSets, DaemonSets) become `Revision`s:
  images and a digest per pod-template part, so analysis.changes can say what a rollout changed.
  Only the two newest revisions of each workload are digested (a Deployment keeps ten).
- ConfigMaps are listed as metadata only (PartialObjectMetadataList): the time of the last write to
  their data comes from `metadata.managedFields[].time`; their data is never read. Secrets are not
  listed at all.
- Warning events through events.k8s.io/v1 (`regarding`, `note`, `series`), filtered server-side.
Lists run at most every REFRESH_S per cluster: rollouts and edits are minutes apart, not seconds.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cockpit.model import Change, Event, Revision
from cockpit.sources.base import SourceError
from cockpit.sources.kube_parse import ts

J = dict[str, Any]
REFRESH_S = 30.0
REVISIONS_KEPT = 2  # per workload: the current one and the one it replaced
MAX_EVENTS = 2000
METADATA_ACCEPT = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"
_EMPTY: J = {}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Pod-template parts a diff names (besides images), per container and for the pod.
_CONTAINER_PARTS = ("env", "envFrom", "command", "args", "resources", "ports", "livenessProbe", "readinessProbe",
                    "startupProbe", "volumeMounts", "securityContext")
_POD_PARTS = ("volumes", "serviceAccountName", "nodeSelector", "affinity", "tolerations", "initContainers",
              "securityContext", "priorityClassName")


def _digest(value: Any) -> str:
    return hashlib.blake2s(json.dumps(value, sort_keys=True, default=str).encode(), digest_size=6).hexdigest()


def config_refs(spec: J) -> list[str]:
    """ConfigMaps a pod template reads (volumes, envFrom, env valueFrom): a change to one may explain it."""
    names = {(v.get("configMap") or _EMPTY).get("name") for v in spec.get("volumes") or ()}
    for v in spec.get("volumes") or ():
        for src in (v.get("projected") or _EMPTY).get("sources") or ():
            names.add((src.get("configMap") or _EMPTY).get("name"))
    for c in [*(spec.get("containers") or ()), *(spec.get("initContainers") or ())]:
        names |= {(e.get("configMapRef") or _EMPTY).get("name") for e in c.get("envFrom") or ()}
        names |= {((e.get("valueFrom") or _EMPTY).get("configMapKeyRef") or _EMPTY).get("name")
                  for e in c.get("env") or ()}
    return sorted(n for n in names if n)


def template_parts(template: J) -> tuple[tuple[tuple[str, str], ...], dict[str, str]]:
    """(images, {part: digest}) of a pod template; parts are named as a diff reads them."""
    spec = template.get("spec") or _EMPTY
    images = tuple((str(c.get("name", "")), str(c.get("image", ""))) for c in spec.get("containers") or ())
    parts: dict[str, str] = {}
    for c in spec.get("containers") or ():
        name = c.get("name", "")
        parts[f"image of {name}"] = str(c.get("image", ""))
        for key in _CONTAINER_PARTS:
            if c.get(key):
                parts[f"{key} of {name}"] = _digest(c[key])
    for key in _POD_PARTS:
        if spec.get(key):
            parts[key] = _digest(spec[key])
    labels = {k: v for k, v in ((template.get("metadata") or _EMPTY).get("labels") or {}).items()
              if k not in ("pod-template-hash", "controller-revision-hash")}
    if labels:
        parts["labels"] = _digest(labels)
    if refs := config_refs(spec):
        parts["configmaps"] = ",".join(refs)
    return images, parts


def _owner(meta: J) -> tuple[str, str]:
    for ref in meta.get("ownerReferences") or ():
        if ref.get("controller"):
            return str(ref.get("kind", "")), str(ref.get("name", ""))
    return "", ""


def _revision_number(meta: J, fallback: Any = 0) -> int:
    ann = (meta.get("annotations") or _EMPTY).get("deployment.kubernetes.io/revision")
    try:
        return int(ann if ann is not None else fallback or 0)
    except (TypeError, ValueError):
        return 0


def light_replicaset(obj: J, context: str) -> tuple[Revision, J] | None:
    """A ReplicaSet owned by a Deployment -> (Revision without digests, its pod template)."""
    meta, spec, st = obj.get("metadata") or _EMPTY, obj.get("spec") or _EMPTY, obj.get("status") or _EMPTY
    kind, name = _owner(meta)
    if kind != "Deployment":
        return None
    labels = meta.get("labels") or _EMPTY
    rev = Revision("ReplicaSet", str(meta.get("namespace", "")), str(meta.get("name", "")), kind, name,
                   _revision_number(meta), ts(meta.get("creationTimestamp")), desired=int(spec.get("replicas") or 0),
                   ready=int(st.get("readyReplicas") or 0), hash=str(labels.get("pod-template-hash", "")),
                   context=context)
    return rev, spec.get("template") or _EMPTY


def light_controller_revision(obj: J, context: str) -> tuple[Revision, J] | None:
    """A ControllerRevision of a StatefulSet/DaemonSet: `data` holds the template (as a patch)."""
    meta = obj.get("metadata") or _EMPTY
    kind, name = _owner(meta)
    if kind not in ("StatefulSet", "DaemonSet"):
        return None
    data = obj.get("data") or _EMPTY
    template = (data.get("spec") or _EMPTY).get("template") or _EMPTY
    labels = meta.get("labels") or _EMPTY
    rname = str(meta.get("name", ""))
    # StatefulSet pods carry the revision's name as controller-revision-hash, DaemonSet pods its hash label
    rhash = rname if kind == "StatefulSet" else str(labels.get("controller-revision-hash", "") or rname)
    rev = Revision("ControllerRevision", str(meta.get("namespace", "")), rname, kind, name,
                   int(obj.get("revision") or 0), ts(meta.get("creationTimestamp")), hash=rhash, context=context)
    return rev, template


def newest_revisions(light: list[tuple[Revision, J]]) -> list[Revision]:
    """The REVISIONS_KEPT newest revisions of each workload, with their template digested."""
    by_owner: dict[tuple[str, str, str], list[tuple[Revision, J]]] = {}
    for rev, template in light:
        by_owner.setdefault((rev.namespace, rev.owner_kind, rev.owner_name), []).append((rev, template))
    out = []
    for revs in by_owner.values():
        revs.sort(key=lambda rt: (rt[0].revision, rt[0].created_at or _EPOCH))
        for rev, template in revs[-REVISIONS_KEPT:]:
            images, parts = template_parts(template)
            out.append(Revision(rev.kind, rev.namespace, rev.name, rev.owner_kind, rev.owner_name, rev.revision,
                                rev.created_at, images, parts, rev.desired, rev.ready, rev.hash, rev.context))
    return out


def configmap_change(obj: J, context: str) -> Change | None:
    """The last write to a ConfigMap's data, from managedFields (who and when); None if never edited."""
    meta = obj.get("metadata") or _EMPTY
    created = ts(meta.get("creationTimestamp"))
    best: tuple[datetime, str, str] | None = None
    for mf in meta.get("managedFields") or ():
        fields = mf.get("fieldsV1") or _EMPTY
        if "f:data" not in fields and "f:binaryData" not in fields:
            continue
        at = ts(mf.get("time"))
        if at is not None and (best is None or at > best[0]):
            best = (at, str(mf.get("manager", "")), str(mf.get("operation", "")))
    if best is None:
        return None
    at, manager, op = best
    ns, name = str(meta.get("namespace", "")), str(meta.get("name", ""))
    verb = "created" if created is not None and abs((at - created).total_seconds()) < 2 else "data changed"
    by = f" by {manager}" if manager else ""
    return Change(at, "configmap", f"configmap {ns}/{name}", f"{verb}{by} ({op or 'Update'}) at {at:%H:%M}",
                  (), {"namespace": ns, "name": name, "manager": manager}, context)


def events_v1(obj: J, context: str) -> Event:
    """events.k8s.io/v1 Event -> the Event model (the same object the core API serves as v1 Event)."""
    meta = obj.get("metadata") or _EMPTY
    reg = obj.get("regarding") or _EMPTY
    series = obj.get("series") or _EMPTY
    created = ts(meta.get("creationTimestamp"))
    first = ts(obj.get("deprecatedFirstTimestamp")) or ts(obj.get("eventTime")) or created
    last = (ts(obj.get("deprecatedLastTimestamp")) or ts(series.get("lastObservedTime"))
            or ts(obj.get("eventTime")) or created)
    return Event(
        namespace=str(meta.get("namespace") or reg.get("namespace", "")),
        involved_kind=str(reg.get("kind", "")),
        involved_name=str(reg.get("name", "")),
        type=str(obj.get("type") or "Normal"),
        reason=str(obj.get("reason") or ""),
        message=str(obj.get("note") or ""),
        count=int(series.get("count") or obj.get("deprecatedCount") or 1),
        first_seen=first,
        last_seen=last,
        source=str(obj.get("reportingController") or (obj.get("deprecatedSource") or _EMPTY).get("component", "")),
        context=context,
    )


def merge_events(events: list[Event], warnings: Iterable[Event]) -> list[Event]:
    """Core events plus the events.k8s.io warnings the core list did not carry (it keeps only the newest
    MAX_EVENTS of every type); oldest first, as list_events returns them."""
    seen = {(e.context, e.namespace, e.involved_kind, e.involved_name, e.reason, e.first_seen) for e in events}
    extra = [w for w in warnings
             if (w.context, w.namespace, w.involved_kind, w.involved_name, w.reason, w.first_seen) not in seen]
    if not extra:
        return events
    return sorted(events + extra, key=lambda e: e.last_seen or _EPOCH)


@dataclass(frozen=True, slots=True)
class ClusterChanges:
    revisions: tuple[Revision, ...] = ()
    changes: tuple[Change, ...] = ()  # ConfigMap edits
    warnings: tuple[Event, ...] = ()  # events.k8s.io/v1 Warning events


class ChangeLister:
    """Per cluster: lists revisions, ConfigMap edits and warning events, at most every REFRESH_S."""

    def __init__(self, list_parsed: Callable[..., tuple[list[Any], str]], context: str,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._list = list_parsed
        self.context = context
        self._clock = clock
        self._lock = threading.Lock()
        self._at: dict[str, float] = {}
        self._cache: dict[str, list[Any]] = {}

    def _cached(self, what: str, fetch: Callable[[], list[Any]]) -> list[Any]:
        with self._lock:
            at = self._at.get(what)
            if at is not None and self._clock() - at < REFRESH_S:
                return self._cache[what]
        value = fetch()  # raises SourceError: the hub keeps the last good value and reports it
        with self._lock:
            self._at[what], self._cache[what] = self._clock(), value
        return value

    def revisions(self) -> list[Revision]:
        def fetch() -> list[Revision]:
            light = [r for r in self._list("replicasets", lambda o: light_replicaset(o, self.context))[0] if r]
            light += [r for r in self._list("controllerrevisions",
                                            lambda o: light_controller_revision(o, self.context))[0] if r]
            return newest_revisions(light)

        return self._cached("revisions", fetch)

    def configmaps(self) -> list[Change]:
        def fetch() -> list[Change]:
            found = self._list("configmaps", lambda o: configmap_change(o, self.context), _accept=METADATA_ACCEPT)[0]
            return [c for c in found if c is not None]

        return self._cached("configmaps", fetch)

    def warning_events(self) -> list[Event]:
        def fetch() -> list[Event]:
            events = self._list("events.k8s.io", lambda o: events_v1(o, self.context), fieldSelector="type=Warning")[0]
            events.sort(key=lambda e: e.last_seen or _EPOCH)
            return events[-MAX_EVENTS:]

        return self._cached("events", fetch)

    def collect(self) -> ClusterChanges:
        """Every part it may read; a part RBAC forbids (or the server lacks) is left out quietly, a part
        that fails otherwise keeps its last data; only when every part fails does this raise."""
        parts: dict[str, list[Any]] = {}
        errors: list[SourceError] = []
        for what, fetch in (("revisions", self.revisions), ("configmaps", self.configmaps),
                            ("events", self.warning_events)):
            try:
                parts[what] = fetch()
            except SourceError as exc:
                text = str(exc).lower()
                if "forbidden" not in text and "not found" not in text and "404" not in text:
                    errors.append(exc)
                with self._lock:
                    parts[what] = self._cache.get(what, [])
        if len(errors) == 3:
            raise errors[0]
        return ClusterChanges(tuple(parts["revisions"]), tuple(parts["configmaps"]), tuple(parts["events"]))


_LISTERS: weakref.WeakKeyDictionary[Any, ChangeLister] = weakref.WeakKeyDictionary()
_LISTERS_LOCK = threading.Lock()


def lister_for(cluster: Any) -> ChangeLister:
    """One ChangeLister per KubeCluster (its list cache lives as long as the cluster)."""
    with _LISTERS_LOCK:
        lister = _LISTERS.get(cluster)
        if lister is None:
            lister = _LISTERS[cluster] = ChangeLister(cluster.list_parsed, cluster.name)
        return lister
