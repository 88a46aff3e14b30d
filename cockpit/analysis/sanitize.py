"""Make hostile cluster text safe to show: literal, single-line where asked, no terminal control.

Everything from a cluster or backend (labels, annotations, pod names, logs, events, model output)
passes through here before it reaches a widget. The UI renders the result as rich.text.Text (never
markup), so square brackets are shown as typed; this module removes what a terminal would act on.

What is drawn on a terminal (for_terminal=True, the default) also gets one width everywhere: Rich
measures a grapheme cluster (`⚠️`, `👍🏽`, `👨‍💻`) as one glyph, tmux, screen and most SSH clients
add up the C library's `wcwidth` code point by code point, and any disagreement shifts a row and its
borders. So the presentation-only code points are dropped, joined sequences fall apart into their
parts, and a code point the two measures do not agree on (or do not know) becomes a one-cell stand-in.
Snapshots, JSON and text for the model pass for_terminal=False and keep the original.
"""

from __future__ import annotations

import re
import unicodedata

from rich.cells import get_character_cell_size

from cockpit.analysis.wcwidth import c_wcwidth
from cockpit.glyphs import G

# ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC (ESC P/X/^/_ ... ST),
# and two-character escapes. Their 8-bit C1 forms (U+009B CSI, U+009D OSC, ...) too.
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?            # CSI
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])        # OSC / DCS / SOS / PM / APC ...
      .*?(?:\x07|\x1b\\|\x9c|$)                    # ... up to BEL or ST (or the end)
  | \x1b[@-Z\\-_]?                                 # other 2-char escapes, or a lone ESC
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 controls except tab/newline, DEL, C1 controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidi embeddings/overrides/isolates and zero-width characters that can hide or reorder text.
_INVISIBLE = re.compile(r"[\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")

# Presentation-only code points: variation selectors (text/emoji style), skin-tone modifiers, tag
# characters (subdivision flags), the combining keycap, and the zero-width joiner (a joined emoji
# falls apart into its parts).
_PRESENTATION = frozenset([0xFE0E, 0xFE0F, 0x20E3, 0x200D, *range(0x1F3FB, 0x1F400), *range(0xE0020, 0xE0080)])
STAND_IN = "▫"  # ▫ one cell under both measures, not East Asian Ambiguous, in common fonts
_UNKNOWN_CATEGORIES = ("Cn", "Co", "Cs")  # unassigned, private use, lone surrogates


def _terminal_char(cp: int) -> str:
    """What one code point becomes on a terminal (see the module docstring)."""
    if cp in _PRESENTATION:
        return ""
    ch = chr(cp)
    if G.ascii_only:
        return ch if cp < 0x80 else "?"
    if unicodedata.category(ch) in _UNKNOWN_CATEGORIES:
        return STAND_IN
    width = c_wcwidth(ch)
    if width < 0 or width != get_character_cell_size(ch):
        return STAND_IN
    return ch


class _TerminalTable(dict[int, str]):
    """str.translate table filled on first sight of each code point (the loop stays in C)."""

    def __missing__(self, cp: int) -> str:
        if len(self) >= 65536:  # hostile text could name every code point: keep the cache bounded
            self.clear()
        out = self[cp] = _terminal_char(cp)
        return out


_TERMINAL = _TerminalTable()


def same_width(text: str) -> str:
    """Text whose width under Rich's cell_len equals the C library's wcswidth (tmux, screen)."""
    if text.isascii():
        return text
    return text.translate(_TERMINAL)


MAX_FIELD = 4096  # characters kept of one field shown in a cell; details screens pass a larger limit


def sanitize(text: object, *, limit: int | None = MAX_FIELD, single_line: bool = False,
             for_terminal: bool = True) -> str:
    """Return text with escape sequences removed, controls made visible and length bounded.

    for_terminal: also give it one width under every measure (same_width); False keeps the characters.
    """
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    s = str(text)
    if limit is not None and len(s) > limit * 4:
        s = s[: limit * 4]  # bound the regex work on megabyte values before cleaning
    s = _ESCAPES.sub("", s)
    s = _INVISIBLE.sub("", s)
    s = s.replace("\r\n", "\n").replace("\t", "    ")
    if single_line:
        s = s.replace("\n", f" {G.newline} " if for_terminal else " ⏎ ")
    s = _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}" if m.group() != "\n" else "\n", s)
    if limit is not None and len(s) > limit:
        s = s[:limit] + f"{G.ellipsis if for_terminal else '…'} [{len(s) - limit} more chars]"
    return same_width(s) if for_terminal else s


def sanitize_line(text: object, limit: int | None = 512, *, for_terminal: bool = True) -> str:
    """For a table cell: one line, bounded."""
    return sanitize(text, limit=limit, single_line=True, for_terminal=for_terminal)


# What a terminal acts on or that hides text, were it left in JSON strings: DEL, C1 controls, bidi and
# zero-width characters, line separators. json escapes C0 controls itself.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029" + _INVISIBLE.pattern[1:-1] + "]")


def json_escape_terminal(encoded: str) -> str:
    """JSON text (from ensure_ascii=False) with those characters written as \\uXXXX escapes: the data
    is kept exactly (a JSON reader gets them back) and the bytes are inert on a terminal."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)


def clip(text: object, limit: int = 300) -> str:
    """For prose a user reads (incidents, changes): one line, cut with an ellipsis, no internal markers."""
    if isinstance(text, str) and text.isprintable():  # the common case, in C: nothing to remove
        s = text
    else:
        s = sanitize(text, limit=limit * 4, single_line=True)
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"
