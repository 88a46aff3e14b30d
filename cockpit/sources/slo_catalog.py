"""The SLO source the Hub refreshes: every known SLO, from files and from the clusters, computed by the engine.

SLOCatalog is the SLO source the Hub refreshes: it re-reads cluster SLO objects (at most every
`cluster_ttl_s`), merges them with the files (an SLO seen twice is kept once and reported once), and
when Prometheus fails it still lists every known SLO, status `unknown` with the reason, keeping the
numbers last read (they are old: the status says so).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from cockpit.errors import error_text
from cockpit.model import SLOStatus
from cockpit.slo.spec import SLOSpec, merge_specs
from cockpit.sources.base import SourceError
from cockpit.sources.slo_engine import SLOEngine

# A cluster lister: () -> (specs, notes). Notes are one-line health notes (e.g. a forbidden list).
ClusterLister = Callable[[], tuple[list[SLOSpec], list[str]]]


class SLOCatalog(SLOEngine):
    """An SLOEngine whose specs are the files plus the clusters' SLO objects."""

    def __init__(self, files: Iterable[SLOSpec], prom: Any, listers: Sequence[ClusterLister] = (),
                 cluster_ttl_s: float = 60.0, first_wait_s: float = 10.0, **engine: Any) -> None:
        super().__init__(files, prom, **engine)
        self.files = list(self.specs)
        self.listers = list(listers)
        self.cluster_ttl_s = cluster_ttl_s
        self.first_wait_s = first_wait_s
        self.notes: list[str] = []  # shown on the source's health line; never a failure
        self._cluster: list[SLOSpec] = []
        self._cluster_notes: list[str] = []
        self._listed_at: float | None = None
        self._listing: threading.Thread | None = None
        self._list_lock = threading.Lock()
        self._last: dict[tuple[str, str], SLOStatus] = {}
        self._listed: dict[int, list[SLOSpec]] = {}  # per lister, its last good listing (kept when it fails)
        self.unlisted: list[str] = []  # why the last listing of a context failed: its SLOs are unknown

    def refresh_specs(self) -> list[SLOSpec]:
        """Files and cluster objects merged. Cluster objects are re-listed in the background once
        `cluster_ttl_s` has passed, so a hung API server never holds up the numbers of the SLOs already
        known; only the first listing is waited for (at most `first_wait_s`): the first screen has them."""
        now = self.clock()
        due = self._listed_at is None or now - self._listed_at >= self.cluster_ttl_s
        if self.listers and due and self._listing is None:
            first = self._listed_at is None
            self._listed_at = now
            self._listing = threading.Thread(target=self._list_clusters, name="slo-cluster-list", daemon=True)
            self._listing.start()
            if first:
                self.wait_listed(self.first_wait_s)
        with self._list_lock:
            cluster, cluster_notes = self._cluster, self._cluster_notes
        merged, dupes = merge_specs(self.files, cluster)
        self.notes = [*cluster_notes, *dupes]
        self.specs = merged
        return merged

    def wait_listed(self, timeout: float) -> bool:
        """Wait for a cluster listing under way; True when none is running any more."""
        listing = self._listing
        if listing is not None:
            listing.join(timeout)
        return self._listing is None

    def _list_clusters(self) -> None:
        cluster: list[SLOSpec] = []
        notes: list[str] = []
        unlisted: list[str] = []
        try:
            for i, lister in enumerate(self.listers):
                try:
                    found, lister_notes = lister()
                    self._listed[i] = list(found)
                except Exception as exc:  # one context's failure is a note, never the SLOs'; what it
                    found, lister_notes = self._listed.get(i, []), [error_text(exc)]  # listed before stays
                    unlisted.append(error_text(exc))
                cluster += found
                notes += lister_notes
            with self._list_lock:
                self._cluster, self._cluster_notes, self.unlisted = cluster, notes, unlisted
        finally:
            self._listing = None

    def fetch_slos(self) -> list[SLOStatus]:
        self.refresh_specs()
        with self._list_lock:
            unlisted = list(self.unlisted)
        if unlisted and not self.specs:  # nothing known and a context unread: unknown, never "0 SLOs"
            raise SourceError("; ".join(unlisted))
        statuses = super().fetch_slos()
        self._last = {s.key: s for s in statuses}
        return statuses

    def unknown(self, reason: str) -> list[SLOStatus]:
        """Every known SLO when its numbers cannot be read: status unknown, the reason as its error."""
        out = []
        for spec in self.specs:
            last = self._last.get(spec.key) or SLOStatus(
                service=spec.service, name=spec.name, objective=spec.objective, period=spec.period,
                labels=dict(spec.labels), namespace=spec.labels.get("namespace", ""))
            out.append(replace(last, status="unknown", error=reason))
        return out

    def note(self) -> str:
        return "; ".join(self.notes)

    def check(self) -> str:
        """For `cockpit check`: how many SLOs, from where, and the notes (raises when Prometheus fails)."""
        statuses = self.fetch_slos()
        files = {s.key for s in self.files}
        from_cluster = sum(1 for s in statuses if s.key not in files)
        where = f" ({len(statuses) - from_cluster} from files, {from_cluster} from clusters)" if self.listers else ""
        return f"{len(statuses)} SLOs{where}" + (f"; note: {self.note()}" if self.notes else "")
