"""The Hub gathers every configured source behind three refresh calls and the silence actions.

Each refresh call blocks (run it in a thread worker), never raises for a backend failure, keeps the
last good data of a failing source and reports every source's health. Actions are refused in
read-only mode and written to the audit log with the result read back from the backend.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from cockpit.audit import AuditLog
from cockpit.errors import error_text as error_text  # re-export for compatibility
from cockpit.model import (
    Alert,
    Change,
    ClusterSummary,
    Event,
    Finding,
    Node,
    Pod,
    Revision,
    Silence,
    SilenceRequest,
    SLOStatus,
    Snapshot,
    SourceHealth,
    Workload,
    severity_rank,
    utcnow,
)
from cockpit.sources.base import (
    AlertSource,
    Background,
    ClusterSource,
    FleetView,
    PromQuery,
    ReadOnlyError,
    SilenceBackend,
    SilenceEditor,
    SilenceReader,
    SLOSource,
    SourceError,
)
from cockpit.sources.kube_changes import merge_events

T = TypeVar("T")


class NoChangeError(SourceError):
    """An action found nothing to do (the silence had already expired): said plainly, and audited as
    such, never as a success."""


@dataclass(frozen=True, slots=True)
class AlertsResult:
    alerts: tuple[Alert, ...]
    silences: tuple[Silence, ...]
    health: dict[str, SourceHealth]


@dataclass(frozen=True, slots=True)
class PodsResult:
    pods: tuple[Pod, ...]
    nodes: tuple[Node, ...]
    workloads: tuple[Workload, ...]
    events: tuple[Event, ...]
    health: dict[str, SourceHealth]
    clusters: tuple[ClusterSummary, ...] = ()  # the fleet's per-cluster summary (--pods-from prometheus)
    revisions: tuple[Revision, ...] = ()  # cockpit.sources.kube_changes: rollouts' templates
    changes: tuple[Change, ...] = ()  # what a cluster reported changed itself (ConfigMap edits)


@dataclass(frozen=True, slots=True)
class SLOResult:
    slos: tuple[SLOStatus, ...]
    health: dict[str, SourceHealth]


def source_reason(text: str, name: str, kind: str = "") -> str:
    """The error without the source's own name in front: wherever it is shown, the name sits beside
    it already ('✖ prometheus http://x: cannot connect', not the name twice). A host the message
    carried after the name ('kubernetes prod (https://…): refused') is kept at the end."""
    lead = f"(?:{re.escape(kind)} )?" if kind else ""
    m = re.match(rf"{lead}{re.escape(name)}(?: \(([^()]*)\))?: (.+)", text, re.DOTALL)
    if m is None:
        return text
    host, rest = m.groups()
    return f"{rest} ({host})" if host else rest


@dataclass(frozen=True, slots=True)
class Coverage:
    """What a count of alerts, pods or SLOs can be trusted to mean, given its sources' health.

    state: ok | stale (some source failing; its last data shown) | unknown (no source ever answered:
    a count would read as "nothing there") | not configured | waiting (no answer yet, no failure)."""

    state: str
    reason: str = ""

    @property
    def known(self) -> bool:
        """A count may be shown (it may be old: see stale)."""
        return self.state in ("ok", "stale")

    @property
    def stale(self) -> bool:
        return self.state in ("stale", "unknown")


def failing_reason(health: Sequence[SourceHealth], limit: int = 2) -> str:
    """The failures of a group of sources, each named when the group has several."""
    bad = [h for h in health if not h.ok]
    if len(health) < 2:
        return "; ".join(h.error or "error" for h in bad[:limit])
    return "; ".join(f"{h.label}: {h.error or 'error'}" for h in bad[:limit])


def coverage(health: Sequence[SourceHealth], configured: bool = True) -> Coverage:
    """Coverage of the data a group of sources feeds (every alert source, every context, ...)."""
    if not configured:
        return Coverage("not configured")
    if not health:
        return Coverage("waiting")
    if all(h.ok for h in health):
        return Coverage("ok")
    answered = any(h.ok or h.last_ok is not None for h in health)
    return Coverage("stale" if answered else "unknown", failing_reason(health))


def unread_text(cov: Mapping[str, Coverage]) -> str:
    """What could not be read, for a summary that found nothing: 'pods could not be read: <why>'
    ("" when every configured source answered). Zero incidents means "none found", not "all clear",
    while a source is stale or unknown."""
    return "; ".join(f"{kind} could not be read" + (f": {c.reason}" if c.reason else "")
                     for kind, c in cov.items() if c.stale)


def assemble_snapshot(a: AlertsResult, p: PodsResult, s: SLOResult, *, taken_at: datetime,
                      contexts: tuple[str, ...], demo: bool, findings: tuple[Finding, ...] = ()) -> Snapshot:
    """The one place the three refresh results become a Snapshot (the CLI's and the screen's)."""
    return Snapshot(taken_at=taken_at, alerts=a.alerts, silences=a.silences, pods=p.pods, events=p.events,
                    nodes=p.nodes, workloads=p.workloads, slos=s.slos, findings=findings,
                    sources={**a.health, **p.health, **s.health}, contexts=contexts, demo=demo,
                    clusters=p.clusters, revisions=p.revisions, changes=p.changes)


def order_alerts(alerts: Iterable[Alert]) -> list[Alert]:
    """Severity first, then the oldest first (it has been burning longest)."""
    far = utcnow()
    return sorted(alerts, key=lambda a: (severity_rank(a.severity), a.starts_at or far, a.name, a.fingerprint))


def merge_alerts(per_source: Iterable[list[Alert]]) -> list[Alert]:
    """Deduplicate alerts of several Alertmanagers (an HA pair reports the same ones) by fingerprint.

    When replicas disagree, the one that still says firing wins: a silence that reached only one
    replica must not hide an alert that is paging on the other.
    """
    rank = {"firing": 0, "pending": 1, "inhibited": 2, "silenced": 3}
    merged: dict[str, Alert] = {}
    for alerts in per_source:
        for alert in alerts:
            seen = merged.get(alert.fingerprint)
            if seen is None or rank.get(alert.state, 9) < rank.get(seen.state, 9):
                merged[alert.fingerprint] = alert
    return order_alerts(merged.values())


@dataclass
class Hub:
    alert_sources: list[AlertSource] = field(default_factory=list)
    silence_backends: list[SilenceBackend] = field(default_factory=list)
    clusters: list[ClusterSource] = field(default_factory=list)
    slo_sources: list[SLOSource] = field(default_factory=list)
    readonly: bool = False
    demo: bool = False
    audit: AuditLog | None = None
    # Why silencing is unavailable (e.g. only Prometheus configured); shown instead of a dialog.
    silence_unavailable: str = ""
    clock: Callable[[], datetime] = utcnow  # the demo runs on a simulated clock
    prometheus: PromQuery | None = None  # for Marcus's tools, when configured
    changes_window_s: float = 7200.0  # config changes_window: how far back "what changed" looks
    _previous: Snapshot | None = None  # the last snapshot(): changes seen while running, stable incident ids
    _last: dict[str, Any] = field(default_factory=dict)
    _health: dict[str, SourceHealth] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- health bookkeeping -------------------------------------------------------------------
    def _call(self, name: str, kind: str, fn: Callable[[], T], default: T, owner: str = "") -> T:
        """Run one fetch; on failure return the last good value and record the error.

        Health is kept per source name; last data per (name, fetch) so two fetches of one source
        never mix their results. `owner`: the source's own name, kept out of the error text.
        """
        owner = owner or name.split("\0")[0]
        slot = f"{name}\0{getattr(fn, '__name__', '')}"
        now = utcnow()
        try:
            value = fn()
        except Exception as exc:  # a failing backend is normal on a bad day
            with self._lock:
                prev = self._health.get(name)
                self._health[name] = SourceHealth(
                    name, kind, ok=False, error=source_reason(error_text(exc), owner, kind),
                    last_ok=prev.last_ok if prev else None,
                    checked_at=now,
                )
                return self._last.get(slot, default)
        with self._lock:
            self._last[slot] = value
            self._health[name] = SourceHealth(name, kind, ok=True, last_ok=now, checked_at=now)
        return value

    def health(self) -> dict[str, SourceHealth]:
        with self._lock:
            return dict(self._health)

    def _subset(self, names: Iterable[str]) -> dict[str, SourceHealth]:
        with self._lock:
            return {n: self._health[n] for n in names if n in self._health}

    def coverage(self, sources: Mapping[str, SourceHealth]) -> dict[str, Coverage]:
        """Per kind of data (alerts, pods, slos): can its count be trusted? From a snapshot's health."""
        feeds = {"alerts": [s.name for s in self.alert_sources], "pods": [c.name for c in self.clusters],
                 "slos": [s.name for s in self.slo_sources]}
        return {kind: coverage([sources[n] for n in dict.fromkeys(names) if n in sources], bool(names))
                for kind, names in feeds.items()}

    # -- refreshes ------------------------------------------------------------------------------
    def refresh_alerts(self) -> AlertsResult:
        # Replicas are asked in parallel: an HA pair costs one round trip, not two.
        with ThreadPoolExecutor(max_workers=max(1, len(self.alert_sources))) as pool:
            per_source = list(pool.map(lambda s: self._call(s.name, s.kind, s.fetch_alerts, list[Alert]()),
                                       self.alert_sources))
        silences: dict[str, Silence] = {}
        for b in self.silence_backends:
            key = f"{b.name} silences"
            for s in self._call(key, "alertmanager", b.fetch_silences, list[Silence](), owner=b.name):
                silences.setdefault(s.id, s)
            # silences share the backend's health line
            with self._lock:
                h = self._health.pop(key, None)
                if h is not None and not h.ok and self._health.get(b.name, h).ok:
                    self._health[b.name] = replace(h, name=b.name)
        names = [s.name for s in self.alert_sources] + [b.name for b in self.silence_backends]
        order = {"active": 0, "pending": 1, "expired": 2}
        sil = sorted(silences.values(), key=lambda s: (order.get(s.state, 3), s.ends_at))
        return AlertsResult(tuple(merge_alerts(per_source)), tuple(sil), self._subset(names))

    def _cached(self, name: str, fn: Callable[[], T], default: T) -> T:
        return self._last.get(f"{name}\0{getattr(fn, '__name__', '')}", default)

    def start_watches(self) -> None:
        """Start each context's LIST+WATCH pod cache (idempotent; the I/O runs in its own thread), so
        the first list of a big cluster overlaps the UI's imports and mount instead of following them."""
        for c in self.clusters:
            if isinstance(c, Background):
                c.start_watch()

    def refresh_pods(self, pods_only: bool = False) -> PodsResult:
        """All lists of every context; `pods_only` re-reads just the pods (a watch saw a change)."""
        pods: list[Pod] = []
        nodes: list[Node] = []
        workloads: list[Workload] = []
        events: list[Event] = []
        revisions: list[Revision] = []
        changes: list[Change] = []
        for c in self.clusters:
            pods += self._call(c.name, "kubernetes", c.list_pods, [])
            lists: tuple[tuple[str, Callable[[], list[Any]], list[Any]], ...] = (
                (f"{c.name}\0nodes", c.list_nodes, nodes), (f"{c.name}\0workloads", c.list_workloads, workloads),
                     (f"{c.name}\0events", c.list_events, events))
            down = pods_only
            for name, fn, into in lists:
                if down:  # a watch update, or the apiserver already failed to answer: last data
                    into += self._cached(name, fn, [])
                    continue
                into += self._call(name, "kubernetes", fn, [])
                h = self.health().get(name)
                down = h is not None and not h.ok and "forbidden" not in h.error.lower()
            if (changes_of := getattr(c, "list_changes", None)) is not None:  # cockpit.sources.kube_changes
                slot = f"{c.name}\0changes"
                got = self._cached(slot, changes_of, None) if down else self._call(slot, "kubernetes", changes_of, None)
                if got is not None:
                    revisions += got.revisions
                    changes += got.changes
                    events = merge_events(events, got.warnings)
        # Secondary lists (nodes, workloads, events) may be forbidden by RBAC: that only adds its
        # text. Any other failure means the API server is not answering, and the pods a watch cache
        # still serves may be old: the context is stale.
        health = self._subset(c.name for c in self.clusters)
        for c in self.clusters:
            for extra in ("nodes", "workloads", "events"):
                h = self.health().get(f"{c.name}\0{extra}")
                if h is not None and not h.ok and c.name in health and health[c.name].ok:
                    denied = "forbidden" in h.error.lower()
                    health[c.name] = replace(health[c.name], ok=denied, error=f"{extra}: {h.error}")
        fleet = tuple(s for c in self.clusters if isinstance(c, FleetView) for s in c.summaries())
        return PodsResult(tuple(pods), tuple(nodes), tuple(workloads), tuple(events), health, fleet,
                          tuple(revisions), tuple(changes))

    def refresh_slos(self) -> SLOResult:
        slos: list[SLOStatus] = []
        for s in self.slo_sources:
            slos += self._settle_slos(s, self._call(s.name, "slo", s.fetch_slos, []))
        probed = self._probe_prometheus()
        return SLOResult(tuple(slos), self._subset([*(s.name for s in self.slo_sources), *probed]))

    def _probe_prometheus(self) -> list[str]:
        """A configured Prometheus always has a health line. When Alertmanager brings the alerts,
        nothing else reports for it (SLO burn, Marcus's PromQL and the hand-over's history use it):
        probe it with the SLOs (its name, or nothing when an alert source already reports it)."""
        prom = self.prometheus
        name = getattr(prom, "name", "")
        check = getattr(prom, "check", None)
        if prom is None or not name or check is None or any(s.name == name for s in self.alert_sources):
            return []
        self._call(name, "prometheus", check, "")
        return [name]

    def _settle_slos(self, source: SLOSource, got: list[SLOStatus]) -> list[SLOStatus]:
        """An SLO source that cannot read its numbers still lists every SLO it knows, status unknown
        (cockpit.slo.catalog); its notes (a forbidden SLO list, duplicates) ride on a healthy line."""
        with self._lock:
            h = self._health.get(source.name)
            unknown, note = getattr(source, "unknown", None), getattr(source, "note", None)
            if h is not None and not h.ok and unknown is not None:
                return list(unknown(h.error))
            text = note() if h is not None and h.ok and note is not None else ""
            if text and h is not None:
                self._health[source.name] = replace(h, error=text)
        return got

    def snapshot(self) -> Snapshot:
        """Everything at once, the three refreshes in parallel; findings computed from the result."""
        from cockpit.analysis.analyzers import analyze
        from cockpit.analysis.incidents import with_incidents

        with ThreadPoolExecutor(max_workers=3) as pool:
            fa = pool.submit(self.refresh_alerts)
            fp = pool.submit(self.refresh_pods)
            fs = pool.submit(self.refresh_slos)
            a, p, s = fa.result(), fp.result(), fs.result()
        snap = assemble_snapshot(a, p, s, taken_at=self.clock(), contexts=tuple(c.name for c in self.clusters),
                                 demo=self.demo)
        snap = with_incidents(replace(snap, findings=tuple(analyze(snap))), self._previous, self.changes_window_s)
        self._previous = snap  # SLO status and scale changes are seen between snapshots; incident ids kept
        return snap

    def cluster(self, context: str) -> ClusterSource:
        for c in self.clusters:
            if c.name == context or not context:
                return c
        for c in self.clusters:  # a fleet pod's context is its cluster: drill down through the fleet
            if isinstance(c, FleetView):
                return c.for_cluster(context)
        raise SourceError(f"no cluster context named {context!r}")

    # -- actions -------------------------------------------------------------------------------
    def _act(self, action: str, detail: dict[str, Any], fn: Callable[[], Silence]) -> Silence:
        if self.readonly:
            if self.audit:
                self.audit.record(action, detail, result="refused: read-only")
            raise ReadOnlyError(f"{action} refused: cockpit runs with --readonly")
        if not self.silence_backends:
            raise SourceError(self.silence_unavailable or "no Alertmanager configured: silencing is unavailable")
        pending = self.audit.begin(action, detail) if self.audit else None
        try:
            result = fn()
        except NoChangeError as exc:
            if self.audit:
                self.audit.finish(pending, action, detail, result=f"no change: {exc}")
            raise
        except Exception as exc:
            if self.audit:
                self.audit.finish(pending, action, detail, result=f"error: {error_text(exc)}")
            raise
        if self.audit:
            self.audit.finish(pending, action, detail, result=f"ok: {result.state} {result.id}")
        return result

    def create_silence(self, request: SilenceRequest) -> Silence:
        detail = {
            "matchers": [str(m) for m in request.matchers],
            "duration_s": request.duration_s,
            "comment": request.comment,
            "created_by": request.created_by,
        }

        def create() -> Silence:
            errors = []
            for b in self.silence_backends:  # replicas gossip silences: the first that takes it is enough
                try:
                    return b.create_silence(request)
                except Exception as exc:
                    errors.append(f"{b.name}: {source_reason(error_text(exc), b.name)}")
            raise SourceError("; ".join(errors))

        return self._act("silence", detail, create)

    def read_silence(self, silence_id: str) -> Silence | None:
        """The silence as a backend holds it now (None when no backend knows it)."""
        for b in self.silence_backends:
            try:
                found = b.get_silence(silence_id) if isinstance(b, SilenceReader) else \
                    next((s for s in b.fetch_silences() if s.id == silence_id), None)
            except Exception:  # try the next replica
                continue
            if found is not None:
                return found
        return None

    def _already_expired(self, prior: Silence) -> NoChangeError:
        """"already expired by 14:02:11 UTC (alice@host)": who, when the audit log knows it."""
        who = ""
        if self.audit:
            try:
                done = [e for e in self.audit.entries() if e.get("action") == "expire"
                        and (e.get("detail") or {}).get("silence_id") == prior.id and str(e.get("result", "")).startswith("ok")]
            except (OSError, ValueError):
                done = []
            who = f" ({done[-1].get('who')})" if done else ""
        return NoChangeError(f"silence {prior.id[:8]} already expired by {prior.ends_at:%H:%M:%S} UTC{who}")

    def extend_silence(self, silence_id: str, ends_at: datetime) -> Silence:
        """Move a live silence's end; the result is read back and must hold the new end."""
        prior = self.read_silence(silence_id)
        detail = {"silence_id": silence_id, "ends_at": ends_at.isoformat(),
                  "previous_ends_at": prior.ends_at.isoformat() if prior else None}

        def extend() -> Silence:
            if prior is None:
                raise SourceError(f"silence {silence_id[:8]} not found in any Alertmanager")
            if prior.state == "expired":
                raise self._already_expired(prior)
            if ends_at <= utcnow():
                raise SourceError("the new end must be in the future")
            errors = []
            for b in self.silence_backends:
                try:
                    if isinstance(b, SilenceEditor):
                        result = b.update_silence(prior, ends_at)
                    else:  # a backend that cannot edit: a new silence with the same matchers, the old one expired
                        seconds = int((ends_at - utcnow()).total_seconds())
                        result = b.create_silence(SilenceRequest(prior.matchers, seconds, prior.created_by, prior.comment))
                        if result.id != prior.id:
                            b.expire_silence(prior.id)
                except Exception as exc:
                    errors.append(f"{b.name}: {source_reason(error_text(exc), b.name)}")
                    continue
                if abs((result.ends_at - ends_at).total_seconds()) > 2:
                    raise SourceError(f"{b.name} holds the end {result.ends_at:%H:%M:%S} UTC, not the one asked for")
                return result
            raise SourceError("; ".join(errors))

        return self._act("extend", detail, extend)

    def expire_silence(self, silence_id: str) -> Silence:
        def expire() -> Silence:
            prior = self.read_silence(silence_id)  # never claim an expiry someone else (or time) already did
            if prior is not None and prior.state == "expired":
                raise self._already_expired(prior)
            errors = []
            for b in self.silence_backends:
                try:
                    return b.expire_silence(silence_id)
                except Exception as exc:
                    errors.append(f"{b.name}: {source_reason(error_text(exc), b.name)}")
            raise SourceError("; ".join(errors))

        return self._act("expire", {"silence_id": silence_id}, expire)
