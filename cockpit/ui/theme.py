"""Themes: Textual's built-in ones by name, plus `ansi` (the terminal's own 16-colour palette).

NO_COLOR is honoured by Textual itself (every colour removed); what cockpit shows stays readable without
colour because severity, staleness and status are words, marks differ by shape (✔ ✖) and the row cursor
is reverse video then.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.app import App
from textual.color import Color
from textual.filter import LineFilter, Monochrome, NoColor
from textual.theme import BUILTIN_THEMES

from cockpit.config import ConfigError
from cockpit.glyphs import G, to_ascii

ALIASES = {"ansi": "ansi-dark", "dark": "textual-dark", "light": "textual-light"}


def resolve_theme(name: str) -> str:
    """The Textual theme for a --theme / `theme:` name ("" = Textual's default); unknown is a ConfigError."""
    if not name:
        return ""
    theme = ALIASES.get(name, name)
    if theme not in BUILTIN_THEMES:
        known = ", ".join(sorted([*ALIASES, *BUILTIN_THEMES]))
        raise ConfigError(f"theme '{name}' is not a theme cockpit knows (known: {known})")
    return theme


class AsciiOnly(LineFilter):
    """Under a non-UTF-8 locale: every drawn character as ASCII, cell for cell (frames become +-|)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [seg if control or text.isascii() else Segment(to_ascii(text), style, control)
                for seg in segments for text, style, control in (seg,)]


def apply_theme(app: App, name: str) -> None:
    """Set the theme, make NO_COLOR mean no colour (Textual alone would draw shades of grey), and
    draw ASCII only under a locale that is not UTF-8."""
    if theme := resolve_theme(name):
        app.theme = theme
    filters = app._filters  # Textual's own list of line filters (it has no public hook for adding one)
    if app.no_color:
        filters[:] = [f for f in filters if not isinstance(f, Monochrome | NoColor)] + [NoColor()]
    if G.ascii_only:
        filters.append(AsciiOnly())
