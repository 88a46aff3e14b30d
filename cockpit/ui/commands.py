"""The `:` command line and the ctrl+p palette share one table of commands."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from cockpit.ui.layout import layout_names

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp


def _ctx(app: CockpitApp, name: str) -> str:
    names = [c.name for c in app.hub.clusters]
    if not name:
        return "contexts: " + (", ".join(names) or "none")
    if name not in names:
        return f"unknown context {name!r} (known: {', '.join(names) or 'none'})"
    pane = app.pods_pane
    pane.filter_text = f"ctx={name}"
    pane.refresh_title()
    app.show_pods()
    app.action_goto("pods")
    return f"pods of context {name} (escape in Pods clears)"


def commands(app: CockpitApp) -> dict[str, tuple[str, Callable[[str], str | None]]]:
    """name -> (help, fn(argument) -> message)."""

    def go(pane: str) -> Callable[[str], None]:
        return lambda _arg: app.action_goto(pane)

    def layout(arg: str) -> str | None:
        if not arg:
            return "layouts: " + ", ".join(layout_names())
        app.switch_layout(arg)
        return None

    def simple(fn: Callable[[], None]) -> Callable[[str], None]:
        return lambda _arg: fn()

    return {
        "alerts": ("focus the Alerts pane", go("alerts")),
        "pods": ("focus the Pods pane", go("pods")),
        "slo": ("focus the SLOs pane", go("slos")),
        "slos": ("focus the SLOs pane", go("slos")),
        "marcus": ("focus Marcus", go("marcus")),
        "silences": ("list silences (x expires)", simple(app.action_silences)),
        "layout": ("switch layout: :layout NAME", layout),
        "ctx": ("show pods of one context: :ctx NAME", partial(_ctx, app)),
        "refresh": ("refresh every source now", simple(app.action_refresh)),
        "comment": ("ask Marcus for a comment now", simple(app.action_comment)),
        "help": ("list every key", simple(app.action_help)),
        "quit": ("quit cockpit", simple(app.exit)),
        "q": ("quit cockpit", simple(app.exit)),
    }


def run_command(app: CockpitApp, line: str) -> str | None:
    text = line.strip().lstrip(":").strip()
    if not text:
        return None
    name, _, arg = text.partition(" ")
    table = commands(app)
    if name not in table:
        return f"unknown command :{name} (try :help)"
    return table[name][1](arg.strip())


class CockpitCommands(Provider):
    """ctrl+p: every command, plus one entry per layout."""

    def _entries(self) -> list[tuple[str, str, Callable[[], None]]]:
        app: CockpitApp = self.app  # type: ignore[assignment]
        out = []
        for name, (help_text, fn) in commands(app).items():
            if name in ("q", "slos", "layout", "ctx"):
                continue
            out.append((f"cockpit: {name}", help_text, partial(self._run, fn, "")))
        for layout in layout_names():
            out.append((f"cockpit: layout {layout}", f"switch to the {layout} layout",
                        partial(self._run, commands(app)["layout"][1], layout)))
        for c in app.hub.clusters:
            out.append((f"cockpit: ctx {c.name}", f"pods of context {c.name}",
                        partial(self._run, commands(app)["ctx"][1], c.name)))
        return out

    def _run(self, fn: Callable[[str], str | None], arg: str) -> None:
        message = fn(arg)
        if message:
            self.app.notify(message, timeout=4)

    async def discover(self) -> Hits:
        for text, help_text, fn in self._entries():
            yield DiscoveryHit(text, fn, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, fn in self._entries():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), fn, help=help_text)
