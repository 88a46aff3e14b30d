"""Alerts grouped by alertname (expand/collapse), severity then age, with label-matcher filtering."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text

from cockpit.model import Alert, SourceHealth
from cockpit.ui import rows
from cockpit.ui.panes.base import Pane

GROUP = "group\0"


def marked(cells: tuple[Text, ...], on: bool) -> tuple[Text, ...]:
    """Reverse the first cell of a row related to the selection in another pane."""
    if not on:
        return cells
    first = cells[0].copy()
    first.stylize("reverse")
    return (first, *cells[1:])


class AlertsPane(Pane):
    pane_name = "alerts"
    LABEL = "Alerts"
    COLUMNS = (("sev", "Sev", 8), ("name", "Alert", 36), ("where", "Where", 28, 3), ("age", "Age", 6, 5),
               ("summary", "Summary", 200), ("state", "State", 18, 4))
    FLEX = "summary"

    def __init__(self) -> None:
        super().__init__()
        self.alerts: list[Alert] = []
        self.shown: list[Alert] = []
        self.collapsed: set[str] = set()
        self.show_muted = True  # silenced and inhibited alerts shown dimmed (h hides them)
        self.highlight: frozenset[str] = frozenset()
        self.acks: dict[str, str] = {}  # fingerprint -> "ack alice 12m" (set by the screen before show)

    def filter_hint(self) -> str:
        return 'filter: text or matchers  severity=critical namespace=~"shop.*" alertname!=Watchdog'

    def render_row(self, item: tuple) -> Sequence[Text]:
        if item[0] == "group":
            _, name, members, expanded, now = item
            return rows.group_row(name, members, expanded, now)
        _, alert, indent, hl, now = item
        cells = rows.alert_row(alert, now, indent=indent)
        ack = self.acks.get(alert.fingerprint)
        if ack:  # who acked it and how long ago, in place of "silenced"
            cells = (*cells[:-1], rows.cell(ack, "cyan"))
        return marked(cells, hl)

    def show(self, alerts: Sequence[Alert], health: Sequence[SourceHealth], now: datetime,
             configured: bool | None = None) -> None:
        self.alerts = list(alerts)
        shown = [a for a in rows.filter_alerts(self.alerts, self.filter_text)
                 if self.show_muted or a.state not in ("silenced", "inhibited")]
        self.shown = shown
        items: list[tuple[str, tuple]] = []
        for name, members in rows.alert_groups(shown):
            if len(members) == 1:
                a = members[0]
                items.append((a.fingerprint, ("alert", a, False, a.fingerprint in self.highlight, now)))
                continue
            expanded = name not in self.collapsed
            items.append((GROUP + name, ("group", name, tuple(members), expanded, now)))
            if expanded:
                items += [(a.fingerprint, ("alert", a, True, a.fingerprint in self.highlight, now)) for a in members]
        self.table.set_items(items)
        title = rows.alerts_title(self.alerts, len(shown))
        if not self.show_muted:
            title += " · muted hidden"
        self.set_title(title, health, bool(health) if configured is None else configured)
        self.set_message(self.empty_message(
            len(items), len(self.alerts),
            "No alert source configured: start cockpit with --alertmanager URL (or --prometheus URL).",
            "No alerts firing." if not self.alerts else "Every alert is silenced or inhibited (h shows them)."))

    @property
    def selected(self) -> Alert | None:
        item = self.table.item(self.table.selected_key or "")
        if item is None:
            return None
        if item[0] == "group":
            return item[2][0]
        return item[1]

    @property
    def selected_group(self) -> str | None:
        key = self.table.selected_key
        return key[len(GROUP):] if key and key.startswith(GROUP) else None

    def toggle_group(self, name: str) -> None:
        self.collapsed.symmetric_difference_update({name})
