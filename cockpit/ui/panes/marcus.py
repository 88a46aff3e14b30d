"""Marcus's side panel: streamed comments and answers, tool calls as they happen, and the ask box."""

from __future__ import annotations

import asyncio
import contextlib
import time

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from cockpit.advisor.base import Advisor, AdvisorRequest
from cockpit.analysis.sanitize import sanitize
from cockpit.errors import error_text
from cockpit.glyphs import G
from cockpit.ui.inputs import SameWidthInput
from cockpit.ui.marcus_floor import COMMENT, DROP, QUESTION, START, UNPROMPTED, Ask, Floor, screen_key

MAX_MESSAGES = 40  # older messages are dropped: the panel is a conversation, not an archive

STYLE = {"text": "", "mark": "dim", "tool": "cyan", "status": "dim italic", "error": "bold red", "usage": "dim"}
INLINE = ("text", "mark")  # a mark is the evidence check's "(not on screen)", inline after the name


def fit_words(text: str, width: int) -> str:
    """One line of at most `width` cells, cut at a word with an ellipsis (a hard cut only when one
    word fills the line): a header must never say how many characters it hid."""
    if width <= 0 or cell_len(text) <= width:
        return text
    room, used, cut = width - cell_len(G.ellipsis), 0, 0
    for i, ch in enumerate(text):
        used += cell_len(ch)
        if used > room:
            break
        cut = i + 1
    head = text[:cut]
    space = head.rfind(" ")
    if space > width // 3:  # a word boundary not too far back
        head = head[:space]
    return head.rstrip(" ;,:·-") + G.ellipsis


class MarcusLog(VerticalScroll, can_focus=True):
    """The conversation. Focused, it scrolls with the keys the tables move with (j/k, g/G)."""

    BINDINGS = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
        Binding("g", "scroll_home", "Top", show=False),
        Binding("G", "scroll_end", "End", show=False),
    ]


class MessageView(Static):
    """One message; text chunks append to it while it streams."""

    def __init__(self, header: str, header_style: str = "bold") -> None:
        super().__init__(classes="marcus-message")
        self.header = header
        self.header_style = header_style
        self.parts: list[tuple[str, str]] = []  # (kind, text)

    def on_mount(self) -> None:
        self._refresh_text()

    def on_resize(self) -> None:
        self._refresh_text()  # the header is fitted to the width

    def add(self, kind: str, text: str) -> None:
        if kind == "text" and self.parts and self.parts[-1][0] == "text":
            self.parts[-1] = ("text", self.parts[-1][1] + text)
        else:
            self.parts.append((kind, text))
        self._refresh_text()

    @property
    def plain(self) -> str:
        return "".join(t for k, t in self.parts if k in INLINE)

    def _refresh_text(self) -> None:
        header = fit_words(sanitize(self.header[:2000], limit=None, single_line=True), self.size.width or 80)
        out = Text(header + "\n", style=self.header_style)
        for kind, text in self.parts:
            clean = sanitize(text, limit=20000)  # model output is hostile text too
            if kind in INLINE:
                out.append(clean, style=STYLE[kind])
            else:
                prefix = {"tool": f"{G.tool} ", "error": f"{G.bad} ", "status": "", "usage": ""}.get(kind, "")
                if out.plain and not out.plain.endswith("\n"):
                    out.append("\n")
                out.append(prefix + clean + "\n", style=STYLE.get(kind, ""))
        self.update(out)


