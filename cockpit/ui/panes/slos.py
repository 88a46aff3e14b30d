"""SLOs ordered by status then budget remaining, burn rates coloured against their thresholds."""

from __future__ import annotations

from collections.abc import Sequence

from cockpit.model import SLOStatus, SourceHealth
from cockpit.ui import rows
from cockpit.ui.panes.base import Pane


class SLOsPane(Pane):
    pane_name = "slos"
    COLUMNS = (("slo", "Service/SLO"), ("objective", "Objective"), ("b5m", "5m"), ("b1h", "1h"), ("b6h", "6h"),
               ("b3d", "3d"), ("budget", "Budget left"), ("status", "Status"), ("eta", "Exhausted in"))

    def __init__(self) -> None:
        super().__init__()
        self.base_title = "SLOs"
        self.slos: dict[str, SLOStatus] = {}
        self.shown: list[SLOStatus] = []
        self.highlight: frozenset[tuple[str, str]] = frozenset()

    def show(self, slos: Sequence[SLOStatus], health: Sequence[SourceHealth], configured: bool = True) -> None:
        ordered = rows.order_slos(rows.filter_slos(slos, self.filter_text))
        self.shown = ordered
        self.slos = {rows.slo_key(s): s for s in ordered}
        table_rows = []
        for s in ordered:
            cells = rows.slo_row(s)
            if s.key in self.highlight:
                first = cells[0].copy()
                first.stylize("reverse")
                cells = (first, *cells[1:])
            table_rows.append((rows.slo_key(s), cells))
        self.table.apply_rows(table_rows)
        self.set_title(rows.slos_title(slos), health)
        self.set_message("" if configured else "No SLO specs given (--slo FILE, Sloth or OpenSLO YAML).")

    @property
    def selected(self) -> SLOStatus | None:
        key = self.table.selected_key
        return self.slos.get(key) if key else None
