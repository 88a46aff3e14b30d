"""Every key and `:` command of cockpit in one registry: bindings, the `?` help, the palette and the `:` hints.

Each key has an id (`silence`, `ask`, …) that the config's `keymap:` rebinds (`keymap: {silence: z}`),
through Textual's own keymap. The module imports no Textual at load: the CLI checks a keymap before
the pod watch starts, and Textual is imported only once the watch runs.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cockpit.config import ConfigError, KeymapEntry
from cockpit.glyphs import G

if TYPE_CHECKING:
    from textual.binding import BindingType


@dataclass(frozen=True, slots=True)
class Key:
    """One binding. `scope`: main (the main screen's), app (every screen's) or fixed (the tables' own
    keys and Textual's palette: listed in the help, guarded against clashes, not rebindable here)."""

    id: str
    keys: str  # Textual key names, comma separated
    action: str
    help: str
    section: str
    footer: str = ""  # label in the footer; shown there when set
    scope: str = "main"
    priority: bool = False  # before the focused widget sees it (tab must leave an input)
    shown_as: str = ""  # how the help writes the default keys, when not the key names


@dataclass(frozen=True, slots=True)
class Command:
    """One `:` command (and palette entry). `action` runs on the main screen; commands taking an
    argument (`arg`) are implemented in cockpit.ui.commands."""

    name: str
    help: str
    action: str = ""
    arg: str = ""  # e.g. "NAME": `:layout NAME`
    aliases: tuple[str, ...] = ()
    palette: bool = True


KEYS: tuple[Key, ...] = (
    Key("next-pane", "tab", "next_pane", "next pane", "Move", scope="main", priority=True),
    Key("prev-pane", "shift+tab", "prev_pane", "previous pane", "Move", priority=True),
    Key("goto-alerts", "1", "goto('alerts')", "jump to Alerts", "Move"),
    Key("goto-pods", "2", "goto('pods')", "jump to Pods", "Move"),
    Key("goto-slos", "3", "goto('slos')", "jump to SLOs", "Move"),
    Key("goto-marcus", "4", "goto('marcus')", "jump to Marcus", "Move"),
    Key("cursor", "j,k,down,up", "", "down / up", "Move", scope="fixed", shown_as=f"j k {G.up} {G.down}"),
    Key("page", "pagedown,pageup,ctrl+f,ctrl+b", "", "page down / up", "Move", scope="fixed",
        shown_as="pgdn pgup"),
    Key("first-last", "g,G,home,end", "", "first / last row", "Move", scope="fixed", shown_as="g G"),
    Key("select", "enter", "", f"details (alert, SLO) {G.sep} expand/collapse an alert group {G.sep} pod describe", "Move",
        scope="fixed"),
    Key("expand", "space", "toggle_group", "expand / collapse an alert group", "Move", footer="Expand"),
    Key("filter", "slash", "filter", "filter the focused pane (enter keeps it, escape clears)", "Move",
        footer="Filter"),
    Key("back", "escape", "escape", "back out: close filter, dialog or screen; clear filter", "Move"),
    Key("silence", "s", "silence", "silence the selected alert (dialog: matchers, duration, comment)", "Alerts",
        footer="Silence"),
    Key("ack", "A", "ack", "ack the selected alert: 15 minutes, exactly this alert, with your name "
        "(A again extends it)", "Alerts", footer="Ack"),
    Key("silences", "S", "silences", "silences view with their problems (e extends, x expires)", "Alerts", footer="Silences"),
    Key("hide-muted", "h", "toggle_muted", "hide / show silenced and inhibited alerts", "Alerts",
        footer="Hide muted"),
    Key("logs", "l", "logs", "logs of the selected pod (p previous container, f follow, c container, / search)",
        "Pods", footer="Logs"),
    Key("describe", "d", "describe", "describe the selected pod, with events", "Pods", footer="Describe"),
    Key("incidents", "i", "incidents", "incidents view: rank, cause, impact (enter: members, changes, evidence; "
        "enter on a member jumps to its row)", "Incidents", footer="Incidents"),
    Key("ask", "a", "ask", "ask Marcus about the selection (the ask box opens, selection attached)", "Marcus",
        footer="Ask Marcus"),
    Key("comment", "c", "comment", "ask Marcus for a comment on the screen now", "Marcus", footer="Comment"),
    Key("marcus", "m", "toggle_marcus", "show / hide the Marcus pane", "Marcus", footer="Marcus"),
    Key("refresh", "r", "app.refresh", "refresh every source now", "Screen", footer="Refresh", scope="app"),
    Key("layout", "L", "next_layout", "next layout", "Screen", footer="Layout"),
    Key("command-line", "colon", "command_line", "command line: {commands}", "Screen", footer="Cmd"),
    Key("palette", "ctrl+p", "", "command palette", "Screen", scope="fixed"),
    Key("help", "question_mark", "app.help", "this help", "Screen", footer="Help"),
    Key("quit", "q", "app.quit", "quit", "Screen", footer="Quit", scope="app"),
)
_BY_ID = {k.id: k for k in KEYS}
# Shown in the footer (the rest is in `?`): the order of the old footer, the keys a newcomer needs.
FOOTER = ("quit", "help", "filter", "silence", "ask", "logs", "describe", "command-line")

COMMANDS: tuple[Command, ...] = (
    Command("alerts", "focus the Alerts pane", "goto('alerts')"),
    Command("pods", "focus the Pods pane", "goto('pods')"),
    Command("slo", "focus the SLOs pane", "goto('slos')", aliases=("slos",)),
    Command("marcus", "focus Marcus", "goto('marcus')"),
    Command("silences", "list silences with their problems (e extends, x expires)", "silences"),
    Command("handover", "write the shift's hand-over (last 12h, markdown) to the state dir", "handover"),
    Command("incidents", "incidents: what belongs together, its cause, impact and first step", "incidents"),
    Command("layout", "switch layout: :layout NAME", arg="NAME", palette=False),
    Command("ctx", "show pods of one context: :ctx NAME", arg="NAME", palette=False),
    Command("clusters", "the fleet: problems per cluster, worst first (enter filters Pods)", "clusters"),
    Command("refresh", "refresh every source now", "app.refresh"),
    Command("comment", "ask Marcus for a comment now", "comment"),
    Command("help", "list every key", "app.help"),
    Command("quit", "quit cockpit", "app.quit", aliases=("q",)),
)

_REPLACED = {"solidus": "slash", "reverse_solidus": "backslash", "commercial_at": "at", "hyphen_minus": "minus",
             "plus_sign": "plus", "low_line": "underscore"}
_NOT_A_KEY = frozenset(" \t\n\r")
_RESERVED = {"ctrl+q": "Textual's quit", "ctrl+c": "Textual's copy / quit"}


def key_name(key: str) -> str:
    """A key as Textual names it: '?' -> 'question_mark', 'z' -> 'z' (Textual's own rule, kept here so
    checking a keymap does not import Textual)."""
    key = key.strip()
    if len(key) != 1 or key.isalnum():
        return key
    try:
        name = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return key
    return _REPLACED.get(name, name)


def key_names(keys: str) -> tuple[str, ...]:
    return tuple(key_name(k) for k in keys.split(","))


def command_hint() -> str:
    """':alerts :pods … :layout NAME :ctx NAME …': the `:` line's placeholder and its help line."""
    return " ".join(f":{c.name}" + (f" {c.arg}" if c.arg else "") for c in COMMANDS)


def effective(keymap: Mapping[str, str] | None = None) -> dict[str, tuple[str, ...]]:
    """id -> the keys that trigger it, the user's keymap applied."""
    keymap = keymap or {}
    return {k.id: key_names(keymap.get(k.id, k.keys)) for k in KEYS}


def bindings(scope: str) -> list[BindingType]:
    """The Textual bindings of one scope (main or app), each with its id so a keymap can rebind it."""
    from textual.binding import Binding

    def binding(k: Key) -> Binding:
        return Binding(k.keys, k.action, k.footer or k.help, show=k.id in FOOTER, priority=k.priority, id=k.id)

    if scope == "app":
        app: list[BindingType] = [binding(k) for k in KEYS if k.scope == "app"]
        return app
    # The footer lists the screen's bindings before the App's: the main screen carries every footer key
    # (quit too, in FOOTER order) so its footer reads as it always did; the App's q still quits elsewhere.
    footer: list[BindingType] = [binding(_BY_ID[i]) for i in FOOTER]
    return footer + [binding(k) for k in KEYS if k.scope == "main" and k.id not in FOOTER]


def help_sections(keymap: Mapping[str, str] | None = None) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The `?` screen: (section, [(keys as shown, what it does, id)]) with the user's keymap applied."""
    keymap = keymap or {}
    keys = effective(keymap)
    sections: dict[str, list[tuple[str, str, str]]] = {}
    for k in KEYS:
        shown = k.shown_as if k.shown_as and k.id not in keymap else " ".join(_display(n) for n in keys[k.id])
        what = k.help.format(commands=command_hint())
        sections.setdefault(k.section, []).append((shown, what, k.id))
    return list(sections.items())


_DISPLAY = {"question_mark": "?", "slash": "/", "colon": ":", "escape": "escape", "space": "space"}


def _display(name: str) -> str:
    return _DISPLAY.get(name, name)


def check_keymap(entries: Sequence[KeymapEntry]) -> dict[str, str]:
    """The config's `keymap:` as Textual's keymap (id -> keys), or a ConfigError naming the file, line
    and key: an unknown id, or a key that would trigger two bindings."""
    keymap: dict[str, str] = {}
    where: dict[str, str] = {}
    for e in entries:
        key = _BY_ID.get(e.id)
        if key is None or key.scope == "fixed":
            known = ", ".join(k.id for k in KEYS if k.scope != "fixed")
            raise ConfigError(f"{e.where}: keymap: unknown binding id '{e.id}' (known: {known})")
        if not e.keys.strip() or any(not k.strip() or set(k.strip()) & _NOT_A_KEY for k in e.keys.split(",")):
            raise ConfigError(f"{e.where}: keymap '{e.id}': {e.keys!r} is not a key (e.g. z, ctrl+z, f5)")
        keymap[e.id] = ",".join(key_names(e.keys))
        where[e.id] = e.where
    _check_conflicts(keymap, where)
    return keymap


def _check_conflicts(keymap: Mapping[str, str], where: Mapping[str, str]) -> None:
    owner: dict[str, str] = dict(_RESERVED)
    for k in _ordered(keymap):
        for name in effective(keymap)[k.id]:
            other = owner.setdefault(name, k.id)
            if other != k.id:
                mine = k.id if k.id in keymap else other  # the rebinding the user wrote
                theirs = other if mine == k.id else k.id
                fixed = theirs in _RESERVED or _BY_ID[theirs].scope == "fixed"
                fix = "which cannot be rebound; pick another key" if fixed else f"rebind '{theirs}' too, or pick another key"
                raise ConfigError(f"{where[mine]}: keymap '{mine}': key '{_display(name)}' is already bound "
                                  f"to '{theirs}' ({fix})")


def _ordered(keymap: Mapping[str, str]) -> Iterable[Key]:
    """Defaults first, the user's rebinds last: a conflict is reported on the line that made it."""
    return sorted(KEYS, key=lambda k: k.id in keymap)
