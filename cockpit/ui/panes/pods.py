"""Pods, problem pods first; a context column when several contexts are watched."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text

from cockpit.model import Pod, SourceHealth
from cockpit.ui import rows
from cockpit.ui.panes.alerts import marked
from cockpit.ui.panes.base import Pane

BASE_COLUMNS = (("ns", "Namespace", 16, 3), ("name", "Name", 30), ("ready", "Ready", 5, 5), ("status", "Status", 60),
                ("restarts", "Restarts", 12, 4), ("age", "Age", 6, 2), ("node", "Node", 24, 1))


@dataclass(frozen=True, slots=True)
class PodsView:
    """The pods pane's rows, ready to show; built from the filter and highlight of the moment."""

    total: int
    problems: int
    shown: list[Pod]
    pods: dict[str, Pod]
    items: list[tuple[str, tuple]]
    filter_text: str
    highlight: frozenset


class PodsPane(Pane):
    pane_name = "pods"
    FLEX = "status"
    MIDDLE = ("name",)

    def __init__(self, with_context: bool = False) -> None:
        self.with_context = with_context
        super().__init__()
        self.pods: dict[str, Pod] = {}
        self.shown: list[Pod] = []
        self.problems = 0
        self.highlight: frozenset[tuple[str, str, str]] = frozenset()

    def columns(self):
        return ((("ctx", "Context", 20, 2),) if self.with_context else ()) + BASE_COLUMNS

    def filter_hint(self) -> str:
        return "filter: text, ns=NAME, label=app=checkout, node=NAME, ctx=NAME"

    def render_row(self, item: tuple) -> Sequence[Text]:
        rank, pod, hl, now = item
        return marked(rows.pod_row(pod, rank, now, self.with_context), hl)

    def prepare(self, pods: Sequence[Pod], now: datetime) -> PodsView:
        """Rank, filter and key the rows. Pure: the app runs it in the worker thread, off the event loop
        (10k pods: ~40 ms that would otherwise delay keypresses)."""
        text, hl = self.filter_text, self.highlight
        ranked = rows.order_pods(pods, now)
        problems = sum(1 for rank, _ in ranked if rank < 9)
        if text:
            keep = {id(p) for p in rows.filter_pods(pods, text)}
            ranked = [(r, p) for r, p in ranked if id(p) in keep]
        by_key: dict[str, Pod] = {}
        items = []
        for rank, p in ranked:
            key = rows.pod_key(p)
            by_key[key] = p
            items.append((key, (rank, p, p.key in hl if hl else False, now)))
        return PodsView(len(pods), problems, [p for _, p in ranked], by_key, items, text, hl)

    def show(self, pods: Sequence[Pod], health: Sequence[SourceHealth], now: datetime, configured: bool = True,
             view: PodsView | None = None) -> None:
        if view is None or view.filter_text != self.filter_text or view.highlight is not self.highlight:
            view = self.prepare(pods, now)  # the filter or highlight changed since the worker ran
        self.problems = view.problems
        self.shown = view.shown
        self.pods = view.pods
        self.table.set_items(view.items)
        self.set_title(rows.pods_title(view.total, self.problems, len(view.shown)), health)
        self.set_message("" if configured else "No Kubernetes context configured (--kubeconfig / --context).")

    @property
    def selected(self) -> Pod | None:
        key = self.table.selected_key
        return self.pods.get(key) if key else None
