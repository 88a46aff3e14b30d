"""The interface between the Marcus panel and whoever speaks for Marcus (offline or Claude).

An advisor streams AdvisorChunks; the panel appends text as it arrives, so offline Marcus and
Claude plug into the same place. Cancelling the consuming task cancels the stream.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from cockpit.model import Alert, Pod, SLOStatus, Snapshot


@dataclass(frozen=True, slots=True)
class ScreenState:
    """What the user sees right now: the basis of everything Marcus says."""

    snapshot: Snapshot
    focused: str = "alerts"  # alerts | pods | slos | marcus
    selected_alert: Alert | None = None
    selected_pod: Pod | None = None
    selected_slo: SLOStatus | None = None
    visible_alerts: tuple[Alert, ...] = ()
    visible_pods: tuple[Pod, ...] = ()
    visible_slos: tuple[SLOStatus, ...] = ()
    filters: Mapping[str, str] = field(default_factory=dict)  # pane -> filter text
    layout: str = "default"
    # alerts | pods | slos -> (ok | stale | unknown | not configured | waiting, why): Hub.coverage
    coverage: Mapping[str, tuple[str, str]] = field(default_factory=dict)


def coverage_map(hub: object, snapshot: Snapshot) -> dict[str, tuple[str, str]]:
    """ScreenState.coverage from a Hub: which feeds are ok, stale, unknown or not configured."""
    cov = getattr(hub, "coverage", None)
    return {k: (c.state, c.reason) for k, c in cov(snapshot.sources).items()} if callable(cov) else {}


@dataclass(frozen=True, slots=True)
class AdvisorRequest:
    question: str | None  # None: an unprompted comment on the screen
    screen: ScreenState


@dataclass(frozen=True, slots=True)
class AdvisorChunk:
    kind: str  # text | tool | status | error | usage | done
    text: str = ""


class Advisor(Protocol):
    name: str  # shown in the panel title, e.g. "offline" or "claude-sonnet-4-5"

    def stream(self, request: AdvisorRequest) -> AsyncIterator[AdvisorChunk]: ...
