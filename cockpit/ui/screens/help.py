"""`?`: every key, grouped the way an on-call engineer looks for them, with its id for `keymap:`."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text

from cockpit.ui.keymap import help_sections
from cockpit.ui.screens.common import TextScreen


def help_text(keymap: Mapping[str, str] | None = None) -> Text:
    out = Text()
    for section, keys in help_sections(keymap):
        out.append(section + "\n", style="bold underline")
        for key, what, binding_id in keys:
            out.append(f"  {key:18}", style="bold cyan")
            out.append(what)
            out.append(f"  [{binding_id}]\n", style="dim")
        out.append("\n")
    out.append("Rebind a key in config.yaml by its id: keymap: {silence: z}\n", style="dim")
    return out


class HelpScreen(TextScreen):
    def __init__(self, keymap: Mapping[str, str] | None = None) -> None:
        super().__init__(" cockpit · keys ", help_text(keymap))
