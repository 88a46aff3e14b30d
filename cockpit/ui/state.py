"""The App's last data of every source: what the screen is painted from and a Snapshot is built from."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from cockpit.analysis.incidents import IncidentIndex
from cockpit.model import Change, Finding, Incident, Snapshot, SourceHealth
from cockpit.sources.hub import AlertsResult, PodsResult, SLOResult, assemble_snapshot


@dataclass
class State:
    """The last data of every source; what a Snapshot of the screen is built from."""

    alerts: AlertsResult = field(default_factory=lambda: AlertsResult((), (), {}))
    pods: PodsResult = field(default_factory=lambda: PodsResult((), (), (), (), {}))
    slos: SLOResult = field(default_factory=lambda: SLOResult((), {}))
    findings: tuple[Finding, ...] = ()
    incidents: tuple[Incident, ...] = ()
    changes: tuple[Change, ...] = ()
    index: IncidentIndex = field(default_factory=IncidentIndex)

    def health(self) -> dict[str, SourceHealth]:
        return {**self.alerts.health, **self.pods.health, **self.slos.health}

    def snapshot(self, now: datetime, contexts: tuple[str, ...], demo: bool) -> Snapshot:
        snap = assemble_snapshot(self.alerts, self.pods, self.slos, taken_at=now, contexts=contexts, demo=demo,
                                 findings=self.findings)
        return replace(snap, incidents=self.incidents, changes=self.changes) if self.incidents or self.changes \
            else snap
