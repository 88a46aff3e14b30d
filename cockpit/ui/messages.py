"""Typed messages: what a worker thread hands back to the event loop, one class (and handler) per result."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from cockpit.advisor.policy import Decision
from cockpit.analysis.incidents import IncidentIndex
from cockpit.model import Change, Finding, Incident
from cockpit.sources.hub import AlertsResult, PodsResult, SLOResult
from cockpit.ui.panes.pods import PodsView


# Textual's Message initialises dataclasses in __post_init__; eq=False keeps messages hashable.
@dataclass(eq=False)
class AlertsLoaded(Message):
    """Alerts and silences read; `action` when read back after a silence change (no timer re-armed)."""

    result: AlertsResult
    action: bool = False


@dataclass(eq=False)
class PodsLoaded(Message):
    """Pods (and, unless from the watch, nodes, workloads and events) read and ranked in the worker."""

    result: PodsResult
    view: PodsView | None = None  # rows ranked in the worker thread
    seq: int = 0  # when the read began: an older read must not replace a newer one
    watch: bool = False  # from the watch loop: no timer re-armed, backpressure released on paint


@dataclass(eq=False)
class SLOsLoaded(Message):
    """SLO statuses computed from the metrics source."""

    result: SLOResult


@dataclass(eq=False)
class FindingsReady(Message):
    """Analyzers ran on the newest state; `decision` is None while not every source has reported."""

    findings: tuple[Finding, ...]
    decision: Decision | None = None
    incidents: tuple[Incident, ...] = ()  # with the changes of the window they were built from
    changes: tuple[Change, ...] = ()
    index: IncidentIndex | None = None  # member -> incident, for the highlights
