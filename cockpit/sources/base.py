"""The interfaces every backend implements. All methods block: the UI calls them from thread workers.

A method raises SourceError (or any exception) on failure; the Hub turns failures into SourceHealth
and keeps the last good data, so a source itself never has to remember anything for the UI.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from cockpit.errors import ReadOnlyError as ReadOnlyError  # re-export for compatibility
from cockpit.errors import SourceError as SourceError  # re-export for compatibility
from cockpit.lazyimport import LAZY_IMPORTS as LAZY_IMPORTS  # re-export for compatibility
from cockpit.model import (
    Alert,
    ClusterSummary,
    Event,
    Node,
    Pod,
    PodDescription,
    Silence,
    SilenceRequest,
    SLOStatus,
    Workload,
)


@runtime_checkable
class AlertSource(Protocol):
    name: str
    kind: str  # "alertmanager" | "prometheus" | "demo"

    def fetch_alerts(self) -> list[Alert]: ...


@runtime_checkable
class SilenceBackend(Protocol):
    """An Alertmanager (or the demo): silences can be listed, created and expired."""

    name: str

    def fetch_silences(self) -> list[Silence]: ...

    def create_silence(self, request: SilenceRequest) -> Silence:
        """Create, then read the silence back from the backend and return what it holds."""
        ...

    def expire_silence(self, silence_id: str) -> Silence:
        """Expire, then read back; returns the silence as the backend now reports it."""
        ...


@runtime_checkable
class ClusterSource(Protocol):
    """One Kubernetes context (or the demo cluster)."""

    name: str  # context name

    def list_pods(self) -> list[Pod]: ...

    def list_nodes(self) -> list[Node]: ...

    def list_workloads(self) -> list[Workload]: ...

    def list_events(self, namespace: str | None = None, name: str | None = None) -> list[Event]: ...

    def pod_logs(
        self, namespace: str, name: str, container: str | None = None, previous: bool = False, tail: int = 500
    ) -> str: ...

    def describe_pod(self, namespace: str, name: str) -> PodDescription: ...


@runtime_checkable
class FleetView(Protocol):
    """A source of many clusters at once (kube-state-metrics in one store): per-cluster summaries,
    the drill-down of one cluster, and which cluster's healthy rows to fetch in full."""

    name: str

    def summaries(self) -> list[ClusterSummary]: ...

    def for_cluster(self, cluster: str) -> ClusterSource: ...

    def set_focus(self, cluster: str, namespace: str = "") -> None: ...


class PromQuery(Protocol):
    """An instant and a range query (PrometheusSource, or any Thanos/Mimir/VictoriaMetrics client)."""

    def query(self, promql: str, at: float | None = None) -> list[tuple[dict[str, str], float]]: ...

    def query_range(
        self, promql: str, start: float, end: float, step: float
    ) -> list[tuple[dict[str, str], list[tuple[float, float]]]]: ...


@runtime_checkable
class SLOSource(Protocol):
    name: str

    def fetch_slos(self) -> list[SLOStatus]: ...


# -- optional capabilities: a source has them or not; callers ask with isinstance, never hasattr --------
@runtime_checkable
class Background(Protocol):
    """Starts its own reading thread at launch (a pod watch, the fleet's scrape loop)."""

    def start_watch(self) -> object: ...


@runtime_checkable
class Watching(Protocol):
    """A cluster source kept current by a watch (LIST+WATCH): the UI waits on it instead of polling."""

    def wait_for_change(self, timeout: float) -> bool:
        """Block up to `timeout` s; True when the pod cache changed since the last call."""
        ...


@runtime_checkable
class Closable(Protocol):
    """Holds threads or connections that must end with cockpit."""

    def close(self) -> None: ...


@runtime_checkable
class Checkable(Protocol):
    """`cockpit check`: one line saying what answered (raises on failure)."""

    def check(self) -> str: ...


@runtime_checkable
class BudgetHistory(Protocol):
    """An SLO source that can draw an SLO's budget over its period (the details view's sparkline)."""

    def budget_history_for(self, slo: SLOStatus, points: int = 60) -> list[tuple[float, float]]: ...


@runtime_checkable
class SilenceReader(Protocol):
    """An Alertmanager that reads one silence by id (else the list is searched)."""

    def get_silence(self, silence_id: str) -> Silence: ...


@runtime_checkable
class SilenceEditor(Protocol):
    """An Alertmanager that moves a silence's end (else a new silence replaces it)."""

    def update_silence(self, silence: Silence, ends_at: datetime) -> Silence: ...
