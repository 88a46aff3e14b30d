"""SLOs ordered by status then budget remaining, burn rates coloured against their thresholds."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from cockpit.model import SLOStatus, SourceHealth
from cockpit.ui import rows
from cockpit.ui.panes.alerts import marked
from cockpit.ui.panes.base import Pane


class SLOsPane(Pane):
    pane_name = "slos"
    LABEL = "SLOs"
    COLUMNS = (("slo", "Service/SLO", 40), ("objective", "Objective", 9, 1), ("b5m", "5m", 6, 5), ("b1h", "1h", 6),
               ("b6h", "6h", 6, 4), ("b3d", "3d", 6, 2), ("budget", "Budget left", 18, 6), ("status", "Status", 7),
               ("eta", "Exhausted in", 12, 3))
    FLEX = "slo"

    def __init__(self) -> None:
        super().__init__()
        self.slos: dict[str, SLOStatus] = {}
        self.shown: list[SLOStatus] = []
        self.highlight: frozenset[tuple[str, str]] = frozenset()

    def render_row(self, item: tuple) -> Sequence[Text]:
        slo, hl = item
        return marked(rows.slo_row(slo), hl)

    def show(self, slos: Sequence[SLOStatus], health: Sequence[SourceHealth], configured: bool = True) -> None:
        ordered = rows.order_slos(rows.filter_slos(slos, self.filter_text))
        self.shown = ordered
        self.slos = {rows.slo_key(s): s for s in ordered}
        self.table.set_items([(rows.slo_key(s), (s, s.key in self.highlight)) for s in ordered])
        # Prometheus's own probe line rides with the SLOs' health (the header shows it); the count's
        # trust is the SLO sources' alone: with specs, a dead Prometheus fails them too
        self.set_title(rows.slos_title(slos), [h for h in health if h.kind != "prometheus"], configured)
        self.set_message(self.empty_message(len(ordered), len(slos), *self.empty_texts()))

    def empty_texts(self) -> tuple[str, str]:
        """(not configured hint, empty text), saying only what is true of this run's flags."""
        try:
            config = getattr(self.app, "config", None)
        except Exception:  # no app (a bare pane in a test): the general wording
            config = None
        prom, specs = bool(getattr(config, "prometheus", "")), bool(getattr(config, "slos", ()))
        need = "--slo FILE (Sloth, OpenSLO or Pyrra YAML)" + ("" if prom else " and --prometheus URL")
        hint = f"No SLOs configured: start cockpit with {need}."
        if specs:
            return hint, "No SLOs in the given specs."
        return hint, "No SLOs found: no --slo FILE given and no Sloth or Pyrra SLO objects in the clusters."

    @property
    def selected(self) -> SLOStatus | None:
        key = self.table.selected_key
        return self.slos.get(key) if key else None
