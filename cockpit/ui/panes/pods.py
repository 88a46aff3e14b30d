"""Pods, problem pods first; a context column when several contexts are watched."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cockpit.model import Pod, SourceHealth
from cockpit.ui import rows
from cockpit.ui.panes.base import Pane

BASE_COLUMNS = (("ns", "Namespace"), ("name", "Name"), ("ready", "Ready"), ("status", "Status"),
                ("restarts", "Restarts"), ("age", "Age"), ("node", "Node"))


class PodsPane(Pane):
    pane_name = "pods"

    def __init__(self, with_context: bool = False) -> None:
        self.with_context = with_context
        super().__init__()
        self.pods: dict[str, Pod] = {}
        self.shown: list[Pod] = []
        self.highlight: frozenset[tuple[str, str, str]] = frozenset()

    def columns(self):
        return ((("ctx", "Context"),) if self.with_context else ()) + BASE_COLUMNS

    def filter_hint(self) -> str:
        return "filter: text, ns=NAME, label=app=checkout, node=NAME, ctx=NAME"

    def show(self, pods: Sequence[Pod], health: Sequence[SourceHealth], now: datetime, configured: bool = True) -> None:
        visible = rows.filter_pods(pods, self.filter_text) if self.filter_text else pods
        ranked = rows.order_pods(visible, now)
        self.shown = [p for _, p in ranked]
        self.pods = {rows.pod_key(p): p for p in self.shown}
        table_rows = []
        for rank, p in ranked:
            cells = rows.pod_row(p, rank, now, self.with_context)
            if p.key in self.highlight:
                first = cells[0].copy()
                first.stylize("reverse")
                cells = (first, *cells[1:])
            table_rows.append((rows.pod_key(p), cells))
        self.table.apply_rows(table_rows)
        problems = sum(1 for p in pods if rows.is_problem(p, now))
        self.set_title(rows.pods_title(len(pods), problems, len(visible)), health)
        if not configured:
            self.set_message("No Kubernetes context configured (--kubeconfig / --context).")
        else:
            self.set_message("")

    @property
    def selected(self) -> Pod | None:
        key = self.table.selected_key
        return self.pods.get(key) if key else None
