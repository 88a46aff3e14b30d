"""Marcus's side panel: streamed comments and answers, tool calls as they happen, and the ask box."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Static

from cockpit.advisor.base import Advisor, AdvisorRequest
from cockpit.analysis.sanitize import sanitize, sanitize_line
from cockpit.errors import error_text

MAX_MESSAGES = 40  # older messages are dropped: the panel is a conversation, not an archive

STYLE = {"text": "", "tool": "cyan", "status": "dim italic", "error": "bold red", "usage": "dim"}


class MessageView(Static):
    """One message; text chunks append to it while it streams."""

    def __init__(self, header: str, header_style: str = "bold") -> None:
        super().__init__(classes="marcus-message")
        self.header = header
        self.header_style = header_style
        self.parts: list[tuple[str, str]] = []  # (kind, text)

    def on_mount(self) -> None:
        self._refresh_text()

    def add(self, kind: str, text: str) -> None:
        if kind == "text" and self.parts and self.parts[-1][0] == "text":
            self.parts[-1] = ("text", self.parts[-1][1] + text)
        else:
            self.parts.append((kind, text))
        self._refresh_text()

    @property
    def plain(self) -> str:
        return "".join(t for k, t in self.parts if k == "text")

    def _refresh_text(self) -> None:
        out = Text(sanitize(self.header, limit=300, single_line=True) + "\n", style=self.header_style)
        for kind, text in self.parts:
            clean = sanitize(text, limit=20000)  # model output is hostile text too
            if kind == "text":
                out.append(clean)
            else:
                prefix = {"tool": "⚙ ", "error": "✖ ", "status": "", "usage": ""}.get(kind, "")
                if out.plain and not out.plain.endswith("\n"):
                    out.append("\n")
                out.append(prefix + clean + "\n", style=STYLE.get(kind, ""))
        self.update(out)


class MarcusPane(Vertical):
    pane_name = "marcus"

    def __init__(self) -> None:
        super().__init__(id="pane-marcus", classes="pane")
        self.log_view = VerticalScroll(id="marcus-log", can_focus=True)
        self.about = Static("", id="marcus-about")
        self.ask_input = Input(placeholder="Ask Marcus… (enter sends, escape closes)", id="marcus-ask")
        self.advisor_name = "offline"
        self.current: MessageView | None = None
        self.title_plain = "Marcus"

    def compose(self) -> ComposeResult:
        yield self.log_view
        yield self.about
        yield self.ask_input

    def on_mount(self) -> None:
        self.ask_input.display = False
        self.about.display = False
        self.set_advisor("offline")

    def set_advisor(self, name: str, note: str = "") -> None:
        self.advisor_name = name
        label = f"Marcus · {name}" + (f" · {note}" if note else "")
        self.title_plain = label
        self.border_title = Text(label)

    def begin(self, header: str, style: str = "bold") -> MessageView:
        view = MessageView(header, style)
        self.log_view.mount(view)
        children = list(self.log_view.children)
        for old in children[:-MAX_MESSAGES]:
            old.remove()
        self.current = view
        self.log_view.scroll_end(animate=False)
        return view

    def add(self, kind: str, text: str) -> None:
        if self.current is None:
            self.begin("Marcus")
        assert self.current is not None
        self.current.add(kind, text)
        self.log_view.scroll_end(animate=False)

    def open_ask(self, about: str) -> None:
        self.about.update(Text("about: " + sanitize(about, limit=300, single_line=True), style="dim"))
        self.about.display = bool(about)
        self.ask_input.display = True
        self.ask_input.focus()

    def close_ask(self) -> None:
        self.ask_input.display = False
        self.about.display = False

    @work(exclusive=True, group="marcus")
    async def ask(self, advisor: Advisor, request: AdvisorRequest, reason: str = "") -> None:
        """Stream one answer (or an unprompted comment) here; a new ask cancels the old stream (exclusive)."""
        comment = " · comment" if request.question is None else ""
        if request.question:
            self.begin(f"you: {request.question}", "bold cyan")
        self.begin("Marcus" + (f" · {sanitize_line(reason, 80)}" if reason else comment))
        try:
            async for chunk in advisor.stream(request):
                if chunk.kind == "done":
                    break
                self.add(chunk.kind, chunk.text)
        except Exception as exc:  # the pane must survive any advisor failure
            self.add("error", error_text(exc))
        if advisor.name != self.advisor_name:  # a lazy advisor knows its model once loaded
            self.set_advisor(advisor.name)

    @property
    def transcript(self) -> str:
        return "\n".join(v.header + "\n" + v.plain for v in self.log_view.query(MessageView))
