"""Shared bits of the detail screens: a scrollable text body with a title, closed by escape/q."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Label, Static

from cockpit.analysis.sanitize import sanitize
from cockpit.glyphs import G


def kv_block(title: str, values: dict[str, str], limit: int = 4000) -> Text:
    """A heading and `key: value` lines, all sanitized (keys and values come from the cluster)."""
    out = Text(title + "\n", style="bold underline")
    if not values:
        out.append("  (none)\n", style="dim")
    for k in sorted(values):
        out.append(f"  {sanitize(k, limit=200, single_line=True)}: ", style="bold")
        out.append(sanitize(values[k], limit=limit) + "\n")
    return out


class TextScreen(Screen):
    """A full-screen text view (details, describe)."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
        Binding("g", "scroll_home", "Top", show=False),
        Binding("G", "scroll_end", "Bottom", show=False),
    ]

    def __init__(self, title: str, body: Text | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.body = Static(body or Text(f"loading{G.ellipsis}", style="dim"), id="text-body")
        self.scroller = VerticalScroll(self.body, id="text-scroll")

    def compose(self) -> ComposeResult:
        yield Static(Text(self.title_text, style="bold reverse"), id="screen-title")
        yield self.scroller
        yield Footer()

    def on_mount(self) -> None:
        self.scroller.focus()

    def set_body(self, body: Text) -> None:
        self.body.update(body)

    def action_scroll_down(self) -> None:
        self.scroller.scroll_down()

    def action_scroll_up(self) -> None:
        self.scroller.scroll_up()

    def action_scroll_home(self) -> None:
        self.scroller.scroll_home()

    def action_scroll_end(self) -> None:
        self.scroller.scroll_end()


class ConfirmScreen(ModalScreen[bool]):
    """Yes/no; enter or y confirms, escape or n cancels."""

    BINDINGS = [Binding("y,enter", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="confirm-box", classes="dialog"):
            yield Label(Text(self.question))
            yield Button("Yes (y)", id="yes", variant="error")
            yield Button("No (n)", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