class MarcusPane(Vertical):
    pane_name = "marcus"

    def __init__(self) -> None:
        super().__init__(id="pane-marcus", classes="pane")
        self.log_view = MarcusLog(id="marcus-log")
        self.about = Static("", id="marcus-about")
        self.ask_input = SameWidthInput(placeholder=f"Ask Marcus{G.ellipsis} (enter sends, escape closes)", id="marcus-ask")
        self.advisor_name = "offline"
        self.current: MessageView | None = None
        self.title_plain = "Marcus"
        self._anchor: MessageView | None = None  # the new message whose first line is kept in view
        self._auto_y: float | None = None  # where _follow last scrolled: any other offset is the user's
        self.floor = Floor()
        self._told_at = 0.0

    def compose(self) -> ComposeResult:
        yield self.log_view
        yield self.about
        yield self.ask_input

    def on_mount(self) -> None:
        self.ask_input.display = False
        self.about.display = False
        self.set_advisor("offline")
        self.watch(self.log_view, "scroll_y", lambda _old, _new: self._update_more(), init=False)

    def set_advisor(self, name: str, note: str = "") -> None:
        self.advisor_name = name
        label = f"Marcus · {name}" + (f" · {note}" if note else "")
        self.title_plain = label
        self.border_title = Text(label)

    def begin(self, header: str, style: str = "bold", keep_anchor: bool = False) -> MessageView:
        """A new message. Its first line is kept in view (`keep_anchor`: the question just above it
        stays the one kept, so question and the start of the answer show together)."""
        view = MessageView(header, style)
        self.log_view.mount(view)
        children = list(self.log_view.children)
        for old in children[:-MAX_MESSAGES]:
            old.remove()
        self.current = view
        if not keep_anchor or self._anchor is None:
            self._anchor, self._auto_y = view, None
        self.call_after_refresh(self._follow)
        return view

    def add(self, kind: str, text: str) -> None:
        if self.current is None:
            self.begin("Marcus")
        assert self.current is not None
        self.current.add(kind, text)
        self.call_after_refresh(self._follow)

    def _follow(self) -> None:
        """Scroll the new message up as it grows, until its first line reaches the top, and no
        further: the start of an answer (usually the most important part) stays in view. A user
        who scrolled meanwhile is left where he is."""
        log, view = self.log_view, self._anchor
        if view is not None and view.is_attached:
            if self._auto_y is not None and abs(log.scroll_y - self._auto_y) >= 1:
                self._anchor = None  # the user moved: he reads where he wants
            else:
                y = min(view.virtual_region.y, log.max_scroll_y)
                if y != log.scroll_y:
                    log.scroll_to(y=y, animate=False, immediate=True)
                self._auto_y = log.scroll_y
        self._update_more()

    def _update_more(self) -> None:
        """The bottom border says when the conversation goes on below what is shown."""
        log = self.log_view
        below = log.max_scroll_y - log.scroll_y >= 1
        text = f"{G.down} more below {G.sep} j/k scroll {G.sep} G end" if below else ""
        if str(self.border_subtitle or "") != text:
            self.border_subtitle = Text(text, style="bold") if text else None

    @property
    def more_below(self) -> bool:
        return bool(self.border_subtitle)

    def open_ask(self, about: str) -> None:
        self.about.update(Text("about: " + sanitize(about, limit=300, single_line=True), style="dim"))
        self.about.display = bool(about)
        self.ask_input.display = True
        self.ask_input.focus()

    def close_ask(self) -> None:
        self.ask_input.display = False
        self.about.display = False

    def ask(self, advisor: Advisor, request: AdvisorRequest, reason: str = "") -> None:
        """Every question and comment comes here. The user's question starts at once (an older
        stream is cancelled, and says so); a comment never cuts off an answer, it waits; a request
        for the screen already being (or last) commented on is not sent again."""
        kind = QUESTION if request.question else UNPROMPTED if reason else COMMENT
        key = screen_key(request.screen) + ((request.question,) if request.question else ())
        item = Ask(kind, key, (advisor, request, reason))
        decision = self.floor.offer(item)
        if decision == START:
            self._stream(item)
        elif decision == DROP and kind == COMMENT and time.monotonic() - self._told_at > 3:
            self._told_at = time.monotonic()  # once, not once per key press
            self.app.notify("Marcus has commented on this screen already; nothing on it changed since",
                            timeout=3)

    # A fixed description: without one Textual's @work reprs the arguments, and this one holds the whole
    # screen (10k pods: a 40 MB string and 0.2 s of the event loop, measured with bench/tui_scale.py).
    @work(exclusive=True, group="marcus", description="Marcus answers")
    async def _stream(self, item: Ask) -> None:
        """Stream one answer or comment into its own message (exclusive: starting one cancels the last)."""
        advisor, request, reason = item.payload
        completed = cancelled = False
        clean = True
        view: MessageView | None = None
        try:
            if request.question:
                self.begin(f"you: {request.question}", "bold cyan")
            label = f" · {reason}" if reason else "" if request.question else " · comment"
            view = self.begin("Marcus" + label, keep_anchor=bool(request.question))
            async for chunk in advisor.stream(request):
                if chunk.kind == "done":
                    break
                clean = clean and chunk.kind not in ("error", "status")  # status: fell back to offline
                self._add_to(view, chunk.kind, chunk.text)
            completed = clean  # a failed or fallen-back answer may be asked for again
            from cockpit.ui.screens.silence_actions import journal_answer

            journal_answer(self.app, request.question or "", reason, view.plain)  # for the hand-over
        except asyncio.CancelledError:
            cancelled = True
            why = self.floor.cancel_reason if self.floor.current is not item else ""
            with contextlib.suppress(Exception):  # the app may be closing
                self._add_to(view, "status", f"{G.bad} cancelled" + (f": {why}" if why else ""))
            raise
        except Exception as exc:  # the pane must survive any advisor failure
            self._add_to(view, "error", error_text(exc))
        finally:
            nxt = self.floor.finished(item, completed)
            if nxt is not None and not cancelled:  # cancelled and not replaced: the app is closing
                self.call_later(self._stream, nxt)
        if advisor.name != self.advisor_name:  # a lazy advisor knows its model once loaded
            self.set_advisor(advisor.name)

    def _add_to(self, view: MessageView | None, kind: str, text: str) -> None:
        """Into that stream's own message: a newer one may have begun below it meanwhile."""
        if view is None:
            return
        view.add(kind, text)
        self.call_after_refresh(self._follow)

    @property
    def transcript(self) -> str:
        return "\n".join(v.header + "\n" + v.plain for v in self.log_view.query(MessageView))
