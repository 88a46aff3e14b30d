"""Themes: Textual's built-in ones by name, plus `ansi` (the terminal's own 16-colour palette).

NO_COLOR is honoured by Textual itself (every colour removed); what cockpit shows stays readable without
colour because severity, staleness and status are words, marks differ by shape (✔ ✖) and the row cursor
is reverse video then.
"""

from __future__ import annotations

from textual.app import App
from textual.filter import Monochrome, NoColor
from textual.theme import BUILTIN_THEMES

from cockpit.config import ConfigError

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


def apply_theme(app: App, name: str) -> None:
    """Set the theme, and make NO_COLOR mean no colour (Textual alone would draw shades of grey)."""
    if theme := resolve_theme(name):
        app.theme = theme
    if app.no_color:
        app._filters = [f for f in app._filters if not isinstance(f, Monochrome | NoColor)] + [NoColor()]
