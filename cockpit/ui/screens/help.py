"""`?`: every key, grouped the way an on-call engineer looks for them."""

from __future__ import annotations

from rich.text import Text

from cockpit.ui.screens.common import TextScreen

KEYS: list[tuple[str, list[tuple[str, str]]]] = [
    ("Move", [
        ("tab / shift+tab", "next / previous pane"),
        ("1 2 3 4", "jump to Alerts, Pods, SLOs, Marcus"),
        ("j k ↑ ↓", "down / up"),
        ("g G", "first / last row"),
        ("enter", "details (alert, SLO) · expand/collapse an alert group · pod describe"),
        ("space", "expand / collapse an alert group"),
        ("/", "filter the focused pane (enter keeps it, escape clears)"),
        ("escape", "back out: close filter, dialog or screen; clear filter"),
    ]),
    ("Alerts", [
        ("s", "silence the selected alert (dialog: matchers, duration, comment)"),
        ("A", "ack: a 15-minute silence commented ACK"),
        ("S", "silences view (x expires a silence)"),
        ("h", "hide / show silenced and inhibited alerts"),
    ]),
    ("Pods", [
        ("l", "logs of the selected pod (p previous container, f follow, c container, / search)"),
        ("d", "describe the selected pod, with events"),
    ]),
    ("Marcus", [
        ("a", "ask Marcus about the selection (the ask box opens, selection attached)"),
        ("c", "ask Marcus for a comment on the screen now"),
        ("m", "show / hide the Marcus pane"),
    ]),
    ("Screen", [
        ("r", "refresh every source now"),
        ("L", "next layout"),
        (":", "command line: :alerts :pods :slo :marcus :silences :layout NAME :ctx NAME :refresh :help :quit"),
        ("ctrl+p", "command palette"),
        ("?", "this help"),
        ("q", "quit"),
    ]),
]


def help_text() -> Text:
    out = Text()
    for section, keys in KEYS:
        out.append(section + "\n", style="bold underline")
        for key, what in keys:
            out.append(f"  {key:18}", style="bold cyan")
            out.append(what + "\n")
        out.append("\n")
    return out


class HelpScreen(TextScreen):
    def __init__(self) -> None:
        super().__init__(" cockpit · keys ", help_text())
