"""`S`: active and pending silences with creator, comment and ends-in; `x` expires (confirmed)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from cockpit.model import Silence
from cockpit.ui.rows import age, cell
from cockpit.ui.vtable import VirtualTable


class SilencesScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("x", "expire", "Expire"),
        Binding("e", "toggle_expired", "Show expired"),
    ]

    def __init__(self, silences: Sequence[Silence], now: Callable[[], datetime],
                 on_expire: Callable[[Silence], None]) -> None:
        super().__init__()
        self.silences = list(silences)
        self.now = now
        self.on_expire = on_expire
        self.show_expired = False
        self.table = VirtualTable((("state", "State", 8), ("matchers", "Matchers", 80), ("by", "Created by", 30),
                                   ("comment", "Comment", 60), ("ends", "Ends in", 8), ("id", "ID", 8)),
                                  flex="comment", id="silences-table")
        self.header = Static("", id="screen-title")

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.table
        yield Footer()

    def on_mount(self) -> None:
        self.show(self.silences)
        self.table.focus()

    def show(self, silences: Sequence[Silence]) -> None:
        self.silences = list(silences)
        now = self.now()
        rows = []
        for s in self.silences:
            if s.state == "expired" and not self.show_expired:
                continue
            ends = age((s.ends_at - now).total_seconds()) if s.state != "expired" else "expired"
            rows.append((s.id, (
                cell(s.state, "green" if s.state == "active" else "dim"),
                cell(", ".join(str(m) for m in s.matchers), "", 80),
                cell(s.created_by, "", 30),
                cell(s.comment, "", 60),
                cell(ends),
                cell(s.id[:8], "dim"),
            )))
        self.table.set_items(rows)
        active = sum(1 for s in self.silences if s.state == "active")
        pending = sum(1 for s in self.silences if s.state == "pending")
        self.header.update(Text(f" Silences · {active} active · {pending} pending · x expires ", style="bold reverse"))

    def action_toggle_expired(self) -> None:
        self.show_expired = not self.show_expired
        self.show(self.silences)

    def action_expire(self) -> None:
        key = self.table.selected_key
        silence = next((s for s in self.silences if s.id == key), None)
        if silence is None or silence.state == "expired":
            self.notify("select an active or pending silence", severity="warning")
            return
        self.on_expire(silence)
