"""Incidents as rows: rank, severity, title, cause, impact, age and member counts (a pane and `i`'s view)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text

from cockpit.glyphs import G
from cockpit.model import Incident
from cockpit.ui.panes.base import Pane
from cockpit.ui.rows import SEV_STYLE, age, cell

# The title and impact are cut (to their floors) before a column is hidden: the member counts stay.
COLUMNS = (("rank", "#", 3), ("sev", "Sev", 8), ("title", "Incident", 44, 99, 24), ("cause", "Cause", 200),
           ("impact", "Impact", 44, 3, 20), ("age", "Age", 6, 4), ("members", "Members", 30, 2))
CAUSE_KEEP = 20  # cells of the cause kept before a column is hidden
HYPOTHESIS_MARK = "?"  # before a cause inferred, not observed; the titles carry its legend
_SHORT = {"alert": "al", "pod": "pod", "workload": "wl", "node": "node", "slo": "slo"}


def member_counts(i: Incident) -> str:
    """"3 pod · 2 al · 1 slo": what the incident holds, compactly."""
    return f" {G.sep} ".join(f"{len(ms)} {_SHORT[kind]}" for kind, ms in i.members.groups() if ms)


def incident_row(i: Incident, now: datetime) -> tuple[Text, ...]:
    since = age((now - i.started_at).total_seconds()) if i.started_at else "-"
    mark = HYPOTHESIS_MARK if i.cause_kind == "hypothesis" else ""
    burning = any(s.status == "page" for s in i.impact.slos)
    return (
        cell(str(i.rank), "bold"),
        cell(i.severity, SEV_STYLE.get(i.severity, "")),
        cell(i.title, "bold"),
        cell(mark + i.cause, "italic" if mark else ""),
        cell(i.impact.text, "bold red" if burning else ("yellow" if i.impact.slos else "dim")),
        cell(since),
        cell(member_counts(i), "dim"),
    )


def incidents_title(incidents: Sequence[Incident]) -> str:
    crit = sum(1 for i in incidents if i.severity == "critical")
    return f"Incidents {len(incidents)}" + (f" · {crit} critical" if crit else "")


class IncidentsPane(Pane):
    pane_name = "incidents"
    LABEL = "Incidents"
    COLUMNS = COLUMNS
    FLEX = "cause"
    FLEX_KEEP = CAUSE_KEEP

    def __init__(self) -> None:
        super().__init__()
        self.incidents: dict[str, Incident] = {}

    def render_row(self, item: tuple) -> Sequence[Text]:
        incident, now = item
        return incident_row(incident, now)

    def show(self, incidents: Sequence[Incident], now: datetime, ready: bool = True) -> None:
        q = self.filter_text.strip().lower()
        shown = [i for i in incidents if not q or q in f"{i.title} {i.cause} {i.severity} {i.kind}".lower()]
        self.incidents = {i.id: i for i in shown}
        self.table.set_items([(i.id, (i, now)) for i in shown])
        legend = f" · {HYPOTHESIS_MARK} hypothesis" if any(i.cause_kind == "hypothesis" for i in shown) else ""
        self.base_title, self.stale = incidents_title(incidents) + legend, ""
        self.refresh_title()
        if not ready:
            self.set_message("Waiting for every source before grouping rows into incidents.")
        elif not incidents:
            self.set_message("No incident: nothing on screen needs a response.")
        else:
            self.set_message("" if shown else "Nothing matches the filter (escape clears it).")

    @property
    def selected(self) -> Incident | None:
        key = self.table.selected_key
        return self.incidents.get(key) if key else None
