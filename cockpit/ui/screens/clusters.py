"""`:clusters`: the fleet, one row per cluster, worst first; enter filters the Pods pane to that cluster."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from cockpit.model import ClusterSummary
from cockpit.sources.ksm_parse import METRICS_CANNOT_TELL
from cockpit.ui.rows import cell
from cockpit.ui.vtable import VirtualTable

COLUMNS = (("cluster", "Cluster", 28), ("state", "State", 8), ("problems", "Problems", 8), ("pods", "Pods", 8),
           ("nodes", "Nodes down", 10), ("worst", "Worst namespace", 30, 1), ("context", "Kube context", 24, 2))


def cluster_row(s: ClusterSummary) -> tuple[Text, ...]:
    worst = max(s.problems_by_namespace.items(), key=lambda kv: (kv[1], kv[0]), default=None)
    state = "STALE" if s.stale else "ok"
    return (
        cell(s.cluster, "bold" if s.problems or s.stale else ""),
        cell(state, "reverse" if s.stale else ""),  # stale reads without colour too
        cell(s.problems if not s.stale else f"{s.problems}?" if s.pods else "?", "bold red" if s.problems else ""),
        cell(s.pods if s.pods or not s.stale else "?"),  # never read back as "0 pods"
        cell(f"{s.nodes_not_ready}/{s.nodes}", "bold red" if s.nodes_not_ready else ""),
        cell(f"{worst[0]} ({worst[1]})" if worst else "-"),
        cell(s.context or "none (metrics only)", "" if s.context else "dim"),
    )


class ClustersScreen(Screen[str]):
    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back")]

    def __init__(self, summaries: Sequence[ClusterSummary], pick: Callable[[str], None]) -> None:
        super().__init__()
        self.summaries = list(summaries)
        self.pick = pick
        self.table = VirtualTable(COLUMNS, flex="worst", id="clusters-table")
        self.header = Static("", id="screen-title")
        self.note = Static(Text(f" {METRICS_CANNOT_TELL}", style="dim"), id="clusters-note")

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.table
        yield self.note
        yield Footer()

    def on_mount(self) -> None:
        self.show(self.summaries)
        self.table.focus()

    def show(self, summaries: Sequence[ClusterSummary]) -> None:
        self.summaries = list(summaries)
        self.table.set_items([(s.cluster, cluster_row(s)) for s in self.summaries])
        stale = sum(s.stale for s in self.summaries)
        problems = sum(s.problems for s in self.summaries)
        title = f" Clusters {len(self.summaries)} · {problems} problems"
        title += f" · {stale} STALE" if stale else ""
        self.header.update(Text(title + " · enter filters Pods ", style="bold reverse"))

    @on(VirtualTable.RowSelected)
    def _selected(self, event: VirtualTable.RowSelected) -> None:
        if event.key:
            self.app.pop_screen()
            self.pick(event.key)
