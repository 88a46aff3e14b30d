"""A pane: a bordered box whose title carries counts and STALE, a keyed table and a `/` filter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from cockpit.analysis.sanitize import sanitize_line
from cockpit.model import SourceHealth
from cockpit.sources.hub import Coverage, coverage
from cockpit.ui.rows import covered_title
from cockpit.ui.vtable import VirtualTable


class Pane(Vertical, can_focus=False):
    """Base of the alerts, pods and SLOs panes."""

    pane_name = ""
    LABEL = ""  # the title's first word: "Alerts", "Pods", "SLOs"
    COLUMNS: Sequence[tuple] = ()  # (key, label, max width[, priority[, floor]]): see VirtualTable
    FLEX = ""  # the column that takes spare width
    FLEX_KEEP = 12  # cells of the flex column kept before lower-priority columns are hidden
    MIDDLE: tuple[str, ...] = ()  # columns shortened in the middle

    class FilterChanged(Message):
        def __init__(self, pane: str, text: str) -> None:
            super().__init__()
            self.pane = pane
            self.text = text

    def __init__(self, **kwargs) -> None:
        super().__init__(id=f"pane-{self.pane_name}", classes="pane", **kwargs)
        self.filter_text = ""
        self.table = VirtualTable(self.columns(), self.render_row, flex=self.FLEX, flex_keep=self.FLEX_KEEP, middle=self.MIDDLE,
                                   id=f"table-{self.pane_name}")
        self.message_line = Static("", classes="pane-message")
        self.filter_input = Input(placeholder=self.filter_hint(), classes="pane-filter")
        self.base_title = self.LABEL or self.pane_name.capitalize()
        self.coverage = Coverage("waiting")
        self.stale = ""
        self.title_plain = self.base_title
        self._message = ""

    def columns(self) -> Sequence[tuple]:
        return self.COLUMNS

    def render_row(self, item: Any) -> Sequence[Text]:
        """Cells of one row; called only for rows on screen."""
        raise NotImplementedError

    def filter_hint(self) -> str:
        return "filter: text"

    def compose(self) -> ComposeResult:
        yield self.message_line
        yield self.table
        yield self.filter_input

    def on_mount(self) -> None:
        self.filter_input.display = False
        self.message_line.display = False
        self.refresh_title()

    def set_title(self, title: str, health: Sequence[SourceHealth] = (), configured: bool = True) -> None:
        """The counts, unless no source could give them: then 'unknown' or 'not configured'."""
        self.coverage = coverage(list(health), configured)
        self.base_title, self.stale = covered_title(self.LABEL, title, self.coverage, self.table.row_count > 0)
        self.refresh_title()

    def refresh_title(self) -> None:
        t = self.base_title + self.stale
        if self.filter_text:
            t += f" · /{sanitize_line(self.filter_text, 40)}"
        if t == self.title_plain and self.border_title is not None:
            return  # unchanged: setting it again would repaint the border for nothing
        self.title_plain = t
        self.border_title = Text(t, style="bold red" if self.stale else "")  # Text: never parsed as markup

    def empty_message(self, rows_shown: int, total: int, hint: str, empty: str) -> str:
        """The one line an empty pane shows: why it is empty and how to feed it (after set_title)."""
        if self.coverage.state == "not configured":
            return hint
        if self.coverage.state == "unknown":
            return f"Could not read {self.LABEL.lower()}: {sanitize_line(self.coverage.reason, 300)} (retrying)"
        if rows_shown or self.coverage.state == "waiting":
            return ""
        return "Nothing matches the filter (escape clears it)." if total and self.filter_text else empty

    def set_message(self, text: str) -> None:
        """A line above the table: why it is empty, or what failed."""
        if text == self._message:
            return  # unchanged: an update would relayout the pane on every refresh
        self._message = text
        self.message_line.update(Text(text, style="italic"))
        self.message_line.display = bool(text)

    # -- filter ---------------------------------------------------------------------------------
    def open_filter(self) -> None:
        self.filter_input.display = True
        self.filter_input.value = self.filter_text
        self.filter_input.focus()

    def close_filter(self, clear: bool) -> None:
        if clear:
            self.filter_text = ""
            self.filter_input.value = ""
            self.post_message(self.FilterChanged(self.pane_name, ""))
        self.filter_input.display = False
        self.table.focus()
        self.refresh_title()

    @on(Input.Changed, ".pane-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.filter_text = event.value
        self.refresh_title()
        self.post_message(self.FilterChanged(self.pane_name, event.value))

    @on(Input.Submitted, ".pane-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.close_filter(clear=False)
        self.table.move_cursor(0)
