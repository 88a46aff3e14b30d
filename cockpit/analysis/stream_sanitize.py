"""Sanitize text that arrives in pieces (a streamed answer): an escape sequence split across two
chunks is removed whole, not half-removed with its tail shown as text.

sanitize() on each chunk alone strips an unterminated OSC "to the end" of that chunk, and the rest
of its payload, in the next chunk, prints as ordinary text; a CSI cut after its ESC leaves `[31m`.
StreamSanitizer holds back a trailing sequence that is not finished yet and cleans it with what follows.
"""

from __future__ import annotations

import re

from cockpit.analysis.sanitize import sanitize

MAX_HELD = 8192  # an "escape" still open after this much text is cleaned as it is (OSC rule: to the end)
_INTRO = re.compile(r"[\x1b\x90\x98\x9b\x9d\x9e\x9f]")
_CSI_BODY = re.compile(r"[0-?]*[ -/]*")
_STRING_END = re.compile(r"\x07|\x1b\\|\x9c")


def _sequence_end(buf: str, start: int) -> int | None:
    """Where the escape sequence at buf[start] ends, or None while it is unfinished."""
    c = buf[start]
    if c == "\x1b":
        if start + 1 == len(buf):
            return None
        kind = buf[start + 1]
        if kind == "[":
            return _csi_end(buf, start + 2)
        if kind in "]PX^_":
            return _string_end(buf, start + 2)
        return start + 2
    if c == "\x9b":
        return _csi_end(buf, start + 1)
    return _string_end(buf, start + 1)


def _csi_end(buf: str, pos: int) -> int | None:
    end = _CSI_BODY.match(buf, pos).end()  # type: ignore[union-attr]
    return None if end == len(buf) else end + ("@" <= buf[end] <= "~")


def _string_end(buf: str, pos: int) -> int | None:
    found = _STRING_END.search(buf, pos)
    if found is None:
        return None
    return found.end()


def _held_from(buf: str) -> int:
    """The index from which buf must wait for more text (len(buf): nothing held)."""
    pos = 0
    while (m := _INTRO.search(buf, pos)) is not None:
        end = _sequence_end(buf, m.start())
        if end is None:
            return m.start()
        pos = end
    if buf.endswith("\x1b") or buf.endswith("\r"):  # an ESC that may start ST; \r of a \r\n
        return len(buf) - 1
    return len(buf)


class StreamSanitizer:
    """feed() chunks, write what it returns; flush() at the end of the stream."""

    def __init__(self, *, for_terminal: bool = True) -> None:
        self._held = ""
        self._for_terminal = for_terminal

    def feed(self, chunk: str) -> str:
        buf = self._held + chunk
        cut = _held_from(buf)
        if len(buf) - cut > MAX_HELD:
            cut = len(buf)
        self._held = buf[cut:]
        return sanitize(buf[:cut], limit=None, for_terminal=self._for_terminal) if cut else ""

    def flush(self) -> str:
        rest, self._held = self._held, ""
        return sanitize(rest, limit=None, for_terminal=self._for_terminal) if rest else ""
