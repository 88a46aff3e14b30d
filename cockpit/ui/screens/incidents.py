"""`i`: the incidents view; `enter` opens one (members, changes with the image diff, evidence);
`enter` on a member jumps to its row on the main screen."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from cockpit.analysis.changes import is_multi, node_ref, pod_ref
from cockpit.analysis.incidents import evidence_id
from cockpit.analysis.sanitize import clip
from cockpit.model import Alert, Incident, Snapshot
from cockpit.ui.panes.incidents import (
    CAUSE_KEEP,
    COLUMNS,
    HYPOTHESIS_MARK,
    incident_row,
    incidents_title,
    member_counts,
)
from cockpit.ui.rows import SEV_STYLE, age, cell
from cockpit.ui.vtable import VirtualTable

Jump = Callable[[str], None]  # member key ("pod:ns/name", "alert:FP", ...) -> show it on the main screen


class IncidentsScreen(Screen):
    """Every incident, most impactful first."""

    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back")]

    def __init__(self, incidents: Sequence[Incident], now: Callable[[], datetime],
                 open_incident: Callable[[Incident], None]) -> None:
        super().__init__()
        self.incidents = list(incidents)
        self.now = now
        self.open_incident = open_incident
        self.header = Static("", id="screen-title")
        self.table = VirtualTable(COLUMNS, lambda item: incident_row(item, self.now()), flex="cause",
                                  flex_keep=CAUSE_KEEP, id="incidents-table")
        self.message = Static("", classes="pane-message")
        self.peek = Static("", id="incident-peek")  # the selected one whole: what a narrow table cuts

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.message
        yield self.table
        yield self.peek
        yield Footer()

    def on_mount(self) -> None:
        self.show(self.incidents)
        self.table.focus()

    def show(self, incidents: Sequence[Incident]) -> None:
        self.incidents = list(incidents)
        self.table.set_items([(i.id, i) for i in self.incidents])
        legend = f" · {HYPOTHESIS_MARK} = hypothesis cause" \
            if any(i.cause_kind == "hypothesis" for i in self.incidents) else ""
        title = f" {incidents_title(self.incidents)}{legend} · ranked by user impact, then severity · " \
                "enter opens one · escape back "
        self.header.update(Text(title, style="bold reverse"))
        self.message.update(Text("No incident: nothing on screen needs a response.", style="italic"))
        self.message.display = not self.incidents
        self._peek()

    @on(VirtualTable.RowHighlighted, "#incidents-table")
    def _peek(self) -> None:
        inc = next((i for i in self.incidents if i.id == self.table.selected_key), None)
        self.peek.display = inc is not None
        if inc is not None:
            self.peek.update(incident_peek(inc))

    @on(VirtualTable.RowSelected, "#incidents-table")
    def _selected(self, event: VirtualTable.RowSelected) -> None:
        event.stop()
        inc = next((i for i in self.incidents if i.id == event.key), None)
        if inc is not None:
            self.open_incident(inc)


def incident_peek(inc: Incident) -> Text:
    """The selected incident's cause (observed or hypothesis, said in words), impact and members."""
    out = Text()
    out.append("impact: ", style="bold")
    out.append(clip(inc.impact.text, 200))
    out.append(" · members: ", style="bold")
    out.append((member_counts(inc) or "-") + "\n")
    out.append(f"cause ({inc.cause_kind}): ", style="bold")
    out.append(clip(inc.cause, 300), style="italic" if inc.cause_kind == "hypothesis" else "")
    return out


def _member_rows(inc: Incident, snap: Snapshot) -> list[tuple[str, tuple[Text, ...]]]:
    """(member key, cells) per member: its kind, name and what the screen knows of it now."""
    wanted = set(inc.members.alerts)
    alerts: dict[str, Alert] = {a.fingerprint: a for a in snap.alerts if a.fingerprint in wanted}
    slos = {f"{s.service}/{s.name}": s for s in snap.slos}
    nodes = {node_ref(n.name, n.context, is_multi(snap)): n for n in snap.nodes}
    members = set(inc.members.pods)
    pods = {ref: p for p in snap.pods if (ref := pod_ref(p, is_multi(snap))) in members}
    evidence = {e.id: e.text.split(": ", 1)[-1] for e in inc.evidence}
    out: list[tuple[str, tuple[Text, ...]]] = []
    for kind, names in inc.members.groups():
        for m in names:
            name, what = m, evidence.get(evidence_id(kind, m), "")
            if kind == "alert" and (a := alerts.get(m)) is not None:
                name, what = a.name, f"{a.severity} {a.state}: {a.summary}"
            elif kind == "slo" and (s := slos.get(m)) is not None:
                burn = s.burn_rates.get("1h")
                what = s.status + (f", burning {burn:.1f}x (1h)" if burn is not None else "")
            elif kind == "node" and (n := nodes.get(m)) is not None:
                what = n.status + "".join(f" · {x}" for x in n.pressure) + (" · cordoned" if n.unschedulable else "")
            elif kind == "pod" and not what and (p := pods.get(m)) is not None:
                what = f"{p.reason or p.phase}, {p.ready_text} ready, {p.restarts} restarts, on {p.node or '-'}"
            out.append((f"{kind}:{m}", (cell(kind, "bold"), cell(name, "", 80), cell(what, "", 200))))
    return out


