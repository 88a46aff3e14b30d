"""The cockpit: one screen of panes fed by thread workers on re-armed timers.

Sources are polled in thread workers (never on the event loop); results come back as messages and
are applied to panes by diffing rows on stable keys. Nothing here talks to a backend directly: every
call goes through the Hub, which keeps last data and health when a backend fails.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.message import Message
from textual.widgets import Footer, Input, Static

from cockpit import gcpause
from cockpit.advisor.base import Advisor, AdvisorRequest, ScreenState
from cockpit.advisor.policy import CommentPolicy, Decision
from cockpit.analysis.sanitize import sanitize_line
from cockpit.config import Config, ConfigError
from cockpit.model import Alert, Finding, Pod, Silence, SilenceRequest, SLOStatus, Snapshot, utcnow
from cockpit.sources.base import ReadOnlyError
from cockpit.sources.hub import AlertsResult, Hub, PodsResult, SLOResult, error_text
from cockpit.ui.commands import CockpitCommands, run_command
from cockpit.ui.layout import Layout, auto_layout_name, layout_names, load_layout
from cockpit.ui.panes.alerts import AlertsPane
from cockpit.ui.panes.base import Pane
from cockpit.ui.panes.marcus import MarcusPane
from cockpit.ui.panes.pods import PodsPane, PodsView
from cockpit.ui.panes.slos import SLOsPane
from cockpit.ui.vtable import VirtualTable

PANE_ORDER = ("alerts", "pods", "slos", "marcus")
ACK_SECONDS = 15 * 60


def short_title(title: str) -> str:
    """A pane title cut to fit a tab: 'Alerts 10 · 4 critical · STALE (…)' -> 'Alerts 10 4 crit STALE'."""
    parts = title.split(" · ")
    label = " ".join(parts[:2]).replace("critical", "crit").replace("problems", "prob")
    return label + (" STALE" if "STALE" in title else "")


@dataclass
class State:
    """The last data of every source; what a Snapshot of the screen is built from."""

    alerts: AlertsResult = field(default_factory=lambda: AlertsResult((), (), {}))
    pods: PodsResult = field(default_factory=lambda: PodsResult((), (), (), (), {}))
    slos: SLOResult = field(default_factory=lambda: SLOResult((), {}))
    findings: tuple[Finding, ...] = ()

    def snapshot(self, now: datetime, contexts: tuple[str, ...], demo: bool) -> Snapshot:
        a, p, s = self.alerts, self.pods, self.slos
        return Snapshot(taken_at=now, alerts=a.alerts, silences=a.silences, pods=p.pods, events=p.events,
                        nodes=p.nodes, workloads=p.workloads, slos=s.slos, findings=self.findings,
                        sources={**a.health, **p.health, **s.health}, contexts=contexts, demo=demo)


class Loaded(Message):
    """A refresh finished in a worker; `kind` is alerts | pods | slos."""

    def __init__(self, kind: str, result: AlertsResult | PodsResult | SLOResult, view: PodsView | None = None,
                 seq: int = 0) -> None:
        super().__init__()
        self.kind = kind
        self.result = result
        self.view = view  # pods: rows ranked in the worker thread
        self.seq = seq  # pods: when the read began; an older read must not replace a newer one


class FindingsReady(Message):
    def __init__(self, findings: tuple[Finding, ...], decision: Decision | None = None) -> None:
        super().__init__()
        self.findings = findings
        self.decision = decision  # None: too early to judge (not every source has reported yet)


class CockpitApp(App):
    CSS_PATH = Path(__file__).parent / "app.tcss"  # absolute: subclasses may live elsewhere
    TITLE = "cockpit"
    COMMANDS = App.COMMANDS | {CockpitCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help"),
        Binding("tab", "next_pane", "Next pane", show=False, priority=True),
        Binding("shift+tab", "prev_pane", "Prev pane", show=False, priority=True),
        Binding("1", "goto('alerts')", "Alerts", show=False),
        Binding("2", "goto('pods')", "Pods", show=False),
        Binding("3", "goto('slos')", "SLOs", show=False),
        Binding("4", "goto('marcus')", "Marcus", show=False),
        Binding("slash", "filter", "Filter"),
        Binding("escape", "escape", "Back", show=False),
        Binding("s", "silence", "Silence"),
        Binding("A", "ack", "Ack", show=False),
        Binding("S", "silences", "Silences", show=False),
        Binding("h", "toggle_muted", "Hide muted", show=False),
        Binding("space", "toggle_group", "Expand", show=False),
        Binding("a", "ask", "Ask Marcus"),
        Binding("c", "comment", "Comment", show=False),
        Binding("m", "toggle_marcus", "Marcus", show=False),
        Binding("l", "logs", "Logs"),
        Binding("d", "describe", "Describe"),
        Binding("r", "refresh", "Refresh", show=False),
        Binding("L", "next_layout", "Layout", show=False),
        Binding("colon", "command_line", "Cmd"),
    ]

    def __init__(
        self,
        hub: Hub,
        config: Config | None = None,
        *,
        advisor: Advisor | None = None,
        layout: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        live: bool = True,
        context_label: str = "",
    ) -> None:
        super().__init__()
        self.hub = hub
        self.config = config or Config()
        self.advisor = advisor
        self.requested_layout = layout or self.config.layout or ""
        self.layout_def: Layout | None = None
        self.clock = clock
        self.live = live  # False in snapshot tests: one refresh, no timers, frozen clock
        self.context_label = context_label or ", ".join(c.name for c in hub.clusters) or "no cluster"
        self.state = State()
        self.active_tab = "alerts"
        self.marcus_hidden = False
        self.header = Static("", id="header")
        self.tabstrip = Static("", id="tabstrip")
        self.alerts_pane = AlertsPane()
        self.pods_pane = PodsPane(with_context=len(hub.clusters) > 1)
        self.slos_pane = SLOsPane()
        self.marcus_pane = MarcusPane()
        self.cmdline = Input(placeholder=":alerts :pods :slo :marcus :silences :layout NAME :ctx NAME :refresh :quit",
                             id="cmdline")
        self._recompute_timer = None
        self._findings_at = 0.0
        self._header_text: Text | None = None
        self._tabstrip_text: Text | None = None
        self.comment_policy = CommentPolicy(hourly_budget=self.config.marcus_hourly_budget)
        self._prev_snapshot: Snapshot | None = None
        self._pods_painted = threading.Event()  # the last watch result is on screen
        self._first_watch_paint = threading.Event()
        self._watching = False
        self._pods_seq = itertools.count(1)  # thread-safe under the GIL
        self._pods_shown_seq = 0
        self.pending_action: dict[str, str] = {}

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = False) -> None:
        """Every toast may carry backend or cluster text (error lines, alert names): shown literally,
        never parsed as markup, with escape sequences removed. Screens' notify() lands here too."""
        super().notify(sanitize_line(message, 600), title=sanitize_line(title, 100), severity=severity,
                       timeout=timeout, markup=False)

    # Actions that act on the main screen's panes; off (and out of the footer) on other screens.
    MAIN_ONLY = {"next_pane", "prev_pane", "goto", "filter", "silence", "ack", "silences", "toggle_muted",
                 "toggle_group", "ask", "comment", "toggle_marcus", "logs", "describe", "next_layout",
                 "command_line", "help", "escape"}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.MAIN_ONLY and len(self.screen_stack) > 1:
            return False
        return True

    # -- composition and layout ---------------------------------------------------------------
    @property
    def panes(self) -> dict[str, Pane | MarcusPane]:
        return {"alerts": self.alerts_pane, "pods": self.pods_pane, "slos": self.slos_pane, "marcus": self.marcus_pane}

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.tabstrip
        with Container(id="panes"):
            yield self.alerts_pane
            yield self.pods_pane
            yield self.slos_pane
            yield self.marcus_pane
        yield self.cmdline
        yield Footer()

    def on_mount(self) -> None:
        self._mounted_at = time.monotonic()
        self.cmdline.display = False
        name = self.requested_layout or auto_layout_name(self.size.width, self.size.height)
        try:
            self.apply_layout(load_layout(name))
        except ConfigError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            self.apply_layout(load_layout(auto_layout_name(self.size.width, self.size.height)))
        if self.advisor is None:
            from cockpit.advisor.offline import OfflineMarcus
            from cockpit.advisor.persona import load_persona

            self.advisor = OfflineMarcus(load_persona(self.config.persona or "marcus"))
        self.marcus_pane.set_advisor(self.advisor.name)
        self.update_header()
        self.refresh_alerts()
        self._watching = self.live and any(hasattr(c, "wait_for_change") for c in self.hub.clusters)
        if self.live:  # the first pods list is the watch's list, not a second one racing it
            self.hub.start_watches()
        self.refresh_pods()
        self.refresh_slos()
        if self.live:
            self.set_interval(1.0, self.update_header)
            if self._watching:
                self.watch_pods()
        self.alerts_pane.table.focus()
        self.set_timer(10.0, gcpause.end_startup)  # a source that never answers must not hold it

    def on_unmount(self) -> None:
        gcpause.end_startup()
        self._first_watch_paint.set()  # a refresh still waiting for it must not hold up the exit
        for cluster in self.hub.clusters:  # stop watch threads and close connections
            close = getattr(cluster, "close", None)
            if close is not None:
                close()

    def on_resize(self, event) -> None:
        """Without --layout, follow the terminal: compact below 100x30, default above."""
        if self.requested_layout or self.layout_def is None:
            return
        wanted = auto_layout_name(event.size.width, event.size.height)
        if self.layout_def.name in ("compact", "default") and wanted != self.layout_def.name:
            focused = self.focused_pane_name()
            self.apply_layout(load_layout(wanted))
            if focused in self.layout_def.pane_names:
                self.action_goto(focused)

    def apply_layout(self, layout: Layout) -> None:
        self.layout_def = layout
        grid = self.query_one("#panes", Container)
        tabs = layout.mode == "tabs"
        names = layout.pane_names
        for placement in reversed(layout.panes):  # DOM order decides grid placement
            grid.move_child(self.panes[placement.pane], before=0)
        if tabs:
            grid.styles.grid_size_columns = 1
            grid.styles.grid_size_rows = 1
            grid.styles.grid_columns = "1fr"
            grid.styles.grid_rows = "1fr"
            if self.active_tab not in names:
                self.active_tab = names[0]
        else:
            grid.styles.grid_size_columns = len(layout.columns)
            grid.styles.grid_size_rows = len(layout.rows)
            grid.styles.grid_columns = " ".join(layout.columns)
            grid.styles.grid_rows = " ".join(layout.rows)
        spans = {p.pane: p for p in layout.panes}
        for name, pane in self.panes.items():
            p = spans.get(name)
            pane.styles.row_span = p.row_span if p and not tabs else 1
            pane.styles.column_span = p.column_span if p and not tabs else 1
            visible = p is not None and (not tabs or name == self.active_tab)
            if name == "marcus" and self.marcus_hidden and not (tabs and self.active_tab == "marcus"):
                visible = False
            pane.display = visible
        self.tabstrip.display = tabs
        self.update_tabstrip()

    def update_tabstrip(self) -> None:
        if not self.layout_def or self.layout_def.mode != "tabs":
            return
        text = Text()
        for i, name in enumerate(PANE_ORDER, 1):
            if name not in self.layout_def.pane_names:
                continue
            pane = self.panes[name]
            label = short_title(pane.title_plain)
            style = "bold reverse" if name == self.active_tab else ""
            text.append(f" {i} {label} ", style=style)
            text.append("│", style="dim")
        if text != self._tabstrip_text:  # an update relayouts the screen: only when it changed
            self._tabstrip_text = text
            self.tabstrip.update(text, layout=False)  # one fixed line: no relayout needed

    def update_header(self) -> None:
        now = self.clock()
        health = {**self.state.alerts.health, **self.state.pods.health, **self.state.slos.health}
        text = Text(" cockpit ", style="bold reverse")
        if self.hub.demo:
            text.append(" DEMO ", style="bold white on dark_orange3")
        if self.hub.readonly:
            text.append(" READONLY ", style="bold white on blue")
        text.append(f" {now:%H:%M:%S} UTC ", style="dim")
        text.append(f" ctx {sanitize_line(self.context_label, 40)} ", style="bold")
        for h in health.values():
            mark = "●" if h.ok else "✖"
            text.append(f"{mark} ", style="green" if h.ok else "bold red")
            text.append(f"{h.kind} ", style="" if h.ok else "red")
        if text != self._header_text:
            self._header_text = text
            self.header.update(text, layout=False)

    # -- refresh loops: each fetch runs in a thread worker and re-arms its own timer ------------------
    @work(thread=True, exclusive=True, group="alerts")
    def refresh_alerts(self) -> None:
        self.post_message(Loaded("alerts", self.hub.refresh_alerts()))

    @work(thread=True, exclusive=True, group="pods")
    def refresh_pods(self) -> None:
        if self._watching and not self._first_watch_paint.is_set():
            # The watch's first list is painted first; the other lists (nodes, workloads, events)
            # follow instead of taking the CPU from that first paint of a big cluster.
            self._first_watch_paint.wait(15)
            from textual.worker import get_current_worker

            if get_current_worker().is_cancelled:  # quit while waiting
                return
        seq = next(self._pods_seq)
        self.post_message(self._pods_loaded("pods", self.hub.refresh_pods(), seq))

    def _pods_loaded(self, kind: str, result: PodsResult, seq: int) -> Loaded:
        """In the worker: rank the rows here so the event loop only swaps them in."""
        return Loaded(kind, result, self.pods_pane.prepare(result.pods, self.clock()), seq)

    @work(thread=True, exclusive=True, group="slos")
    def refresh_slos(self) -> None:
        self.post_message(Loaded("slos", self.hub.refresh_slos()))

    @work(thread=True, exclusive=True, group="watch")
    def watch_pods(self) -> None:
        """Kubernetes watch: re-read the pod cache whenever it changes; bursts coalesce."""
        from textual.worker import get_current_worker

        worker = get_current_worker()
        while not worker.is_cancelled:
            changed = False
            for c in self.hub.clusters:
                wait = getattr(c, "wait_for_change", None)
                if wait is not None:
                    try:
                        changed = wait(0.5) or changed
                    except Exception:  # the list call below reports the error as health
                        changed = True
            if changed and not worker.is_cancelled:
                # Backpressure: one result in flight; changes meanwhile pile up in the watch cache
                # and go out together (10k pods at 50 events/s otherwise queues seconds of redraws).
                self._pods_painted.clear()
                seq = next(self._pods_seq)
                self.post_message(self._pods_loaded("pods-watch", self.hub.refresh_pods(pods_only=True), seq))
                self._pods_painted.wait(2.0)
                time.sleep(0.05)  # coalesce: keys get the event loop between two redraws

    def on_loaded(self, message: Loaded) -> None:
        intervals = {"alerts": self.config.alerts_interval_s, "pods": self.config.pods_interval_s,
                     "slos": self.config.slos_interval_s}
        kind = message.kind
        if kind in ("alerts", "alerts-action"):
            self.state.alerts = message.result  # type: ignore[assignment]
            self.show_alerts()
        elif kind in ("pods", "pods-watch"):
            result: PodsResult = message.result  # type: ignore[assignment]
            if message.seq < self._pods_shown_seq:
                # A slow full refresh finishing after a newer watch read: keep the newer pods,
                # take only its nodes, workloads and events.
                self.state.pods = replace(result, pods=self.state.pods.pods)
            else:
                self._pods_shown_seq = message.seq
                self.state.pods = result
                self.show_pods(message.view)
            self.call_after_refresh(self._pods_painted.set)
            if kind == "pods-watch":
                self.call_after_refresh(self._first_watch_paint.set)
        elif kind == "slos":
            self.state.slos = message.result  # type: ignore[assignment]
            self.show_slos()
        focused = self.focused_widget()
        if kind != "pods-watch" and isinstance(focused, VirtualTable):
            self.update_highlights(focused)  # new data can change what relates to the selection
        if self.live and kind in intervals:
            fetch = {"alerts": self.refresh_alerts, "pods": self.refresh_pods, "slos": self.refresh_slos}[kind]
            self.set_timer(intervals[kind], fetch)
        self.update_header()
        self.update_tabstrip()
        self.schedule_findings()
        if self._all_reported():  # the first full screen: the start-up GC pause (cli.start_tui) ends
            self.call_after_refresh(gcpause.end_startup)

    def show_alerts(self) -> None:
        a = self.state.alerts
        self.alerts_pane.show(a.alerts, list(a.health.values()), self.clock())

    def show_pods(self, view: PodsView | None = None) -> None:
        p = self.state.pods
        self.pods_pane.show(p.pods, list(p.health.values()), self.clock(), configured=bool(self.hub.clusters),
                            view=view)

    def show_slos(self) -> None:
        s = self.state.slos
        self.slos_pane.show(s.slos, list(s.health.values()), configured=bool(self.hub.slo_sources))

    # -- findings and Marcus's unprompted comments -------------------------------------------------
    def schedule_findings(self) -> None:
        """Recompute findings 0.2 s after new data, at most once every 2 s: with 10k pods the
        analyzers cost tens of ms of CPU, and a busy watch would otherwise run them constantly."""
        if self._recompute_timer is not None:
            return  # one is already pending; it will see the newest state
        wait = max(0.2, self._findings_at + 2.0 - time.monotonic())
        self._recompute_timer = self.set_timer(wait, self._start_findings)

    def _start_findings(self) -> None:
        self._recompute_timer = None
        self._findings_at = time.monotonic()
        self.compute_findings()

    @work(thread=True, exclusive=True, group="findings")
    def compute_findings(self) -> None:
        """Findings, and whether Marcus should speak: both scan every pod (tens of ms with 10k), so
        both run here, off the event loop. Only this worker (exclusive) calls the policy's decide."""
        from cockpit.analysis.analyzers import analyze

        snap = self.state.snapshot(self.clock(), tuple(c.name for c in self.hub.clusters), self.hub.demo)
        findings = tuple(analyze(snap))
        decision = None
        # The first comment waits for every source (or 5 s): half a picture misleads.
        if self._all_reported() or time.monotonic() - self._mounted_at >= 5:
            snap = replace(snap, findings=findings)
            name = self.advisor.name if self.advisor else ""
            decision = self.comment_policy.decide(self._prev_snapshot, snap, self.config.persona, name)
            self._prev_snapshot = snap
            if decision.speak:  # recorded here, with the decision: the next decide sees it at once
                self.comment_policy.record(decision)
        self.post_message(FindingsReady(findings, decision))

    def on_findings_ready(self, message: FindingsReady) -> None:
        """Marcus speaks unprompted only when the screen changed meaningfully (see CommentPolicy)."""
        self.state.findings = message.findings
        if message.decision is not None and message.decision.speak:
            self.ask_marcus(None, reason=message.decision.reason)

    def _all_reported(self) -> bool:
        s, hub = self.state, self.hub
        return ((bool(s.alerts.health) or not hub.alert_sources) and (bool(s.pods.health) or not hub.clusters)
                and (bool(s.slos.health) or not hub.slo_sources))

    def screen_state(self) -> ScreenState:
        snap = self.state.snapshot(self.clock(), tuple(c.name for c in self.hub.clusters), self.hub.demo)
        return ScreenState(
            snapshot=snap,
            focused=self.focused_pane_name(),
            selected_alert=self.alerts_pane.selected,
            selected_pod=self.pods_pane.selected,
            selected_slo=self.slos_pane.selected,
            visible_alerts=tuple(self.alerts_pane.shown),
            visible_pods=tuple(self.pods_pane.shown[:200]),
            visible_slos=tuple(self.slos_pane.shown),
            filters={n: p.filter_text for n, p in self.panes.items() if isinstance(p, Pane) and p.filter_text},
            layout=self.layout_def.name if self.layout_def else "",
        )

    def selection_label(self) -> str:
        focused = self.focused_pane_name()
        if focused == "pods" and self.pods_pane.selected:
            p = self.pods_pane.selected
            return f"pod {p.namespace}/{p.name} ({p.reason or p.phase})"
        if focused == "slos" and self.slos_pane.selected:
            s = self.slos_pane.selected
            return f"SLO {s.service}/{s.name} ({s.status})"
        a = self.alerts_pane.selected
        if a:
            return f"alert {a.name} ({a.severity}, {a.state}{', ' + a.namespace if a.namespace else ''})"
        return ""

    @work(exclusive=True, group="marcus")
    async def ask_marcus(self, question: str | None, reason: str = "") -> None:
        """Stream one answer into the panel; a new question cancels the old stream (exclusive)."""
        assert self.advisor is not None
        header = "Marcus" + (f" · {sanitize_line(reason, 80)}" if reason else " · comment" if question is None else "")
        if question:
            q = self.marcus_pane.begin(f"you: {question}", "bold cyan")
            del q
        self.marcus_pane.begin(header)
        request = AdvisorRequest(question=question, screen=self.screen_state())
        try:
            async for chunk in self.advisor.stream(request):
                if chunk.kind == "done":
                    break
                self.marcus_pane.add(chunk.kind, chunk.text)
        except Exception as exc:  # the panel must survive any advisor failure
            self.marcus_pane.add("error", error_text(exc))
        if self.advisor.name != self.marcus_pane.advisor_name:  # a lazy advisor knows its model once loaded
            self.marcus_pane.set_advisor(self.advisor.name)

    # -- focus and navigation -------------------------------------------------------------------
    def visible_panes(self) -> list[str]:
        return [n for n in PANE_ORDER if self.panes[n].display or (self.layout_def and self.layout_def.mode == "tabs"
                                                                    and n in self.layout_def.pane_names)]

    def focused_widget(self):
        """`focused`, or None while the app is shutting down: workers' messages can still arrive
        after the last screen is gone, and `App.focused` raises then."""
        return self.focused if self.screen_stack else None

    def focused_pane_name(self) -> str:
        node = self.focused_widget()
        while node is not None:
            if node in self.panes.values():
                return getattr(node, "pane_name", "alerts")
            node = node.parent
        return self.active_tab if self.layout_def and self.layout_def.mode == "tabs" else "alerts"

    def action_goto(self, name: str) -> None:
        if self.layout_def and self.layout_def.mode == "tabs":
            self.active_tab = name
            if name == "marcus":
                self.marcus_hidden = False
            self.apply_layout(self.layout_def)
        elif name == "marcus" and not self.marcus_pane.display:
            self.marcus_hidden = False
            self.apply_layout(self.layout_def)  # type: ignore[arg-type]
        pane = self.panes[name]
        if isinstance(pane, MarcusPane):
            pane.log_view.focus()
        else:
            pane.table.focus()
            self.update_highlights(pane.table)

    def _cycle(self, step: int) -> None:
        names = self.visible_panes()
        current = self.focused_pane_name()
        index = names.index(current) if current in names else 0
        self.action_goto(names[(index + step) % len(names)])

    def action_next_pane(self) -> None:
        if self._modal_open():
            self.screen.focus_next()
            return
        self._cycle(1)

    def action_prev_pane(self) -> None:
        if self._modal_open():
            self.screen.focus_previous()
            return
        self._cycle(-1)

    def _modal_open(self) -> bool:
        return len(self.screen_stack) > 1

    def action_next_layout(self) -> None:
        names = layout_names()
        current = self.layout_def.name if self.layout_def else ""
        nxt = names[(names.index(current) + 1) % len(names)] if current in names else names[0]
        self.switch_layout(nxt)

    def switch_layout(self, name: str) -> None:
        try:
            layout = load_layout(name)
        except ConfigError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return
        focused = self.focused_pane_name()
        self.apply_layout(layout)
        self.notify(f"layout {layout.name}: {layout.description}", timeout=3)
        if focused in layout.pane_names:
            self.action_goto(focused)

    def action_toggle_marcus(self) -> None:
        self.marcus_hidden = not self.marcus_hidden
        if self.layout_def:
            if self.layout_def.mode == "tabs" and not self.marcus_hidden:
                self.active_tab = "marcus"
            self.apply_layout(self.layout_def)
        if not self.marcus_hidden:
            self.marcus_pane.log_view.focus()

    # -- filter, escape, command line ---------------------------------------------------------
    def action_filter(self) -> None:
        name = self.focused_pane_name()
        pane = self.panes.get(name)
        if isinstance(pane, Pane):
            pane.open_filter()
        else:
            self.notify("/ filters the Alerts, Pods and SLOs panes", timeout=3)

    def action_escape(self) -> None:
        focused = self.focused
        if focused is self.cmdline:
            self.cmdline.display = False
            self.action_goto(self.focused_pane_name())
            return
        if focused is self.marcus_pane.ask_input:
            self.marcus_pane.close_ask()
            self.marcus_pane.log_view.focus()
            return
        name = self.focused_pane_name()
        pane = self.panes.get(name)
        if isinstance(pane, Pane) and (pane.filter_input.display or pane.filter_text):
            pane.close_filter(clear=True)

    @on(Pane.FilterChanged)
    def _filter_changed(self, event: Pane.FilterChanged) -> None:
        {"alerts": self.show_alerts, "pods": self.show_pods, "slos": self.show_slos}[event.pane]()

    def action_command_line(self) -> None:
        self.cmdline.value = ""
        self.cmdline.display = True
        self.cmdline.focus()

    @on(Input.Submitted, "#cmdline")
    def _command_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.cmdline.display = False
        pane = self.focused_pane_name()
        message = run_command(self, event.value)
        if message:
            self.notify(message, timeout=4)
        if self.focused is None or self.focused is self.cmdline:
            self.action_goto(pane if self.panes[pane].display else self.visible_panes()[0])

    def action_refresh(self) -> None:
        self.refresh_alerts()
        self.refresh_pods()
        self.refresh_slos()
        self.notify("refreshing every source", timeout=2)

    def action_help(self) -> None:
        from cockpit.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_toggle_muted(self) -> None:
        self.alerts_pane.show_muted = not self.alerts_pane.show_muted
        self.show_alerts()

    def action_toggle_group(self) -> None:
        group = self.alerts_pane.selected_group
        if group and self.focused_pane_name() == "alerts":
            self.alerts_pane.toggle_group(group)
            self.show_alerts()

    # -- selection: enter, correlation highlight ----------------------------------------------
    @on(VirtualTable.RowSelected)
    def _row_selected(self, event: VirtualTable.RowSelected) -> None:
        table = event.table
        if table is self.alerts_pane.table:
            group = self.alerts_pane.selected_group
            if group:
                self.alerts_pane.toggle_group(group)
                self.show_alerts()
            elif self.alerts_pane.selected:
                from cockpit.ui.screens.details import AlertScreen

                self.push_screen(AlertScreen(self.alerts_pane.selected, self.clock()))
        elif table is self.pods_pane.table:
            self.action_describe()
        elif table is self.slos_pane.table and self.slos_pane.selected:
            self.open_slo(self.slos_pane.selected)

    @on(VirtualTable.RowHighlighted)
    def _row_highlighted(self, event: VirtualTable.RowHighlighted) -> None:
        # Only the focused pane's selection drives the highlights: tables filling up in the
        # background post RowHighlighted too, and their order must not decide what is marked.
        if not isinstance(event, VirtualTable.RowSelected) and event.table is self.focused_widget():
            self.update_highlights(event.table)

    def update_highlights(self, table: VirtualTable) -> None:
        """Mark in the other panes what relates to the selected row (same service, namespace, owner)."""
        from cockpit.analysis.correlate import related

        snap = self.state.snapshot(self.clock(), (), self.hub.demo)
        empty: frozenset = frozenset()
        if table is self.alerts_pane.table and self.alerts_pane.selected:
            rel = related(snap, alert=self.alerts_pane.selected)
            self._set_highlights(empty, rel.pods, rel.slos)
        elif table is self.pods_pane.table and self.pods_pane.selected:
            rel = related(snap, pod=self.pods_pane.selected)
            self._set_highlights(rel.alerts, empty, rel.slos)
        elif table is self.slos_pane.table and self.slos_pane.selected:
            rel = related(snap, slo=self.slos_pane.selected)
            self._set_highlights(rel.alerts, rel.pods, empty)

    def _set_highlights(self, alerts: frozenset, pods: frozenset, slos: frozenset) -> None:
        if alerts != self.alerts_pane.highlight:
            self.alerts_pane.highlight = frozenset(alerts)
            self.show_alerts()
        if pods != self.pods_pane.highlight:
            self.pods_pane.highlight = frozenset(pods)
            self.show_pods()
        if slos != self.slos_pane.highlight:
            self.slos_pane.highlight = frozenset(slos)
            self.show_slos()

    def open_slo(self, slo: SLOStatus) -> None:
        from cockpit.ui.screens.details import SLOScreen

        history = getattr(self.hub.slo_sources[0], "budget_history_for", None) if self.hub.slo_sources else None
        self.push_screen(SLOScreen(slo, (lambda: history(slo)) if history else None))

    # -- pods: logs and describe ---------------------------------------------------------------
    def target_pod(self) -> Pod | None:
        """The selected pod, or the worst pod related to the selected alert/SLO."""
        focused = self.focused_pane_name()
        if focused == "pods" or focused == "marcus":
            return self.pods_pane.selected
        try:
            from cockpit.analysis.correlate import related
        except ImportError:
            return None
        snap = self.state.snapshot(self.clock(), (), self.hub.demo)
        rel = None
        if focused == "alerts" and self.alerts_pane.selected:
            rel = related(snap, alert=self.alerts_pane.selected)
        elif focused == "slos" and self.slos_pane.selected:
            rel = related(snap, slo=self.slos_pane.selected)
        if not rel or not rel.pods:
            return None
        for p in self.pods_pane.shown:  # problem-first order: the first related is the worst
            if p.key in rel.pods:
                return p
        return None

    def _pod_or_hint(self) -> Pod | None:
        pod = self.target_pod()
        if pod is None:
            self.notify("select a pod (2 jumps to Pods)", severity="warning", timeout=3)
        return pod

    def action_logs(self) -> None:
        pod = self._pod_or_hint()
        if pod is None:
            return
        from cockpit.ui.screens.logs import LogsScreen

        cluster = self.hub.cluster(pod.context)
        containers = [c.name for c in pod.containers if not c.init] or [""]

        def fetch(container: str | None, previous: bool, tail: int) -> str:
            return cluster.pod_logs(pod.namespace, pod.name, container=container, previous=previous, tail=tail)

        self.push_screen(LogsScreen(f"{pod.namespace}/{pod.name}", containers, fetch))

    def action_describe(self) -> None:
        pod = self._pod_or_hint()
        if pod is None:
            return
        from cockpit.ui.screens.details import DescribeScreen

        cluster = self.hub.cluster(pod.context)
        self.push_screen(DescribeScreen(f"{pod.namespace}/{pod.name}",
                                        lambda: cluster.describe_pod(pod.namespace, pod.name), self.clock))

    # -- Marcus ---------------------------------------------------------------------------------
    def action_ask(self) -> None:
        about = self.selection_label()
        if self.marcus_hidden or not self.marcus_pane.display:
            self.marcus_hidden = False
            if self.layout_def and self.layout_def.mode == "tabs":
                self.active_tab = "marcus"
            self.apply_layout(self.layout_def)  # type: ignore[arg-type]
        self.pending_action["ask_about"] = about
        self.marcus_pane.open_ask(about)

    @on(Input.Submitted, "#marcus-ask")
    def _ask_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        question = event.value.strip()
        self.marcus_pane.ask_input.value = ""
        if question:
            self.ask_marcus(question)

    def action_comment(self) -> None:
        self.ask_marcus(None)

    # -- silences --------------------------------------------------------------------------------
    def created_by(self) -> str:
        from cockpit.audit import default_user

        return self.config.created_by or default_user()

    def _refuse(self) -> bool:
        if self.hub.readonly:
            self.notify("read-only: cockpit was started with --readonly, actions are refused", severity="error")
            return True
        if not self.hub.silence_backends:
            self.notify(self.hub.silence_unavailable or "no Alertmanager configured: silencing is unavailable",
                        severity="error", timeout=8)
            return True
        return False

    def action_silence(self) -> None:
        alert = self.alerts_pane.selected
        if alert is None:
            self.notify("select an alert to silence (1 jumps to Alerts)", severity="warning")
            return
        if self._refuse():
            return
        from cockpit.ui.screens.silence import SilenceScreen

        def done(request: SilenceRequest | None) -> None:
            if request is not None:
                self.create_silence(request, alert)

        self.push_screen(SilenceScreen(alert, self.state.alerts.alerts, self.created_by()), done)

    def action_ack(self) -> None:
        alert = self.alerts_pane.selected
        if alert is None:
            self.notify("select an alert to ack", severity="warning")
            return
        if self._refuse():
            return
        from cockpit.analysis.matchers import silence_matchers

        request = SilenceRequest(matchers=tuple(silence_matchers(alert, "name_ns")), duration_s=ACK_SECONDS,
                                 created_by=self.created_by(), comment="ACK")
        self.create_silence(request, alert)

    @work(thread=True, group="actions")
    def create_silence(self, request: SilenceRequest, alert: Alert) -> None:
        try:
            silence = self.hub.create_silence(request)
        except ReadOnlyError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            return
        except Exception as exc:
            self.call_from_thread(self.notify, f"silence failed: {error_text(exc)}", severity="error", timeout=10)
            return
        result = self.hub.refresh_alerts()  # read back: the row must show what Alertmanager now says
        self.post_message(Loaded("alerts-action", result))
        until = silence.ends_at.strftime("%H:%M UTC")
        self.call_from_thread(self.notify, f"silence {silence.id[:8]} {silence.state} until {until} "
                                           f"({sanitize_line(alert.name, 60)}), read back from {silence.source or 'backend'}")

    def action_silences(self) -> None:
        from cockpit.ui.screens.silences import SilencesScreen

        self.push_screen(SilencesScreen(self.state.alerts.silences, self.clock, self.confirm_expire))

    def confirm_expire(self, silence: Silence) -> None:
        if self._refuse():
            return
        from cockpit.ui.screens.common import ConfirmScreen

        def answer(yes: bool | None) -> None:
            if yes:
                self.expire_silence(silence)

        matchers = ", ".join(str(m) for m in silence.matchers)
        self.push_screen(ConfirmScreen(f"Expire silence {silence.id[:8]} ({sanitize_line(matchers, 200)})?"), answer)

    @work(thread=True, group="actions")
    def expire_silence(self, silence: Silence) -> None:
        try:
            result = self.hub.expire_silence(silence.id)
        except Exception as exc:
            self.call_from_thread(self.notify, f"expire failed: {error_text(exc)}", severity="error", timeout=10)
            return
        refreshed = self.hub.refresh_alerts()
        self.post_message(Loaded("alerts-action", refreshed))
        self.call_from_thread(self.notify, f"silence {result.id[:8]} is now {result.state}")
        self.call_from_thread(self._refresh_silences_screen, refreshed.silences)

    def _refresh_silences_screen(self, silences: tuple[Silence, ...]) -> None:
        from cockpit.ui.screens.silences import SilencesScreen

        if isinstance(self.screen, SilencesScreen):
            self.screen.show(silences)
