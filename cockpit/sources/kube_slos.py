"""SLOs kept as objects in the cluster: Sloth PrometheusServiceLevel and Pyrra ServiceLevelObjective,
listed in all namespaces of a context and read into SLOSpecs.

A CRD that is not installed (404) is simply absent; a forbidden list (403) or an object whose spec
cockpit cannot read becomes a one-line note. When no list could be read at all (the API server does
not answer, every list is forbidden) the lister raises: the context's SLOs are unknown, not zero. The
catalog catches it; the pods pane owns the context's health and never fails because of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from cockpit.analysis.sanitize import sanitize_line
from cockpit.config import ConfigError
from cockpit.slo.spec import SLOSpec, specs_from_documents
from cockpit.sources.base import SourceError
from cockpit.sources.kube_errors import Action, ForbiddenError, NotFoundError

PAGE_SIZE = 500


@dataclass(frozen=True)
class CRD:
    group: str
    version: str
    plural: str
    kind: str
    reader: str  # spec kind for cockpit.slo.spec.specs_from_documents

    def path(self, namespace: str = "") -> str:
        ns = f"/namespaces/{quote(namespace, safe='')}" if namespace else ""
        return f"/apis/{self.group}/{self.version}{ns}/{self.plural}"


CRDS = (
    CRD("sloth.slok.dev", "v1", "prometheusservicelevels", "PrometheusServiceLevel", "sloth"),
    CRD("pyrra.dev", "v1alpha1", "servicelevelobjectives", "ServiceLevelObjective", "pyrra"),
)


def list_objects(cluster: Any, crd: CRD, namespace: str = "") -> list[dict[str, Any]]:
    """Every object of one custom resource ("" = all namespaces), paged. Raises NotFoundError (CRD
    absent), ForbiddenError or SourceError."""
    action = Action("list", f"{crd.plural}.{crd.group}", namespace)
    out: list[dict[str, Any]] = []
    cont = ""
    while True:
        page = cluster._get_json(action, crd.path(namespace), limit=PAGE_SIZE, **{"continue": cont})
        if not isinstance(page, dict):
            raise SourceError(f"kubernetes {cluster.name}: unreadable {crd.plural} list")
        out += [o for o in page.get("items") or () if isinstance(o, dict)]
        cont = (page.get("metadata") or {}).get("continue") or ""
        if not cont:
            return out


def _list(cluster: Any, crd: CRD) -> list[dict[str, Any]]:
    """All namespaces; when RBAC allows only the namespace cockpit was pointed at (--namespace), that one."""
    try:
        return list_objects(cluster, crd)
    except ForbiddenError:
        if not getattr(cluster, "namespace", ""):
            raise
        return list_objects(cluster, crd, cluster.namespace)


def _source(context: str, crd: CRD, obj: dict[str, Any]) -> str:
    meta = obj["metadata"] if isinstance(obj.get("metadata"), dict) else {}
    where = f"{meta.get('namespace', '')}/{meta.get('name', '?')}".lstrip("/")
    return sanitize_line(f"cluster {context}: {crd.kind} {where}", 300)


def cluster_slos(cluster: Any) -> tuple[list[SLOSpec], list[str]]:
    """(specs, notes) of one context; raises SourceError when none of its SLO lists could be read."""
    specs: list[SLOSpec] = []
    notes: list[str] = []
    listed = False  # some list answered (404 included: that CRD is known to be absent)
    for crd in CRDS:
        try:
            objects = _list(cluster, crd)
        except NotFoundError:
            listed = True
            continue  # the CRD is not installed: this cluster keeps no such SLOs
        except ForbiddenError as exc:
            notes.append(sanitize_line(f"{crd.kind}: {' '.join(str(exc).split())}", 300))
            continue
        except SourceError as exc:  # the API server is not answering: the pods pane says so; no 2nd wait
            notes.append(sanitize_line(f"{crd.kind}: {' '.join(str(exc).split())}", 300))
            break
        listed = True
        for obj in objects:
            obj.setdefault("kind", crd.kind)
            obj.setdefault("apiVersion", f"{crd.group}/{crd.version}")
            try:
                specs += specs_from_documents([(_source(cluster.name, crd, obj), obj, crd.reader)])
            except ConfigError as exc:  # one bad object: noted, the others still count
                notes.append(sanitize_line(str(exc), 300))
    if not listed:
        raise SourceError(f"SLO objects of context {cluster.name} could not be listed: {'; '.join(notes)}")
    return specs, notes


def lister(cluster: Any) -> Any:
    """A cockpit.slo.catalog.ClusterLister for one context."""
    return lambda: cluster_slos(cluster)
