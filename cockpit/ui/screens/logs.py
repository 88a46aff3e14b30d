"""`l`: a pod's logs — tail, previous container, follow, search with highlight, container picker.

Every line is sanitized: logs carry escape sequences (an OSC title must not retitle the terminal).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from cockpit.analysis.sanitize import sanitize_line
from cockpit.glyphs import G

FetchLogs = Callable[[str | None, bool, int], str]  # (container, previous, tail) -> text


class LogsScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "back", "Back"),
        Binding("p", "toggle_previous", "Previous"),
        Binding("f", "toggle_follow", "Follow"),
        Binding("c", "next_container", "Container"),
        Binding("slash", "search", "Search"),
        Binding("n", "next_match", "Next match"),
        Binding("plus", "more", "More lines"),
        Binding("j", "down", show=False),
        Binding("k", "up", show=False),
        Binding("g", "top", show=False),
        Binding("G", "bottom", show=False),
    ]

    def __init__(self, title: str, containers: Sequence[str], fetch: FetchLogs, tail: int = 500) -> None:
        super().__init__()
        self.pod_title = title
        self.containers = list(containers) or [""]
        self.container_index = 0
        self.fetch = fetch
        self.tail = tail
        self.previous = False
        self.follow = False
        self.search_text = ""
        self.lines: list[str] = []
        self.match_rows: list[int] = []
        self.match_index = -1
        self.header = Static("", id="screen-title")
        self.body = Static(Text(f"loading{G.ellipsis}", style="dim"), id="log-body")
        self.scroller = VerticalScroll(self.body, id="log-scroll")
        self.search_input = Input(placeholder="search logs (enter keeps it, escape clears)", id="log-search")
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.scroller
        yield self.search_input
        yield Footer()

    def on_mount(self) -> None:
        self.search_input.display = False
        self.scroller.focus()
        self._render_header()
        self.load()

    @property
    def container(self) -> str | None:
        return self.containers[self.container_index] or None

    def _render_header(self, note: str = "") -> None:
        # What changes with a key (search, follow, previous) comes before what does not, so a
        # narrow terminal cuts the fixed part: the search state must stay visible.
        parts = [f" Logs · {sanitize_line(self.pod_title, 100)}"]
        if self.search_text:
            parts.append(f"/{sanitize_line(self.search_text, 40)}: {len(self.match_rows)} matches")
        if self.follow:
            parts.append("following")
        if self.previous:
            parts.append("PREVIOUS container")
        if note:
            parts.append(note)
        if self.container:
            parts.append(f"container {sanitize_line(self.container, 60)}"
                         + (f" ({self.container_index + 1}/{len(self.containers)}, c switches)" if len(self.containers) > 1 else ""))
        parts.append(f"tail {self.tail}")
        self.header.update(Text(" · ".join(parts) + " ", style="bold reverse"))

    @work(thread=True, exclusive=True, group="logs")
    def load(self) -> None:
        try:
            text = self.fetch(self.container, self.previous, self.tail)
            lines = [sanitize_line(line, 4000) for line in text.splitlines()]
            note = "" if lines else "(no log lines)"
        except Exception as exc:
            lines, note = self.lines, f"failed: {sanitize_line(exc, 200)}"
        self.app.call_from_thread(self._show, lines, note)

    def _show(self, lines: list[str], note: str) -> None:
        at_end = self.scroller.scroll_y >= self.scroller.max_scroll_y - 1
        self.lines = lines
        self._render_body()
        self._render_header(note)
        if at_end or self.follow:
            self.scroller.scroll_end(animate=False)

    def _render_body(self) -> None:
        text = Text("\n".join(self.lines), no_wrap=False)
        self.match_rows = []
        if self.search_text:
            text.highlight_words([self.search_text], style="black on yellow", case_sensitive=False)
            needle = self.search_text.lower()
            self.match_rows = [i for i, line in enumerate(self.lines) if needle in line.lower()]
        self.body.update(text)

    def action_back(self) -> None:
        if self.search_input.display:
            self._close_search(clear=True)
            return
        self.app.pop_screen()

    def action_toggle_previous(self) -> None:
        self.previous = not self.previous
        self.load()

    def action_toggle_follow(self) -> None:
        self.follow = not self.follow
        if self.follow:
            self._timer = self.set_interval(2.0, self.load)
        elif self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._render_header()

    def action_next_container(self) -> None:
        if len(self.containers) < 2:  # say why nothing changes rather than reload the same logs
            name = f" ({sanitize_line(self.container, 60)})" if self.container else ""
            self.notify(f"this pod has one container{name}: nothing to switch to", timeout=3)
            return
        self.container_index = (self.container_index + 1) % len(self.containers)
        self.load()

    def action_more(self) -> None:
        self.tail *= 2
        self.load()

    def action_search(self) -> None:
        self.search_input.display = True
        self.search_input.value = self.search_text
        self.search_input.focus()

    @on(Input.Changed, "#log-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.search_text = event.value
        self._render_body()
        self._render_header()

    @on(Input.Submitted, "#log-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self._close_search(clear=False)
        self.match_index = -1
        self.action_next_match()

    def _close_search(self, clear: bool) -> None:
        if clear:
            self.search_text = ""
            self._render_body()
        self.search_input.display = False
        self.scroller.focus()
        self._render_header()

    def action_next_match(self) -> None:
        if not self.match_rows:
            return
        self.match_index = (self.match_index + 1) % len(self.match_rows)
        self.scroller.scroll_to(y=self.match_rows[self.match_index], animate=False)

    def action_down(self) -> None:
        self.scroller.scroll_down()

    def action_up(self) -> None:
        self.scroller.scroll_up()

    def action_top(self) -> None:
        self.scroller.scroll_home()

    def action_bottom(self) -> None:
        self.scroller.scroll_end()
