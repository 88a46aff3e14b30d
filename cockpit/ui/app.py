"""The cockpit App: config, the hub, the thread workers on re-armed timers, the global keys and notify.

Sources are polled in thread workers (never on the event loop); results come back as typed messages
(cockpit.ui.messages), land in `state`, and the main screen paints them by diffing rows on stable keys.
Nothing here talks to a backend directly: every call goes through the Hub, which keeps last data and
health when a backend fails. What is on screen, and the keys acting on it, is the MainScreen's.
"""

from __future__ import annotations

import itertools
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import get_current_worker

from cockpit import gcpause
from cockpit.advisor.base import Advisor
from cockpit.advisor.policy import CommentPolicy
from cockpit.analysis.incidents import IncidentIndex
from cockpit.analysis.sanitize import sanitize_line
from cockpit.config import Config
from cockpit.model import Silence, Snapshot, utcnow
from cockpit.sources.base import Closable, FleetView, Watching
from cockpit.sources.hub import Hub, PodsResult
from cockpit.ui.commands import CockpitCommands
from cockpit.ui.keymap import bindings, check_keymap
from cockpit.ui.messages import AlertsLoaded, FindingsReady, PodsLoaded, SLOsLoaded
from cockpit.ui.panes.pods import PodsView
from cockpit.ui.screens.main import MainScreen
from cockpit.ui.state import State
from cockpit.ui.theme import apply_theme

if TYPE_CHECKING:
    from cockpit.ui.layout import Layout
    from cockpit.ui.panes.alerts import AlertsPane
    from cockpit.ui.panes.base import Pane
    from cockpit.ui.panes.marcus import MarcusPane
    from cockpit.ui.panes.pods import PodsPane
    from cockpit.ui.panes.slos import SLOsPane


