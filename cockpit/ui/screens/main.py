"""The main screen: header, tab strip, the four panes in a layout, the `:` line, and the keys that act on them.

It owns what is on screen (layout, focus, filter, selection and the highlights it drives) and the
actions on the selection; the App owns the data (hub, workers, timers) and calls `show_*` when new
data lands. Pushed screens disable these bindings on their own: they are this screen's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Container
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input, Static

from cockpit.advisor.base import AdvisorRequest, ScreenState, coverage_map
from cockpit.analysis.acks import ack_labels
from cockpit.analysis.sanitize import sanitize_line
from cockpit.config import ConfigError
from cockpit.glyphs import G
from cockpit.model import Incident, Pod, Silence, SLOStatus
from cockpit.sources.base import BudgetHistory
from cockpit.ui.commands import command_hint, run_command
from cockpit.ui.keymap import bindings
from cockpit.ui.layout import Layout, auto_layout_name, layout_names, load_layout
from cockpit.ui.panes.alerts import AlertsPane
from cockpit.ui.panes.base import Pane
from cockpit.ui.panes.incidents import IncidentsPane
from cockpit.ui.panes.marcus import MarcusPane
from cockpit.ui.panes.pods import PodsPane, PodsView
from cockpit.ui.panes.slos import SLOsPane
from cockpit.ui.rows import focus_of
from cockpit.ui.screens.silence_actions import record_incidents
from cockpit.ui.vtable import VirtualTable

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp
    from cockpit.ui.screens.silence_actions import SilenceActions

PANE_ORDER = ("alerts", "pods", "slos", "marcus", "incidents")


def short_title(title: str) -> str:
    """A pane title cut to fit a tab: 'Alerts 10 · 4 critical · STALE (…)' -> 'Alerts 10 4 crit STALE'."""
    parts = [p for p in title.split(" · ") if not p.startswith("STALE")]  # STALE (why): once, at the end
    label = " ".join(parts[:2]).replace("critical", "crit").replace("problems", "prob")
    return label + (" STALE" if "STALE" in title else "")


class MainScreen(Screen[None]):
    BINDINGS = bindings("main")

    def __init__(self, multi_context: bool = False, fleet: bool = False) -> None:
        super().__init__(id="main")
        self.layout_def: Layout | None = None
        self.active_tab = "alerts"
        self.marcus_hidden = False
        self.header = Static("", id="header")
        self.tabstrip = Static("", id="tabstrip")
        self.alerts_pane = AlertsPane()
        self.pods_pane = PodsPane(with_context=multi_context, fleet=fleet)
        self.slos_pane = SLOsPane()
        self.marcus_pane = MarcusPane()
        self.incidents_pane = IncidentsPane()  # shown by layouts that place it (incident)
        self.panes: dict[str, Pane | MarcusPane] = {"alerts": self.alerts_pane, "pods": self.pods_pane,
                                                    "slos": self.slos_pane, "marcus": self.marcus_pane,
                                                    "incidents": self.incidents_pane}
        self.cmdline = Input(placeholder=command_hint(), id="cmdline")
        self._command_from = "alerts"  # the pane `:` was typed in: the line takes the focus from it
        self._header_text: Text | None = None
        self._tabstrip_text: Text | None = None

    @property
    def cockpit(self) -> CockpitApp:
        return cast("CockpitApp", self.app)

    # -- composition and layout ---------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield self.header
        yield self.tabstrip
        with Container(id="panes"):
            yield from self.panes.values()
        yield self.cmdline
        yield Footer()

    def on_mount(self) -> None:
        app = self.cockpit
        self.cmdline.display = False
        name = app.requested_layout or auto_layout_name(app.size.width, app.size.height)
        try:
            self.apply_layout(load_layout(name))
        except ConfigError as exc:
            app.notify(str(exc), severity="error", timeout=10)
            self.apply_layout(load_layout(auto_layout_name(app.size.width, app.size.height)))
        self.marcus_pane.set_advisor(app.advisor.name)
        self.set_focus(self.alerts_pane.table)  # now, like action_goto: a queued focus would undo its jump
        self._auto_focus: Widget | None = self.alerts_pane.table  # until the user moves (focus_first_rows)
        self.show_alerts()  # whatever landed before this screen was mounted
        self.show_pods()
        self.show_slos()
        self.show_incidents()
        self.data_changed(pods_watch=False)
        if app.live:
            self.set_interval(1.0, self.update_header)

    def fit_layout(self, size: Size) -> None:
        """Without --layout, follow the terminal: compact below 100x30, default above."""
        if self.cockpit.requested_layout or self.layout_def is None:
            return
        wanted = auto_layout_name(size.width, size.height)
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

    def _tabs(self) -> bool:
        return self.layout_def is not None and self.layout_def.mode == "tabs"

    def update_tabstrip(self) -> None:
        if self.layout_def is None or not self._tabs():
            return
        text = Text()
        for i, name in enumerate(PANE_ORDER, 1):
            if name not in self.layout_def.pane_names:
                continue
            label = short_title(self.panes[name].title_plain)
            text.append(f" {i} {label} ", style="bold reverse" if name == self.active_tab else "")
            text.append(G.vbar, style="dim")
        if text != self._tabstrip_text:  # an update relayouts the screen: only when it changed
            self._tabstrip_text = text
            self.tabstrip.update(text, layout=False)  # one fixed line: no relayout needed

    def update_header(self) -> None:
        app = self.cockpit
        text = Text(" cockpit ", style="bold reverse")
        if app.hub.demo:
            text.append(" DEMO ", style="bold white on dark_orange3")
        if app.hub.readonly:
            text.append(" READONLY ", style="bold white on blue")
        text.append(f" {app.clock():%H:%M:%S} UTC ", style="dim")
        incidents = app.state.incidents
        if incidents:  # how many separate problems: the first question at 3 a.m., so it fits at 80 columns
            crit = any(i.severity == "critical" for i in incidents)
            text.append(f" {len(incidents)} incident{'s' * (len(incidents) != 1)} (i) ",
                        style="bold white on red" if crit else "bold black on yellow")
        text.append(f" ctx {sanitize_line(app.context_label, 40)} ", style="bold")
        health = list(app.state.health().values())
        failing = [h for h in health if not h.ok]
        for h in failing:  # first: at 80 columns the end of the line is cut
            text.append(f"{G.bad} ", style="bold red")
            text.append(f"{h.kind} ", style="red")
        if failing and len(health) > len(failing):  # then the ones that work, counted
            text.append(f"{G.ok} {len(health) - len(failing)} ok ", style="green")
        for h in health if not failing else ():
            text.append(f"{G.ok} ", style="green")
            text.append(f"{h.kind} ")
        if text != self._header_text:
            self._header_text = text
            self.header.update(text, layout=False)

    # -- painting the App's last data ------------------------------------------------------------
    def show_alerts(self) -> None:
        a = self.cockpit.state.alerts
        self.alerts_pane.acks = ack_labels(a.alerts, a.silences, self.cockpit.clock())  # "ack alice 12m"
        self.alerts_pane.show(a.alerts, list(a.health.values()), self.cockpit.clock(),
                              configured=bool(self.cockpit.hub.alert_sources))

    def show_pods(self, view: PodsView | None = None) -> None:
        app = self.cockpit
        p = app.state.pods
        self.pods_pane.show(p.pods, list(p.health.values()), app.clock(), configured=bool(app.hub.clusters),
                            view=view, fleet=p.clusters)

    def show_slos(self) -> None:
        s = self.cockpit.state.slos
        self.slos_pane.show(s.slos, list(s.health.values()), configured=bool(self.cockpit.hub.slo_sources))

    def show_incidents(self) -> None:
        app = self.cockpit
        self.incidents_pane.show(app.state.incidents, app.clock(), ready=app._all_reported())

    def incidents_changed(self) -> None:
        """New incidents from the findings worker: the pane, the header, an open incidents view, highlights."""
        from cockpit.ui.screens.incidents import IncidentScreen, IncidentsScreen

        self.show_incidents()
        self.update_header()
        record_incidents(self.cockpit, self.cockpit.state.incidents)  # the journal keeps them for the hand-over
        for screen in self.app.screen_stack:
            if isinstance(screen, IncidentsScreen):
                screen.show(self.cockpit.state.incidents)
            elif isinstance(screen, IncidentScreen):
                current = self.cockpit.state.index.incidents.get(screen.incident.id)
                if current is not None:
                    screen.show(current, self.cockpit.snapshot())
        focused = self.focused_widget()
        if isinstance(focused, VirtualTable):
            self.update_highlights(focused)

    def action_incidents(self) -> None:
        from cockpit.ui.screens.incidents import IncidentsScreen

        app = self.cockpit
        self.app.push_screen(IncidentsScreen(app.state.incidents, app.clock, self.open_incident))

    def open_incident(self, incident: Incident) -> None:
        from cockpit.ui.screens.incidents import IncidentScreen

        self.app.push_screen(IncidentScreen(incident, self.cockpit.snapshot(), self.jump_to))

    def jump_to(self, member: str) -> None:
        """Back to the main screen with the member's row selected (filters cleared if they hide it)."""
        kind, _, name = member.partition(":")
        while self.app.screen is not self and len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        pane = {"alert": "alerts", "pod": "pods", "slo": "slos"}.get(kind)
        if pane is None:  # nodes and workloads have no pane: their pods do, filtered to them
            self._show_pods_of(kind, name)
            return
        if self.layout_def is not None and pane not in self.layout_def.pane_names:
            self.switch_layout(auto_layout_name(self.app.size.width, self.app.size.height))
        self.action_goto(pane)
        if not self._select_member(kind, name):
            target = self.panes[pane]
            if isinstance(target, Pane) and target.filter_text:
                target.close_filter(clear=True)
            if kind == "alert":
                self.alerts_pane.collapsed.clear()
                self.alerts_pane.show_muted = True
            {"alerts": self.show_alerts, "pods": self.show_pods, "slos": self.show_slos}[pane]()
            if not self._select_member(kind, name):
                self.notify(f"{kind} {sanitize_line(name, 100)} is no longer on screen", timeout=4)

    def _show_pods_of(self, kind: str, name: str) -> None:
        """A node's or workload's pods: the Pods pane filtered to them (`node=NAME`, or `ns=NS NAME`)."""
        ctx, _, bare = name.rpartition(":") if ":" in name else ("", "", name)
        if kind == "node":
            query = f"node={bare}"
        else:
            _kind, ns, wname = (bare.split("/", 2) + ["", ""])[:3]
            query = f"ns={ns} {wname}" if wname else bare
        if ctx:
            query += f" ctx={ctx}"
        if self.layout_def is not None and "pods" not in self.layout_def.pane_names:
            self.switch_layout(auto_layout_name(self.app.size.width, self.app.size.height))
        pane = self.pods_pane
        pane.filter_text = query
        pane.refresh_title()
        self.show_pods()
        self.action_goto("pods")
        self.notify(f"pods of {kind} {sanitize_line(bare, 100)} (escape in Pods clears the filter)", timeout=4)

    def _select_member(self, kind: str, name: str) -> bool:
        from cockpit.analysis.changes import pod_ref

        if kind == "alert":
            return self.alerts_pane.table.select_key(name)
        if kind == "slo":
            service, _, slo = name.partition("/")
            return self.slos_pane.table.select_key(f"{service}\0{slo}")
        multi = self.cockpit.state.index.multi
        for key, pod in self.pods_pane.pods.items():
            if pod_ref(pod, multi) == name:
                return self.pods_pane.table.select_key(key)
        return False

    def data_changed(self, pods_watch: bool) -> None:
        """After new data: highlights (not for a watch tick: the selection's relations barely move), header, tabs."""
        focused = self.focused_widget()
        if not pods_watch and isinstance(focused, VirtualTable):
            self.update_highlights(focused)  # new data can change what relates to the selection
        self.update_header()
        self.update_tabstrip()
        self.focus_first_rows()

    def focus_first_rows(self) -> None:
        """At start, the focus leaves an empty pane (its source answered: nothing there, or none is
        configured) for the first pane of the layout that has rows, so the first key does something.
        It stops as soon as the focused pane has rows or the user has moved the focus."""
        auto = getattr(self, "_auto_focus", None)
        if auto is None or self.layout_def is None:
            return
        focused = self.focused_widget()
        if focused is not None and focused is not auto:
            self._auto_focus = None  # the user moved: the focus is his
            return
        current = self.panes.get(self.focused_pane_name())
        if not isinstance(current, Pane) or current.table.row_count or current.coverage.state == "waiting":
            if isinstance(current, Pane) and current.table.row_count:
                self._auto_focus = None
            return
        for name in self.layout_def.pane_names:
            pane = self.panes[name]
            if isinstance(pane, Pane) and pane.table.row_count:
                self.action_goto(name)
                self._auto_focus = None
                return

    # -- focus and navigation -------------------------------------------------------------------
    def visible_panes(self) -> list[str]:
        names = self.layout_def.pane_names if self.layout_def else ()
        return [n for n in PANE_ORDER if self.panes[n].display or (self._tabs() and n in names)]

    def focused_widget(self) -> Widget | None:
        """`focused`, or None while the app is shutting down: workers' messages can still arrive
        after the last screen is gone, and `App.focused` raises then."""
        return self.app.focused if self.app.screen_stack else None

    def focused_pane_name(self) -> str:
        node = self.focused_widget()
        panes = list(self.panes.values())
        while node is not None:
            if node in panes:
                return node.pane_name
            node = cast("Widget | None", node.parent)
        return self.active_tab if self._tabs() else "alerts"

    def _show_marcus(self) -> None:
        self.marcus_hidden = False
        if self.layout_def is not None:
            self.apply_layout(self.layout_def)

    def action_goto(self, name: str) -> None:
        if self.layout_def is not None and self.layout_def.mode == "tabs":
            self.active_tab = name
            if name == "marcus":
                self.marcus_hidden = False
            self.apply_layout(self.layout_def)
        elif name == "marcus" and not self.marcus_pane.display:
            self._show_marcus()
        pane = self.panes[name]
        # set_focus now, not widget.focus() (queued): a key typed right after `2` must land in Pods
        if isinstance(pane, MarcusPane):
            self.set_focus(pane.log_view)
        else:
            self.set_focus(pane.table)
            self.update_highlights(pane.table)

    def _cycle(self, step: int) -> None:
        names = self.visible_panes()
        current = self.focused_pane_name()
        index = names.index(current) if current in names else 0
        self.action_goto(names[(index + step) % len(names)])

    def action_next_pane(self) -> None:
        self._cycle(1)

    def action_prev_pane(self) -> None:
        self._cycle(-1)

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
            if self._tabs() and not self.marcus_hidden:
                self.active_tab = "marcus"
            self.apply_layout(self.layout_def)
        if not self.marcus_hidden:
            self.marcus_pane.log_view.focus()

    # -- filter, escape, command line ---------------------------------------------------------
    def action_filter(self) -> None:
        pane = self.panes.get(self.focused_pane_name())
        if isinstance(pane, Pane):
            pane.open_filter()
        else:
            self.notify("/ filters the Alerts, Pods and SLOs panes", timeout=3)

    def action_escape(self) -> None:
        focused = self.focused
        if focused is self.cmdline:
            self.cmdline.display = False
            self.action_goto(self._command_from)
            return
        if focused is self.marcus_pane.ask_input:
            self.marcus_pane.close_ask()
            self.marcus_pane.log_view.focus()
            return
        pane = self.panes.get(self.focused_pane_name())
        if isinstance(pane, Pane) and (pane.filter_input.display or pane.filter_text):
            pane.close_filter(clear=True)

    @on(Pane.FilterChanged)
    def _filter_changed(self, event: Pane.FilterChanged) -> None:
        {"alerts": self.show_alerts, "pods": self.show_pods, "slos": self.show_slos,
         "incidents": self.show_incidents}[event.pane]()
        if event.pane == "pods" and self.pods_pane.fleet:
            self.cockpit.focus_fleet(*focus_of(self.pods_pane.filter_text))

    def action_clusters(self) -> None:
        from cockpit.ui.screens.clusters import ClustersScreen

        fleet = self.cockpit.state.pods.clusters
        if not self.pods_pane.fleet:
            self.notify("the cluster view needs --pods-from prometheus (a fleet in one metrics store)", timeout=4)
            return
        self.app.push_screen(ClustersScreen(fleet, self.filter_cluster))

    def filter_cluster(self, cluster: str) -> None:
        """Pods of one fleet cluster: the filter says so, and the fleet fetches its healthy rows too."""
        pane = self.pods_pane
        pane.filter_text = f"cluster={cluster}"
        pane.refresh_title()
        self.show_pods()
        self.action_goto("pods")
        self.cockpit.focus_fleet(cluster, "")

    def action_command_line(self) -> None:
        if self.focused is not self.cmdline:
            self._command_from = self.focused_pane_name()
        self.cmdline.value = ""
        self.cmdline.display = True
        self.cmdline.focus()

    @on(Input.Submitted, "#cmdline")
    def _command_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.cmdline.display = False
        pane = self._command_from
        # back to that pane first: focus() is queued, so a jump the command makes (:pods) comes after and wins
        self.action_goto(pane if self.panes[pane].display else self.visible_panes()[0])
        message = run_command(self, event.value)
        if message:
            self.notify(message, timeout=4)

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
        if self.app.screen is not self:  # a key typed right after Enter opened another screen first
            return  # one screen on top at a time
        table = event.table
        if table is self.alerts_pane.table:
            group = self.alerts_pane.selected_group
            if group:
                self.alerts_pane.toggle_group(group)
                self.show_alerts()
            elif self.alerts_pane.selected:
                from cockpit.ui.screens.details import AlertScreen

                self.app.push_screen(AlertScreen(self.alerts_pane.selected, self.cockpit.clock()))
        elif table is self.pods_pane.table:
            self.action_describe()
        elif table is self.slos_pane.table and self.slos_pane.selected:
            self.open_slo(self.slos_pane.selected)
        elif table is self.incidents_pane.table and self.incidents_pane.selected:
            self.open_incident(self.incidents_pane.selected)

    @on(VirtualTable.RowHighlighted)
    def _row_highlighted(self, event: VirtualTable.RowHighlighted) -> None:
        # Only the focused pane's selection drives the highlights: tables filling up in the
        # background post RowHighlighted too, and their order must not decide what is marked.
        if not isinstance(event, VirtualTable.RowSelected) and event.table is self.focused_widget():
            self.update_highlights(event.table)

    def selected_incident(self, table: VirtualTable | None = None) -> Incident | None:
        """The incident of the focused pane's selected row (cockpit.analysis.incidents decides membership)."""
        index = self.cockpit.state.index
        pane = self.panes.get(self.focused_pane_name())
        table = table or (pane.table if isinstance(pane, Pane) else None)
        if table is self.alerts_pane.table and self.alerts_pane.selected:
            return index.of(f"alert:{self.alerts_pane.selected.fingerprint}")
        if table is self.pods_pane.table and self.pods_pane.selected:
            return index.of(index.key_of_pod(self.pods_pane.selected))
        if table is self.slos_pane.table and self.slos_pane.selected:
            s = self.slos_pane.selected
            return index.of(f"slo:{s.service}/{s.name}")
        if table is self.incidents_pane.table:
            return self.incidents_pane.selected
        return None

    def update_highlights(self, table: VirtualTable) -> None:
        """Mark the other members of the selected row's incident, in every pane."""
        if table not in (self.alerts_pane.table, self.pods_pane.table, self.slos_pane.table,
                         self.incidents_pane.table):
            return
        index = self.cockpit.state.index
        inc = self.selected_incident(table)
        empty: frozenset = frozenset()
        if inc is None:
            self._set_highlights(empty, empty, empty)
            return
        # The other panes are marked, not the selection's own: moving the cursor through 10k pods must
        # not re-prepare the pods pane on every key (its own rows are one `i` away).
        alerts = empty if table is self.alerts_pane.table else index.alerts.get(inc.id, empty)
        pods = empty if table is self.pods_pane.table else index.pods.get(inc.id, empty)
        slos = empty if table is self.slos_pane.table else index.slos.get(inc.id, empty)
        self._set_highlights(alerts, pods, slos)

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

        hub = self.cockpit.hub
        source = hub.slo_sources[0] if hub.slo_sources else None
        history = source.budget_history_for if isinstance(source, BudgetHistory) else None
        self.app.push_screen(SLOScreen(slo, (lambda: history(slo)) if history else None))

    # -- pods: logs and describe ---------------------------------------------------------------
    def target_pod(self) -> Pod | None:
        """The selected pod, or the worst pod of the selected alert's/SLO's/incident's incident."""
        focused = self.focused_pane_name()
        if focused == "pods" or focused == "marcus":
            return self.pods_pane.selected
        inc = self.selected_incident()
        pods = self.cockpit.state.index.pods.get(inc.id, frozenset()) if inc is not None else frozenset()
        if not pods:
            return None
        for p in self.pods_pane.shown:  # problem-first order: the first member is the worst
            if p.key in pods:
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

        cluster = self.cockpit.hub.cluster(pod.context)
        containers = [c.name for c in pod.containers if not c.init] or [""]

        def fetch(container: str | None, previous: bool, tail: int) -> str:
            return cluster.pod_logs(pod.namespace, pod.name, container=container, previous=previous, tail=tail)

        self.app.push_screen(LogsScreen(f"{pod.namespace}/{pod.name}", containers, fetch))

    def action_describe(self) -> None:
        pod = self._pod_or_hint()
        if pod is None:
            return
        from cockpit.ui.screens.details import DescribeScreen

        cluster = self.cockpit.hub.cluster(pod.context)
        self.app.push_screen(DescribeScreen(f"{pod.namespace}/{pod.name}",
                                            lambda: cluster.describe_pod(pod.namespace, pod.name),
                                            self.cockpit.clock))

    # -- Marcus ---------------------------------------------------------------------------------
    def action_ask(self) -> None:
        about = self.selection_label()
        if self.marcus_hidden or not self.marcus_pane.display:
            if self._tabs():
                self.active_tab = "marcus"
            self._show_marcus()
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

    def ask_marcus(self, question: str | None, reason: str = "") -> None:
        """Stream one answer into the pane; the pane's worker cancels an answer still streaming."""
        self.marcus_pane.ask(self.cockpit.advisor, AdvisorRequest(question=question, screen=self.screen_state()),
                             reason)

    def screen_state(self) -> ScreenState:
        snap = self.cockpit.snapshot()
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
            coverage=coverage_map(self.cockpit.hub, snap),  # Marcus says what is not configured
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

    # -- silences, acks, :handover (cockpit.ui.screens.silence_actions) --------------------------
    @property
    def silence_actions(self) -> SilenceActions:
        from cockpit.ui.screens.silence_actions import SilenceActions

        if not hasattr(self, "_silence_actions"):
            self._silence_actions = SilenceActions(self)
        return self._silence_actions

    def action_silence(self) -> None:
        self.silence_actions.silence(self.alerts_pane.selected)

    def action_ack(self) -> None:
        self.silence_actions.ack(self.alerts_pane.selected)

    def action_silences(self) -> None:
        self.silence_actions.open_view()

    def confirm_expire(self, silence: Silence) -> None:
        self.silence_actions.confirm_expire(silence)

    def action_handover(self) -> None:
        self.silence_actions.handover()
