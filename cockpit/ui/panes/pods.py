"""Pods, problem pods first; a context column when several contexts are watched."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text

from cockpit.model import Pod, SourceHealth
from cockpit.ui import rows
from cockpit.ui.panes.alerts import marked
from cockpit.ui.panes.base import Pane

BASE_COLUMNS = (("ns", "Namespace", 16, 3), ("name", "Name", 30), ("ready", "Ready", 5, 5), ("status", "Status", 60),
                ("restarts", "Restarts", 12, 4), ("age", "Age", 6, 2), ("node", "Node", 24, 1))


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

    def show(self, pods: Sequence[Pod], health: Sequence[SourceHealth], now: datetime, configured: bool = True) -> None:
        ranked = rows.order_pods(pods, now)
        self.problems = sum(1 for rank, _ in ranked if rank < 9)
        if self.filter_text:
            keep = {id(p) for p in rows.filter_pods(pods, self.filter_text)}
            ranked = [(r, p) for r, p in ranked if id(p) in keep]
        self.shown = [p for _, p in ranked]
        self.pods = {}
        items = []
        hl = self.highlight
        for rank, p in ranked:
            key = rows.pod_key(p)
            self.pods[key] = p
            items.append((key, (rank, p, p.key in hl if hl else False, now)))
        self.table.set_items(items)
        self.set_title(rows.pods_title(len(pods), self.problems, len(ranked)), health)
        self.set_message("" if configured else "No Kubernetes context configured (--kubeconfig / --context).")

    @property
    def selected(self) -> Pod | None:
        key = self.table.selected_key
        return self.pods.get(key) if key else None
