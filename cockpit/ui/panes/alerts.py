"""Alerts grouped by alertname (expand/collapse), severity then age, with label-matcher filtering."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cockpit.model import Alert, SourceHealth
from cockpit.ui import rows
from cockpit.ui.panes.base import Pane

GROUP = "group\0"


class AlertsPane(Pane):
    pane_name = "alerts"
    COLUMNS = (("sev", "Sev"), ("name", "Alert"), ("where", "Namespace/Service"), ("age", "Age"),
               ("summary", "Summary"), ("state", "State"))

    def __init__(self) -> None:
        super().__init__()
        self.alerts: list[Alert] = []
        self.shown: list[Alert] = []
        self.collapsed: set[str] = set()
        self.show_muted = True  # silenced and inhibited alerts shown dimmed (h hides them)
        self.highlight: frozenset[str] = frozenset()

    def filter_hint(self) -> str:
        return 'filter: text or matchers  severity=critical namespace=~"shop.*" alertname!=Watchdog'

    def show(self, alerts: Sequence[Alert], health: Sequence[SourceHealth], now: datetime) -> None:
        self.alerts = list(alerts)
        shown = [a for a in rows.filter_alerts(self.alerts, self.filter_text)
                 if self.show_muted or a.state not in ("silenced", "inhibited")]
        self.shown = shown
        table_rows = []
        for name, members in rows.alert_groups(shown):
            if len(members) == 1:
                a = members[0]
                table_rows.append((a.fingerprint, self._mark(a, rows.alert_row(a, now, indent=False))))
                continue
            expanded = name not in self.collapsed
            table_rows.append((GROUP + name, rows.group_row(name, members, expanded, now)))
            if expanded:
                table_rows += [(a.fingerprint, self._mark(a, rows.alert_row(a, now))) for a in members]
        self.table.apply_rows(table_rows)
        title = rows.alerts_title(self.alerts, len(shown))
        if not self.show_muted:
            title += " · muted hidden"
        self.set_title(title, health)
        if not self.alerts and not any(not h.ok for h in health):
            self.set_message("No alerts firing." if health else "No alert source configured (--prometheus / --alertmanager).")
        else:
            self.set_message("")

    def _mark(self, alert: Alert, cells: tuple) -> tuple:
        if alert.fingerprint in self.highlight:
            first = cells[0].copy()
            first.stylize("reverse")
            return (first, *cells[1:])
        return cells

    @property
    def selected(self) -> Alert | None:
        key = self.table.selected_key
        if key is None:
            return None
        if key.startswith(GROUP):
            name = key[len(GROUP):]
            return next((a for a in self.shown if a.name == name), None)
        return next((a for a in self.shown if a.fingerprint == key), None)

    @property
    def selected_group(self) -> str | None:
        key = self.table.selected_key
        return key[len(GROUP):] if key and key.startswith(GROUP) else None

    def toggle_group(self, name: str) -> None:
        self.collapsed.symmetric_difference_update({name})
