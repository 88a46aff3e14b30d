"""The `:` command line and the ctrl+p palette: both run the commands of the registry (cockpit.ui.keymap)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.actions import parse
from textual.command import DiscoveryHit, Hit, Hits, Provider

from cockpit.ui.keymap import COMMANDS, Command
from cockpit.ui.keymap import command_hint as command_hint  # re-export: the `:` line's placeholder
from cockpit.ui.layout import layout_names

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp
    from cockpit.ui.screens.main import MainScreen


def _ctx(screen: MainScreen, name: str) -> str:
    names = [c.name for c in screen.cockpit.hub.clusters]
    if not name:
        return "contexts: " + (", ".join(names) or "none")
    if name not in names:
        return f"unknown context {name!r} (known: {', '.join(names) or 'none'})"
    pane = screen.pods_pane
    pane.filter_text = f"ctx={name}"
    pane.refresh_title()
    screen.show_pods()
    screen.action_goto("pods")
    return f"pods of context {name} (escape in Pods clears)"


def _layout(screen: MainScreen, arg: str) -> str | None:
    if not arg:
        return "layouts: " + ", ".join(layout_names())
    screen.switch_layout(arg)
    return None


def _run_action(screen: MainScreen, action: str, _arg: str) -> None:
    """Run a registry action now (not queued): `goto('pods')` on the screen, `app.refresh` on the App."""
    target, name, params = parse(action)
    method = getattr(screen.app if target == "app" else screen, f"action_{name}")
    if inspect.iscoroutinefunction(method):  # App.action_quit: awaited on the loop
        screen.call_next(method, *params)
    else:
        method(*params)


def handler(screen: MainScreen, command: Command) -> Callable[[str], str | None]:
    """fn(argument) -> message to show (or None)."""
    if command.name == "ctx":
        return partial(_ctx, screen)
    if command.name == "layout":
        return partial(_layout, screen)
    return partial(_run_action, screen, command.action)


def lookup(name: str) -> Command | None:
    return next((c for c in COMMANDS if name == c.name or name in c.aliases), None)


def run_command(screen: MainScreen, line: str) -> str | None:
    text = line.strip().lstrip(":").strip()
    if not text:
        return None
    name, _, arg = text.partition(" ")
    command = lookup(name)
    if command is None:
        return f"unknown command :{name} (try :help)"
    return handler(screen, command)(arg.strip())


class CockpitCommands(Provider):
    """ctrl+p: every command, plus one entry per layout and per context."""

    def _entries(self) -> list[tuple[str, str, Callable[[], None]]]:
        app = cast("CockpitApp", self.app)
        screen = app.main
        out: list[tuple[str, str, Callable[[], None]]] = [
            (f"cockpit: {c.name}", c.help, partial(self._run, handler(screen, c), ""))
            for c in COMMANDS if c.palette
        ]
        for layout in layout_names():
            out.append((f"cockpit: layout {layout}", f"switch to the {layout} layout",
                        partial(self._run, partial(_layout, screen), layout)))
        for c in app.hub.clusters:
            out.append((f"cockpit: ctx {c.name}", f"pods of context {c.name}",
                        partial(self._run, partial(_ctx, screen), c.name)))
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
