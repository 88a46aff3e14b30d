"""The fake apiserver's object store: resource versions, a watch history, compaction.

Objects are kept as plain dicts exactly as the apiserver would serialise them; each object's JSON
(without kind/apiVersion, as in a real list) is cached so a 10,000-pod list is cheap to serve.
"""

from __future__ import annotations

import bisect
import copy
import json
import threading
from dataclasses import dataclass, field
from typing import Any

# resource -> (kind, apiVersion, namespaced)
RESOURCES: dict[str, tuple[str, str, bool]] = {
    "pods": ("Pod", "v1", True),
    "nodes": ("Node", "v1", False),
    "events": ("Event", "v1", True),
    "namespaces": ("Namespace", "v1", False),
    "deployments": ("Deployment", "apps/v1", True),
    "replicasets": ("ReplicaSet", "apps/v1", True),
    "statefulsets": ("StatefulSet", "apps/v1", True),
    "daemonsets": ("DaemonSet", "apps/v1", True),
    "controllerrevisions": ("ControllerRevision", "apps/v1", True),
    "configmaps": ("ConfigMap", "v1", True),
    # Custom resources: served only once FakeKube.install_crd() was called, as after `kubectl apply` of the CRD
    "prometheusservicelevels": ("PrometheusServiceLevel", "sloth.slok.dev/v1", True),
    "servicelevelobjectives": ("ServiceLevelObjective", "pyrra.dev/v1alpha1", True),
}
CUSTOM = {"prometheusservicelevels", "servicelevelobjectives"}
KIND_TO_RESOURCE = {kind: res for res, (kind, _, _) in RESOURCES.items()}

Key = tuple[str, str]  # (namespace, name); namespace "" for cluster-scoped objects


@dataclass
class WatchEvent:
    rv: int
    type: str  # ADDED | MODIFIED | DELETED
    resource: str
    obj: dict[str, Any]


@dataclass
class Store:
    rv: int = 1000
    floor: int = 0  # watches from below this resourceVersion get 410 Gone (etcd compaction)
    objects: dict[str, dict[Key, dict[str, Any]]] = field(default_factory=lambda: {r: {} for r in RESOURCES})
    raw: dict[str, dict[Key, bytes]] = field(default_factory=lambda: {r: {} for r in RESOURCES})
    history: list[WatchEvent] = field(default_factory=list)
    history_rvs: list[int] = field(default_factory=list)
    expire_epoch: int = 0  # bumped to make every open watch end with 410
    watchers: int = 0  # watches open right now
    cut_epoch: int = 0  # bumped to drop every open watch's connection mid-stream
    cond: threading.Condition = field(default_factory=threading.Condition)
    _sorted: dict[str, list[Key]] = field(default_factory=dict)

    @staticmethod
    def key_of(resource: str, obj: dict[str, Any]) -> Key:
        meta = obj["metadata"]
        return (meta.get("namespace", "") if RESOURCES[resource][2] else "", meta["name"])

    def _stamp(self, resource: str, obj: dict[str, Any]) -> dict[str, Any]:
        kind, api_version, _ = RESOURCES[resource]
        obj = {"kind": kind, "apiVersion": api_version, **obj}
        self.rv += 1
        meta = obj.setdefault("metadata", {})
        meta["resourceVersion"] = str(self.rv)
        meta.setdefault("uid", f"uid-{resource}-{meta.get('namespace', '')}-{meta['name']}")
        meta.setdefault("creationTimestamp", "2026-01-01T00:00:00Z")
        return obj

    def _put(self, resource: str, obj: dict[str, Any]) -> Key:
        key = self.key_of(resource, obj)
        if key not in self.objects[resource]:
            self._sorted.pop(resource, None)
        self.objects[resource][key] = obj
        # Built-in list items omit kind/apiVersion; custom resources are stored unstructured and keep them
        body = obj if resource in CUSTOM else {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}
        self.raw[resource][key] = json.dumps(body, separators=(",", ":")).encode()
        return key

    def _record(self, kind: str, resource: str, obj: dict[str, Any]) -> None:
        self.history.append(WatchEvent(self.rv, kind, resource, obj))
        self.history_rvs.append(self.rv)
        self.cond.notify_all()

    # -- mutations (the test's API; the HTTP side is read-only) --------------------------------
    def apply(self, resource: str, obj: dict[str, Any], *, record: bool = True) -> dict[str, Any]:
        """Create or replace; emits ADDED or MODIFIED to watchers."""
        with self.cond:
            obj = self._stamp(resource, copy.deepcopy(obj))
            existed = self.key_of(resource, obj) in self.objects[resource]
            self._put(resource, obj)
            if record:
                self._record("MODIFIED" if existed else "ADDED", resource, obj)
            return obj

    def delete(self, resource: str, namespace: str, name: str) -> None:
        with self.cond:
            key = (namespace if RESOURCES[resource][2] else "", name)
            obj = self.objects[resource].pop(key)
            self.raw[resource].pop(key)
            self._sorted.pop(resource, None)
            self.rv += 1
            gone = {**obj, "metadata": {**obj["metadata"], "resourceVersion": str(self.rv)}}
            self._record("DELETED", resource, gone)

    def bulk_load(self, resource: str, objs: list[dict[str, Any]]) -> None:
        """Load many objects without watch history (as if they predate every open watch)."""
        with self.cond:
            for obj in objs:
                self._put(resource, self._stamp(resource, obj))
            self.compact()

    def compact(self) -> None:
        """Forget history: watches from an older resourceVersion now get 410 Gone."""
        with self.cond:
            self.floor = self.rv
            self.history.clear()
            self.history_rvs.clear()

    def expire_watches(self) -> None:
        """Compact and make every open watch end with an ERROR 410 event, as after etcd compaction."""
        with self.cond:
            self.compact()
            self.expire_epoch += 1
            self.cond.notify_all()

    def cut_watches(self) -> None:
        """Drop open watch connections without a proper end, as a load balancer's idle timeout does."""
        with self.cond:
            self.cut_epoch += 1
            self.cond.notify_all()

    # -- reads ----------------------------------------------------------------------------------
    def sorted_keys(self, resource: str) -> list[Key]:
        keys = self._sorted.get(resource)
        if keys is None:
            keys = self._sorted[resource] = sorted(self.objects[resource])
        return keys

    def events_after(self, rv: int) -> list[WatchEvent]:
        return self.history[bisect.bisect_right(self.history_rvs, rv):]
