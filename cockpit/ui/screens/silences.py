"""`S`: active and pending silences, soonest expiry first, each with its problems (matches-nothing,
expires-soon, broad, …). `e` extends (new end, read back), `x` expires (confirmed), `E` shows expired
ones too. The list reloads while open and the countdowns tick every second.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Label, Static

from cockpit.analysis.duration import parse_duration
from cockpit.analysis.sanitize import sanitize_line
from cockpit.analysis.silence_problems import EXPIRES_SOON_S, check_silence
from cockpit.model import Alert, Silence, SLOStatus
from cockpit.ui.rows import age, cell
from cockpit.ui.vtable import VirtualTable

# What a reload returns: (silences, alerts) as the backends hold them now.
Loader = Callable[[], tuple[Sequence[Silence], Sequence[Alert]]]
STATE_ORDER = {"active": 0, "pending": 1, "expired": 2}


class SilencesScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("e", "extend", "Extend"),
        Binding("x", "expire", "Expire"),
        Binding("E", "toggle_expired", "Show expired"),
    ]

    def __init__(self, silences: Sequence[Silence], now: Callable[[], datetime],
                 on_expire: Callable[[Silence], None], on_extend: Callable[[Silence, datetime], None] | None = None,
                 alerts: Sequence[Alert] = (), slos: Callable[[], Sequence[SLOStatus]] | None = None,
                 load: Loader | None = None, reload_s: float = 10.0, expires_soon_s: float = EXPIRES_SOON_S) -> None:
        super().__init__()
        self.silences = list(silences)
        self.alerts = list(alerts)
        self.now = now
        self.on_expire = on_expire
        self.on_extend = on_extend
        self.slos = slos or (lambda: ())
        self.load = load
        self.reload_s = reload_s
        self.expires_soon_s = expires_soon_s
        self.show_expired = False
        self.why: dict[str, str] = {}  # silence id -> its problems, each with why
        self.table = VirtualTable((("state", "State", 8), ("ends", "Ends in", 8), ("matchers", "Matchers", 60),
                                   ("by", "Created by", 20), ("comment", "Comment", 40), ("problems", "Problems", 50),
                                   ("id", "ID", 8)), flex="comment", id="silences-table")
        self.header = Static("", id="screen-title")
        self.detail = Static("", id="silence-why")
        self.empty = Static("", id="silences-empty")  # why the table has no rows

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.empty
        yield self.table
        yield self.detail
        yield Footer()

    def on_mount(self) -> None:
        self.show(self.silences, self.alerts)
        self.table.focus()
        self.set_interval(1.0, self._tick)  # countdowns
        if self.load is not None:
            self.set_interval(self.reload_s, self.reload)

    def _tick(self) -> None:
        self.show(self.silences)

    @work(thread=True, exclusive=True, group="silences-reload")
    def reload(self) -> None:
        if self.load is None:
            return
        try:
            silences, alerts = self.load()
        except Exception:  # the Hub keeps last data; the next reload tries again
            return
        self.app.call_from_thread(self.show, silences, alerts)

    def show(self, silences: Sequence[Silence], alerts: Sequence[Alert] | None = None) -> None:
        self.silences = list(silences)
        if alerts is not None:
            self.alerts = list(alerts)
        now = self.now()
        slos = list(self.slos())
        shown = [s for s in self.silences if s.state != "expired" or self.show_expired]
        shown.sort(key=lambda s: (STATE_ORDER.get(s.state, 3), s.ends_at, s.id))
        rows = []
        self.why = {}
        for s in shown:
            live = s.state != "expired"
            check = check_silence(s, self.alerts, slos, now, self.expires_soon_s) if live else None
            problems = ", ".join(check.problems) if check else ""
            if check:
                self.why[s.id] = "; ".join(f"{p}: {check.details[p]}" for p in check.problems)
            ends = age((s.ends_at - now).total_seconds()) if live else "expired"
            rows.append((s.id, (
                cell(s.state, "green" if s.state == "active" else "dim"),
                cell(ends, "bold yellow" if check and "expires-soon" in check.problems else ""),
                cell(", ".join(str(m) for m in s.matchers), "", 80),
                cell(s.created_by, "", 30),
                cell(s.comment, "", 60),
                cell(problems, "yellow" if problems else "", 80),
                cell(s.id[:8], "dim"),
            )))
        self.table.set_items(rows)
        active = sum(1 for s in self.silences if s.state == "active")
        pending = sum(1 for s in self.silences if s.state == "pending")
        bad = sum(1 for k in self.why.values() if k)
        self.header.update(Text(f" Silences · {active} active · {pending} pending · {bad} with problems · "
                                "e extends · x expires · E expired ", style="bold reverse"))
        self._show_why()
        self.empty.update(Text(self.empty_line(len(rows)), style="italic"))
        self.empty.display = not rows

    def empty_line(self, shown: int) -> str:
        if shown:
            return ""
        expired = sum(1 for s in self.silences if s.state == "expired")
        if self.show_expired or not expired:
            return "No silences (s on an alert silences it)."
        return f"No active or pending silences ({expired} expired: E shows them)."

    @on(VirtualTable.RowHighlighted)
    def _highlighted(self, event: VirtualTable.RowHighlighted) -> None:
        self._show_why()

    def _show_why(self) -> None:
        why = self.why.get(self.table.selected_key or "", "")
        self.detail.update(Text(sanitize_line(why, 600) or " ", style="yellow"))

    def selected(self) -> Silence | None:
        key = self.table.selected_key
        return next((s for s in self.silences if s.id == key), None)

    def action_toggle_expired(self) -> None:
        self.show_expired = not self.show_expired
        self.show(self.silences)

    def action_expire(self) -> None:
        silence = self.selected()
        if silence is None:
            self.notify("select a silence", severity="warning")
            return
        self.on_expire(silence)  # the prior state is read before acting: "already expired by …"

    def action_extend(self) -> None:
        silence = self.selected()
        if silence is None or silence.state == "expired":
            self.notify("select an active or pending silence to extend", severity="warning")
            return
        if self.on_extend is None:
            return
        on_extend = self.on_extend

        def done(end: datetime | None) -> None:
            if end is not None:
                on_extend(silence, end)

        self.app.push_screen(ExtendScreen(silence, self.now), done)


class ExtendScreen(ModalScreen[datetime | None]):
    """A new end for a silence: `+2h` (added to its end) or `4h` (from now)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, silence: Silence, now: Callable[[], datetime]) -> None:
        super().__init__()
        self.silence = silence
        self.now = now
        self.input = Input("+1h", id="extend-duration")
        self.preview = Static("", id="extend-preview")

    def compose(self) -> ComposeResult:
        with Vertical(id="extend-box", classes="dialog"):
            yield Label(Text(f"Extend silence {sanitize_line(self.silence.id[:8], 20)}: "
                             f"{sanitize_line(', '.join(str(m) for m in self.silence.matchers), 120)}", style="bold"))
            yield Label(f"ends {self.silence.ends_at:%Y-%m-%d %H:%M} UTC · +DURATION adds to it, DURATION counts from now")
            yield self.input
            yield self.preview
            yield Label(Text("enter: extend · escape: cancel", style="dim"))

    def on_mount(self) -> None:
        self._update()
        self.input.focus()

    def new_end(self) -> datetime:
        text = self.input.value.strip()
        if text.startswith("+"):
            return max(self.silence.ends_at, self.now()) + timedelta(seconds=parse_duration(text[1:]))
        return self.now() + timedelta(seconds=parse_duration(text))

    @on(Input.Changed)
    def _update(self) -> None:
        try:
            end = self.new_end()
        except ValueError as exc:
            self.preview.update(Text(f"✖ {sanitize_line(exc, 200)}", style="bold red"))
            return
        self.preview.update(Text(f"new end {end:%Y-%m-%d %H:%M} UTC", style="bold"))

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            end = self.new_end()
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        self.dismiss(end)

    def action_cancel(self) -> None:
        self.dismiss(None)
