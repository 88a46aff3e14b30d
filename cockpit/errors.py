"""The errors cockpit tells a user about, and the one line each becomes (never a traceback)."""

from __future__ import annotations


class SourceError(Exception):
    """A backend failed in a way worth telling the user plainly (the message is shown as is)."""


class ReadOnlyError(SourceError):
    """An action was refused because cockpit runs with --readonly."""


def error_text(exc: BaseException) -> str:
    """One line a user can act on; never a traceback."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    name = type(exc).__name__
    if isinstance(exc, SourceError):
        return text or name
    return f"{name}: {text}" if text else name
