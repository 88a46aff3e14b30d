"""Pods, problem pods first; a context column when several contexts are watched."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text

from cockpit.analysis.ranking import PodRanker
from cockpit.model import ClusterSummary, Pod, SourceHealth
from cockpit.ui import rows
from cockpit.ui.panes.alerts import marked
from cockpit.ui.panes.base import Pane
from cockpit.ui.vtable import Rows

BASE_COLUMNS = (("ns", "Namespace", 16, 3), ("name", "Name", 30), ("ready", "Ready", 5, 5), ("status", "Status", 60),
                ("restarts", "Restarts", 12, 4), ("age", "Age", 6, 2), ("node", "Node", 24, 1))


@dataclass(frozen=True, slots=True)
class PodsView:
    """The pods pane's rows, ready to show; built from the filter and highlight of the moment."""

    total: int
    problems: int
    rows: Rows  # item = (rank, pod, highlighted, shown_now)
    filter_text: str
    highlight: frozenset

    @property
    def shown(self) -> list[Pod]:
        return [item[1] for item in self.rows.items.values()]


def _row(p: Pod, rank: int, highlighted: bool, now: datetime) -> tuple[str, tuple]:
    """(row key, item): the item is what render_row draws."""
    return rows.pod_key(p), (rank, p, highlighted, now)


class PodsPane(Pane):
    pane_name = "pods"
    LABEL = "Pods"
    FLEX = "status"
    FLEX_KEEP = 17  # kubelet reasons whole (CrashLoopBackOff, ContainerCreating) before a Namespace column
    MIDDLE = ("name",)

    def __init__(self, with_context: bool = False, fleet: bool = False) -> None:
        self.with_context = with_context or fleet
        self.fleet = fleet  # pods of many clusters from kube-state-metrics: a Cluster column
        super().__init__()
        self.view = PodsView(0, 0, Rows([], {}), "", frozenset())
        self._shown: tuple[PodsView, list[Pod]] | None = None
        self.problems = 0
        self.highlight: frozenset[tuple[str, str, str]] = frozenset()
        self.ranker: PodRanker[tuple[str, tuple]] = PodRanker(_row)

    def columns(self):
        # A fleet's rows come from many clusters: the cluster is kept longer than the namespace.
        ctx = ("ctx", "Cluster", 20, 4) if self.fleet else ("ctx", "Context", 20, 2)
        return ((ctx,) if self.with_context else ()) + BASE_COLUMNS

    def filter_hint(self) -> str:
        extra = "cluster=NAME" if self.fleet else "ctx=NAME"
        return f"filter: text, ns=NAME, label=app=checkout, node=NAME, {extra}"

    def render_row(self, item: tuple) -> Sequence[Text]:
        rank, pod, hl, now = item
        return marked(rows.pod_row(pod, rank, now, self.with_context), hl)

    def prepare(self, pods: Sequence[Pod], now: datetime) -> PodsView:
        """Rank (cockpit.analysis.ranking, incremental), filter and key the rows. Runs in the worker
        thread, off the event loop."""
        text, hl = self.filter_text, self.highlight
        ranked, problems = self.ranker.rank(pods, now, hl)
        if text:
            keep = {id(p) for p in rows.filter_pods(pods, text)}
            ranked = [r for r in ranked if id(r[0]) in keep]
        return PodsView(len(pods), problems, Rows.of([r[3] for r in ranked]), text, hl)

    def show(self, pods: Sequence[Pod], health: Sequence[SourceHealth], now: datetime, configured: bool = True,
             view: PodsView | None = None, fleet: Sequence[ClusterSummary] = ()) -> None:
        if view is None or view.filter_text != self.filter_text or view.highlight is not self.highlight:
            view = self.prepare(pods, now)  # the filter or highlight changed since the worker ran
        self.problems = view.problems
        self.view = view
        self.table.set_items(view.rows)
        if self.fleet:  # the rows are the problems (+ a filtered cluster); the counts come from the fleet
            total = sum(c.pods for c in fleet) or view.total
            stale = sum(c.stale for c in fleet)
            if fleet and stale == len(fleet) and not total:  # no cluster reports: unknown, not zero
                title = f"Pods unknown · {len(fleet)} clusters · all stale"
            else:
                title = rows.pods_title(total, self.problems, clusters=len(fleet))
                title += f" · {stale} stale" if stale else ""
        else:
            title = rows.pods_title(view.total, self.problems, len(view.rows.keys))
        self.set_title(title, health, configured)
        self.set_message(self.empty_message(
            len(view.rows.keys), view.total,
            "No Kubernetes context configured: start cockpit with --context NAME (or --kubeconfig PATH).",
            f"No problem pods in {len(fleet)} clusters (:clusters lists them; cluster=NAME lists one's pods)."
            if self.fleet else "No pods in the watched namespaces."))

    @property
    def shown(self) -> list[Pod]:
        """The pods in table order (built on demand: only Marcus's context and links read it)."""
        if self._shown is None or self._shown[0] is not self.view:
            self._shown = (self.view, self.view.shown)
        return self._shown[1]

    @property
    def pods(self) -> dict[str, Pod]:
        """Row key -> pod, for the rows shown."""
        return {key: item[1] for key, item in self.view.rows.items.items()}

    @property
    def selected(self) -> Pod | None:
        key = self.table.selected_key
        item = self.view.rows.items.get(key) if key else None
        return item[1] if item else None