def incident_text(inc: Incident, now: datetime) -> Text:
    """Cause, impact, first step, changes (with their image diff) and the evidence ids."""
    out = incident_summary(inc, now)
    out.append("\n")
    out.append_text(incident_details(inc))
    return out


def incident_summary(inc: Incident, now: datetime) -> Text:
    """What an on-call engineer reads first: the cause, what it costs users and the first step."""
    out = Text()
    since = f" since {inc.started_at:%H:%M} ({age((now - inc.started_at).total_seconds())})" if inc.started_at else ""
    out.append(f"{inc.severity.upper()} ", style=SEV_STYLE.get(inc.severity, "bold"))
    out.append(f"{clip(inc.title, 200)}{since}\n", style="bold")
    out.append(f"cause ({inc.cause_kind}): ", style="bold")
    out.append(clip(inc.cause, 600) + "\n", style="italic" if inc.cause_kind == "hypothesis" else "")
    out.append("impact: ", style="bold")
    out.append(clip(inc.impact.text, 300) + "\n")
    for s in inc.impact.slos:
        burn = f"{s.burn_rate:.1f}x ({s.window})" if s.burn_rate is not None else "-"
        per_hour = f", {s.budget_minutes_per_hour:.2f} budget min/h" if s.budget_minutes_per_hour is not None else ""
        gone = f", exhausted in {age(s.exhaustion_s)}" if s.exhaustion_s is not None else ""
        out.append(f"  slo {clip(s.slo, 120)} {s.status} burning {burn}{per_hour}{gone}\n")
    out.append("first step: ", style="bold green")
    out.append(clip(inc.next_step, 600))
    return out


def incident_details(inc: Incident) -> Text:
    """What changed (with the image diff of a rollout) and the evidence, each with its stable id."""
    out = Text()
    out.append("What changed\n", style="bold underline")
    if not inc.changes:
        out.append("  nothing recorded in the window\n", style="dim")
    for c in inc.changes:
        out.append(f"  {c.at:%H:%M:%S} ", style="dim")
        lead = "" if c.subject.startswith(c.kind) else f"{c.kind} "  # "alert X" says its kind already
        out.append(f"{lead}{clip(c.subject, 120)}: ", style="bold" if c.kind == "rollout" else "")
        out.append(clip(c.summary, 400) + "\n")
        if c.details.get("from") and c.details.get("to") and c.details["from"] != c.details["to"]:
            out.append(f"      - {clip(c.details['from'], 200)}\n", style="red")
            out.append(f"      + {clip(c.details['to'], 200)}\n", style="green")
    out.append("\nEvidence\n", style="bold underline")
    for e in inc.evidence:
        out.append(f"  {e.id} ", style="dim")
        out.append(clip(e.text, 400) + "\n")
    return out


class IncidentScreen(Screen):
    """One incident: its members (enter jumps to the row), then cause, changes and evidence."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("tab", "switch", "Members / text", priority=True),
    ]

    def __init__(self, incident: Incident, snapshot: Snapshot, jump: Jump) -> None:
        super().__init__()
        self.incident = incident
        self.snapshot = snapshot
        self.jump = jump
        self.header = Static("", id="screen-title")
        self.summary = Static("", id="incident-summary")
        self.members = VirtualTable((("kind", "Kind", 9), ("name", "Member", 60), ("what", "Now", 200)),
                                    flex="what", id="incident-members")
        self.body = Static("", id="incident-body")
        # the cause and first step open the text: at 80x24 they are on screen beside a few member rows
        self.scroller = VerticalScroll(self.summary, self.body, id="incident-scroll")

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.members
        yield self.scroller
        yield Footer()

    def on_mount(self) -> None:
        self.show(self.incident, self.snapshot)
        self.members.focus()

    def show(self, incident: Incident, snapshot: Snapshot) -> None:
        self.incident, self.snapshot = incident, snapshot
        rows = _member_rows(incident, snapshot)
        self.members.set_items(rows)
        self.members.styles.height = min(len(rows), max(3, self.app.size.height // 4), 12) + 1
        self.header.update(Text(f" {incident.id} · rank {incident.rank} · {clip(incident.title, 100)} · "
                                "enter on a member jumps to its row · tab scrolls the text · escape back ",
                                style="bold reverse"))
        self.summary.update(incident_summary(incident, snapshot.taken_at))
        self.body.update(incident_details(incident))

    def action_switch(self) -> None:
        (self.scroller if self.members.has_focus else self.members).focus()

    @on(VirtualTable.RowSelected, "#incident-members")
    def _selected(self, event: VirtualTable.RowSelected) -> None:
        event.stop()
        if event.key:
            self.jump(event.key)