class CockpitApp(App[None]):
    CSS_PATH = Path(__file__).parent / "app.tcss"  # absolute: subclasses may live elsewhere
    TITLE = "cockpit"
    COMMANDS = App.COMMANDS | {CockpitCommands}
    BINDINGS = bindings("app")  # q, r; ctrl+p is Textual's. The main screen's keys are its own.

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
        self.keymap = check_keymap(self.config.keymap)  # cli.start_tui has reported a bad one already
        self.set_keymap(self.keymap)
        apply_theme(self, self.config.theme)  # cli.start_tui has reported an unknown one already
        if advisor is None:
            from cockpit.advisor.offline import OfflineMarcus
            from cockpit.advisor.persona import load_persona

            advisor = OfflineMarcus(load_persona(self.config.persona or "marcus"))
        self.advisor: Advisor = advisor
        self.requested_layout = layout or self.config.layout or ""
        self.clock = clock
        self.live = live  # False in snapshot tests: one refresh, no timers, frozen clock
        self.context_label = context_label or ", ".join(
            "fleet" if isinstance(c, FleetView) else c.name for c in hub.clusters) or "no cluster"
        self.state = State()
        self.fleet = next((c for c in hub.clusters if isinstance(c, FleetView)), None)
        self.main = MainScreen(multi_context=len(hub.clusters) > 1, fleet=self.fleet is not None)
        self.comment_policy = CommentPolicy(hourly_budget=self.config.marcus_hourly_budget)
        self._recompute_timer: Timer | None = None
        self._findings_at = 0.0
        self._mounted_at = time.monotonic()
        self._prev_snapshot: Snapshot | None = None
        self._incident_prev: Snapshot | None = None  # the findings worker's last (changes, incident ids)
        self._pods_painted = threading.Event()  # the last watch result is on screen
        self._first_watch_paint = threading.Event()
        self._watching = False
        self._pods_seq = itertools.count(1)  # thread-safe under the GIL
        self._pods_shown_seq = 0
        self._fleet_focus = ("", "")

    def get_default_screen(self) -> MainScreen:
        return self.main

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every toast may carry backend or cluster text (error lines, alert names): shown literally,
        never parsed as markup, with escape sequences removed. Screens' notify() lands here too.
        Textual's own toasts (the ctrl+c hint, a saved screenshot) are its words: they keep their markup."""
        if sys._getframe(1).f_globals.get("__name__") == "textual.app":
            super().notify(message, title=title, severity=severity, timeout=timeout)
            return
        super().notify(sanitize_line(message, 600), title=sanitize_line(title, 100), severity=severity,
                       timeout=timeout, markup=False)

    def on_mount(self) -> None:
        self._mounted_at = time.monotonic()
        self.refresh_alerts()
        self._watching = self.live and any(isinstance(c, Watching) for c in self.hub.clusters)
        if self.live:  # the first pods list is the watch's list, not a second one racing it
            self.hub.start_watches()
        self.refresh_pods()
        self.refresh_slos()
        if self._watching:
            self.watch_pods()
        self.set_timer(10.0, gcpause.end_startup)  # a source that never answers must not hold it

    def on_unmount(self) -> None:
        gcpause.end_startup()
        self._first_watch_paint.set()  # a refresh still waiting for it must not hold up the exit
        for cluster in self.hub.clusters:  # stop watch threads and close connections
            if isinstance(cluster, Closable):
                cluster.close()

    def on_resize(self, event: events.Resize) -> None:
        if self.main.is_mounted:  # the App's resize: it arrives even while another screen is on top
            self.main.fit_layout(event.size)

    # -- refresh loops: each fetch runs in a thread worker and re-arms its own timer ------------------
    @work(thread=True, exclusive=True, group="alerts")
    def refresh_alerts(self) -> None:
        self.post_message(AlertsLoaded(self.hub.refresh_alerts()))

    @work(thread=True, exclusive=True, group="pods")
    def refresh_pods(self) -> None:
        if self._watching and not self._first_watch_paint.is_set():
            # The watch's first list is painted first; the other lists (nodes, workloads, events)
            # follow instead of taking the CPU from that first paint of a big cluster.
            self._first_watch_paint.wait(15)
            if get_current_worker().is_cancelled:  # quit while waiting
                return
        seq = next(self._pods_seq)
        self.post_message(self._pods_loaded(self.hub.refresh_pods(), seq, watch=False))

    def _pods_loaded(self, result: PodsResult, seq: int, watch: bool) -> PodsLoaded:
        """In the worker: rank the rows here so the event loop only swaps them in."""
        return PodsLoaded(result, self.main.pods_pane.prepare(result.pods, self.clock()), seq, watch)

    @work(thread=True, exclusive=True, group="slos")
    def refresh_slos(self) -> None:
        self.post_message(SLOsLoaded(self.hub.refresh_slos()))

    @work(thread=True, exclusive=True, group="watch")
    def watch_pods(self) -> None:
        """Kubernetes watch: re-read the pod cache whenever it changes; bursts coalesce."""
        worker = get_current_worker()
        while not worker.is_cancelled:
            changed = False
            for c in self.hub.clusters:
                if isinstance(c, Watching):
                    try:
                        changed = c.wait_for_change(0.5) or changed
                    except Exception:  # the list call below reports the error as health
                        changed = True
            if changed and not worker.is_cancelled:
                # Backpressure: one result in flight; changes meanwhile pile up in the watch cache
                # and go out together (10k pods at 50 events/s otherwise queues seconds of redraws).
                self._pods_painted.clear()
                seq = next(self._pods_seq)
                self.post_message(self._pods_loaded(self.hub.refresh_pods(pods_only=True), seq, watch=True))
                self._pods_painted.wait(2.0)
                time.sleep(0.05)  # coalesce: keys get the event loop between two redraws

    # -- results land: state first, then the screen, then the next fetch ------------------------
    def on_alerts_loaded(self, message: AlertsLoaded) -> None:
        self.state.alerts = message.result
        self.show_alerts()
        self._landed(None if message.action else (self.config.alerts_interval_s, self.refresh_alerts))

    def on_pods_loaded(self, message: PodsLoaded) -> None:
        if message.seq < self._pods_shown_seq:
            # A slow full refresh finishing after a newer watch read: keep the newer pods,
            # take only its nodes, workloads and events.
            self.state.pods = replace(message.result, pods=self.state.pods.pods)
        else:
            self._pods_shown_seq = message.seq
            self.state.pods = message.result
            self.show_pods(message.view)
        self.call_after_refresh(self._pods_painted.set)
        if message.watch:
            self.call_after_refresh(self._first_watch_paint.set)
        # A fleet's series change once per scrape: refreshing faster only costs the store.
        interval = max(self.config.pods_interval_s, self.config.fleet_scrape_interval_s) if self.fleet \
            else self.config.pods_interval_s
        self._landed(None if message.watch else (interval, self.refresh_pods), pods_watch=message.watch)

    def on_slos_loaded(self, message: SLOsLoaded) -> None:
        self.state.slos = message.result
        self.show_slos()
        self._landed((self.config.slos_interval_s, self.refresh_slos))

    def focus_fleet(self, cluster: str, namespace: str) -> None:
        """A pods filter naming a fleet cluster: fetch that cluster's healthy rows too, now."""
        if self.fleet is not None and self._fleet_focus != (cluster, namespace):
            self._fleet_focus = (cluster, namespace)
            self.fleet.set_focus(cluster, namespace)  # only records it: the next refresh (a worker) reads
            self.refresh_pods()

    # The three paint hooks (bench/ hooks them to time what reaches the screen).
    def show_alerts(self) -> None:
        if self.main.is_mounted:
            self.main.show_alerts()

    def show_pods(self, view: PodsView | None = None) -> None:
        if self.main.is_mounted:
            self.main.show_pods(view)

    def show_slos(self) -> None:
        if self.main.is_mounted:
            self.main.show_slos()

    def _landed(self, rearm: tuple[float, Callable[[], object]] | None, pods_watch: bool = False) -> None:
        if self.main.is_mounted:
            self.main.data_changed(pods_watch)
        if self.live and rearm is not None:
            self.set_timer(*rearm)
        self.schedule_findings()
        if self._all_reported():  # the first full screen: the start-up GC pause (cli.start_tui) ends
            self.call_after_refresh(gcpause.end_startup)

    def _all_reported(self) -> bool:
        s, hub = self.state, self.hub
        return ((bool(s.alerts.health) or not hub.alert_sources) and (bool(s.pods.health) or not hub.clusters)
                and (bool(s.slos.health) or not hub.slo_sources))

    def snapshot(self, contexts: bool = True) -> Snapshot:
        """The screen's data as one Snapshot (what correlation and Marcus read)."""
        names = tuple(c.name for c in self.hub.clusters) if contexts else ()
        return self.state.snapshot(self.clock(), names, self.hub.demo)

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
        from cockpit.analysis.incidents import index_incidents, with_incidents

        # changes and incidents first: the previous result keeps incident ids (and SLO transitions)
        base = replace(self.snapshot(), changes=self.state.pods.changes, incidents=())  # what the sources said
        snap = with_incidents(base, self._incident_prev, self.config.changes_window)
        self._incident_prev = snap
        findings = tuple(analyze(snap))
        decision = None
        # The first comment waits for every source (or 5 s): half a picture misleads.
        if self._all_reported() or time.monotonic() - self._mounted_at >= 5:
            snap = replace(snap, findings=findings)
            decision = self.comment_policy.decide(self._prev_snapshot, snap, self.config.persona, self.advisor.name)
            self._prev_snapshot = snap
            if decision.speak:  # recorded here, with the decision: the next decide sees it at once
                self.comment_policy.record(decision)
        self.post_message(FindingsReady(findings, decision, snap.incidents, snap.changes, index_incidents(snap)))

    def on_findings_ready(self, message: FindingsReady) -> None:
        """Marcus speaks unprompted only when the screen changed meaningfully (see CommentPolicy)."""
        self.state.findings = message.findings
        self.state.incidents, self.state.changes = message.incidents, message.changes
        self.state.index = message.index or IncidentIndex()
        if self.main.is_mounted:
            self.main.incidents_changed()
        if message.decision is not None and message.decision.speak and self.main.is_mounted:
            self.main.ask_marcus(None, reason=message.decision.reason)

    # -- global actions --------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.refresh_alerts()
        self.refresh_pods()
        self.refresh_slos()
        self.notify("refreshing every source", timeout=2)

    def action_help(self) -> None:
        from cockpit.ui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return  # one Help at a time
        self.push_screen(HelpScreen(self.keymap))

    def created_by(self) -> str:
        from cockpit.audit import default_user

        return self.config.created_by or default_user()

    # -- the main screen's parts, for tests and bench/ ---------------------------------------------
    @property
    def alerts_pane(self) -> AlertsPane:
        return self.main.alerts_pane

    @property
    def pods_pane(self) -> PodsPane:
        return self.main.pods_pane

    @property
    def slos_pane(self) -> SLOsPane:
        return self.main.slos_pane

    @property
    def marcus_pane(self) -> MarcusPane:
        return self.main.marcus_pane

    @property
    def panes(self) -> dict[str, Pane | MarcusPane]:
        return self.main.panes

    @property
    def header(self) -> Static:
        return self.main.header

    @property
    def layout_def(self) -> Layout | None:
        return self.main.layout_def

    def focused_pane_name(self) -> str:
        return self.main.focused_pane_name()

    def action_goto(self, name: str) -> None:
        self.main.action_goto(name)

    def confirm_expire(self, silence: Silence) -> None:
        self.main.confirm_expire(silence)
